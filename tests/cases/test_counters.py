"""Day counters: days in detention, day N of hunger strike, days until the next hearing."""

from __future__ import annotations

from datetime import date, time

from campaign.cases.counters import (
    current_hunger_strike,
    days_until,
    detention,
    hunger_strike_day,
    milestones,
    next_event,
    next_hearing,
    todays_events,
)
from campaign.models import Case, CaseStatus, Event, EventType


def _case(**kw: object) -> Case:
    return Case(slug="x", person_name="X", **kw)


def _event(id: int, type: EventType, on: date, **kw: object) -> Event:
    return Event(id=id, type=type, title=str(type), date=on, **kw)


def test_detention_counts_the_arrest_day_as_day_one_while_detained() -> None:
    case = _case(status=CaseStatus.DETAINED, arrest_date=date(2026, 1, 1))
    assert detention(case, date(2026, 1, 1)).days == 1
    count = detention(case, date(2026, 4, 10))
    assert count.ongoing
    assert count.days == 100


def test_a_finished_detention_counts_to_the_release() -> None:
    # The reference case: arrested about 27 April 2010, released 12 May after 15 days.
    case = _case(
        status=CaseStatus.RELEASED,
        arrest_date=date(2010, 4, 27),
        arrest_date_approximate=True,
        released_on=date(2010, 5, 12),
    )
    count = detention(case, date(2026, 11, 28))
    assert not count.ongoing
    assert count.days == 15


def test_one_convention_the_last_day_held_is_the_released_total() -> None:
    # Day 1 is the arrest day and the release day is not counted, in every counter.
    arrest, release = date(2010, 4, 27), date(2010, 5, 12)
    held = _case(status=CaseStatus.DETAINED, arrest_date=arrest)
    freed = _case(status=CaseStatus.RELEASED, arrest_date=arrest, released_on=release)
    last_day = detention(held, date(2010, 5, 11)).days
    assert last_day == detention(freed, release).days == 15
    assert milestones(freed, release)[-1] == (date(2010, 5, 6), 10)
    assert detention(held, date(2010, 5, 6)).days == 10  # the milestone's day says the same


def test_no_count_without_an_arrest_or_for_people_never_held() -> None:
    assert detention(_case(status=CaseStatus.DETAINED), date(2026, 1, 1)) is None
    at_risk = _case(status=CaseStatus.AT_RISK, arrest_date=date(2025, 1, 1))
    assert detention(at_risk, date(2026, 1, 1)) is None
    future = _case(status=CaseStatus.DETAINED, arrest_date=date(2027, 1, 1))
    assert detention(future, date(2026, 1, 1)) is None


def test_hunger_strike_day_while_it_lasts() -> None:
    start = _event(1, EventType.HUNGER_STRIKE_START, date(2026, 3, 1))
    assert hunger_strike_day([start], date(2026, 3, 1)) == 1
    assert hunger_strike_day([start], date(2026, 3, 12)) == 12
    end = _event(2, EventType.HUNGER_STRIKE_END, date(2026, 3, 20))
    assert hunger_strike_day([start, end], date(2026, 3, 21)) is None
    assert hunger_strike_day([start, end], date(2026, 2, 1)) is None


def test_a_strike_with_its_own_end_date_stops_counting_then() -> None:
    start = _event(1, EventType.HUNGER_STRIKE_START, date(2026, 3, 1), end_date=date(2026, 3, 5))
    assert current_hunger_strike([start], date(2026, 3, 4)) is start
    assert hunger_strike_day([start], date(2026, 3, 6)) is None


def test_next_hearing_is_the_earliest_upcoming_hearing_only() -> None:
    today = date(2026, 6, 1)
    past = _event(1, EventType.HEARING, date(2026, 5, 1))
    picket = _event(2, EventType.PICKET, date(2026, 6, 2))
    appeal = _event(3, EventType.APPEAL_HEARING, date(2026, 6, 20))
    trial = _event(4, EventType.TRIAL, date(2026, 6, 10), start_time=time(10, 0))
    events = [past, picket, appeal, trial]
    assert next_hearing(events, today) is trial
    assert days_until(trial, today) == 9
    assert next_event(events, today) is picket
    assert days_until(None, today) is None
    assert days_until(_event(5, EventType.HEARING, today), today) == 0


def test_milestones_mark_round_day_counts_reached_so_far() -> None:
    case = _case(status=CaseStatus.DETAINED, arrest_date=date(2025, 1, 1))
    marks = {n: day for day, n in milestones(case, date(2026, 1, 10))}
    assert marks[10] == date(2025, 1, 10)
    assert marks[100] == date(2025, 4, 10)
    assert marks[365] == date(2025, 12, 31)
    assert 500 not in marks


def test_a_strike_without_a_recorded_end_stops_at_the_release() -> None:
    # The demo's second man: on hunger strike in solidarity, released days later, no end recorded.
    start = _event(1, EventType.HUNGER_STRIKE_START, date(2010, 4, 30))
    release = _event(2, EventType.RELEASE, date(2010, 5, 5))
    assert hunger_strike_day([start], date(2010, 5, 3)) == 4
    assert hunger_strike_day([start, release], date(2026, 11, 28)) is None
    released = _case(status=CaseStatus.RELEASED, released_on=date(2010, 5, 5))
    assert hunger_strike_day([start], date(2026, 11, 28), released) is None
    detained = _case(status=CaseStatus.DETAINED, released_on=date(2009, 1, 1))
    assert hunger_strike_day([start], date(2010, 5, 3), detained) == 4


def test_the_next_event_is_strictly_future_and_todays_are_listed_apart() -> None:
    # QA: "Next:" showed a picket already held today instead of the hearing in 7 days.
    today = date(2026, 6, 1)
    picket = _event(1, EventType.PICKET, today)
    hearing = _event(2, EventType.HEARING, date(2026, 6, 8))
    vigil = _event(3, EventType.VIGIL, today, start_time=time(18, 0))
    events = [vigil, picket, hearing]
    assert next_event(events, today) is hearing
    assert todays_events(events, today) == [picket, vigil]
    assert next_event([picket], today) is None


def test_the_hearing_counter_ignores_other_events() -> None:
    today = date(2026, 6, 1)
    picket = _event(1, EventType.PICKET, date(2026, 6, 2))
    assert next_hearing([picket], today) is None


def test_no_hunger_strike_count_for_a_person_not_in_custody() -> None:
    # QA: a released person linked to a new hunger-strike event showed "Day 4 of hunger strike".
    start = _event(1, EventType.HUNGER_STRIKE_START, date(2026, 3, 1))
    today = date(2026, 3, 4)
    for status in CaseStatus:
        case = _case(status=status, released_on=date(2025, 1, 1))
        expected = 4 if status.in_custody else None
        assert hunger_strike_day([start], today, case) == expected, status
    assert hunger_strike_day([start], today) == 4  # without a case: the record alone
