"""QA walkthrough fixes on the public pages: next event, counters, badges, print, search."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from campaign.extensions import db
from campaign.models import Case, CaseStatus, Event, EventType, Source, Verification
from tests.conftest import ROOT

STATIC = ROOT / "static"


def _today() -> date:
    return datetime.now(UTC).date()


def _next_line(html: str) -> str:
    match = re.search(r'<p class="next-event">(.*?)</p>', html, re.S)
    assert match is not None
    return match.group(1)


def test_next_is_the_hearing_in_a_week_not_todays_picket(
    client: FlaskClient, make_case: Callable[..., Case], make_event
) -> None:
    case = make_case(slug="x", arrest_date=_today() - timedelta(days=3))
    picket = make_event(
        [case.id], type=EventType.PICKET, title="Picket at the court", date=_today()
    )
    hearing = make_event(
        [case.id], type=EventType.HEARING, title="Preliminary hearing", date=_today() + timedelta(7)
    )
    html = client.get("/cases/x").get_data(as_text=True)
    nxt = _next_line(html)
    assert f"#event-{hearing.id}" in nxt
    assert "Preliminary hearing" in nxt
    assert "Picket" not in nxt
    today_line = re.search(r'<p class="next-event next-event-today">(.*?)</p>', html, re.S)
    assert today_line is not None
    assert "Today:" in today_line.group(1)
    assert f"#event-{picket.id}" in today_line.group(1)
    assert "Picket: Picket" not in html  # the title already says it is a picket
    assert '<span class="counter-number">7</span>' in html
    assert "days until the next hearing" in html


def test_the_hearing_counter_counts_hearings_only(
    client: FlaskClient, make_case: Callable[..., Case], make_event
) -> None:
    case = make_case(slug="x")
    make_event([case.id], type=EventType.PICKET, title="Embassy", date=_today() + timedelta(2))
    html = client.get("/cases/x").get_data(as_text=True)
    assert "counter-hearing" not in html
    assert "Picket: Embassy" in _next_line(html)


@pytest.mark.parametrize(
    "status", [s for s in CaseStatus if not s.in_custody], ids=lambda s: s.value
)
def test_no_hunger_strike_counter_for_a_person_not_in_custody(
    client: FlaskClient, make_case: Callable[..., Case], make_event, status: CaseStatus
) -> None:
    case = make_case(
        slug="x",
        status=status,
        arrest_date=date(2024, 1, 1),
        released_on=date(2024, 2, 1),
    )
    make_event(
        [case.id],
        type=EventType.HUNGER_STRIKE_START,
        title="Solidarity hunger strike",
        date=_today() - timedelta(days=3),
    )
    html = client.get("/cases/x").get_data(as_text=True)
    assert "counter-strike" not in html
    assert "of hunger strike" not in html
    index = client.get("/").get_data(as_text=True)
    assert "of hunger strike" not in index


def test_hunger_strike_counter_still_shows_for_a_detained_person(
    client: FlaskClient, make_case: Callable[..., Case], make_event
) -> None:
    case = make_case(slug="x", status=CaseStatus.DETAINED, arrest_date=date(2024, 1, 1))
    make_event(
        [case.id],
        type=EventType.HUNGER_STRIKE_START,
        title="Hunger strike",
        date=_today() - timedelta(days=3),
    )
    html = client.get("/cases/x").get_data(as_text=True)
    assert "counter-strike" in html
    assert '<span class="counter-number">4</span>' in html


def _item(html: str, event_id: int) -> str:
    match = re.search(rf'<li [^>]*id="event-{event_id}">(.*?)</li>', html, re.S)
    assert match is not None
    return match.group(1)


def test_future_events_are_scheduled_with_expected_participants(
    client: FlaskClient, make_case: Callable[..., Case], make_event
) -> None:
    case = make_case(slug="x")
    upcoming = make_event(
        [case.id],
        type=EventType.HEARING,
        title="Appeal",
        date=_today() + timedelta(days=7),
        participants=12,
        verification=Verification.VERIFIED,
    )
    held = make_event(
        [case.id],
        title="Picket",
        date=_today() - timedelta(days=7),
        participants=12,
        verification=Verification.VERIFIED,
    )
    html = client.get("/cases/x").get_data(as_text=True)
    future = _item(html, upcoming.id)
    assert "12 expected" in future
    assert "took part" not in future
    assert "Scheduled" in future
    assert "Verified" not in future
    assert "Reported" not in future
    assert "Upcoming" not in future  # one badge says it: "Scheduled"
    past = _item(html, held.id)
    assert "12 people took part" in past
    assert "Verified" in past
    assert "Scheduled" not in past


def test_the_printed_sheet_shows_source_addresses(
    app: Flask, client: FlaskClient, make_case: Callable[..., Case]
) -> None:
    case = make_case(slug="x")
    with app.app_context():
        db.session.add(
            Event(
                type=EventType.PICKET,
                title="Picket",
                date=date(2010, 5, 4),
                sources=[Source(title="Report", url="https://example.org/r")],
                cases=[db.session.get(Case, case.id)],
            )
        )
        db.session.commit()
    html = client.get("/cases/x/sheet").get_data(as_text=True)
    assert re.search(r'class="item-sources".*?<a href="https://example.org/r"', html, re.S)
    css = re.sub(r"/\*.*?\*/", "", (STATIC / "css" / "print.css").read_text(), flags=re.S)
    rule = re.search(r'([^{}]*)\{\s*content:\s*" \(" attr\(href\) "\)"', css)
    assert rule is not None
    # Only the sources: other links (the case's own pages) keep their text alone on paper.
    assert rule.group(1).strip() == '.item-sources a[href^="http"]::after'


@pytest.mark.parametrize("query", ["Айнур", "Курманов", "курманов", "АЙНУР"])
def test_search_finds_names_in_cyrillic(
    client: FlaskClient, make_case: Callable[..., Case], query: str
) -> None:
    make_case(
        slug="ainur-kurmanov",
        person_name="Ainur Kurmanov",
        person_name_original="Айнур Курманов",
    )
    make_case(slug="other", person_name="Someone Else", person_name_original="Кто-то другой")
    html = client.get("/", query_string={"q": query}).get_data(as_text=True)
    assert 'href="/cases/ainur-kurmanov"' in html
    assert 'href="/cases/other"' not in html


def test_search_by_latin_name_ignores_case(
    client: FlaskClient, make_case: Callable[..., Case], make_event
) -> None:
    make_case(slug="ainur-kurmanov", person_name="Ainur Kurmanov")
    html = client.get("/", query_string={"q": "kurmanov"}).get_data(as_text=True)
    assert 'href="/cases/ainur-kurmanov"' in html


def test_time_of_next_event_is_shown(
    client: FlaskClient, make_case: Callable[..., Case], make_event
) -> None:
    case = make_case(slug="x")
    make_event(
        [case.id],
        type=EventType.VIGIL,
        title="Candles",
        date=_today() + timedelta(1),
        start_time=time(19, 30),
    )
    assert "19:30" in _next_line(client.get("/cases/x").get_data(as_text=True))
