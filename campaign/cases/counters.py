"""Day counters, the campaign's heartbeat: days in detention, days of hunger strike, days to go.

One convention, chosen so the numbers match how campaigns speak, and said on the case page:
the arrest day is day 1 and the day of release is not counted.

- "day N in detention" counts the arrest day as day 1, so on the arrest day the person is on day 1;
- a finished detention is the number of the last day held, the day before the release
  ("released after 15 days": arrested 27 April, released 12 May; the day-15 milestone is 11 May);
- "day N of hunger strike" counts the first day of the strike as day 1;
- "days until the next hearing" is 0 on the day of the hearing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from campaign.models import Case, Event, EventType
from campaign.models.vocab import HEARING_TYPES

# Day counts a timeline marks with a milestone ("day 100 in detention"), besides every anniversary.
MILESTONE_DAYS = (10, 30, 50, 100, 200, 500, 1000, 1500, 2000, 2500, 3000)


@dataclass(frozen=True)
class Detention:
    """How long a person has been, or was, deprived of liberty."""

    days: int  # "day N" while ongoing, the number of days served once it ended
    ongoing: bool
    since: date
    until: date | None


def detention(case: Case, today: date) -> Detention | None:
    """Days in detention counting from the arrest to today, or to the release; None if unknown."""
    if case.arrest_date is None or case.arrest_date > today:
        return None
    if case.status.in_custody:
        return Detention(
            days=(today - case.arrest_date).days + 1,
            ongoing=True,
            since=case.arrest_date,
            until=None,
        )
    if case.released_on is not None and case.released_on >= case.arrest_date:
        end = min(case.released_on, today)
        return Detention(
            days=(end - case.arrest_date).days, ongoing=False, since=case.arrest_date, until=end
        )
    return None


def days_in_detention(case: Case, today: date) -> int | None:
    """Day N in detention while the person is held (the arrest day is day 1), else None."""
    count = detention(case, today)
    return count.days if count is not None and count.ongoing else None


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


def hunger_strike_day(events: Iterable[Event], today: date, case: Case | None = None) -> int | None:
    """Day N of the hunger strike in progress (the first day is day 1), or None.

    A strike whose end was never recorded stops at a release event after its start; given the
    case, there is no count at all for a person not in custody (public and staff pages alike).
    """
    if case is not None and not case.status.in_custody:
        return None
    events = list(events)
    strike = current_hunger_strike(events, today)
    if strike is None:
        return None
    released = [
        e.date for e in events if e.type == EventType.RELEASE and strike.date <= e.date <= today
    ]
    if any(day >= strike.date for day in released):
        return None
    return (today - strike.date).days + 1


def next_hearing(events: Iterable[Event], today: date) -> Event | None:
    """The earliest hearing, trial, appeal hearing or verdict scheduled today or later."""
    upcoming = [e for e in events if e.type in HEARING_TYPES and e.date >= today]
    return min(upcoming, key=_schedule_key, default=None)


def next_event(events: Iterable[Event], today: date) -> Event | None:
    """The earliest event of any type scheduled after today (today's may already be over)."""
    return min((e for e in events if e.date > today), key=_schedule_key, default=None)


def todays_events(events: Iterable[Event], today: date) -> list[Event]:
    """The events dated today, in schedule order: shown as "Today", since some may be over."""
    return sorted((e for e in events if e.date == today), key=_schedule_key)


def days_until(event: Event | None, today: date) -> int | None:
    """Whole days from today to the event (0 on the day), or None without an event."""
    if event is None:
        return None
    return (event.date - today).days


def milestones(case: Case, today: date) -> list[tuple[date, int]]:
    """(date, N) for each day-count milestone reached in the detention so far.

    Day N falls N-1 days after the arrest (the arrest day is day 1); day 365, 730... are marked too.
    """
    count = detention(case, today)
    if count is None:
        return []
    marks = {n for n in MILESTONE_DAYS if n <= count.days}
    marks.update(365 * year for year in range(1, count.days // 365 + 1))
    return sorted((count.since + timedelta(days=n - 1), n) for n in marks)


def _schedule_key(event: Event) -> tuple[date, int, int]:
    time = event.start_time
    return (event.date, time.hour * 60 + time.minute if time else -1, event.id or 0)


@dataclass(frozen=True)
class Counters:
    """Every counter a case shows, computed once for the case page, the API and the embeds."""

    detention: Detention | None
    hunger_strike_day: int | None
    next_hearing: Event | None
    days_to_hearing: int | None
    next_event: Event | None
    today_events: list[Event]


def case_counters(case: Case, scheduled: Iterable[Event], today: date) -> Counters:
    """The counters of *case* on *today*, from the events the counters need (its hunger
    strikes, releases and everything from today on: campaign.timeline.build.counter_events)."""
    events = list(scheduled)
    hearing = next_hearing(events, today)
    return Counters(
        detention=detention(case, today),
        hunger_strike_day=hunger_strike_day(events, today, case),
        next_hearing=hearing,
        days_to_hearing=days_until(hearing, today),
        next_event=next_event(events, today),
        today_events=todays_events(events, today),
    )
