"""Where a case's updates come from: pluggable sources of "public updates for case X since T".

A source is a function ``(case_id, since) -> Iterable[Update]`` registered with
:func:`register`; the events and status changes an organiser made public are the first two.
Another feature (appeals and their responses, say) adds its own without touching this package.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from campaign.events.queries import case_events_select
from campaign.extensions import db
from campaign.models import CaseStatusChange, Event
from campaign.timeline.build import event_heading
from campaign.util.dates import format_partial_date


@dataclass(frozen=True)
class Update:
    """One public update of a case. ``describe`` is called when the e-mail is written, in the
    subscriber's language, and gives the line that tells it."""

    key: str  # unique across sources: "event:12", "status:3"
    case_id: int
    published_at: datetime
    describe: Callable[[], str]


UpdateSource = Callable[[int, datetime], Iterable[Update]]
_SOURCES: list[UpdateSource] = []


def register(source: UpdateSource) -> UpdateSource:
    """Add a source of updates (usable as a decorator); registering twice adds it once."""
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def sources() -> list[UpdateSource]:
    """The registered sources, in the order they were added."""
    return list(_SOURCES)


def updates_since(case_id: int, since: datetime) -> list[Update]:
    """Every source's public updates of the case since *since*, oldest first."""
    found: list[Update] = []
    for source in _SOURCES:
        found.extend(source(case_id, since))
    return sorted(found, key=lambda update: (update.published_at, update.key))


@register
def public_events(case_id: int, since: datetime) -> Iterator[Update]:
    """The case's publicly shown events entered since *since*."""
    stmt = (
        case_events_select(case_id, include_internal=False)
        .where(Event.created_at > since)
        .order_by(Event.created_at, Event.id)
    )
    for event in db.session.scalars(stmt):

        def describe(event: Event = event) -> str:
            when = format_partial_date(event.date, event.date_precision, event.date_approximate)
            return f"{when}: {event_heading(event)}"

        yield Update(f"event:{event.id}", case_id, event.created_at, describe)


@register
def status_changes(case_id: int, since: datetime) -> Iterator[Update]:
    """The case's changes of status since *since* (the status is public on the case page)."""
    stmt = (
        sa.select(CaseStatusChange)
        .where(CaseStatusChange.case_id == case_id, CaseStatusChange.changed_at > since)
        .order_by(CaseStatusChange.changed_at, CaseStatusChange.id)
    )
    for change in db.session.scalars(stmt):

        def describe(change: CaseStatusChange = change) -> str:
            return _("New status: %(status)s", status=str(change.new_status.label))

        yield Update(f"status:{change.id}", case_id, change.changed_at, describe)
