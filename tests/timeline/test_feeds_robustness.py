"""Feeds survive odd rows, say whose case an item concerns, and invent no end times."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from flask.testing import FlaskClient
from icalendar import Calendar

from campaign.models import Case, EventType

ATOM = "{http://www.w3.org/2005/Atom}"


def _soon(days: int) -> date:
    return datetime.now(UTC).date() + timedelta(days=days)


def _vevents(body: bytes) -> dict[str, object]:
    return {str(e["summary"]): e for e in Calendar.from_ical(body).walk("VEVENT")}


def test_calendars_survive_an_event_on_the_last_representable_day(
    client: FlaskClient, make_case: Callable[..., Case], make_event
) -> None:
    case = make_case(slug="x", person_name="Daria Volkova")
    make_event([case.id], title="Typo date", date=date.max)
    make_event([case.id], title="Typo with an end", date=date.max, end_date=date.max)
    make_event([case.id], title="Typo with a time", date=date.max, start_time=time(23, 30))
    make_event([case.id], title="Normal picket", date=_soon(2))
    for url in ("/calendar.ics", "/cases/x/calendar.ics"):
        response = client.get(url)
        assert response.status_code == 200, url
        events = _vevents(response.get_data())
        assert len(events) == 4, url
        odd = next(e for title, e in events.items() if title.endswith("Typo date"))
        assert odd.decoded("dtstart") == date.max
        assert "dtend" not in odd  # an all-day event without DTEND lasts its one day
        normal = next(e for title, e in events.items() if title.endswith("Normal picket"))
        assert normal.decoded("dtend") == _soon(3)
    for url in ("/feed.atom", "/cases/x/feed.atom"):
        assert client.get(url).status_code == 200, url


def test_site_feeds_prefix_titles_with_whose_case_it_is(
    client: FlaskClient, make_case: Callable[..., Case], make_event
) -> None:
    daria = make_case(slug="daria", person_name="Daria Volkova")
    ainur = make_case(slug="ainur", person_name="Ainur Kurmanov")
    hidden = make_case(slug="hidden", person_name="Not Published", published=False)
    make_event(
        [daria.id, hidden.id], type=EventType.HEARING, title="preliminary hearing", date=_soon(7)
    )
    make_event([daria.id, ainur.id], title="Vienna picket", date=_soon(3))
    titles = set(_vevents(client.get("/calendar.ics").get_data()))
    assert "Daria Volkova: preliminary hearing" in titles
    assert "Daria Volkova, Ainur Kurmanov: Vienna picket" in titles or (
        "Ainur Kurmanov, Daria Volkova: Vienna picket" in titles
    )
    root = ET.fromstring(client.get("/feed.atom").get_data())  # noqa: S314 - our own output
    entries = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
    assert "Daria Volkova: preliminary hearing" in entries
    assert not any("Not Published" in (t or "") for t in entries)
    # A case's own feeds need no name: the whole feed is about that person.
    case_titles = set(_vevents(client.get("/cases/daria/calendar.ics").get_data()))
    assert "Court hearing: preliminary hearing" in case_titles


def test_timed_events_are_floating_local_times_without_an_invented_end(
    client: FlaskClient, make_case: Callable[..., Case], make_event
) -> None:
    case = make_case(slug="x", person_name="Daria Volkova")
    make_event(
        [case.id],
        type=EventType.HEARING,
        title="Hearing at ten",
        date=_soon(4),
        start_time=time(10, 0),
        description="Bring banners.",
    )
    for url in ("/calendar.ics", "/cases/x/calendar.ics"):
        body = client.get(url).get_data()
        (event,) = _vevents(body).values()
        start = event.decoded("dtstart")
        assert start == datetime.combine(_soon(4), time(10, 0))
        assert start.tzinfo is None  # floating: no zone is recorded
        assert "dtend" not in event
        assert "duration" not in event
        description = str(event["description"])
        assert "local time" in description
        assert "Bring banners." in description
    root = ET.fromstring(client.get("/feed.atom").get_data())  # noqa: S314 - our own output
    summary = next(root.iter(f"{ATOM}entry")).findtext(f"{ATOM}summary") or ""
    assert "10:00 local time" in summary


def test_pages_and_exports_survive_an_event_on_the_last_representable_day(
    client: FlaskClient, make_case: Callable[..., Case], make_event
) -> None:
    case = make_case(slug="x", person_name="Daria Volkova", arrest_date=date(2010, 4, 27))
    make_event([case.id], type=EventType.HEARING, title="Typo date", date=date.max)
    make_event([case.id], type=EventType.HUNGER_STRIKE_START, title="Typo strike", date=date.max)
    for url in (
        "/",
        "/cases/x",
        "/cases/x/sheet",
        "/cases/x/timeline.json",
        "/cases/x/timeline.csv",
    ):
        assert client.get(url).status_code == 200, url
