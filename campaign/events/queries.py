"""Reading events: what the public may see of them, a case's events, the lists staff work from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import raiseload, selectinload

from campaign.cases.labels import case_labels, choosable_cases
from campaign.extensions import db
from campaign.models import (
    Case,
    DatePrecision,
    Event,
    EventType,
    Organisation,
    Role,
    User,
    Venue,
    Verification,
    Visibility,
    event_cases,
    event_organisations,
)
from campaign.models.events import story_order
from campaign.models.vocab import LEGAL_TYPES

PAGE_SIZE = 50


def case_events(case: Case) -> list[Event]:
    """Every event of a case, internal ones included, in date order."""
    return list(
        db.session.scalars(
            sa.select(Event)
            .join(event_cases, event_cases.c.event_id == Event.id)
            .where(event_cases.c.case_id == case.id)
            .order_by(*story_order())
        )
    )


class NamedLink(NamedTuple):
    """A case an event concerns, as the staff table of events links to it."""

    id: int
    person_name: str


class Named(NamedTuple):
    """An organisation behind an event, as the staff table of events names it."""

    name: str


class _Venue(NamedTuple):
    """What :attr:`Event.place` reads of a venue."""

    name: str
    city: str | None


class _Placed(NamedTuple):
    """What :attr:`Event.place` reads, from rows (the rule stays the model's)."""

    venue: _Venue | None
    city: str | None


@dataclass(frozen=True)
class EventRow:
    """What the staff table of events (templates/events/_table.html) and the edit check
    (campaign.events.services.may_edit) read of an event, from rows: a page of 50 events
    loaded as objects with their cases and organisations cost 4-6 ms of CPU."""

    id: int
    type: EventType
    title: str
    date: dt.date
    date_precision: DatePrecision
    date_approximate: bool
    end_date: dt.date | None
    participants: int | None
    visibility: Visibility
    verification: Verification
    created_by_id: int | None
    place: str
    cases: tuple[NamedLink, ...]
    organisations: tuple[Named, ...]


@cache
def _row_statements() -> tuple[Any, Any, Any]:
    """The statements of :func:`event_rows` (the events, their cases, their organisations)."""
    ids: Any = sa.bindparam("ids", expanding=True)
    events = (
        sa.select(
            Event.id,
            Event.type,
            Event.title,
            Event.date,
            Event.date_precision,
            Event.date_approximate,
            Event.end_date,
            Event.participants,
            Event.visibility,
            Event.verification,
            Event.created_by_id,
            Event.city,
            Venue.name,
            Venue.city,
        )
        .outerjoin(Venue, Venue.id == Event.venue_id)
        .where(Event.id.in_(ids))
    )
    cases = (
        sa.select(event_cases.c.event_id, Case.id, Case.person_name)
        .join(Case, Case.id == event_cases.c.case_id)
        .where(event_cases.c.event_id.in_(ids))
        .order_by(event_cases.c.event_id, Case.id)
    )
    organisations = (
        sa.select(event_organisations.c.event_id, Organisation.name)
        .join(Organisation, Organisation.id == event_organisations.c.organisation_id)
        .where(event_organisations.c.event_id.in_(ids))
        .order_by(event_organisations.c.event_id, Organisation.name)
    )
    return events, cases, organisations


def event_rows(ids: list[int]) -> list[EventRow]:
    """The events *ids*, in that order, as the staff table shows them: three queries."""
    if not ids:
        return []
    events, cases, organisations = _row_statements()
    params = {"ids": ids}
    links: dict[int, list[NamedLink]] = {}
    for event_id, case_id, name in db.session.execute(cases, params):
        links.setdefault(event_id, []).append(NamedLink(case_id, name))
    names: dict[int, list[Named]] = {}
    for event_id, name in db.session.execute(organisations, params):
        names.setdefault(event_id, []).append(Named(name))
    rows = {}
    for row in db.session.execute(events, params):
        venue = _Venue(row[12], row[13]) if row[12] is not None else None
        rows[row[0]] = EventRow(
            id=row[0],
            type=row[1],
            title=row[2],
            date=row[3],
            date_precision=row[4],
            date_approximate=row[5],
            end_date=row[6],
            participants=row[7],
            visibility=row[8],
            verification=row[9],
            created_by_id=row[10],
            place=Event.place.fget(_Placed(venue, row[11])),  # type: ignore[attr-defined]
            cases=tuple(links.get(row[0], ())),
            organisations=tuple(names.get(row[0], ())),
        )
    return [rows[i] for i in ids]


def case_events_page(
    case: Case, page: int, per_page: int = PAGE_SIZE, *, bare: bool = False
) -> Pagination:
    """One page of a case's events, internal ones included, the latest in the story first:
    :class:`EventRow` values, what the staff table shows of them (*bare*: the events
    themselves, their own columns only, for a list of titles); a fixed number of queries,
    however long the case.

    The page's keys come first, then its events: the keys are a range of the case's links,
    which carry each event's place in the story (ix_event_cases_story), read backwards; sorting
    the events' ids cost SQLite 1.0 ms (3.9 on a busy machine) for the 2,000 events of a long
    case. The total counts the case's links (an index lookup), not its events (0.6 ms).
    """
    link = event_cases.c
    keys = (
        sa.select(link.event_id)
        .where(link.case_id == case.id)
        .order_by(link.sort_date.desc(), link.story_rank.desc(), link.event_id.desc())
    )
    pagination = db.paginate(keys, page=page, per_page=per_page, error_out=False, count=False)
    ids: list[int] = list(pagination.items)
    if bare:
        loaded = {
            event.id: event
            for event in db.session.scalars(
                sa.select(Event).where(Event.id.in_(ids)).options(raiseload("*"))
            )
        }
        pagination.items = [loaded[event_id] for event_id in ids]
    else:
        pagination.items = event_rows(ids)
    pagination.total = db.session.scalar(
        sa.select(sa.func.count()).select_from(event_cases).where(event_cases.c.case_id == case.id)
    )
    return pagination


def case_events_of_types(case: Case, types: tuple[EventType, ...]) -> list[Event]:
    """A case's events of these types, internal ones included, in story order (the arrests and
    hunger strikes the staff view of a case checks, without reading every event)."""
    stmt = (
        case_events_select(case.id, include_internal=True)
        .where(Event.type.in_(types))
        .order_by(*story_order())
    )
    return list(db.session.scalars(stmt))


@cache
def unchecked_activist_report() -> sa.ColumnElement[bool]:
    """SQL for "a legal or custody event an activist logged that no organiser has checked yet".

    The public sees only what an organiser chose to show about a person's legal situation, so
    such an event stays off every public page, feed and export until it is verified. Events
    without a creator (the demo, the command line) count as an organiser's. Solidarity actions
    are not concerned: a picket logged in a minute is public at once, marked "reported".
    """
    by_activist = (
        sa.select(User.id)
        .where(User.id == Event.created_by_id, User.role == Role.ACTIVIST)
        .correlate(Event)
        .exists()
    )
    return sa.and_(
        Event.type.in_(LEGAL_TYPES),
        Event.verification == Verification.REPORTED,
        by_activist,
    )


@cache
def publicly_shown() -> sa.ColumnElement[bool]:
    """SQL for "the public may see this event": public, and not an unchecked activist report.

    Built once (SQL expressions are immutable, so every statement may share it): every public
    page, feed and export filters with it, and building it costs more than running it."""
    return sa.and_(Event.visibility == Visibility.PUBLIC, sa.not_(unchecked_activist_report()))


def case_events_select(case_id: int, *, include_internal: bool) -> sa.Select[Any]:
    """The events of a case, the publicly shown ones only unless staff are looking."""
    stmt = sa.select(Event).where(
        Event.id.in_(sa.select(event_cases.c.event_id).where(event_cases.c.case_id == case_id))
    )
    if not include_internal:
        stmt = stmt.where(publicly_shown())
    return stmt


def case_choices(keep: list[int] | None = None) -> list[tuple[int, str]]:
    """Open (not archived) cases, plus any already chosen, as (id, name) pairs for a form."""
    return choosable_cases(keep or ())


# The picket form shows first the cases its user logged for lately, the rest folded below,
# once a campaign has more open cases than a phone's screen holds.
RECENT_CASES = 6
RECENT_DAYS = 90


def recent_case_ids(user_id: int | None, now: dt.datetime) -> list[int]:
    """The cases of the events *user_id* logged in the last RECENT_DAYS, latest first (at
    most RECENT_CASES); when they logged none, those of anyone's events in that time.

    Activists picket for the same few people again and again: these come first on the picket
    form, so a phone does not scroll through every case of the campaign.
    """
    since = now - dt.timedelta(days=RECENT_DAYS)
    for author in (user_id, None):
        query = (
            sa.select(event_cases.c.case_id)
            .join(Event, Event.id == event_cases.c.event_id)
            .where(Event.created_at >= since)
            .group_by(event_cases.c.case_id)
            .order_by(sa.func.max(Event.created_at).desc(), event_cases.c.case_id)
            .limit(RECENT_CASES)
        )
        if author is not None:
            query = query.where(Event.created_by_id == author)
        found = list(db.session.scalars(query))
        if found or user_id is None:
            return found
    return []


def all_case_choices() -> list[tuple[int, str]]:
    """Every case, archived ones too, as (id, name) pairs: the event list's case filter."""
    cases = list(
        db.session.scalars(sa.select(Case).order_by(Case.person_name, Case.arrest_date, Case.id))
    )
    labels = case_labels(cases)
    return [(c.id, labels[c.id]) for c in cases]


def event_list(
    *,
    case_id: int | None = None,
    verification: Verification | None = None,
    visibility: Visibility | None = None,
) -> sa.Select[tuple[Event]]:
    """Every event, newest first, filtered by case, verification and visibility, with the cases
    and organisations the list shows loaded (one query each for a page, not one per row)."""
    query = (
        sa.select(Event)
        .order_by(Event.date.desc(), Event.id.desc())
        .options(selectinload(Event.cases), selectinload(Event.organisations))
    )
    if case_id:
        query = query.join(event_cases, event_cases.c.event_id == Event.id).where(
            event_cases.c.case_id == case_id
        )
    if verification is not None:
        query = query.where(Event.verification == verification)
    if visibility is not None:
        query = query.where(Event.visibility == visibility)
    return query


def awaiting_verification(limit: int = 10) -> list[Event]:
    """Reported events an organiser has not checked yet, oldest logged first."""
    return list(
        db.session.scalars(
            sa.select(Event)
            .where(Event.verification == Verification.REPORTED)
            .order_by(Event.created_at, Event.id)
            .limit(limit)
        )
    )


def recent_events(limit: int = 10) -> list[Event]:
    """The events logged most recently."""
    return list(
        db.session.scalars(
            sa.select(Event).order_by(Event.created_at.desc(), Event.id.desc()).limit(limit)
        )
    )
