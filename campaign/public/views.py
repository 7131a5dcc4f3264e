"""The public site: the list of published cases and each case's page with its timeline.

Public pages depend on nothing but the URL (and the language the browser asks for): no session is
written for anonymous visitors, so a cache in front may serve them (see campaign.web.caching).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    send_file,
    url_for,
)

from campaign.cases import counters
from campaign.cases.queries import is_public, visible_case_or_404
from campaign.models import Case, CaseStatus
from campaign.photos import services as photos
from campaign.public import queries
from campaign.timeline import fragments
from campaign.timeline.build import (
    FILTERS,
    PAGE_SIZE,
    EventRef,
    build_page,
    counter_events,
    encode_cursor,
    parse_cursor,
    parse_show,
)
from campaign.timeline.reach import load_reach
from campaign.util.countries import is_country_code
from campaign.util.dates import today_utc
from campaign.web.caching import (
    cache_headers,
    is_staff,
    normalised_choice,
    normalised_text,
    shared_page,
)
from campaign.web.routing import page_number

public_bp = Blueprint("public", __name__)
public_bp.after_request(cache_headers)
# A portrait's own address never shows another image: caches may keep it this long (a year).
PORTRAIT_MAX_AGE = 365 * 24 * 3600


def _country(value: str) -> str | None:
    code = value.strip().upper()
    return code if is_country_code(code) else None


def _status(value: str) -> str | None:
    return value if value in set(CaseStatus) else None


def _show(values: list[str]) -> str | None:
    chosen = parse_show(values)
    return None if chosen == frozenset(FILTERS) else ",".join(sorted(chosen))


def _later_page(value: str) -> str | None:
    number = page_number(value)
    return None if number == 1 else str(number)


def _cursor(value: str) -> str | None:
    key = parse_cursor(value)
    return encode_cursor(key) if key else None


# What each page reads from the query string, in the canonical form the page cache keys it by.
INDEX_PARAMS = {
    "country": normalised_choice(_country),
    "status": normalised_choice(_status),
    "q": normalised_text(queries.SEARCH_MAX),
    "page": normalised_choice(_later_page),
}
CASE_PARAMS = {"show": _show, "after": normalised_choice(_cursor)}
SHEET_PARAMS = {"show": _show}


@public_bp.get("/")
@shared_page(**INDEX_PARAMS)
def index() -> str:
    """Published cases, people currently in custody first, with filters and a search box."""
    filters = queries.read_filters(
        request.args.get("country"), request.args.get("status"), request.args.get("q")
    )
    page = request.args.get("page", 1, type=page_number)
    cases, has_next = queries.published_cases(filters, page)
    now = today_utc()
    args = {
        "q": filters.query or None,
        "country": filters.country or None,
        "status": filters.status.value if filters.status else None,
    }
    return render_template(
        "public/index.html",
        cases=cases,
        latest=queries.latest_events([c.id for c in cases], now),
        detention={c.id: counters.detention(c, now) for c in cases},
        countries=queries.public_countries(),
        statuses=list(CaseStatus),
        country=filters.country,
        status=filters.status,
        query=filters.query,
        filtered=filters.filtered,
        page=page,
        has_next=has_next,
        args={k: v for k, v in args.items() if v},
    )


@public_bp.get("/cases/<slug>")
@shared_page(**CASE_PARAMS)
def case(slug: str) -> str:
    """A case page: who the person is, where they stand, the counters, reach and the timeline."""
    return _case_page(slug, sheet=False)


@public_bp.get("/cases/<slug>/sheet")
@shared_page(**SHEET_PARAMS)
def case_sheet(slug: str) -> str:
    """The case page with the whole timeline on one page, to print as a case sheet."""
    return _case_page(slug, sheet=True)


def _case_page(slug: str, *, sheet: bool) -> str:
    case = visible_case_or_404(slug, staff=is_staff())
    staff = is_staff()
    now = today_utc()
    show = parse_show(request.args.getlist("show"))
    after = None if sheet else parse_cursor(request.args.get("after"))
    page = build_page(
        case,
        show=show,
        include_internal=staff,
        after=after,
        today=now,
        limit=None if sheet else PAGE_SIZE,
        with_messages=not sheet,
        load_events_shown=False,
    )
    event_views = fragments.event_views(
        [i.id for i in page.items if isinstance(i, EventRef)],
        case_id=case.id,
        today=now,
        include_internal=staff,
    )
    scheduled = counter_events(case.id, include_internal=staff, today=now)
    counted = counters.case_counters(case, scheduled, now)
    reach = load_reach(case.id)
    related = [c for c in case.related_cases if staff or (c.published and c.archived_at is None)]
    show_args = sorted(show) if show != frozenset(FILTERS) else []
    return render_template(
        "public/case.html",
        case=case,
        related=related,
        page=page,
        event_views=event_views,
        show=show,
        show_args=show_args,
        filters=FILTERS,
        detention=counted.detention,
        strike_day=counted.hunger_strike_day,
        hearing=counted.next_hearing,
        days_to_hearing=counted.days_to_hearing,
        next_event=counted.next_event,
        today_events=counted.today_events,
        reach=reach,
        reach_chart=fragments.reach_chart(reach),
        staff=staff,
        today=now,
        sheet=sheet,
    )


@public_bp.get("/cases/<slug>/photo")
def case_photo(slug: str) -> Response:
    """The person's portrait at a stable address (``?size=small``, else large), for links made
    once and kept (the API's ``photo_url``); browsers check back for a new one."""
    case = visible_case_or_404(slug, staff=is_staff())
    size = request.args.get("size", "large")
    path = photos.portrait_file(case, size, current_app.config["PHOTO_FOLDER"])
    if path is None:
        abort(404)
    return send_file(path, mimetype="image/jpeg")


@public_bp.get("/cases/<slug>/photo/<name>.<size>.jpg")
def case_portrait(slug: str, name: str, size: str) -> Response:
    """The person's portrait at the address of this one portrait: a new portrait gets a new name,
    so a published one may be kept by any cache for a year. An unpublished case's portrait is
    shown to staff only, and kept by no one."""
    case = visible_case_or_404(slug, staff=is_staff())
    if name != case.photo_filename:
        abort(404)
    path = photos.portrait_file(case, size, current_app.config["PHOTO_FOLDER"])
    if path is None:
        abort(404)
    if not is_public(case):
        return send_file(path, mimetype="image/jpeg")  # "no-cache": staff check back
    # A year, said once: send_file's own "no-cache" would make every cache ask again.
    response = send_file(path, mimetype="image/jpeg", max_age=PORTRAIT_MAX_AGE)
    response.cache_control.immutable = True
    return response


def portrait_url(case: Case, size: str = "small") -> str | None:
    """Where a page finds the case's portrait in *size* (None: it has none to show)."""
    if not photos.has_portrait(case):
        return None
    return url_for("public.case_portrait", slug=case.slug, name=case.photo_filename, size=size)


public_bp.add_app_template_global(portrait_url)
# The timeline's events and days of messages, each kept by its data (campaign.timeline.fragments).
public_bp.add_app_template_global(fragments.event_html, "timeline_event")
public_bp.add_app_template_global(fragments.messages_html, "timeline_messages")
public_bp.add_app_template_global(photos.portrait_dimensions)
