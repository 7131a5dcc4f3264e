"""The public site: the list of published cases, each case's page with its timeline, and feeds.

Public pages depend on nothing but the URL (and the language the browser asks for): no session is
written for anonymous visitors, so a cache in front may serve them. Signed-in staff additionally
see internal events, marked as such, and their responses are never cached.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from campaign import counters
from campaign.extensions import db
from campaign.models import Case, CaseStatus, CaseStatusChange, Event, event_cases
from campaign.public import feeds
from campaign.reach import load_reach, reach_svg
from campaign.timeline import (
    FILTERS,
    PAGE_SIZE,
    build_page,
    case_events,
    counter_events,
    event_heading,
    parse_cursor,
    parse_show,
    publicly_shown,
)
from campaign.util.countries import country_name, is_country_code
from campaign.util.dates import today_utc

bp = Blueprint("public", __name__)

PUBLIC_CACHE = "public, max-age=60"
STAFF_CACHE = "private, no-store"
SEARCH_MAX = 100
FEED_SIZE = 100


def is_staff() -> bool:
    """Whether a signed-in staff member is looking (they see internal items)."""
    return bool(current_user.is_authenticated)


bp.add_app_template_filter(event_heading, "event_heading")


@bp.after_request
def cache_headers(response: Response) -> Response:
    """Anonymous pages may be cached briefly by anyone; staff pages never."""
    if response.status_code < 500:
        response.headers["Cache-Control"] = STAFF_CACHE if is_staff() else PUBLIC_CACHE
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    return response


def get_visible_case(slug: str) -> Case:
    """Load a case by slug, or 404 if it does not exist or the visitor may not see it.

    The public sees published, unarchived cases only; signed-in staff see every case. An
    unpublished case gives the same 404 as an unknown slug, so its existence is not revealed.
    """
    case = db.session.scalar(
        sa.select(Case).where(Case.slug == slug).options(selectinload(Case.related_cases))
    )
    if case is None:
        abort(404)
    if not is_staff() and (not case.published or case.archived_at is not None):
        abort(404)
    return case


def get_public_case(slug: str) -> Case:
    """Load a published, unarchived case for a feed or export (the same for staff), or 404."""
    case = db.session.scalar(
        sa.select(Case).where(
            Case.slug == slug, Case.published.is_(True), Case.archived_at.is_(None)
        )
    )
    if case is None:
        abort(404)
    return case


def _visible_cases() -> sa.Select[Any]:
    return sa.select(Case).where(Case.published.is_(True), Case.archived_at.is_(None))


def _latest_events(case_ids: list[int], on_or_before: date) -> dict[int, Event]:
    """The latest public event (by the date it happened) of each case, in one query."""
    if not case_ids:
        return {}
    ranked = (
        sa.select(
            event_cases.c.case_id,
            Event.id.label("event_id"),
            sa.func.row_number()
            .over(
                partition_by=event_cases.c.case_id,
                order_by=(Event.date.desc(), Event.id.desc()),
            )
            .label("n"),
        )
        .join(Event, Event.id == event_cases.c.event_id)
        .where(
            event_cases.c.case_id.in_(case_ids),
            publicly_shown(),
            Event.date <= on_or_before,
        )
        .subquery()
    )
    rows = db.session.execute(
        sa.select(ranked.c.case_id, Event)
        .join(Event, Event.id == ranked.c.event_id)
        .where(ranked.c.n == 1)
    ).all()
    return dict(rows)


@bp.get("/")
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
        needle = query.lower()
        columns = (
            Case.person_name,
            Case.person_name_original,
            Case.charges,
            Case.legal_article,
            Case.city,
            Case.detention_place,
            Case.court,
        )
        stmt = stmt.where(
            sa.or_(*(sa.func.lower(c).contains(needle, autoescape=True) for c in columns))
        )
    now = today_utc()
    cases = sorted(
        db.session.scalars(stmt.order_by(Case.person_name)).all(),
        key=lambda c: (not c.status.in_custody, c.person_name.lower()),
    )
    countries = sorted(
        {c for c in db.session.scalars(_visible_cases().with_only_columns(Case.country)) if c},
        key=country_name,
    )
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
    )


@bp.get("/cases/<slug>")
def case(slug: str) -> str:
    """A case page: who the person is, where they stand, the counters, reach and the timeline."""
    return _case_page(slug, sheet=False)


@bp.get("/cases/<slug>/sheet")
def case_sheet(slug: str) -> str:
    """The case page with the whole timeline on one page, to print as a case sheet."""
    return _case_page(slug, sheet=True)


def _case_page(slug: str, *, sheet: bool) -> str:
    case = get_visible_case(slug)
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


@bp.get("/cases/<slug>/photo")
def case_photo(slug: str) -> Response:
    """The person's photo, from ``PHOTO_FOLDER`` (by default the instance's ``photos`` folder)."""
    case = get_visible_case(slug)
    if not case.photo_filename:
        abort(404)
    folder = current_app.config.get("PHOTO_FOLDER") or Path(current_app.instance_path) / "photos"
    # send_from_directory refuses names that climb out of the folder.
    return send_from_directory(folder, case.photo_filename, max_age=3600)


def _event_url(event: Event, case: Case | None = None) -> str:
    target = case or next((c for c in event.cases if c.published), None)
    if target is None:
        return url_for("public.index", _external=True)
    return url_for("public.case", slug=target.slug, _external=True) + f"#event-{event.id}"


def _public_case_events(case: Case) -> sa.Select[Any]:
    return case_events(case.id, include_internal=False).options(
        selectinload(Event.venue), selectinload(Event.cases)
    )


@bp.get("/cases/<slug>/calendar.ics")
def case_calendar(slug: str) -> Response:
    """The case's dated public events as a calendar to subscribe to."""
    case = get_public_case(slug)
    events = db.session.scalars(_public_case_events(case).order_by(Event.date, Event.id)).all()
    body = feeds.calendar(case.person_name, events, request.host, lambda e: _event_url(e, case))
    return Response(body, mimetype="text/calendar", headers=_inline(f"{case.slug}.ics"))


@bp.get("/cases/<slug>/feed.atom")
def case_feed(slug: str) -> Response:
    """New public events and status changes of a case, as an Atom feed."""
    case = get_public_case(slug)
    events = db.session.scalars(
        _public_case_events(case)
        .order_by(Event.created_at.desc(), Event.id.desc())
        .limit(FEED_SIZE)
    ).all()
    changes = db.session.scalars(
        sa.select(CaseStatusChange)
        .where(CaseStatusChange.case_id == case.id)
        .order_by(CaseStatusChange.changed_at.desc())
        .limit(FEED_SIZE)
    ).all()
    body = feeds.atom(
        feed_id=feeds.tag_uri(request.host, f"case/{case.id}"),
        title=case.person_name,
        subtitle=str(case.status.label),
        self_url=url_for("public.case_feed", slug=case.slug, _external=True),
        page_url=url_for("public.case", slug=case.slug, _external=True),
        events=events,
        status_changes=changes,
        url_for_event=lambda e: _event_url(e, case),
        updated_fallback=case.updated_at,
    )
    return Response(body, mimetype="application/atom+xml")


def _full_timeline(case: Case) -> list[dict[str, Any]]:
    page = build_page(
        case,
        show=frozenset(FILTERS),
        include_internal=False,
        after=None,
        today=today_utc(),
        limit=None,
        with_messages=False,
    )
    return feeds.timeline_rows(page.items, country_name)


@bp.get("/cases/<slug>/timeline.json")
def case_timeline_json(slug: str) -> Response:
    """The public timeline as JSON: one item per entry, ISO dates and their precision."""
    case = get_public_case(slug)
    return jsonify(
        {
            "case": {
                "slug": case.slug,
                "name": case.person_name,
                "status": case.status.value,
                "url": url_for("public.case", slug=case.slug, _external=True),
            },
            "items": _full_timeline(case),
        }
    )


@bp.get("/cases/<slug>/timeline.csv")
def case_timeline_csv(slug: str) -> Response:
    """The public timeline as CSV, safe to open in a spreadsheet."""
    case = get_public_case(slug)
    body = feeds.to_csv(_full_timeline(case))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{case.slug}-timeline.csv"'},
    )


def _upcoming() -> list[Event]:
    published = (
        sa.select(event_cases.c.event_id)
        .join(Case, Case.id == event_cases.c.case_id)
        .where(Case.published.is_(True), Case.archived_at.is_(None))
    )
    return list(
        db.session.scalars(
            sa.select(Event)
            .where(
                Event.id.in_(published),
                publicly_shown(),
                Event.date >= today_utc(),
            )
            .order_by(Event.date, Event.id)
            .limit(FEED_SIZE * 5)
            .options(selectinload(Event.venue), selectinload(Event.cases))
        )
    )


@bp.get("/calendar.ics")
def site_calendar() -> Response:
    """Upcoming public events across all published cases, as a calendar to subscribe to."""
    body = feeds.calendar(
        _("Solidarity campaigns"),
        _upcoming(),
        request.host,
        _event_url,
        title_for=feeds.names_title,
    )
    return Response(body, mimetype="text/calendar", headers=_inline("campaign.ics"))


@bp.get("/feed.atom")
def site_feed() -> Response:
    """Upcoming public events across all published cases, as an Atom feed."""
    events = _upcoming()[:FEED_SIZE]
    body = feeds.atom(
        feed_id=feeds.tag_uri(request.host, "upcoming"),
        title=_("Upcoming actions"),
        subtitle=_("Hearings, pickets and other actions across all cases"),
        self_url=url_for("public.site_feed", _external=True),
        page_url=url_for("public.index", _external=True),
        events=events,
        url_for_event=_event_url,
        updated_fallback=datetime(2010, 1, 1, tzinfo=UTC),
        title_for=feeds.names_title,
    )
    return Response(body, mimetype="application/atom+xml")


def _inline(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'inline; filename="{filename}"'}
