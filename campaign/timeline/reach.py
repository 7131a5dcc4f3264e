"""Solidarity reach of a case: how many actions, where, by whom, and the messages from how far.

The numbers come from three aggregate queries, run when a case's events or messages change and
kept in ``case_reach`` (a case page reads one row); the chart is a small SVG drawn on the server,
so the page needs no script and loads nothing from another host.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask_babel import format_decimal
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.orm.base import NO_VALUE

from campaign.database import utcnow
from campaign.events.queries import publicly_shown
from campaign.extensions import db
from campaign.messages.queries import message_publicly_shown
from campaign.models import (
    Case,
    CaseReach,
    Event,
    EventType,
    Message,
    MessageState,
    Organisation,
    Venue,
    event_cases,
    event_organisations,
)
from campaign.models.vocab import LEGAL_TYPES

SOLIDARITY_TYPES = tuple(t for t in EventType if t not in LEGAL_TYPES)
CHART_ROWS = 12


@dataclass(frozen=True)
class CountryReach:
    """Actions held in and messages sent from one country (code None: unknown or online)."""

    country: str | None
    actions: int
    messages: int


@dataclass
class Reach:
    """The solidarity around one case, in numbers."""

    actions: int = 0
    cities: int = 0
    organisations: int = 0
    messages: int = 0
    by_country: list[CountryReach] = field(default_factory=list)

    @property
    def countries(self) -> int:
        """Countries where at least one action was held."""
        return sum(1 for c in self.by_country if c.country and c.actions)

    @property
    def message_countries(self) -> int:
        """Countries at least one message came from."""
        return sum(1 for c in self.by_country if c.country and c.messages)

    @property
    def is_empty(self) -> bool:
        return not self.actions and not self.messages


def compute_reach(case_ids: Collection[int] | None = None) -> dict[int, Reach]:
    """Count the public solidarity actions and public messages of the cases (every case when
    *case_ids* is None), in three grouped queries; a case with neither has no entry.

    Private messages (approved for delivery only) are not counted: the chart and its text
    alternative say where messages came from, which is not the public's to know for them.
    """
    case_id = event_cases.c.case_id
    public_actions = [publicly_shown(), Event.type.in_(SOLIDARITY_TYPES)]
    if case_ids is not None:
        public_actions.append(case_id.in_(list(case_ids)))
    city = sa.func.coalesce(Event.city, Venue.city)
    totals = db.session.execute(
        sa.select(
            case_id,
            sa.func.count(sa.distinct(Event.id)),
            sa.func.count(sa.distinct(city)),
            sa.func.count(sa.distinct(event_organisations.c.organisation_id)),
        )
        .select_from(Event)
        .join(event_cases, event_cases.c.event_id == Event.id)
        .outerjoin(Venue, Venue.id == Event.venue_id)
        .outerjoin(event_organisations, event_organisations.c.event_id == Event.id)
        .where(*public_actions)
        .group_by(case_id)
    ).all()
    country = sa.func.coalesce(Event.country, Venue.country).label("country")
    actions: dict[int, dict[str | None, int]] = {}
    for row in db.session.execute(
        sa.select(case_id, country, sa.func.count(Event.id))
        .select_from(Event)
        .join(event_cases, event_cases.c.event_id == Event.id)
        .outerjoin(Venue, Venue.id == Event.venue_id)
        .where(*public_actions)
        .group_by(case_id, country)
    ):
        actions.setdefault(int(row[0]), {})[row[1]] = int(row[2])
    shown_messages = [message_publicly_shown()]
    if case_ids is not None:
        shown_messages.append(Message.case_id.in_(list(case_ids)))
    messages: dict[int, dict[str | None, int]] = {}
    for row in db.session.execute(
        sa.select(Message.case_id, Message.country, sa.func.count(Message.id))
        .where(*shown_messages)
        .group_by(Message.case_id, Message.country)
    ):
        messages.setdefault(int(row[0]), {})[row[1]] = int(row[2])
    counted = {int(row[0]): row for row in totals}
    found: dict[int, Reach] = {}
    for case in set(counted) | set(messages):
        case_actions = actions.get(case, {})
        case_messages = messages.get(case, {})
        codes = set(case_actions) | set(case_messages)
        by_country = sorted(
            (
                CountryReach(code, case_actions.get(code, 0), case_messages.get(code, 0))
                for code in codes
            ),
            key=lambda c: (-(c.actions + c.messages), c.country is None, c.country or ""),
        )
        total = counted.get(case)
        found[case] = Reach(
            actions=int(total[1]) if total else 0,
            cities=int(total[2]) if total else 0,
            organisations=int(total[3]) if total else 0,
            messages=sum(case_messages.values()),
            by_country=by_country,
        )
    return found


def load_reach(case_id: int) -> Reach:
    """The reach of a case as last counted (one row, kept in step on commit: see
    :func:`init_app`); counted now if it never was (a database migrated before the count was
    kept, until the case next changes)."""
    stored = db.session.get(CaseReach, case_id)
    if stored is None:
        return compute_reach([case_id]).get(case_id, Reach())
    return Reach(
        actions=stored.actions,
        cities=stored.cities,
        organisations=stored.organisations,
        messages=stored.messages,
        by_country=[CountryReach(c, int(a), int(m)) for c, a, m in json.loads(stored.by_country)],
    )


def store_reach(case_ids: Collection[int] | None) -> None:
    """Count the reach of the cases (every case when None) and keep it, in the session's
    transaction: a case without actions or messages keeps a row of zeros."""
    existing = sa.select(Case.id)
    if case_ids is not None:
        if not case_ids:
            return
        existing = existing.where(Case.id.in_(list(case_ids)))
    ids = list(db.session.scalars(existing.execution_options(**_OWN_WRITE)))
    if case_ids is not None and not ids:
        return
    counted = compute_reach(None if case_ids is None else ids)
    table = CaseReach.__table__
    removal = sa.delete(table)
    if case_ids is not None:
        removal = removal.where(table.c.case_id.in_(ids))
    db.session.execute(removal.execution_options(**_OWN_WRITE))
    now = utcnow()
    rows = []
    for case in ids:
        reach = counted.get(case, Reach())
        rows.append(
            {
                "case_id": case,
                "actions": reach.actions,
                "cities": reach.cities,
                "organisations": reach.organisations,
                "messages": reach.messages,
                "by_country": json.dumps(
                    [[c.country, c.actions, c.messages] for c in reach.by_country]
                ),
                "counted_at": now,
            }
        )
    if rows:
        db.session.execute(sa.insert(table).execution_options(**_OWN_WRITE), rows)


# Keeping the count in step. Like the public-data version (campaign.public.version), this hangs
# on the session's events: a flush that writes an event, a message the public sees (or saw), a
# venue or an organisation notes the cases concerned; the commit counts them again in the same
# transaction, so the numbers change exactly when the events and messages do. A bulk statement
# on those tables (or hand-written SQL that writes) cannot say which cases it touched: every
# case is counted again. A new message waiting for review concerns no count: sending one costs
# nothing here.
_PENDING = "campaign.reach.cases"
_ALL = "all"
_OWN_WRITE = {"reach_write": True}
_TABLES = frozenset(
    {"events", "event_cases", "event_organisations", "messages", "venues", "organisations"}
)
_MESSAGE_FIELDS = ("state", "consent_to_publish", "country", "case_id")
_present: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


def init_app(app: Flask) -> None:
    """Keep every case's reach in step with its events and messages, on commit."""
    for name, listener in (
        ("after_flush", _after_flush),
        ("before_commit", _before_commit),
        ("after_soft_rollback", _forget),
        ("do_orm_execute", _on_execute),
    ):
        if not sa.event.contains(db.session, name, listener):
            sa.event.listen(db.session, name, listener)


def _note(session: Session, cases: Iterable[int | None] | str) -> None:
    """Note cases to count again on commit (or every case: ``_ALL``)."""
    pending = session.info.get(_PENDING)
    if pending == _ALL:
        return
    if isinstance(cases, str):
        session.info[_PENDING] = _ALL
        return
    known: set[int] = pending if isinstance(pending, set) else set()
    known.update(c for c in cases if c is not None)
    session.info[_PENDING] = known


def _history(obj: Any, name: str) -> list[Any] | None:
    """Every value an attribute had in this flush (before and after), or None if not loaded."""
    attribute = sa.inspect(obj).attrs[name]
    history = attribute.history
    if not history and attribute.loaded_value is NO_VALUE:
        return None
    return [*history.added, *history.unchanged, *history.deleted]


def _event_cases(event: Event) -> list[int | None] | None:
    cases = _history(event, "cases")
    return None if cases is None else [c.id for c in cases]


def _message_changed(message: Message, *, new: bool) -> bool:
    if new:
        return message.state == MessageState.PUBLISHED and bool(message.consent_to_publish)
    state: Any = sa.inspect(message)
    return any(state.attrs[name].history.has_changes() for name in _MESSAGE_FIELDS) or (
        message.state == MessageState.PUBLISHED
    )


def _after_flush(session: Session, _context: Any) -> None:
    """Note the cases whose reach this flush may have changed (while the changes are known)."""
    if session.info.get(_PENDING) == _ALL:
        return
    venues: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        new = obj in session.new
        if isinstance(obj, Event):
            cases = _event_cases(obj)
            if cases is None:
                if obj in session.deleted:
                    _note(session, _ALL)
                    return
                cases = list(
                    session.scalars(
                        sa.select(event_cases.c.case_id)
                        .where(event_cases.c.event_id == obj.id)
                        .execution_options(**_OWN_WRITE)
                    )
                )
            _note(session, cases)
        elif isinstance(obj, Message):
            if obj in session.deleted or _message_changed(obj, new=new):
                moved: Any = sa.inspect(obj).attrs.case_id.history
                if moved.added and not moved.deleted and not new:
                    _note(session, _ALL)  # moved from a case that was never loaded: unknown
                    return
                _note(session, [obj.case_id, *moved.deleted])
        elif isinstance(obj, Venue) and not new:
            if obj in session.deleted:
                _note(session, _ALL)
                return
            venues.add(obj.id)
        elif isinstance(obj, Organisation) and obj in session.deleted:
            _note(session, _ALL)
            return
        elif isinstance(obj, Case) and new:
            _note(session, [obj.id])
    if venues:
        _note(
            session,
            session.scalars(
                sa.select(event_cases.c.case_id)
                .join(Event, Event.id == event_cases.c.event_id)
                .where(Event.venue_id.in_(venues))
                .distinct()
                .execution_options(**_OWN_WRITE)
            ),
        )


def _on_execute(state: ORMExecuteState) -> None:
    """A bulk statement on the counted tables (or hand-written SQL that writes) may have
    changed any case's reach."""
    options = state.execution_options
    if (
        state.is_select
        or options.get("private_write")
        or options.get("reach_write")
        or options.get("keeps_reach")
    ):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name is None:
        text = str(state.statement).lstrip().lower()
        if text.startswith(("select", "pragma", "with", "show")):
            return
    elif name not in _TABLES:
        return
    _note(state.session, _ALL)


def _before_commit(session: Session) -> None:
    """Count the noted cases again, in the transaction being committed."""
    if session.info.get(_PENDING) is None and not (session.new or session.dirty or session.deleted):
        return
    session.flush()
    pending = session.info.pop(_PENDING, None)
    if not pending or not _table_ready(session):
        return
    store_reach(None if pending == _ALL else pending)


def _table_ready(session: Session) -> bool:
    """Whether the database has the count's table (not one at an older migration)."""
    engine = session.get_bind()
    if _present.get(engine):
        return True
    present = sa.inspect(session.connection()).has_table(CaseReach.__tablename__)
    if present:
        _present[engine] = True
    return present


def _forget(session: Session, previous: Any) -> None:
    """A rollback undoes the changes and the need to count them (see campaign.public.version)."""
    if not getattr(previous, "nested", False):
        session.info.pop(_PENDING, None)


def reach_table(reach: Reach, country_name: Callable[[str | None], str]) -> Markup:
    """A bar chart of actions and messages per country, as a table: each country's name and
    numbers are text (they wrap and keep their size on a phone, and a screen reader reads
    them as a table), each number with a bar drawn to one scale for both columns.

    A bar is a small SVG stretched to its cell (``preserveAspectRatio="none"``) whose rectangle
    is the number on a scale as long as the largest: no inline style, which the CSP forbids.
    """
    rows = [c for c in reach.by_country if c.country][:CHART_ROWS]
    if not rows:
        return Markup("")
    largest = max(max(c.actions, c.messages) for c in rows) or 1

    def cell(value: int, kind: str) -> str:
        bar = (
            f'<svg class="bar bar-{kind}" viewBox="0 0 {largest} 1" preserveAspectRatio="none" '
            f'aria-hidden="true" focusable="false"><rect width="{value}" height="1"/></svg>'
            if value
            else ""
        )
        return f'<td><span class="value">{format_decimal(value)}</span>{bar}</td>'

    # Each text translated outside the f-strings below: Babel extracts none from inside one.
    title, country = escape(_("Solidarity by country")), escape(_("Country"))
    actions, messages = escape(_("Actions")), escape(_("Messages"))
    parts = [
        '<table class="reach-chart">',
        # The legend is the caption, in a line of its own that wraps: the columns are too narrow
        # on a phone for their names, which only a screen reader reads in the header.
        f'<caption><span class="visually-hidden">{title}: </span>'
        f'<span class="key key-actions"></span>{actions} '
        f'<span class="key key-messages"></span>{messages}</caption>',
        '<colgroup><col class="names"><col span="2"></colgroup>',
        '<thead class="visually-hidden"><tr>',
        f'<th scope="col">{country}</th>',
        f'<th scope="col">{actions}</th><th scope="col">{messages}</th>',
        "</tr></thead><tbody>",
    ]
    for row in rows:
        parts.append(
            f'<tr><th scope="row">{escape(country_name(row.country))}</th>'
            f"{cell(row.actions, 'actions')}{cell(row.messages, 'messages')}</tr>"
        )
    parts.append("</tbody></table>")
    return Markup("".join(parts))  # noqa: S704  # nosec B704  # every text in it is escaped above
