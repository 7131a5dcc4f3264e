"""The public, read-only JSON API under /api/v1/ (blueprint ``api``) and the embeddable badge and
card of a case (blueprint ``embeds``).

Both show exactly what the public pages show, from the same queries and counters, to everybody
(a signed-in organiser gets the public view too: an address that is shared must not show more
to some). They are served through the page cache like the public pages, with ETags and 304s.
The API answers errors as JSON (``{"error": ..., "status": ...}``), lets any origin read it
(CORS, without credentials) and is rate-limited per client (``API_RATE_LIMIT``).
"""

from __future__ import annotations

from typing import Any, NoReturn, cast

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask_babel import force_locale

from campaign.api import badges, documents
from campaign.cases.counters import case_counters, detention
from campaign.cases.queries import is_public, public_case_or_404
from campaign.extensions import limiter
from campaign.models import CaseStatus
from campaign.public import queries
from campaign.timeline.build import FILTERS, PAGE_SIZE, build_page, counter_events
from campaign.timeline.reach import load_reach
from campaign.util.countries import is_country_code
from campaign.util.dates import today_utc
from campaign.web import errors
from campaign.web.caching import cache_headers, shared_page
from campaign.web.routing import MAX_PAGE
from campaign.web.security import frameable

PREFIX = "/api/v1"
public_bp = Blueprint("api", __name__, url_prefix=PREFIX)
embeds_bp = Blueprint("embeds", __name__)
public_bp.after_request(cache_headers)
embeds_bp.after_request(cache_headers)

# CORS: anyone may read, nobody's cookies are sent (no Allow-Credentials), for reading only.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept-Language, If-None-Match, If-Modified-Since",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Retry-After, X-RateLimit-Limit, "
    "X-RateLimit-Remaining, X-RateLimit-Reset",
    "Access-Control-Max-Age": "86400",
}
# The badge is an image: nothing in it may load, run or submit anything.
BADGE_POLICY = "default-src 'none'; frame-ancestors *; base-uri 'none'; form-action 'none'; sandbox"
CARD_POLICY = "; ".join(
    [
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self'",
        "form-action 'none'",
        "frame-ancestors *",
        "base-uri 'none'",
    ]
)


@public_bp.record_once
def _json_errors(state: BlueprintSetupState) -> None:
    """Unknown addresses and wrong methods under /api/ are answered in JSON too."""
    errors.answer_json_under(cast(Flask, state.app), PREFIX + "/")


@public_bp.after_app_request
def _cors(response: Response) -> Response:
    """Let pages on any site read the API (never with the visitor's cookies)."""
    if request.path.startswith(PREFIX + "/") and request.method in SAFE_METHODS:
        response.headers.update(CORS_HEADERS)
    return response


def _rate_limit() -> str:
    return str(current_app.config["API_RATE_LIMIT"])


limiter.limit(_rate_limit, scope="api")(public_bp)


def _bad(message: str) -> NoReturn:
    """Stop with a 400 whose JSON says what was wrong."""
    abort(400, description=message)


def _links(endpoint: str, **values: Any) -> str:
    return url_for(endpoint, _external=True, **values)


# -- query parameters: read strictly (a 400 says which is wrong) ------------------------------


def _one(name: str) -> str | None:
    values = request.args.getlist(name)
    if len(values) > 1:
        _bad(f"'{name}' may be given once.")
    return values[0] if values else None


def _exact(values: list[str]) -> str | None:
    """The page cache keys the API by the parameters exactly as given: what the view refuses
    (a 400, never kept) must not share a key with what it serves."""
    return "\x1f".join(values) if values else None


CASES_PARAMS = dict.fromkeys(("country", "status", "q", "page"), _exact)
TIMELINE_PARAMS = dict.fromkeys(("show", "cursor"), _exact)


def _page() -> int:
    text = _one("page")
    if text is None:
        return 1
    # ASCII digits only: int() would also read Arabic-Indic digits, "1_0" or " 1", and fail on "²".
    digits = text.isascii() and text.isdigit() and len(text) <= len(str(MAX_PAGE))
    if not digits or not 1 <= int(text) <= MAX_PAGE:
        _bad(f"'page' must be a whole number from 1 to {MAX_PAGE}.")
    return int(text)


def _filters() -> queries.CaseFilters:
    country, status, query = _one("country"), _one("status"), _one("q")
    if country is not None and not is_country_code(country.strip().upper()):
        _bad("'country' must be a two-letter country code (ISO 3166-1), such as KZ.")
    if status is not None and status not in set(CaseStatus):
        _bad("'status' must be one of: " + ", ".join(s.value for s in CaseStatus) + ".")
    if query is not None and len(query) > queries.SEARCH_MAX:
        _bad(f"'q' may be at most {queries.SEARCH_MAX} characters long.")
    return queries.read_filters(country, status, query)


# -- the API ---------------------------------------------------------------------------------


@public_bp.get("/openapi.json")
@shared_page()
def openapi() -> Response:
    """The OpenAPI 3.1 document that describes this API."""
    return jsonify(documents.openapi_document())


@public_bp.get("/cases")
@shared_page(**CASES_PARAMS)
def cases() -> Response:
    """The published cases, filtered and ordered as on the home page, a page at a time."""
    filters = _filters()
    page = _page()
    found, has_next = queries.published_cases(filters, page)
    today = today_utc()
    latest = queries.latest_events([c.id for c in found], today)
    args = {
        "country": filters.country or None,
        "status": filters.status.value if filters.status else None,
        "q": filters.query or None,
    }
    return jsonify(
        {
            "cases": [
                documents.case_summary(c, detention(c, today), latest.get(c.id), _links)
                for c in found
            ],
            "page": page,
            "next": _links("api.cases", page=page + 1, **args) if has_next else None,
        }
    )


@public_bp.get("/cases/<slug>")
@shared_page()
def case(slug: str) -> Response:
    """A published case as its public page shows it."""
    found = public_case_or_404(slug)
    related = [c for c in found.related_cases if is_public(c)]
    return jsonify(documents.case_document(found, related, load_reach(found.id), _links))


@public_bp.get("/cases/<slug>/timeline")
@shared_page(**TIMELINE_PARAMS)
def timeline(slug: str) -> Response:
    """The public timeline of a case, oldest first, a page at a time (an opaque cursor)."""
    found = public_case_or_404(slug)
    shown = request.args.getlist("show")
    unknown = sorted(set(shown) - set(FILTERS))
    if unknown:
        _bad("'show' may be: " + ", ".join(FILTERS) + ".")
    text = _one("cursor")
    try:
        after = documents.read_cursor(text) if text else None
    except documents.BadCursor:
        _bad("'cursor' is not one this API gave: start again without it.")
    show = frozenset(shown) or frozenset(FILTERS)
    page = build_page(
        found,
        show=show,
        include_internal=False,
        after=after,
        today=today_utc(),
        limit=PAGE_SIZE,
        with_messages=False,
    )
    next_cursor = None
    if page.next_cursor is not None and page.items:
        next_cursor = documents.cursor_text(page.items[-1].key)
    show_args = sorted(show) if show != frozenset(FILTERS) else []
    return jsonify(
        {
            "items": documents.timeline_items(page.items, found),
            "next_cursor": next_cursor,
            "next": _links("api.timeline", slug=slug, show=show_args, cursor=next_cursor)
            if next_cursor
            else None,
        }
    )


@public_bp.get("/cases/<slug>/counters")
@shared_page()
def counters(slug: str) -> Response:
    """The case page's day counters, today (UTC)."""
    found = public_case_or_404(slug)
    today = today_utc()
    scheduled = counter_events(found.id, include_internal=False, today=today)
    counted = case_counters(found, scheduled, today)
    return jsonify(documents.counters_document(found, counted, today, _links))


# -- open appeals: /api/v1/cases/<slug>/appeals -----------------------------------------------
# Not served yet, on purpose: appeals (urgent actions) are being built in their own package and
# are not in this code base. When campaign.appeals lands, its public query of a case's open
# appeals goes here, with its schema in openapi.json; until then the address is a plain 404,
# and openapi.json does not list it.


# -- embeds: a badge and a card that any site may show ---------------------------------------


def _lang_param(values: list[str]) -> str | None:
    chosen = values[0] if values else ""
    return chosen if chosen in current_app.config["LANGUAGES"] else None


EMBED_PARAMS = {"lang": _lang_param}


def _embed_locale() -> str:
    """The language asked for with ``?lang=``, if the site has it, else the site's default."""
    return _lang_param(request.args.getlist("lang")) or str(
        current_app.config["BABEL_DEFAULT_LOCALE"]
    )


@embeds_bp.get("/cases/<slug>/badge.svg")
@frameable(BADGE_POLICY)
@shared_page(**EMBED_PARAMS)
def badge(slug: str) -> Response:
    """An SVG badge of the case: its name and "Day N in detention", or its status."""
    found = public_case_or_404(slug)
    today = today_utc()
    with force_locale(_embed_locale()):
        counted = case_counters(
            found, counter_events(found.id, include_internal=False, today=today), today
        )
        body = badges.badge_svg(found, badges.badge_value(found, counted))
    return Response(body, mimetype="image/svg+xml")


@embeds_bp.get("/cases/<slug>/card")
@frameable(CARD_POLICY)
@shared_page(**EMBED_PARAMS)
def card(slug: str) -> str:
    """A small page with the case's counters, to show in an ``<iframe>`` on any site."""
    found = public_case_or_404(slug)
    today = today_utc()
    locale = _embed_locale()
    with force_locale(locale):
        counted = case_counters(
            found, counter_events(found.id, include_internal=False, today=today), today
        )
        return render_template("api/card.html", case=found, counters=counted, lang=locale)
