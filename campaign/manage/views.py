"""The staff area under /manage/: deny-by-default for every view, enforced once here."""

from __future__ import annotations

from flask import Blueprint, render_template

from campaign.messages import queries
from campaign.web.access import STAFF, allow, may_open

bp = Blueprint("manage", __name__, url_prefix="/manage")


@bp.get("/")
@allow(*STAFF)
def dashboard() -> str:
    """The staff home page: a tile per area the user may open, with what waits there."""
    counts: dict[str, int] = {}
    if may_open("messages.queue"):
        counts["messages.queue"] = queries.pending_count()
    return render_template("manage/dashboard.html", counts=counts)
