"""The merged timeline: ordering by the date things happened, partial dates, pages, filters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask import Flask

from campaign.extensions import db
from campaign.models import (
    Case,
    DatePrecision,
    Event,
    EventType,
    Role,
    Visibility,
    event_cases,
)
from campaign.timeline.build import (
    FILTERS,
    EventItem,
    MessageDay,
    Milestone,
    build_page,
    counter_events,
    encode_cursor,
    fill_messages,
    merge,
    parse_cursor,
    parse_show,
)
from tests.conftest import add_long_history, event_form, version_of

ALL = frozenset(FILTERS)
TODAY = date(2026, 11, 28)


def test_cursor_round_trips_and_rejects_garbage() -> None:
    key = (date(2010, 5, 4), 1, 2, 17)
    assert parse_cursor(encode_cursor(key)) == key
    bad_cursors = ("", None, "2010-13-01.1.1.1", "yesterday", "2010-05-04.9.1.1", "2010-05-04.1.1")
    for bad in (*bad_cursors, "2010-05-04.1.1.-1"):
        assert parse_cursor(bad) is None


def test_merge_orders_milestone_events_then_messages_within_a_day() -> None:
    day = date(2010, 5, 4)
    messages = MessageDay(day=day, count=3, countries=2)
    mark = Milestone(day=day, days=10)
    event = EventItem(Event(id=5, type=EventType.PICKET, title="p", date=day))
    earlier = EventItem(Event(id=9, type=EventType.ARREST, title="a", date=date(2010, 4, 27)))
    items, next_key = merge(
        [([earlier, event], False), ([messages], False), ([mark], False)], None, None
    )
    assert items == [earlier, mark, event, messages]
    assert next_key is None


def test_merge_stops_where_a_truncated_source_is_no_longer_known() -> None:
    events = [
        EventItem(Event(id=i, type=EventType.PICKET, title="p", date=date(2010, 5, i)))
        for i in range(1, 4)
    ]
    late_messages = MessageDay(day=date(2010, 5, 20), count=1, countries=1)
    items, next_key = merge([(events, True), ([late_messages], False)], None, 10)
    assert late_messages not in items
    assert next_key == events[-1].key


def _events(app: Flask, case_id: int) -> None:
    with app.app_context():
        case = db.session.get(Case, case_id)
        specs = [
            ("Entered first, happened last", date(2010, 5, 12), DatePrecision.DAY),
            ("Early May picket", date(2010, 5, 1), DatePrecision.DAY),
            ("Known to the month", date(2010, 5, 1), DatePrecision.MONTH),
            ("About the arrest", date(2010, 4, 27), DatePrecision.DAY),
            ("Late May protest", date(2010, 5, 31), DatePrecision.DAY),
            ("Known to the year", date(2010, 1, 1), DatePrecision.YEAR),
        ]
        for title, on, precision in specs:
            db.session.add(
                Event(
                    type=EventType.PICKET,
                    title=title,
                    date=on,
                    date_precision=precision,
                    cases=[case],
                )
            )
        db.session.commit()


def test_items_are_ordered_by_the_date_they_happened_not_entered(
    app: Flask, make_case: Callable[..., Case]
) -> None:
    case = make_case()
    _events(app, case.id)
    with app.app_context():
        page = build_page(
            db.session.get(Case, case.id), show=ALL, include_internal=False, after=None, today=TODAY
        )
        titles = [i.event.title for i in page.items if isinstance(i, EventItem)]
    # "May 2010" comes after every dated event of May, "2010" after everything of 2010.
    assert titles == [
        "About the arrest",
        "Early May picket",
        "Entered first, happened last",
        "Late May protest",
        "Known to the month",
        "Known to the year",
    ]


def test_an_organiser_places_a_month_only_event_within_its_month(
    app: Flask, make_case: Callable[..., Case], staff_client
) -> None:
    case = make_case()
    _events(app, case.id)
    organiser = staff_client(Role.ORGANISER)
    with app.app_context():
        month = db.session.scalar(sa.select(Event).where(Event.title == "Known to the month"))
        event_id = month.id
    form = organiser.get(f"/manage/events/{event_id}/edit").get_data(as_text=True)
    outside = event_form(
        [case.id],
        title="Known to the month",
        date="2010-05",
        date_precision="month",
        placed_on="2010-06-02",
        version=version_of(form),
    )
    html = organiser.post(f"/manage/events/{event_id}/edit", data=outside).get_data(as_text=True)
    assert "Choose a day within the month or year of the date." in html
    organiser.post(f"/manage/events/{event_id}/edit", data={**outside, "placed_on": "2010-05-01"})
    with app.app_context():
        page = build_page(
            db.session.get(Case, case.id), show=ALL, include_internal=False, after=None, today=TODAY
        )
        titles = [i.event.title for i in page.items if isinstance(i, EventItem)]
    # Placed after the events of 1 May: before 12 May, still after the picket of 1 May.
    assert titles[:3] == ["About the arrest", "Early May picket", "Known to the month"]


def test_pages_follow_each_other_without_gaps_or_repeats(
    app: Flask, make_case: Callable[..., Case]
) -> None:
    case = make_case()
    with app.app_context():
        add_long_history(case.id, events=130, messages=400)
        full = build_page(
            db.session.get(Case, case.id),
            show=ALL,
            include_internal=False,
            after=None,
            today=TODAY,
            limit=None,
            with_messages=False,
        ).items
        seen = []
        after = None
        for _ in range(100):
            page = build_page(
                db.session.get(Case, case.id),
                show=ALL,
                include_internal=False,
                after=after,
                today=TODAY,
                limit=40,
            )
            assert len(page.items) <= 40
            seen.extend(page.items)
            if page.next_cursor is None:
                break
            after = parse_cursor(page.next_cursor)
    assert [i.key for i in seen] == [i.key for i in full]
    assert [i.key for i in seen] == sorted(i.key for i in seen)
    assert sum(i.count for i in seen if isinstance(i, MessageDay)) == 400


def test_message_days_count_messages_and_distinct_countries(
    app: Flask,
    make_case: Callable[..., Case],
    make_published_message: Callable[..., int],
) -> None:
    case = make_case()
    other = make_case()
    day = datetime(2010, 5, 5, 10, tzinfo=UTC)
    for country in ("RU", "RU", "AT", None):
        make_published_message(case.id, country=country, created_at=day)
    make_published_message(case.id, state="pending", created_at=day)
    make_published_message(other.id, created_at=day)
    with app.app_context():
        page = build_page(
            db.session.get(Case, case.id),
            show=frozenset({"messages"}),
            include_internal=False,
            after=None,
            today=TODAY,
        )
    [summary] = page.items
    assert isinstance(summary, MessageDay)
    assert (summary.day, summary.count, summary.countries) == (date(2010, 5, 5), 4, 2)
    assert len(summary.messages) == 4


def test_filters_and_internal_events(
    app: Flask, make_case: Callable[..., Case], make_event
) -> None:
    case = make_case()
    make_event([case.id], type=EventType.HEARING, title="Hearing")
    make_event([case.id], type=EventType.PICKET, title="Picket")
    make_event([case.id], type=EventType.VIGIL, title="Secret", visibility=Visibility.INTERNAL)
    with app.app_context():
        model = db.session.get(Case, case.id)

        def titles(show: set[str], staff: bool) -> list[str]:
            page = build_page(
                model, show=frozenset(show), include_internal=staff, after=None, today=TODAY
            )
            return [i.event.title for i in page.items if isinstance(i, EventItem)]

        assert titles({"legal"}, False) == ["Hearing"]
        assert titles({"solidarity"}, False) == ["Picket"]
        assert titles({"legal", "solidarity"}, True) == ["Hearing", "Picket", "Secret"]
        assert titles({"messages"}, True) == []


def test_show_filter_defaults_to_everything() -> None:
    assert parse_show([]) == frozenset(FILTERS)
    assert parse_show(["nonsense"]) == frozenset(FILTERS)
    assert parse_show(["legal", "nonsense"]) == {"legal"}


def test_the_counters_read_the_cases_strikes_whenever_and_the_rest_from_today(
    app_ctx: Flask, make_case: Callable[..., Case], make_event: Callable[..., Event]
) -> None:
    # The counters' events are found from strikes, releases and what is to come of any case
    # (an index each), then kept to the case's: what another case has never counts.
    case, other = make_case(), make_case()
    strike = make_event([case.id], type=EventType.HUNGER_STRIKE_START, date=date(2010, 5, 1))
    released = make_event([case.id, other.id], type=EventType.RELEASE, date=date(2010, 6, 1))
    coming = make_event([case.id], type=EventType.HEARING, date=TODAY)
    make_event([case.id], type=EventType.HEARING, date=date(2010, 5, 2))  # past: no counter
    make_event([other.id], type=EventType.HUNGER_STRIKE_START, date=date(2010, 5, 3))
    make_event([other.id], type=EventType.HEARING, date=TODAY)
    hidden = make_event(
        [case.id],
        type=EventType.HUNGER_STRIKE_END,
        date=date(2010, 5, 9),
        visibility=Visibility.INTERNAL,
    )

    def ids(include_internal: bool) -> list[int]:
        return [
            e.id for e in counter_events(case.id, include_internal=include_internal, today=TODAY)
        ]

    assert ids(False) == [strike.id, released.id, coming.id]
    assert ids(True) == [strike.id, hidden.id, released.id, coming.id]


def test_a_days_first_messages_are_the_same_whether_a_day_has_more_or_not(
    app: Flask, make_case: Callable[..., Case], make_published_message: Callable[..., int]
) -> None:
    # A day with more messages than its summary shows is cut by a numbered query, else every
    # message of the days is read in order: the lines are the same either way.
    case = make_case()
    busy = datetime(2010, 5, 5, 10, tzinfo=UTC)
    quiet = datetime(2010, 5, 6, 10, tzinfo=UTC)
    later = make_published_message(case.id, body="later", created_at=busy.replace(hour=11))
    first = make_published_message(case.id, body="first", created_at=busy)
    tied = make_published_message(case.id, body="tied", created_at=busy)  # same time: by id
    alone = make_published_message(case.id, body="alone", created_at=quiet)

    def lines(per_day: int) -> list[list[int]]:
        days = [MessageDay(date(2010, 5, 5), 3, 1), MessageDay(date(2010, 5, 6), 1, 1)]
        with app.app_context():
            fill_messages(case.id, days, per_day=per_day)
        return [[line.id for line in d.messages] for d in days]

    assert lines(3) == [[first, tied, later], [alone]]
    assert lines(2) == [[first, tied], [alone]]


def test_an_event_re_dated_or_linked_later_takes_its_place_in_every_story(
    app: Flask, make_case: Callable[..., Case], make_event: Callable[..., Event]
) -> None:
    """A page of a case's story is read from the case's links to its events, which carry each
    event's place (campaign.models.events): a change to the event moves it on every page."""
    from campaign.events.queries import case_events_page

    first, other = make_case(), make_case()
    early = make_event([first.id], title="Early", date=date(2010, 5, 4))
    make_event([first.id], title="Later", date=date(2010, 5, 10))
    month = make_event(
        [first.id], title="May", date=date(2010, 5, 1), date_precision=DatePrecision.MONTH
    )

    def story(case_id: int) -> list[str]:
        case = db.session.get(Case, case_id)
        page = build_page(case, show=ALL, include_internal=False, after=None, today=TODAY)
        titles = [i.event.title for i in page.items if isinstance(i, EventItem)]
        staff = [e.title for e in reversed(case_events_page(case, 1).items)]
        assert staff == titles  # the staff record lists the same story, latest first
        return titles

    with app.app_context():
        assert story(first.id) == ["Early", "Later", "May"]
        db.session.get(Event, early.id).date = date(2010, 6, 1)
        db.session.commit()
        assert story(first.id) == ["Later", "May", "Early"]
        db.session.get(Event, month.id).date_precision = DatePrecision.DAY  # 1 May
        db.session.commit()
        assert story(first.id) == ["May", "Later", "Early"]
        moved = db.session.get(Event, early.id)
        moved.cases.append(db.session.get(Case, other.id))
        db.session.commit()
        assert story(other.id) == ["Early"]
        before = Event(type=EventType.PICKET, title="Before", date=date(2010, 1, 1))
        before.cases = [db.session.get(Case, other.id)]
        db.session.add(before)
        db.session.commit()
        assert story(other.id) == ["Before", "Early"]
        # A link written in bulk, out of the ORM's sight, starts at its event's place too.
        db.session.execute(sa.insert(event_cases).values(event_id=month.id, case_id=other.id))
        db.session.commit()
        assert story(other.id) == ["Before", "May", "Early"]
