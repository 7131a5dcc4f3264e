"""How a case's status follows its record: what an event implies, applying it, taking it back.

:func:`implied_by` is pure (it reads objects and returns a decision); :func:`apply_event` writes
the decision to the case, adds a :class:`CaseStatusChange`, and keeps what the event did in
:class:`CaseEventEffect` rows, which :func:`undo_event` reads back to take exactly that back.
The audit trail records each change with the event that caused it. An organiser's own edit of
the status always wins: it is simply saved (and recorded) by the case form.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from campaign.extensions import db
from campaign.history.recorder import note
from campaign.history.render import render
from campaign.models import (
    Case,
    CaseEventEffect,
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
# The case dates an event may fill, taken back when the event is deleted or no longer says so
# (in this order: a precision goes back only with the date it describes).
UNDOABLE_FIELDS = (
    "arrest_date",
    "arrest_date_precision",
    "arrest_date_approximate",
    "released_on",
    "released_on_precision",
    "released_on_approximate",
)
# How a date is known goes back only with the date it describes.
DESCRIBES = {
    "arrest_date_precision": "arrest_date",
    "arrest_date_approximate": "arrest_date",
    "released_on_precision": "released_on",
    "released_on_approximate": "released_on",
}
STATUS = "status"


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
        fields["arrest_date_approximate"] = event.date_approximate
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
    if event.type == EventType.RELEASE and (
        case.released_on,
        case.released_on_precision,
        case.released_on_approximate,
    ) != (event.date, event.date_precision, event.date_approximate):
        fields["released_on"] = event.date
        fields["released_on_precision"] = event.date_precision
        fields["released_on_approximate"] = event.date_approximate
    return Implied(status, fields)


def apply_event(
    case: Case, event: Event, others: Iterable[Event], today: date, user: User | None
) -> CaseStatusChange | None:
    """Apply what *event* implies to *case*: set its fields and status, keep what was done."""
    implied = implied_by(case, event, others, today)
    if implied.is_empty:
        return None
    effects = {effect.field: effect for effect in effects_of(case, event)}
    change: CaseStatusChange | None = None
    with db.session.no_autoflush:  # one flush, so the change and its cause make one entry
        moved = False
        for name, value in implied.fields.items():
            old = getattr(case, name)
            if old != value:
                _keep(effects, case, event, name, old, value)
                setattr(case, name, value)
                moved = True
        if implied.status is not None:
            _keep(effects, case, event, STATUS, case.status, implied.status)
            change = CaseStatusChange(
                old_status=case.status,
                new_status=implied.status,
                effective_on=event.date,
                changed_by_id=user.id if user is not None else None,
                event_id=event.id,
            )
            case.status = implied.status
            case.status_changes.append(change)
            moved = True
        if moved:
            note(case, caused_by_event=[None, _event_label(event)])
    return change


def _keep(
    effects: dict[str, CaseEventEffect],
    case: Case,
    event: Event,
    name: str,
    old: Any,
    new: Any,
) -> None:
    """Remember that *event* set *name* on *case*; a second change keeps the first old value."""
    effect = effects.get(name)
    if effect is None:
        effect = CaseEventEffect(case=case, event=event, field=name, old_value=_stored(old))
        db.session.add(effect)
        effects[name] = effect
    effect.new_value = _stored(new)


def _stored(value: Any) -> str | None:
    """A field's value as case_event_effects keeps it: as the audit trail writes it, in text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    rendered = render(value)
    return None if rendered is None else str(rendered)


def _event_label(event: Event) -> str:
    """How the history names the event behind a change: "#12 Release of Ainur Kurmanov"."""
    return f"#{event.id} {event.title}"


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


def effects_of(case: Case, event: Event) -> list[CaseEventEffect]:
    """What *event* did to *case* and has not been taken back."""
    if case.id is None or event.id is None:
        return [
            obj
            for obj in db.session.new
            if isinstance(obj, CaseEventEffect) and obj.case is case and obj.event is event
        ]
    return list(
        db.session.scalars(
            sa.select(CaseEventEffect).where(
                CaseEventEffect.case_id == case.id, CaseEventEffect.event_id == event.id
            )
        )
    )


def is_applied(case: Case, event: Event) -> bool:
    """Whether *event* moved something on *case* that was not taken back since."""
    return bool(effects_of(case, event))


def latest_change(case: Case) -> CaseStatusChange | None:
    """The case's most recent status change."""
    changes = sorted(case.status_changes, key=lambda c: (c.changed_at, c.id or 0))
    return changes[-1] if changes else None


def _restored(name: str, old: str | None) -> Any:
    """The value a field had before the event, from its stored form."""
    if name.endswith("_precision"):
        return DatePrecision(old) if old else DatePrecision.DAY
    if name.endswith("_approximate"):
        return old == "true"
    return date.fromisoformat(old) if old else None


def undo_event(case: Case, event: Event, today: date, user: User | None) -> CaseStatusChange | None:
    """Take back what *event* did to *case*: its status change if still the latest, and the
    dates it filled if they still hold the value it wrote; return the status change taken back.

    The status change the event caused is deleted rather than answered by a new one, so the
    case's feed and status list read as if the false change never happened; the audit trail
    keeps the record of both the change and its undoing.
    """
    effects = effects_of(case, event)
    filled = {effect.field: effect for effect in effects if effect.field != STATUS}
    undone: CaseStatusChange | None = None
    with db.session.no_autoflush:
        restored_fields: list[str] = []
        for name in UNDOABLE_FIELDS:
            effect = filled.get(name)
            if effect is None or _stored(getattr(case, name)) != effect.new_value:
                continue  # not the event's doing, or someone changed it since: theirs wins
            if name in DESCRIBES and DESCRIBES[name] not in restored_fields:
                continue  # the precision goes back only with the date it describes
            value = _restored(name, effect.old_value)
            if value == getattr(case, name):
                continue
            setattr(case, name, value)
            restored_fields.append(name)
        last = latest_change(case)
        if (
            last is not None
            and last.event_id is not None
            and last.event_id == event.id
            and last.old_status is not None
            and case.status == last.new_status
        ):
            case.status = last.old_status
            case.status_changes.remove(last)  # delete-orphan: the row goes with the flush
            undone = last
            restored_fields.append(STATUS)
        for effect in effects:
            if sa.inspect(effect).persistent:
                db.session.delete(effect)
            else:
                db.session.expunge(effect)
        if restored_fields:
            note(case, undone_event=[_event_label(event), None])
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
