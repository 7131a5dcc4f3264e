"""How a case's status follows its record: what an event implies, and applying it with a trail.

:func:`implied_by` is pure (it reads objects and returns a decision); :func:`apply_event` writes
the decision to the case, adds a :class:`CaseStatusChange` and an audit entry. An organiser's own
edit of the status always wins: it is simply saved (and recorded) by the case form.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from campaign.models import (
    AuditAction,
    Case,
    CaseStatus,
    CaseStatusChange,
    DatePrecision,
    Event,
    EventType,
    User,
)

# The events whose logging moves a case's status. A verdict is not here on purpose: an acquittal
# or a conviction cannot be guessed from the event type, so organisers set it themselves.
DRIVING_TYPES: dict[EventType, CaseStatus] = {
    EventType.ARREST: CaseStatus.DETAINED,
    EventType.SENTENCE: CaseStatus.SENTENCED,
    EventType.RELEASE: CaseStatus.RELEASED,
}
# The case dates an event may fill, taken back when the event is deleted or no longer says so.
UNDOABLE_FIELDS = ("arrest_date", "arrest_date_precision", "released_on")


@dataclass(frozen=True)
class Implied:
    """What an event implies for one case: a new status (or None) and fields to fill."""

    status: CaseStatus | None = None
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        """Whether the event changes nothing on the case."""
        return self.status is None and not self.fields


def implied_by(case: Case, event: Event, others: Iterable[Event], today: date) -> Implied:
    """What logging *event* implies for *case*, given the case's *others* events. Pure.

    - an arrest sets "detained" (unless already in custody) and fills an empty arrest date;
    - a sentence sets "sentenced"; a release sets "released" with ``released_on``;
    - an event in the future, or older than another status-driving event of the case (the record
      is being back-filled), moves nothing but the empty arrest date.
    """
    target = DRIVING_TYPES.get(event.type)
    if target is None:
        return Implied()
    fields: dict[str, Any] = {}
    if event.type == EventType.ARREST and case.arrest_date is None and event.date <= today:
        fields["arrest_date"] = event.date
        fields["arrest_date_precision"] = event.date_precision
    superseded = any(
        other is not event
        and (other.id is None or other.id != event.id)
        and other.type in DRIVING_TYPES
        and other.date > event.date
        for other in others
    )
    if superseded or event.date > today:
        return Implied(None, fields)
    status: CaseStatus | None = target
    already = case.status.in_custody if event.type == EventType.ARREST else case.status == target
    if already:
        status = None
    if event.type == EventType.RELEASE and case.released_on != event.date:
        fields["released_on"] = event.date
    return Implied(status, fields)


def apply_event(
    case: Case, event: Event, others: Iterable[Event], today: date, user: User | None
) -> CaseStatusChange | None:
    """Apply what *event* implies to *case*; record the status change and an audit entry."""
    from campaign.history import trail as audit

    implied = implied_by(case, event, others, today)
    if implied.is_empty:
        return None
    changes: dict[str, list[Any]] = {}
    for name, value in implied.fields.items():
        old = getattr(case, name)
        if old != value:
            changes[name] = [audit._render(old), audit._render(value)]
            setattr(case, name, value)
    change: CaseStatusChange | None = None
    if implied.status is not None:
        changes["status"] = [case.status.value, implied.status.value]
        change = CaseStatusChange(
            old_status=case.status,
            new_status=implied.status,
            effective_on=event.date,
            changed_by_id=user.id if user is not None else None,
            event_id=event.id,
        )
        case.status = implied.status
        case.status_changes.append(change)
    if changes:
        changes["caused_by_event"] = [None, f"#{event.id} {event.title}"]
        audit.record(AuditAction.UPDATE, case, changes)
    return change


def record_manual_change(
    case: Case, old: CaseStatus | None, today: date, user: User | None
) -> CaseStatusChange | None:
    """Keep an organiser's own change of the status in the case's status history."""
    if old == case.status:
        return None
    change = CaseStatusChange(
        old_status=old,
        new_status=case.status,
        effective_on=today,
        changed_by_id=user.id if user is not None else None,
        event_id=None,
    )
    case.status_changes.append(change)
    return change


def _trail_of(case: Case, event: Event) -> list[tuple[str, dict[str, Any]]]:
    """The case's trail entries caused or undone by *event*, oldest first."""
    import sqlalchemy as sa

    from campaign.extensions import db
    from campaign.models import AuditEntry

    marker = f"#{event.id} "
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.object_type == "case", AuditEntry.object_id == case.id)
        .order_by(AuditEntry.id)
    )
    found: list[tuple[str, dict[str, Any]]] = []
    for entry in entries:
        changes = entry.changes or {}
        caused = changes.get("caused_by_event") or [None, None]
        undone = changes.get("undone_event") or [None, None]
        if str(caused[1] or "").startswith(marker):
            found.append(("caused", changes))
        elif str(undone[0] or "").startswith(marker):
            found.append(("undone", changes))
    return found


def is_applied(case: Case, event: Event) -> bool:
    """Whether *event* moved something on *case* that was not taken back since."""
    trail = _trail_of(case, event)
    return bool(trail) and trail[-1][0] == "caused"


def _filled_by(case: Case, event: Event) -> dict[str, Any]:
    """The case fields *event* filled (from the trail), with the value it wrote."""
    filled: dict[str, Any] = {}
    for kind, changes in _trail_of(case, event):
        for name in UNDOABLE_FIELDS:
            if name in changes:
                if kind == "caused":
                    filled[name] = changes[name]
                else:
                    filled.pop(name, None)
    return filled


def latest_change(case: Case) -> CaseStatusChange | None:
    """The case's most recent status change."""
    changes = sorted(case.status_changes, key=lambda c: (c.changed_at, c.id or 0))
    return changes[-1] if changes else None


def undo_event(case: Case, event: Event, today: date, user: User | None) -> CaseStatusChange | None:
    """Take back what *event* did to *case*: its status change if still the latest, and the
    dates it filled if they still hold the value it wrote; return the status change taken back.

    The status change the event caused is deleted rather than answered by a new one, so the
    case's feed and status list read as if the false change never happened; the audit trail
    keeps the record of both the change and its undoing.
    """
    from campaign.history import trail as audit

    changes: dict[str, list[Any]] = {}
    filled = _filled_by(case, event)
    for name, (old, new) in filled.items():
        if audit._render(getattr(case, name)) != new:
            continue  # someone changed it since: theirs wins
        if name == "arrest_date_precision":
            if "arrest_date" not in changes:
                continue  # the precision goes back only with the date it describes
            restored: Any = DatePrecision(old) if old else DatePrecision.DAY
        else:
            restored = date.fromisoformat(old) if isinstance(old, str) else None
        if name == "arrest_date_precision" and restored == getattr(case, name):
            continue
        setattr(case, name, restored)
        changes[name] = [new, audit._render(restored)]
    undone: CaseStatusChange | None = None
    last = latest_change(case)
    if (
        last is not None
        and last.event_id is not None
        and last.event_id == event.id
        and last.old_status is not None
        and case.status == last.new_status
    ):
        changes["status"] = [case.status.value, last.old_status.value]
        case.status = last.old_status
        case.status_changes.remove(last)  # delete-orphan: the row goes with the flush
        undone = last
    if changes:
        changes["undone_event"] = [f"#{event.id} {event.title}", None]
        audit.record(AuditAction.UPDATE, case, changes)
    return undone


def still_justifies(case: Case, event: Event, today: date) -> bool:
    """Whether *event*, as it is now, still justifies the case's latest status change it made."""
    last = latest_change(case)
    if last is None or last.event_id != event.id:
        return True
    return (
        case in event.cases
        and DRIVING_TYPES.get(event.type) == last.new_status
        and event.date <= today
    )
