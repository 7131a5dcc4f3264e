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
    from campaign import audit

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
