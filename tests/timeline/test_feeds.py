"""Calendars and Atom feeds: valid, stable, and only public events of published cases."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from flask.testing import FlaskClient
from icalendar import Calendar

from campaign.extensions import db
from campaign.models import Case, CaseStatus, CaseStatusChange, DatePrecision, EventType, Visibility

ATOM = "{http://www.w3.org/2005/Atom}"


def _soon(days: int) -> date:
    return datetime.now(UTC).date() + timedelta(days=days)


def test_case_calendar_is_valid_with_stable_uids_and_all_day_events(
    client: FlaskClient, make_case: Callable[..., Case], make_event
) -> None:
    case = make_case(slug="x")
    hearing = make_event(
        [case.id], type=EventType.HEARING, title="Hearing", date=_soon(3), start_time=time(10, 0)
    )
    picket = make_event([case.id], type=EventType.PICKET, title="Picket", date=_soon(5))
    make_event([case.id], title="Secret", date=_soon(6), visibility=Visibility.INTERNAL)
    make_event([case.id], title="Some time in May", date_precision=DatePrecision.MONTH)
    first = client.get("/cases/x/calendar.ics")
    assert first.status_code == 200
    assert first.mimetype == "text/calendar"
    assert first.get_data() == client.get("/cases/x/calendar.ics").get_data()
    calendar = Calendar.from_ical(first.get_data())
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Court hearing: Hearing", "Picket"}  # no "Picket: Picket"
    assert str(events["Picket"]["uid"]) == f"event-{picket.id}@localhost"
    assert str(events["Court hearing: Hearing"]["uid"]) == f"event-{hearing.id}@localhost"
    assert events["Picket"].decoded("dtstart") == _soon(5)  # a DATE: all day
    assert events["Court hearing: Hearing"].decoded("dtstart").hour == 10
    for event in events.values():
        assert "dtstamp" in event
    assert str(calendar["version"]) == "2.0"


def test_site_calendar_and_feed_list_upcoming_public_events_of_published_cases(
    client: FlaskClient, make_case: Callable[..., Case], make_event
) -> None:
    public = make_case(slug="public")
    draft = make_case(slug="draft", published=False)
    make_event([public.id], title="Upcoming picket", date=_soon(2))
    make_event([public.id], title="Past picket", date=_soon(-20))
    make_event([draft.id], title="Draft picket", date=_soon(2))
    make_event([public.id], title="Internal plan", date=_soon(2), visibility=Visibility.INTERNAL)
    ics = client.get("/calendar.ics").get_data(as_text=True)
    atom = client.get("/feed.atom").get_data(as_text=True)
    for body in (ics, atom):
        assert "Upcoming picket" in body
        for hidden in ("Past picket", "Draft picket", "Internal plan"):
            assert hidden not in body


def test_case_feed_is_valid_atom_with_events_and_status_changes(
    app, client: FlaskClient, make_case: Callable[..., Case], make_event
) -> None:
    case = make_case(slug="x", person_name="Dana")
    event = make_event([case.id], title="Embassy picket")
    make_event([case.id], title="Private", visibility=Visibility.INTERNAL)
    with app.app_context():
        db.session.add(
            CaseStatusChange(
                case_id=case.id, old_status=CaseStatus.DETAINED, new_status=CaseStatus.RELEASED
            )
        )
        db.session.commit()
    response = client.get("/cases/x/feed.atom")
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.get_data())  # noqa: S314 - our own output
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}id") is not None
    assert root.find(f"{ATOM}updated") is not None
    titles = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
    assert "Picket: Embassy picket" in titles
    assert "Dana: Released" in titles
    assert "Private" not in response.get_data(as_text=True)
    ids = [e.findtext(f"{ATOM}id") for e in root.iter(f"{ATOM}entry")]
    assert len(set(ids)) == len(ids)
    assert any(i.endswith(f"/event/{event.id}") for i in ids)
    assert response.get_data() == client.get("/cases/x/feed.atom").get_data()


def test_case_page_links_its_feeds(client: FlaskClient, make_case: Callable[..., Case]) -> None:
    make_case(slug="x")
    html = client.get("/cases/x").get_data(as_text=True)
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert 'href="/cases/x/calendar.ics"' in html


def test_calendars_and_feeds_name_the_country(
    app, client: FlaskClient, make_case: Callable[..., Case], make_event
) -> None:
    from campaign.models import Venue

    case = make_case(slug="x")
    make_event([case.id], title="Embassy picket", date=_soon(2), city="Vienna", country="AT")
    with app.app_context():
        venue = Venue(name="Kazakhstan embassy", slug="kz-embassy", city="Moscow", country="RU")
        db.session.add(venue)
        db.session.commit()
        venue_id = venue.id
    make_event([case.id], title="Embassy vigil", date=_soon(3), venue_id=venue_id)
    for path in ("/cases/x/calendar.ics", "/calendar.ics"):
        calendar = Calendar.from_ical(client.get(path).get_data())
        locations = {str(e["location"]) for e in calendar.walk("VEVENT")}
        assert locations == {"Vienna, Austria", "Kazakhstan embassy, Moscow, Russia"}, path
    for path in ("/cases/x/feed.atom", "/feed.atom"):
        root = ET.fromstring(client.get(path).get_data())  # noqa: S314 - our own output
        summaries = " ".join(e.findtext(f"{ATOM}summary") or "" for e in root.iter(f"{ATOM}entry"))
        assert "Vienna, Austria" in summaries, path
        assert "Kazakhstan embassy, Moscow, Russia" in summaries, path
        assert ", AT" not in summaries
