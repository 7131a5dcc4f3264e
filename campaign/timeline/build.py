"""A case's timeline: events, daily summaries of messages and day-count milestones in one column.

Every item has a sort key ``(date, rank, precision, tiebreak)``: on one day the milestone comes
first (rank 0), then the events (rank 1), then the day's messages of support (rank 2). An event
known only to the month or the year sorts at the end of its period, after everything dated in it
(rank 3 on the period's last day; the month's before the year's): "Appeal rejected (May 2010)"
follows the 1 and 4 May protests, so the story reads in order. Events with the same date and
precision keep the order they were entered in (tiebreak: the event id). The same order
(``story_order``) serves the staff lists, the sheet, the feeds and the exports.

Pages are cut by a keyset cursor: the key of the last item shown. The next page starts strictly
after it, so items are never repeated or skipped, whatever is added meanwhile before the cursor.

Loading a page costs a fixed number of queries, whatever the length of the case: one for the
events (plus one per eager-loaded relation), one GROUP BY for the message days, one for the
messages shown in the expanded summaries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any, Literal, NamedTuple, cast

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload, subqueryload

from campaign.appeals.queries import AppealItem, ResponseItem
from campaign.appeals.queries import timeline_items as appeal_items
from campaign.cases.counters import milestones
from campaign.events.queries import case_events_select, publicly_shown
from campaign.extensions import db
from campaign.messages.queries import message_publicly_shown
from campaign.models import (
    Case,
    DatePrecision,
    Event,
    EventType,
    Message,
    event_cases,
)
from campaign.models.events import story_order, story_rank
from campaign.models.vocab import LEGAL_TYPES
from campaign.util import localised

LEGAL = "legal"
SOLIDARITY = "solidarity"
MESSAGES = "messages"
FILTERS: tuple[str, ...] = (LEGAL, SOLIDARITY, MESSAGES)
PAGE_SIZE = 50
# How many messages an expanded daily summary lists; the wall of messages has the rest.
MESSAGES_PER_DAY = 25

RANK_MILESTONE = 0
RANK_EVENT = 1
RANK_MESSAGES = 2
RANK_PERIOD = 3

Key = tuple[date, int, int, int]
_CURSOR = re.compile(r"^(\d{4}-\d{2}-\d{2})\.([0-3])\.([012])\.(\d{1,12})$")
_STORY_RANK = {DatePrecision.DAY: 0, DatePrecision.MONTH: 1, DatePrecision.YEAR: 2}


def parse_show(values: Iterable[str]) -> frozenset[str]:
    """The families a visitor chose to see; nothing valid chosen means everything."""
    chosen = frozenset(v for v in values if v in FILTERS)
    return chosen or frozenset(FILTERS)


def encode_cursor(key: Key) -> str:
    """The text form of a cursor, safe in a URL: ``2010-05-04.1.2.17``."""
    return f"{key[0].isoformat()}.{key[1]}.{key[2]}.{key[3]}"


def parse_cursor(text: str | None) -> Key | None:
    """Read a cursor; anything malformed means the first page."""
    if not text:
        return None
    match = _CURSOR.match(text)
    if match is None:
        return None
    try:
        day = date.fromisoformat(match.group(1))
    except ValueError:
        return None
    return (day, int(match.group(2)), int(match.group(3)), int(match.group(4)))


class MessageLine(NamedTuple):
    """One public message as shown in a daily summary: never the sender's e-mail. (A named
    tuple: a page makes 250 of them, and keeps them in its items' keys.)"""

    id: int
    display_name: str | None
    country: str | None
    organisation: str | None
    body: str
    language: str | None  # the language the supporter wrote in, for the line's lang attribute


@dataclass
class EventItem:
    """An event on the timeline."""

    event: Event
    kind: Literal["event"] = "event"

    @property
    def key(self) -> Key:
        order = _STORY_RANK[self.event.date_precision or DatePrecision.DAY]
        rank = RANK_EVENT if order == 0 else RANK_PERIOD
        return (self.event.sort_date, rank, order, self.event.id)

    @property
    def day(self) -> date:
        return self.event.date


@dataclass
class MessageDay:
    """One day's public messages of support, summarised ("14 messages from 6 countries")."""

    day: date
    count: int
    countries: int
    messages: list[MessageLine] = field(default_factory=list)
    kind: Literal["messages"] = "messages"

    @property
    def key(self) -> Key:
        return (self.day, RANK_MESSAGES, 0, 0)


@dataclass
class Milestone:
    """A marker on the day the detention reaches N days."""

    day: date
    days: int
    kind: Literal["milestone"] = "milestone"

    @property
    def key(self) -> Key:
        return (self.day, RANK_MILESTONE, 0, self.days)


# Appeals (when opened) and their responses (when they arrived) stand with the solidarity
# actions: see campaign.appeals.queries for their place among a day's items.
Item = EventItem | MessageDay | Milestone | AppealItem | ResponseItem


@dataclass
class TimelinePage:
    """One page of a timeline and the cursor of the next page, if there is one."""

    items: list[Item]
    next_cursor: str | None
    after: Key | None

    @property
    def is_first(self) -> bool:
        return self.after is None


def merge(
    sources: Sequence[tuple[Sequence[Any], bool]], after: Key | None, limit: int | None
) -> tuple[list[Any], Key | None]:
    """Merge sorted item sources into one page; return the page and the next page's cursor.

    Each source is ``(items, truncated)``: its items after the cursor in key order, and whether
    more exist beyond the last one fetched. A truncated source is only known up to its last key,
    so the page stops there; the page then keeps at most *limit* items.
    """
    bound: Key | None = None
    for items, truncated in sources:
        if truncated and items:
            last = items[-1].key
            bound = last if bound is None else min(bound, last)
    merged = sorted(
        (i for items, _ in sources for i in items if after is None or i.key > after),
        key=lambda i: i.key,
    )
    if bound is not None:
        merged = [i for i in merged if i.key <= bound]
    more = bound is not None
    if limit is not None and len(merged) > limit:
        merged = merged[:limit]
        more = True
    next_key = merged[-1].key if more and merged else None
    return merged, next_key


def event_types(show: frozenset[str]) -> list[EventType]:
    """The event types the chosen families cover."""
    types: list[EventType] = []
    if LEGAL in show:
        types.extend(t for t in EventType if t in LEGAL_TYPES)
    if SOLIDARITY in show:
        types.extend(t for t in EventType if t not in LEGAL_TYPES)
    return types


def _after_event(after: Key | None) -> sa.ColumnElement[bool] | None:
    """SQL for "the event's key (sort date, rank, precision, id) sorts after the cursor"."""
    if after is None:
        return None
    return _after_clause(Event.sort_date, story_rank(), Event.id, *after)


def _after_clause(
    sort_date: Any, precision: Any, event_id: Any, day: Any, rank: Any, order: Any, tiebreak: Any
) -> sa.ColumnElement[bool]:
    """SQL for "the key of the event with these columns sorts after the cursor (given as
    values or as bind parameters)"."""
    event_rank = sa.case((precision == 0, RANK_EVENT), else_=RANK_PERIOD)
    return sa.or_(
        sort_date > day,
        sa.and_(
            sort_date == day,
            sa.or_(
                event_rank > rank,
                sa.and_(
                    event_rank == rank,
                    sa.or_(precision > order, sa.and_(precision == order, event_id > tiebreak)),
                ),
            ),
        ),
    )


# The statements a case page runs on every render, built once per shape with bind parameters:
# building one and working out its cache key cost about as much as running it on SQLite.
_CASE_ID = "case_id"


def _case_id_param() -> int:
    """The case's id as a bind parameter, where the helpers expect the id (they only compare)."""
    return cast(int, sa.bindparam(_CASE_ID))


@cache
def _keys_statement(
    types: tuple[EventType, ...] | None, include_internal: bool, after: bool, limited: bool
) -> sa.Select[int, date, int]:
    """:func:`load_event_keys`'s statement (*types* None: every type, no test of it): a range
    of the case's links in story order (ix_event_cases_story), each event read only to test
    whether it is shown."""
    link = event_cases.c
    stmt = (
        sa.select(link.event_id, link.sort_date, link.story_rank)
        .where(link.case_id == sa.bindparam(_CASE_ID))
        .order_by(link.sort_date, link.story_rank, link.event_id)
    )
    if types is not None or not include_internal:
        stmt = stmt.join(Event, Event.id == link.event_id)
    if types is not None:
        stmt = stmt.where(Event.type.in_(types))
    if not include_internal:
        stmt = stmt.where(publicly_shown())
    if after:
        day = sa.bindparam("after_day", type_=sa.Date)
        stmt = stmt.where(
            link.sort_date >= day,  # where the range starts; the next test is exact
            _after_clause(
                link.sort_date,
                link.story_rank,
                link.event_id,
                day,
                sa.bindparam("after_rank", type_=sa.Integer),
                sa.bindparam("after_order", type_=sa.Integer),
                sa.bindparam("after_id", type_=sa.Integer),
            ),
        )
    if limited:
        stmt = stmt.limit(sa.bindparam("page_limit", type_=sa.Integer))
    return stmt


@cache
def _days_statement(after: bool, until: bool, limited: bool) -> sa.Select[date, int, int]:
    """:func:`load_message_days`'s statement."""
    day = _message_day_column().label("day")
    stmt = (
        sa.select(day, sa.func.count(Message.id), sa.func.count(sa.distinct(Message.country)))
        .where(Message.case_id == sa.bindparam(_CASE_ID), message_publicly_shown())
        .group_by(day)
        .order_by(day)
    )
    if after:
        stmt = stmt.where(Message.created_at >= sa.bindparam("start"))
    if until:
        stmt = stmt.where(Message.created_at < sa.bindparam("end"))
    if limited:
        stmt = stmt.limit(sa.bindparam("page_limit", type_=sa.Integer))
    return stmt


@cache
def _messages_statement() -> sa.Select[Any]:
    """:func:`fill_messages`'s statement."""
    day = _message_day_column()
    numbered = (
        sa.select(
            *_MESSAGE_LINE,
            day.label("day"),
            sa.func.row_number()
            .over(partition_by=day, order_by=(Message.created_at, Message.id))
            .label("n"),
        )
        .where(*_messages_of_the_page())
        .subquery()
    )
    return (
        sa.select(numbered)
        .where(numbered.c.n <= sa.bindparam("per_day", type_=sa.Integer))
        .order_by(numbered.c.day, numbered.c.n)
    )


@cache
def _all_messages_statement() -> sa.Select[*tuple[Any, ...]]:
    """:func:`fill_messages`'s statement when no day has more messages than it shows: the
    same rows as :func:`_messages_statement`'s, in the same order, unnumbered."""
    return (
        sa.select(*_MESSAGE_LINE, _message_day_column().label("day"))
        .where(*_messages_of_the_page())
        .order_by(Message.created_at, Message.id)
    )


# What a message line of the timeline shows (MessageLine's fields).
_MESSAGE_LINE = (
    Message.id,
    Message.display_name,
    Message.country,
    Message.organisation,
    Message.body,
    Message.language,
)


def _messages_of_the_page() -> tuple[sa.ColumnElement[bool], ...]:
    """The case's public messages from the page's first day to its last (bound later)."""
    return (
        Message.case_id == sa.bindparam(_CASE_ID),
        message_publicly_shown(),
        Message.created_at >= sa.bindparam("start"),
        Message.created_at < sa.bindparam("end"),
    )


@cache
def _counter_statement(include_internal: bool) -> sa.Select[Any]:
    """:func:`counter_events`'s statement."""
    strikes = (EventType.HUNGER_STRIKE_START, EventType.HUNGER_STRIKE_END, EventType.RELEASE)
    # Found from the few events of any case that can count (strikes and releases by
    # ix_events_type_date, what is to come by ix_events_date_id), each then checked to be the
    # case's: not from the case's own events, of which a long case has thousands to read
    # (0.8 ms of SQLite on the bench's 2,000).
    candidate = aliased(Event)
    candidates = sa.union_all(
        sa.select(candidate.id).where(candidate.type.in_(strikes)),
        sa.select(candidate.id).where(candidate.date >= sa.bindparam("today", type_=sa.Date)),
    )
    of_case = (
        sa.exists()
        .where(event_cases.c.event_id == Event.id, event_cases.c.case_id == _case_id_param())
        .correlate(Event)
    )
    stmt = sa.select(Event).where(Event.id.in_(candidates), of_case)
    if not include_internal:
        stmt = stmt.where(publicly_shown())
    return stmt.order_by(Event.date, Event.id).options(selectinload(Event.venue))


def _message_day_column() -> sa.ColumnElement[date]:
    """The UTC day a message was received, as a date on SQLite and PostgreSQL alike."""
    return sa.func.date(Message.created_at, type_=sa.Date)


def load_events(
    case_id: int,
    *,
    show: frozenset[str],
    include_internal: bool,
    after: Key | None,
    limit: int | None,
) -> tuple[list[EventItem], bool]:
    """The events after the cursor with their relations loaded; and whether more exist."""
    types = event_types(show)
    if not types:
        return [], False
    stmt = (
        case_events_select(case_id, include_internal=include_internal)
        .where(Event.type.in_(types))
        .order_by(*story_order())
    )
    # A page loads each relation with one IN query; the whole timeline (an export) would need one
    # IN query per 500 events, so it re-runs the event query as a subquery instead: still one each.
    load = selectinload if limit is not None else subqueryload
    stmt = stmt.options(
        load(Event.cases),
        load(Event.organisations),
        load(Event.sources),
        load(Event.venue),
        load(Event.translations),
    )
    condition = _after_event(after)
    if condition is not None:
        stmt = stmt.where(condition)
    if limit is not None:
        stmt = stmt.limit(limit + 1)
    events = list(db.session.scalars(stmt))
    truncated = limit is not None and len(events) > limit
    return [EventItem(e) for e in events[:limit]], truncated


@dataclass(frozen=True)
class EventRef:
    """An event of a page not loaded (yet): just what places it on the timeline. The public
    case page loads what it shows of them itself (campaign.timeline.fragments)."""

    id: int
    key: Key
    kind: Literal["event"] = "event"


def _event_key(event_id: int, sort_date: date, order: int) -> Key:
    """An event's key from its sort date and story rank."""
    return (sort_date, RANK_EVENT if order == 0 else RANK_PERIOD, order, event_id)


def load_event_keys(
    case_id: int,
    *,
    show: frozenset[str],
    include_internal: bool,
    after: Key | None,
    limit: int | None,
) -> tuple[list[EventRef], bool]:
    """The keys of the events after the cursor (one query of the case's links), and
    whether more exist: the page keeps only some of them once merged with the messages, so the
    events themselves are loaded afterwards, the ones the page shows only (:func:`load_shown`)."""
    types = event_types(show)
    if not types:
        return [], False
    # Every family chosen (the page as it opens) is every type: SQLite would test each of the
    # case's events against the whole list for nothing (0.2 ms of 1.1 on the long case).
    chosen = None if len(types) == len(EventType) else tuple(types)
    stmt = _keys_statement(chosen, include_internal, after is not None, limit is not None)
    params: dict[str, Any] = {_CASE_ID: case_id}
    if after is not None:
        params.update(after_day=after[0], after_rank=after[1], after_order=after[2])
        params["after_id"] = after[3]
    if limit is not None:
        params["page_limit"] = limit + 1
    rows = read_rows(stmt, params).all()
    keys = [EventRef(row[0], _event_key(row[0], _as_date(row[1]), row[2])) for row in rows]
    if limit is None:
        return keys, False
    return keys[:limit], len(keys) > limit


def load_shown(items: list[Item | EventRef]) -> list[Item]:
    """The page's items with its events loaded, with what the timeline shows of them, in one
    query (plus one per relation)."""
    wanted = [i.id for i in items if isinstance(i, EventRef)]
    if not wanted:
        return [i for i in items if not isinstance(i, EventRef)]
    stmt = (
        sa.select(Event)
        .where(Event.id.in_(wanted))
        .options(
            selectinload(Event.cases),
            selectinload(Event.organisations),
            selectinload(Event.sources),
            selectinload(Event.venue),
            selectinload(Event.translations),
        )
    )
    events = {e.id: e for e in db.session.scalars(stmt)}
    return [EventItem(events[i.id]) if isinstance(i, EventRef) else i for i in items]


def _start_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def load_message_days(
    case_id: int, *, after: Key | None, until: Key | None, limit: int | None
) -> tuple[list[MessageDay], bool]:
    """Public messages per day (count and distinct countries) in one GROUP BY query.

    Only days after the cursor and up to *until* (where the events of the page end) are counted;
    the bounds are on the indexed timestamp, so a long case does not aggregate all its messages.
    """
    stmt = _days_statement(after is not None, until is not None, limit is not None)
    params: dict[str, Any] = {_CASE_ID: case_id}
    if after is not None:
        params["start"] = _start_of(after[0])
    if until is not None:
        params["end"] = _start_of(until[0] + timedelta(days=1))
    if limit is not None:
        params["page_limit"] = limit + 2  # one day may equal the cursor's and be dropped
    days = [
        MessageDay(day=_as_date(row[0]), count=int(row[1]), countries=int(row[2]))
        for row in read_rows(stmt, params)
    ]
    days = [d for d in days if after is None or d.key > after]
    truncated = limit is not None and len(days) > limit
    return (days[:limit] if limit is not None else days), truncated


def fill_messages(case_id: int, days: list[MessageDay], per_day: int = MESSAGES_PER_DAY) -> None:
    """Attach the first messages of each summarised day, in one query: windowed (the first
    *per_day* of each day) when a day has more, else every message of the days, in order,
    which costs SQLite half as much as numbering them (the days' counts are known: no day
    has more than it shows)."""
    if not days:
        return
    by_day = {d.day: d for d in days}
    params: dict[str, Any] = {
        _CASE_ID: case_id,
        "start": _start_of(min(by_day)),
        "end": _start_of(max(by_day) + timedelta(days=1)),
    }
    stmt: sa.Executable
    if max(d.count for d in days) > per_day:
        stmt = _messages_statement()
        params["per_day"] = per_day
    else:
        stmt = _all_messages_statement()
    days_by_text: dict[object, MessageDay | None] = {}
    for row in read_rows(stmt, params):
        message_id, display_name, country, organisation, body, language, row_day = row[:7]
        try:
            target = days_by_text[row_day]
        except KeyError:
            target = days_by_text[row_day] = by_day.get(_as_date(row_day))
        if target is not None:
            line = MessageLine(message_id, display_name, country, organisation, body, language)
            target.messages.append(line)


def build_page(
    case: Case,
    *,
    show: frozenset[str],
    include_internal: bool,
    after: Key | None,
    today: date,
    limit: int | None = PAGE_SIZE,
    with_messages: bool = True,
    load_events_shown: bool = True,
) -> TimelinePage:
    """One page of a case's timeline (all of it when *limit* is None), in a fixed query count.

    A page reads the keys of its candidate events first and loads only the events it keeps
    after the merge (on the long case half of the 51 candidates give way to message days).
    Without *load_events_shown* a page's events stay :class:`EventRef`: the caller loads them."""
    events: Sequence[EventItem | EventRef]
    if limit is None and load_events_shown:
        events, more_events = load_events(
            case.id, show=show, include_internal=include_internal, after=after, limit=limit
        )
    else:
        events, more_events = load_event_keys(
            case.id, show=show, include_internal=include_internal, after=after, limit=limit
        )
    sources: list[tuple[Sequence[Item | EventRef], bool]] = [(events, more_events)]
    if MESSAGES in show:
        until = events[-1].key if more_events and events else None
        sources.append(load_message_days(case.id, after=after, until=until, limit=limit))
    if SOLIDARITY in show:
        appeals = appeal_items(case.id, include_internal=include_internal, after=after)
        sources.append((appeals, False))
    if LEGAL in show:
        marks = [Milestone(day, n) for day, n in milestones(case, today)]
        sources.append(([m for m in marks if after is None or m.key > after], False))
    merged, next_key = merge(sources, after, limit)
    items = load_shown(merged) if load_events_shown else merged
    if with_messages:
        fill_messages(case.id, [i for i in items if isinstance(i, MessageDay)])
    return TimelinePage(
        items=items, next_cursor=encode_cursor(next_key) if next_key else None, after=after
    )


def counter_events(case_id: int, *, include_internal: bool, today: date) -> list[Event]:
    """The events the day counters need: hunger strikes, releases, and everything from today."""
    stmt = _counter_statement(include_internal)
    return list(db.session.scalars(stmt, {_CASE_ID: case_id, "today": today}))


def event_heading(event: Event) -> str:
    """ "Picket: Embassy picket", or just the title when it already starts with the type."""
    label = str(event.type.label)
    title = localised.text(event, "title") or event.title  # in the reader's language if given
    if title.casefold().startswith(label.casefold()):
        return title
    return f"{label}: {title}"


def read_rows(
    statement: sa.Executable, params: dict[str, Any]
) -> sa.CursorResult[*tuple[Any, ...]]:
    """The rows of a SELECT of plain columns, read on the session's connection: the same rows
    as ``db.session.execute`` gives, without the ORM's work on each (0.23 of 0.87 ms for the
    260 message lines of a page of the long case). Pending changes are flushed first, as the
    session would."""
    db.session.flush()
    return db.session.connection().execute(statement, params)


def _as_date(value: date | datetime | str) -> date:
    """SQLite returns the day as text, PostgreSQL as a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
