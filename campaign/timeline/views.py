"""The public record of a case as feeds and exports: iCalendar, Atom, JSON and CSV.

Only public events of published cases are served, to staff as to everyone: a feed URL is shared.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload, subqueryload

from campaign.appeals import feeds as appeal_feeds
from campaign.appeals import queries as appeal_queries
from campaign.cases.queries import public_case_or_404, public_cases_clause
from campaign.events.queries import case_events_select, publicly_shown
from campaign.extensions import db
from campaign.models import Appeal, Case, CaseStatusChange, Event, event_cases
from campaign.models.events import story_order
from campaign.timeline import feeds, fragments
from campaign.timeline.build import (
    FILTERS,
    MESSAGES,
    Item,
    MessageDay,
    build_page,
    event_heading,
    load_message_days,
)
from campaign.util.countries import country_name
from campaign.util.dates import today_utc
from campaign.web.caching import cache_headers, shared_page, shared_record_page
from campaign.web.templating import request_locale_name

public_bp = Blueprint("timeline", __name__)
public_bp.after_request(cache_headers)
public_bp.add_app_template_filter(event_heading, "event_heading")

FEED_SIZE = 100


def _event_url(event: Event, case: Case | None = None) -> str:
    target = case or next((c for c in event.cases if c.published), None)
    if target is None:
        return url_for("public.index", _external=True)
    return url_for("public.case", slug=target.slug, _external=True) + f"#event-{event.id}"


def _appeal_url(appeal: Appeal, case: Case) -> str:
    return url_for("letters.appeal", slug=case.slug, appeal_id=appeal.id, _external=True)


def _public_case_events(case: Case, *, whole: bool = False) -> sa.Select[Any]:
    """The case's public events with what a feed shows of them loaded: one query per relation.

    A page of them (*whole* false) loads each relation with an IN query; the whole record (the
    calendar) re-runs the event query as a subquery instead, as an IN query would be repeated
    for every 500 events.
    """
    if whole:  # the calendar, which names no other case
        return case_events_select(case.id, include_internal=False).options(
            subqueryload(Event.venue),
            subqueryload(Event.organisations),
            subqueryload(Event.translations),
        )
    return case_events_select(case.id, include_internal=False).options(
        selectinload(Event.venue),
        selectinload(Event.cases),
        selectinload(Event.organisations),
        selectinload(Event.translations),
    )


@public_bp.get("/cases/<slug>/calendar.ics")
@shared_record_page()  # events, status changes, appeals: no message
def case_calendar(slug: str) -> Response:
    """The case's dated public events as a calendar to subscribe to."""
    case = public_case_or_404(slug)
    events = db.session.scalars(
        _public_case_events(case, whole=True).order_by(*story_order())
    ).all()
    appeals = appeal_queries.case_appeals(case)
    deadlines = appeal_feeds.deadline_events(
        [*appeals.open, *appeals.others], request.host, lambda a: _appeal_url(a, case)
    )
    page = url_for("public.case", slug=case.slug, _external=True)  # _event_url's, made once
    body = feeds.calendar(
        case.person_name,
        events,
        request.host,
        lambda e: f"{page}#event-{e.id}",
        extra=deadlines,
        kept=fragments.store(),
    )
    return Response(body, mimetype="text/calendar", headers=_inline(f"{case.slug}.ics"))


@public_bp.get("/cases/<slug>/feed.atom")
@shared_record_page()  # events, status changes, appeals: no message
def case_feed(slug: str) -> Response:
    """New public events and status changes of a case, as an Atom feed."""
    case = public_case_or_404(slug)
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
    feed_id = feeds.tag_uri(request.host, f"case/{case.id}")
    appeals = appeal_queries.case_appeals(case)
    shown = [*appeals.open, *appeals.others]
    appeal_entries = appeal_feeds.atom_entries(
        feed_id,
        shown,
        [r for a in shown for r in a.responses if appeal_queries.response_shown(r, staff=False)],
        lambda a: _appeal_url(a, case),
    )
    body = feeds.atom(
        feed_id=feed_id,
        title=case.person_name,
        subtitle=str(case.status.label),
        self_url=url_for("timeline.case_feed", slug=case.slug, _external=True),
        page_url=url_for("public.case", slug=case.slug, _external=True),
        events=events,
        status_changes=changes,
        url_for_event=lambda e: _event_url(e, case),
        updated_fallback=case.updated_at,
        site_name=current_app.config["SITE_NAME"],
        extra_entries=appeal_entries,
    )
    return Response(body, mimetype="application/atom+xml")


def _full_timeline(case: Case, written: str) -> list[str]:
    """The whole public timeline as rows of text (*written* "json" or "csv"), in order.

    The days of messages are read afresh; the rest (events, appeals, milestones) is kept by the
    worker under the records' version (fragments.record_rows), which approving a message leaves
    as it was: on a verdict day's moderation the long case's exports no longer read and write
    2,000 events after every approval.
    """
    today = today_utc()
    records = fragments.record_rows(
        ("timeline", written, case.id, request_locale_name(), today),
        lambda: _written_rows(_record_items(case, today), case.id, written),
    )
    days, _more = load_message_days(case.id, after=None, until=None, limit=None)
    merged = heapq.merge(records, _day_rows(days, case.id, written), key=itemgetter(0))
    return [text for _key, text in merged]


def _record_items(case: Case, today: date) -> list[Item]:
    """Everything on the case's public timeline but its days of messages, in order."""
    return build_page(
        case,
        show=frozenset(FILTERS) - {MESSAGES},
        include_internal=False,
        after=None,
        today=today,
        limit=None,
        with_messages=False,
    ).items


def _writer(written: str) -> Callable[[dict[str, Any]], str]:
    """How a row of the exports is written: a CSV line, or JSON as ``jsonify`` writes it."""
    if written == "csv":
        return feeds.csv_row
    dumps = current_app.json.dumps
    return lambda row: dumps(row, separators=(",", ":"))


def _written_rows(items: Sequence[Item], case_id: int, written: str) -> list[fragments.KeptRow]:
    """Each item's row of the exports (feeds.timeline_rows) as JSON or CSV text, with its key."""
    write = _writer(written)
    rows = feeds.timeline_rows(items, country_name, case_id)
    return [(item.key, write(row)) for item, row in zip(items, rows, strict=True)]


# Stands for the day in a day of messages' row while it is written: plain letters, the same in
# JSON and CSV, and in no other field of such a row.
_DAY_MARK = "DAYOFMESSAGES"


def _day_rows(days: Sequence[MessageDay], case_id: int, written: str) -> list[fragments.KeptRow]:
    """The rows of the days of messages, as :func:`_written_rows` writes them.

    Read afresh after every approval, and the long case has 2,000 of them: a day's row differs
    from another's with the same counts by its date alone, so each pair of counts is written
    once (feeds.timeline_rows, then JSON or CSV) and each day's date put in its place, instead
    of writing 2,000 rows (50 of the 100 ms a worker spent after each approval).
    """
    write = _writer(written)
    written_for: dict[tuple[int, int], tuple[str, str]] = {}
    rows: list[fragments.KeptRow] = []
    for day in days:
        counts = (day.count, day.countries)
        around = written_for.get(counts)
        if around is None:
            (row,) = feeds.timeline_rows([MessageDay(day.day, *counts)], country_name, case_id)
            row["date"] = _DAY_MARK
            text = write(row)
            if text.count(_DAY_MARK) != 1:  # the mark is elsewhere too: write each row whole
                return _written_rows(days, case_id, written)
            before, _mark, after = text.partition(_DAY_MARK)
            around = written_for[counts] = (before, after)
        rows.append((day.key, around[0] + day.day.isoformat() + around[1]))
    return rows


@public_bp.get("/cases/<slug>/timeline.json")
@shared_page()
def case_timeline_json(slug: str) -> Response:
    """The public timeline as JSON: one item per entry, ISO dates and their precision.

    Written from the rows' kept texts as ``jsonify`` would write the whole (keys sorted, no
    spaces), without encoding 2,000 rows again."""
    case = public_case_or_404(slug)
    about = {
        "slug": case.slug,
        "name": case.person_name,
        "status": case.status.value,
        "url": url_for("public.case", slug=case.slug, _external=True),
    }
    head = current_app.json.dumps(about, separators=(",", ":"))
    body = f'{{"case":{head},"items":[{",".join(_full_timeline(case, "json"))}]}}\n'
    return Response(body, mimetype="application/json")


@public_bp.get("/cases/<slug>/timeline.csv")
@shared_page()
def case_timeline_csv(slug: str) -> Response:
    """The public timeline as CSV, safe to open in a spreadsheet."""
    case = public_case_or_404(slug)
    body = feeds.CSV_HEADER + "".join(_full_timeline(case, "csv"))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{case.slug}-timeline.csv"'},
    )


def _upcoming() -> list[Event]:
    published = (
        sa.select(event_cases.c.event_id)
        .join(Case, Case.id == event_cases.c.case_id)
        .where(*public_cases_clause())
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


@public_bp.get("/calendar.ics")
@shared_record_page()  # events, status changes, appeals: no message
def site_calendar() -> Response:
    """Upcoming public events across all published cases, as a calendar to subscribe to."""
    body = feeds.calendar(
        current_app.config["SITE_NAME"],
        _upcoming(),
        request.host,
        _event_url,
        title_for=feeds.names_title,
        kept=fragments.store(),
    )
    return Response(body, mimetype="text/calendar", headers=_inline("campaign.ics"))


@public_bp.get("/feed.atom")
@shared_record_page()  # events, status changes, appeals: no message
def site_feed() -> Response:
    """Upcoming public events across all published cases, as an Atom feed."""
    events = _upcoming()[:FEED_SIZE]
    body = feeds.atom(
        feed_id=feeds.tag_uri(request.host, "upcoming"),
        title=_("Upcoming actions"),
        subtitle=_("Hearings, pickets and other actions across all cases"),
        self_url=url_for("timeline.site_feed", _external=True),
        page_url=url_for("public.index", _external=True),
        events=events,
        url_for_event=_event_url,
        updated_fallback=datetime(2010, 1, 1, tzinfo=UTC),
        title_for=feeds.names_title,
        site_name=current_app.config["SITE_NAME"],
    )
    return Response(body, mimetype="application/atom+xml")


def _inline(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'inline; filename="{filename}"'}
