"""Day counters, the campaign's heartbeat: days in detention, days of hunger strike, days to go."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from campaign.models import Event, EventType


def current_hunger_strike(events: Iterable[Event], today: date) -> Event | None:
    """The start event of the hunger strike in progress on *today*, or None.

    A strike is in progress from a ``hunger_strike_start`` on or before today until a later
    ``hunger_strike_end`` (or the start event's own end date) on or before today.
    """
    ordered = sorted(events, key=lambda e: (e.date, e.id or 0))
    started: Event | None = None
    for event in ordered:
        if event.date > today:
            break
        if event.type == EventType.HUNGER_STRIKE_START:
            started = event
        elif event.type == EventType.HUNGER_STRIKE_END:
            started = None
    if started is not None and started.end_date is not None and started.end_date <= today:
        return None
    return started
