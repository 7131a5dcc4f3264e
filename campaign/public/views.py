"""The public site: the list of published cases and each case's page with its timeline.

Public pages depend on nothing but the URL (and the language the browser asks for): no session is
written for anonymous visitors, so a cache in front may serve them (see campaign.web.caching).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    send_from_directory,
)

from campaign.cases import counters
from campaign.cases.queries import public_cases_clause, visible_case_or_404
from campaign.events.queries import publicly_shown
from campaign.extensions import db
from campaign.models import Case, CaseStatus, Event, event_cases
from campaign.search import queries as search_queries
from campaign.timeline.build import (
    FILTERS,
    PAGE_SIZE,
    build_page,
    counter_events,
    encode_cursor,
    parse_cursor,
    parse_show,
)
from campaign.timeline.reach import load_reach, reach_svg
from campaign.util.countries import country_name, is_country_code
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

SEARCH_MAX = 100
# Cases on one page of the home page: its cost does not grow with the number of cases.
INDEX_PAGE_SIZE = 20
HELD = tuple(s for s in CaseStatus if s.in_custody)


def _visible_cases() -> sa.Select[Any]:
    return sa.select(Case).where(*public_cases_clause())


def _latest_events(case_ids: list[int], on_or_before: date) -> dict[int, Event]:
    """The latest public event (by the date it happened) of each case, in two queries.

    A correlated subquery per case reads that case's events newest first and stops at the
    first, instead of numbering every event of every case on the page (a long case has
    thousands).
    """
    if not case_ids:
        return {}
    latest = (
        sa.select(Event.id)
        .join(event_cases, event_cases.c.event_id == Event.id)
        .where(
            event_cases.c.case_id == Case.id,
            publicly_shown(),
            Event.date <= on_or_before,
        )
        .order_by(Event.date.desc(), Event.id.desc())
        .limit(1)
        .correlate(Case)
        .scalar_subquery()
    )
    pairs = db.session.execute(sa.select(Case.id, latest).where(Case.id.in_(case_ids))).all()
    wanted = {event_id: case_id for case_id, event_id in pairs if event_id is not None}
    if not wanted:
        return {}
    events = db.session.scalars(sa.select(Event).where(Event.id.in_(wanted))).all()
    return {wanted[event.id]: event for event in events}


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
    "q": normalised_text(SEARCH_MAX),
    "page": normalised_choice(_later_page),
}
CASE_PARAMS = {"show": _show, "after": normalised_choice(_cursor)}
SHEET_PARAMS = {"show": _show}


@public_bp.get("/")
@shared_page(**INDEX_PARAMS)
def index() -> str:
    """Published cases, people currently in custody first, with filters and a search box."""
    country = (request.args.get("country") or "").strip().upper()
    country = country if is_country_code(country) else ""
    status_value = request.args.get("status") or ""
    status = CaseStatus(status_value) if status_value in set(CaseStatus) else None
    query = (request.args.get("q") or "").strip()[:SEARCH_MAX]

    stmt = _visible_cases()
    if country:
        stmt = stmt.where(Case.country == country)
    if status is not None:
        stmt = stmt.where(Case.status == status)
    if query:
        # The search index, as on /search: any word order, either script, names and places.
        found_ids = search_queries.matching_case_ids(query, staff=False) or set()
        stmt = stmt.where(Case.id.in_(found_ids))
    page = request.args.get("page", 1, type=page_number)
    in_custody_first = sa.case((Case.status.in_(HELD), 0), else_=1)
    found = list(
        db.session.scalars(
            stmt.order_by(in_custody_first, sa.func.lower(Case.person_name), Case.id)
            .limit(INDEX_PAGE_SIZE + 1)
            .offset((page - 1) * INDEX_PAGE_SIZE)
        )
    )
    cases = found[:INDEX_PAGE_SIZE]
    now = today_utc()
    countries = sorted(
        {
            c
            for c in db.session.scalars(_visible_cases().with_only_columns(Case.country).distinct())
            if c
        },
        key=country_name,
    )
    args = {"q": query or None, "country": country or None, "status": status_value or None}
    return render_template(
        "public/index.html",
        cases=cases,
        latest=_latest_events([c.id for c in cases], now),
        detention={c.id: counters.detention(c, now) for c in cases},
        countries=countries,
        statuses=list(CaseStatus),
        country=country,
        status=status,
        query=query,
        filtered=bool(country or status or query),
        page=page,
        has_next=len(found) > INDEX_PAGE_SIZE,
        args={k: v for k, v in args.items() if v and (k != "status" or status)},
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
    )
    scheduled = counter_events(case.id, include_internal=staff, today=now)
    hearing = counters.next_hearing(scheduled, now)
    reach = load_reach(case.id)
    related = [c for c in case.related_cases if staff or (c.published and c.archived_at is None)]
    show_args = sorted(show) if show != frozenset(FILTERS) else []
    return render_template(
        "public/case.html",
        case=case,
        related=related,
        page=page,
        show=show,
        show_args=show_args,
        filters=FILTERS,
        detention=counters.detention(case, now),
        strike_day=counters.hunger_strike_day(scheduled, now, case),
        hearing=hearing,
        days_to_hearing=counters.days_until(hearing, now),
        next_event=counters.next_event(scheduled, now),
        today_events=counters.todays_events(scheduled, now),
        reach=reach,
        reach_chart=reach_svg(reach, country_name),
        staff=staff,
        today=now,
        sheet=sheet,
    )


@public_bp.get("/cases/<slug>/photo")
def case_photo(slug: str) -> Response:
    """The person's photo, from ``PHOTO_FOLDER`` (by default the instance's ``photos`` folder)."""
    case = visible_case_or_404(slug, staff=is_staff())
    if not case.photo_filename:
        abort(404)
    folder = current_app.config["PHOTO_FOLDER"]
    # send_from_directory refuses names that climb out of the folder.
    return send_from_directory(folder, case.photo_filename, max_age=3600)
