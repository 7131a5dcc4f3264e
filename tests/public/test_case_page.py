"""The public case page: facts, counters, timeline, reach, privacy, caching and bad input."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from campaign.extensions import db
from campaign.models import (
    Case,
    CaseStatus,
    Event,
    EventType,
    Organisation,
    Role,
    Source,
    Venue,
    Visibility,
)
from campaign.timeline.build import PAGE_SIZE
from tests.conftest import add_long_history, event_form


def _today() -> date:
    return datetime.now(UTC).date()


@pytest.fixture
def detained(make_case: Callable[..., Case], make_event) -> Case:
    """A person detained 40 days ago, on hunger strike for 5 days, with a hearing in 9 days."""
    today = _today()
    case = make_case(
        slug="detained",
        person_name="Dana Detained",
        status=CaseStatus.DETAINED,
        arrest_date=today - timedelta(days=39),
        charges="Organising an unsanctioned picket",
        detention_address="PO Box 12\nSpecial detention centre",
        detention_address_public=True,
    )
    make_event(
        [case.id], type=EventType.ARREST, title="Taken from home", date=today - timedelta(days=39)
    )
    make_event(
        [case.id],
        type=EventType.HUNGER_STRIKE_START,
        title="Refuses food",
        date=today - timedelta(days=4),
    )
    make_event(
        [case.id],
        type=EventType.HEARING,
        title="Hearing at the district court",
        date=today + timedelta(days=9),
        start_time=time(10, 30),
    )
    return case


def test_counters_for_a_detained_person_with_a_future_hearing(
    client: FlaskClient, detained: Case
) -> None:
    html = client.get("/cases/detained").get_data(as_text=True)
    assert '<span class="counter-number">40</span>' in html  # day 40 in detention
    assert '<span class="counter-number">5</span>' in html  # day 5 of hunger strike
    assert '<span class="counter-number">9</span>' in html  # days until the hearing
    assert "days until the next hearing" in html
    assert "Next:" in html
    assert "Hearing at the district court" in html
    assert "Day 10 in detention" in html  # a milestone marker on the timeline
    assert "PO Box 12" in html
    # The convention of every day count is said where the counts are.
    assert "Day 1 is the day of the arrest; the day of release is not counted" in html


def test_the_letters_address_shows_only_when_published(
    client: FlaskClient, make_case: Callable[..., Case]
) -> None:
    make_case(slug="quiet", detention_address="Secret address", detention_address_public=False)
    assert "Secret address" not in client.get("/cases/quiet").get_data(as_text=True)


def test_timeline_item_shows_type_place_organisations_sources_and_badge(
    app: Flask, client: FlaskClient, make_case: Callable[..., Case]
) -> None:
    case = make_case(slug="x")
    with app.app_context():
        from campaign.models import Event

        db.session.add(
            Event(
                type=EventType.PICKET,
                title="Picket at the embassy",
                date=date(2010, 5, 1),
                date_precision="month",
                city="Vienna",
                country="AT",
                verification="verified",
                organisations=[Organisation(name="SLP", slug="slp")],
                sources=[
                    Source(title="Report", url="https://example.org/r"),
                    Source(title="Bad link", url="javascript:alert(1)"),
                ],
                cases=[db.session.get(Case, case.id)],
            )
        )
        db.session.commit()
    html = client.get("/cases/x").get_data(as_text=True)
    for text in (
        "Picket at the embassy",
        "May 2010",
        "Picket",
        "Vienna, Austria",
        "SLP",
        "Verified",
    ):
        assert text in html
    assert '<a href="https://example.org/r"' in html
    assert "javascript:alert" not in html


def test_internal_events_only_for_signed_in_staff_and_marked(
    client: FlaskClient, staff_client, make_case: Callable[..., Case], make_event
) -> None:
    case = make_case(slug="x")
    make_event([case.id], title="Organisers' private note", visibility=Visibility.INTERNAL)
    assert "Organisers&#39; private note" not in client.get("/cases/x").get_data(as_text=True)
    html = staff_client("activist").get("/cases/x").get_data(as_text=True)
    assert "Organisers&#39; private note" in html
    assert "item-internal" in html
    assert "Internal" in html
    # Staff following "Public page" are told they do not see what the public sees.
    assert 'class="staff-view-note"' in html
    assert 'class="staff-view-note"' not in client.get("/cases/x").get_data(as_text=True)


def test_messages_show_as_an_expandable_daily_summary_without_emails(
    client: FlaskClient,
    make_case: Callable[..., Case],
    make_published_message: Callable[..., int],
) -> None:
    case = make_case(slug="x")
    day = datetime(2010, 5, 5, 9, tzinfo=UTC)
    make_published_message(
        case.id, country="RU", display_name="Masha", created_at=day, email="m@example.net"
    )
    make_published_message(
        case.id, country="GB", display_name=None, organisation="<b>Unite</b>", created_at=day
    )
    make_published_message(case.id, country="GB", body="Hidden", state="pending", created_at=day)
    html = client.get("/cases/x").get_data(as_text=True)
    assert "<details>" in html
    assert "2 messages of support from 2 countries" in html
    assert "Masha" in html
    assert "a supporter" in html
    assert "Russia" in html
    assert "&lt;b&gt;Unite&lt;/b&gt;" in html
    assert "Hidden" not in html
    assert "@example.net" not in html


def test_reach_counts_actions_places_organisations_and_messages(
    client: FlaskClient,
    detained: Case,
    make_event,
    make_published_message: Callable[..., int],
) -> None:
    make_event([detained.id], type=EventType.PICKET, city="Vienna", country="AT")
    make_event([detained.id], type=EventType.VIGIL, city="Moscow", country="RU")
    make_published_message(detained.id, country="DE")
    html = client.get("/cases/detained").get_data(as_text=True)
    assert "<strong>2</strong> actions" in html
    assert "<strong>2</strong> countries" in html
    assert '<table class="reach-chart">' in html
    assert '<th scope="row">Austria</th>' in html


def test_anonymous_pages_are_cacheable_and_identical(
    client: FlaskClient, app: Flask, detained: Case
) -> None:
    first = client.get("/cases/detained")
    second = app.test_client().get("/cases/detained")
    assert first.headers["Cache-Control"] == "public, no-cache"
    assert "Set-Cookie" not in first.headers
    assert first.get_data() == second.get_data()
    assert client.get("/").headers["Cache-Control"] == "public, no-cache"


def test_staff_pages_are_never_cached(staff_client, detained: Case) -> None:
    response = staff_client("organiser").get("/cases/detained")
    assert response.headers["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    "query",
    [
        "?show=bogus",
        "?after=not-a-cursor",
        "?after=2010-99-99.1.1.1",
        "?show=legal&after=9999-12-31.2.0.0&page=-3",
    ],
)
def test_bad_filter_or_page_parameters_fall_back(
    client: FlaskClient, detained: Case, query: str
) -> None:
    response = client.get(f"/cases/detained{query}")
    assert response.status_code == 200
    assert "Dana Detained" in response.get_data(as_text=True)


def test_filters_work_without_javascript(client: FlaskClient, detained: Case, make_event) -> None:
    make_event([detained.id], type=EventType.PICKET, title="Embassy picket")
    legal = client.get("/cases/detained?show=legal").get_data(as_text=True)
    assert "Hearing at the district court" in legal
    assert "Embassy picket" not in legal
    assert 'value="legal" checked' in legal
    assert 'value="solidarity" checked' not in legal
    solidarity = client.get("/cases/detained?show=solidarity").get_data(as_text=True)
    assert "Embassy picket" in solidarity
    assert "Taken from home" not in solidarity


def test_unpublished_and_archived_cases_are_404_for_the_public_only(
    client: FlaskClient, staff_client, make_case: Callable[..., Case]
) -> None:
    make_case(slug="draft", published=False)
    make_case(slug="old", archived_at=datetime(2020, 1, 1, tzinfo=UTC))
    for path in (
        "/cases/draft",
        "/cases/old",
        "/cases/draft/feed.atom",
        "/cases/draft/timeline.csv",
    ):
        assert client.get(path).status_code == 404, path
    assert staff_client("activist").get("/cases/draft").status_code == 200


def test_long_timelines_load_in_pages(app: Flask, client: FlaskClient, detained: Case) -> None:
    with app.app_context():
        add_long_history(detained.id, events=PAGE_SIZE + 20, messages=0, start=date(2001, 1, 1))
    html = client.get("/cases/detained?show=solidarity&show=legal").get_data(as_text=True)
    assert "Event 0<" in html
    assert f"Event {PAGE_SIZE + 19}<" not in html
    assert 'rel="next"' in html
    next_url = html.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    later = client.get(next_url).get_data(as_text=True)
    assert f"Event {PAGE_SIZE + 19}<" in later
    assert "Event 0<" not in later
    assert "Back to the beginning" in later


def test_the_case_sheet_prints_the_whole_timeline_on_one_page(
    app: Flask,
    client: FlaskClient,
    detained: Case,
    make_published_message,
) -> None:
    with app.app_context():
        add_long_history(detained.id, events=PAGE_SIZE + 20, messages=30, start=date(2001, 1, 1))
    page = client.get("/cases/detained").get_data(as_text=True)
    assert 'href="/cases/detained/sheet"' in page
    sheet = client.get("/cases/detained/sheet?after=2001-01-05.1.2.3")
    html = sheet.get_data(as_text=True)
    assert sheet.headers["Cache-Control"] == "public, no-cache"
    assert "Event 0<" in html
    assert f"Event {PAGE_SIZE + 19}<" in html
    assert 'rel="next"' not in html
    assert "PO Box 12" in html
    assert "messages of support from" in html
    assert "<details>" not in html


@contextmanager
def count_queries(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)


def test_case_page_query_count_does_not_grow_with_the_case(
    app: Flask,
    client: FlaskClient,
    make_case: Callable[..., Case],
    make_event,
    make_published_message,
) -> None:
    small = make_case(slug="small", arrest_date=date(2019, 12, 1))
    make_event([small.id], type=EventType.PICKET, title="One picket", date=date(2020, 1, 2))
    make_published_message(small.id, created_at=datetime(2020, 1, 2, tzinfo=UTC))
    big = make_case(slug="big", arrest_date=date(2019, 12, 1))
    with app.app_context():
        add_long_history(big.id, events=300, messages=1500)
    counts = {}
    for slug in ("small", "big"):
        for path in (f"/cases/{slug}", f"/cases/{slug}?show=messages", f"/cases/{slug}/sheet"):
            client.get(path)  # warm up
            with count_queries(app) as statements:
                assert client.get(path).status_code == 200
            counts[path.replace(slug, "")] = [
                *counts.get(path.replace(slug, ""), []),
                len(statements),
            ]
    for path, (small_count, big_count) in counts.items():
        assert small_count == big_count, (path, small_count, big_count)
        assert big_count <= 15


def test_a_hand_copied_photo_is_never_served_as_it_is(
    app: Flask, client: FlaskClient, make_case: Callable[..., Case], tmp_path: Path
) -> None:
    """A file copied into the folder by hand may carry GPS and camera data: only the portraits
    re-encoded by an upload or by migration 0018 are served (see tests/cases/test_portrait.py)."""
    app.config["PHOTO_FOLDER"] = str(tmp_path)
    (tmp_path / "dana.jpg").write_bytes(b"\xff\xd8\xff fake jpeg")
    make_case(slug="dana", person_name="Dana", photo_filename="dana.jpg")
    make_case(slug="sneaky", photo_filename="../../etc/passwd")
    make_case(slug="draft", photo_filename="dana.jpg", published=False)
    make_case(slug="none")
    html = client.get("/cases/dana").get_data(as_text=True)
    assert "/cases/dana/photo" not in html
    assert '<div class="portrait" aria-hidden="true">D</div>' in html
    for slug in ("dana", "sneaky", "draft", "none"):
        assert client.get(f"/cases/{slug}/photo").status_code == 404, slug


def test_a_blank_outcome_shows_no_empty_heading_and_released_says_about(
    app: Flask, client: FlaskClient, staff_client, make_case
) -> None:
    case = make_case(slug="held", person_name="Held")
    organiser = staff_client(Role.ORGANISER)
    data = event_form(
        [case.id],
        type="release",
        title="Freed",
        date="12.05.2010",
        date_approximate="y",
        outcome="   ",
        description=" \n ",
        authority_response="  ",
    )
    assert organiser.post("/manage/events/new", data=data).status_code == 302
    page = client.get("/cases/held").get_data(as_text=True)
    assert "Outcome:" not in page
    assert "Response:" not in page
    assert re.search(r"<dt>Released</dt><dd>about 12 May 2010</dd>", page)


def test_a_case_without_facts_has_no_empty_who_heading(
    client: FlaskClient, make_case: Callable[..., Case]
) -> None:
    make_case(slug="bare", person_name="Bare")
    make_case(slug="known", person_name="Known", occupation="Journalist")
    assert 'id="who"' not in client.get("/cases/bare").get_data(as_text=True)
    assert 'id="who"' in client.get("/cases/known").get_data(as_text=True)


def test_a_venue_that_names_its_city_is_not_followed_by_the_city_again(
    app: Flask, client: FlaskClient, make_case: Callable[..., Case], make_event
) -> None:
    case = make_case(slug="ny")
    with app.app_context():
        venue = Venue(name="Newsroom, New York", slug="newsroom-new-york", city="New York")
        db.session.add(venue)
        db.session.commit()
        venue_id = venue.id
    make_event([case.id], title="Press conference", venue_id=venue_id, city="New York")
    html = client.get("/cases/ny").get_data(as_text=True)
    assert "Newsroom, New York" in html
    assert "New York, New York" not in html
    # A city inside another word is not the city: "Romeo bar, Rome" keeps its city.
    with app.app_context():
        assert (
            Event(venue=Venue(name="Romeo bar", slug="r"), city="Rome").place == "Romeo bar, Rome"
        )


def test_the_site_goes_by_its_configured_name(
    app: Flask, client: FlaskClient, make_case: Callable[..., Case]
) -> None:
    app.config["SITE_NAME"] = "Free Them All"
    make_case(slug="x")
    html = client.get("/").get_data(as_text=True)
    assert '<a class="brand" href="/">Free Them All</a>' in html
    assert "· Free Them All</title>" in html
    feed = client.get("/cases/x/feed.atom").get_data(as_text=True)
    assert "<name>Free Them All</name>" in feed


def test_the_counts_are_written_as_the_readers_language_writes_numbers(
    app: Flask, client: FlaskClient, make_case: Callable[..., Case]
) -> None:
    """A verdict day's 1,200 messages read "1 200" in Russian and "1,200" in English."""
    from campaign.models import Message, MessageState

    case = make_case(published=True, slug="ainur-kurmanov")
    with app.app_context():
        db.session.execute(
            sa.insert(Message),
            [
                {
                    "case_id": case.id,
                    "body": f"Solidarity {i}",
                    "country": "AT",
                    "state": MessageState.PUBLISHED,
                    "consent_to_publish": True,
                    "key": f"k{i}",
                }
                for i in range(1200)
            ],
        )
        db.session.commit()
    russian = client.get("/ru/cases/ainur-kurmanov").get_data(as_text=True)
    assert "<strong>1\xa0200</strong>" in russian  # the reach numbers
    assert "1\xa0200 сообщений" in russian  # the messages' panel
    assert '<span class="value">1\xa0200</span>' in russian  # the chart by country
    english = client.get("/cases/ainur-kurmanov").get_data(as_text=True)
    assert "<strong>1,200</strong>" in english
    assert "1200" not in re.sub(r"<[^>]+>", " ", english)  # in the text; bars' sizes aside
