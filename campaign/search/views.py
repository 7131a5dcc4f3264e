"""The search pages: the public one over what the public may see, the staff one over everything.

Search was put in a package of its own, not inside ``public`` or ``manage``: it reads cases and
events alike, keeps its own index (campaign.search.index) and serves both surfaces.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from campaign.search import queries
from campaign.web.access import STAFF, allow
from campaign.web.caching import cache_headers
from campaign.web.routing import page_number

public_bp = Blueprint("search", __name__)
public_bp.after_request(cache_headers)
bp = Blueprint("staff_search", __name__, url_prefix="/manage/search")


def _query() -> str:
    """The search as typed, cut to what is read: the box shows it back."""
    return (request.args.get("q") or "").replace("\x00", "")[: queries.MAX_QUERY].strip()


@public_bp.get("/search")
def public_search() -> str:
    """Published cases and their public events, ranked, highlighted and paged."""
    query = _query()
    results = queries.search(query, staff=False, page=request.args.get("page", 1, type=page_number))
    return render_template("search/results.html", query=query, results=results, staff=False)


@bp.get("/")
@allow(*STAFF)
def staff_search() -> str:
    """Every case and event, unpublished and internal ones too, ranked, highlighted and paged."""
    query = _query()
    results = queries.search(query, staff=True, page=request.args.get("page", 1, type=page_number))
    return render_template("search/results.html", query=query, results=results, staff=True)
