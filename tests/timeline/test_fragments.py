"""The timeline's kept fragments (campaign.timeline.fragments): whatever changes what an event or
a day of messages shows is on the very next page, though its other items are kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from campaign.extensions import db
from campaign.models import (
    Case,
    Event,
    EventTranslation,
    Message,
    MessageState,
    Organisation,
    Photo,
    Source,
    Venue,
    Visibility,
)
from campaign.timeline import fragments
from tests.conftest import make_app

PAST = date(2010, 5, 4)


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    # The page cache would answer from the whole page; these tests are about its parts.
    app_config["PAGE_CACHE_ENABLED"] = False
    return app_config


@pytest.fixture
def story(
    app: Flask, make_case: Callable[..., Case], make_event: Callable[..., Event]
) -> dict[str, int]:
    """A case with a picket that concerns another case too, organised by an organisation, at a
    venue, cited from a source, with a published photo; and a second, untouched picket."""
    case = make_case(slug="anna", person_name="Anna")
    other = make_case(slug="boris", person_name="Boris Other")
    event = make_event([case.id, other.id], title="Picket at the court", date=PAST, participants=12)
    make_event([case.id], title="Quiet vigil", date=PAST - timedelta(days=3))
    with app.app_context():
        loaded = db.session.get(Event, event.id)
        assert loaded is not None
        organisation = Organisation(name="Friends of Anna", slug="friends")
        source = Source(title="Evening News report", url="https://example.org/news")
        venue = Venue(name="Central Square", slug="central-square", city="Springfield")
        loaded.organisations.append(organisation)
        loaded.sources.append(source)
        loaded.venue = venue
        photo = Photo(
            event_id=event.id,
            name="a" * 32,
            width=800,
            height=600,
            alt_text="People with banners",
            published=True,
        )
        db.session.add(photo)
        db.session.commit()
        return {
            "case": case.id,
            "other": other.id,
            "event": event.id,
            "organisation": organisation.id,
            "source": source.id,
            "venue": venue.id,
            "photo": photo.id,
        }


def _page(client: FlaskClient, path: str = "/cases/anna") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _change(app: Flask, model: type[Any], object_id: int, **values: Any) -> None:
    with app.app_context():
        row = db.session.get(model, object_id)
        for name, value in values.items():
            setattr(row, name, value)
        db.session.commit()


def test_a_page_rendered_twice_is_the_same_and_its_items_are_kept(
    app: Flask, client: FlaskClient, story: dict[str, int]
) -> None:
    first = _page(client)
    with app.app_context():
        kept = fragments.store(app)
        assert kept is not None
        held = len(kept)
    assert held >= 2  # the two events (and any day of messages)
    assert _page(client) == first
    with app.app_context():
        assert len(kept) == held  # nothing rendered anew


@pytest.mark.parametrize(
    ("model", "field", "value", "shown"),
    [
        (Event, "title", "Picket at the ministry", "Picket at the ministry"),
        (Event, "participants", 40, "40 people took part"),
        (Event, "description", "Speeches & songs", "Speeches &amp; songs"),
        (Organisation, "name", "Friends & Family", "Friends &amp; Family"),
        (Source, "title", "Morning Post report", "Morning Post report"),
        (Venue, "name", "Market Square", "Market Square, Springfield"),
        (Photo, "alt_text", "Banners at dusk", "Banners at dusk"),
        (Case, "person_name", "Boris Renamed", "Boris Renamed</a>"),
        (Case, "slug", "boris-b", 'href="/cases/boris-b"'),
    ],
)
def test_a_change_to_anything_an_event_shows_is_on_the_next_page(
    app: Flask,
    client: FlaskClient,
    story: dict[str, int],
    model: type[Any],
    field: str,
    value: Any,
    shown: str,
) -> None:
    before = _page(client)
    assert shown not in before
    target = {
        Event: story["event"],
        Organisation: story["organisation"],
        Source: story["source"],
        Venue: story["venue"],
        Photo: story["photo"],
        Case: story["other"],
    }[model]
    _change(app, model, target, **{field: value})
    assert shown in _page(client)


def test_a_linked_case_unpublished_or_a_photo_withdrawn_leaves_the_next_page(
    app: Flask, client: FlaskClient, story: dict[str, int]
) -> None:
    before = _page(client)
    assert "Boris Other" in before
    assert "People with banners" in before
    _change(app, Case, story["other"], published=False)
    _change(app, Photo, story["photo"], published=False)
    after = _page(client)
    assert "Boris Other" not in after
    assert "People with banners" not in after


def test_a_translation_is_on_the_next_page_in_its_language_only(
    app: Flask, client: FlaskClient, story: dict[str, int]
) -> None:
    english, russian = _page(client), _page(client, "/ru/cases/anna")
    assert "Пикет возле суда" not in russian
    assert 'lang="en"' in russian  # the English title is marked as such for Russian readers
    with app.app_context():
        db.session.add(
            EventTranslation(event_id=story["event"], language="ru", title="Пикет возле суда")
        )
        db.session.commit()
    assert "Пикет возле суда" in _page(client, "/ru/cases/anna")
    assert _page(client) == english
    _change(app, Event, story["event"], original_language="ru")
    assert "Пикет возле суда" not in _page(client, "/ru/cases/anna")  # the original is Russian now


def test_staff_and_the_public_each_see_their_own_version_of_an_event(
    app: Flask, client: FlaskClient, story: dict[str, int], staff_client: Callable[..., Any]
) -> None:
    _change(app, Photo, story["photo"], published=False)
    staff = staff_client()
    assert "badge-internal" in _page(staff)  # the internal photo, marked
    assert "People with banners" not in _page(client)
    _change(app, Event, story["event"], visibility=Visibility.INTERNAL)
    assert "Picket at the court" in _page(staff)
    assert "Picket at the court" not in _page(client)


def test_an_event_still_to_come_is_scheduled_and_no_longer_once_it_has_happened(
    app: Flask, client: FlaskClient, story: dict[str, int]
) -> None:
    soon = datetime.now(UTC).date() + timedelta(days=3)
    _change(app, Event, story["event"], date=soon, participants=30)
    page = _page(client)
    assert "badge-scheduled" in page
    assert "30 expected" in page
    _change(app, Event, story["event"], date=PAST)
    page = _page(client)
    assert "badge-scheduled" not in page
    assert "30 people took part" in page


def test_a_message_approved_or_edited_is_on_the_next_page(
    app: Flask,
    client: FlaskClient,
    story: dict[str, int],
    make_message: Callable[..., int],
) -> None:
    day = datetime(2010, 5, 4, 12, tzinfo=UTC)
    make_message(story["case"], body="First words", state=MessageState.PUBLISHED, created_at=day)
    waiting = make_message(story["case"], body="Second words", created_at=day)
    page = _page(client)
    assert "First words" in page
    assert "1 message of support" in page
    assert "Second words" not in page
    _change(app, Message, waiting, state=MessageState.PUBLISHED)
    page = _page(client)
    assert "Second words" in page
    assert "2 messages of support" in page
    _change(app, Message, waiting, body="Second words, <edited>")
    assert "Second words, &lt;edited&gt;" in _page(client)


def test_the_sheet_shows_every_event_when_their_views_are_read_in_batches(
    client: FlaskClient, story: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fragments, "BATCH", 1)
    sheet = _page(client, "/cases/anna/sheet")
    assert "Picket at the court" in sheet
    assert "Quiet vigil" in sheet
    assert sheet.index("Quiet vigil") < sheet.index("Picket at the court")  # story order


def test_a_message_in_another_language_is_marked_as_such(
    client: FlaskClient, story: dict[str, int], make_message: Callable[..., int]
) -> None:
    # Screen readers read a line in the language its lang attribute names; the template asked
    # for the message's language, but the timeline's message lines never carried it.
    day = datetime(2010, 5, 4, 12, tzinfo=UTC)
    words = "Держитесь, мы с вами"  # noqa: RUF001
    make_message(
        story["case"], body=words, language="ru", state=MessageState.PUBLISHED, created_at=day
    )

    assert f'<p class="message-body" dir="auto" lang="ru">{words}</p>' in _page(client)


def test_with_no_room_for_fragments_every_item_is_rendered_and_the_page_is_the_same(
    app: Flask, app_config: dict[str, Any], story: dict[str, int]
) -> None:
    kept_page = _page(app.test_client())
    # CAMPAIGN_TIMELINE_FRAGMENT_BYTES=0: an operator short of memory turns the keeping off.
    bare = make_app({**app_config, "TIMELINE_FRAGMENT_BYTES": 0})

    try:
        assert fragments.store(bare) is None
        assert _page(bare.test_client()) == kept_page
    finally:
        with bare.app_context():
            db.engine.dispose()  # its own connections: PostgreSQL's must not outlive the test


def _calendar(client: FlaskClient, path: str = "/cases/anna/calendar.ics") -> str:
    """The calendar's text with its folded lines joined again (RFC 5545 folds at 75 octets)."""
    return _page(client, path).replace("\r\n ", "")


@pytest.mark.parametrize(
    ("model", "field", "value", "shown"),
    [
        (Event, "title", "Picket at the ministry", "SUMMARY:Picket at the ministry"),
        (Event, "participants", 40, "40 people took part"),
        (Organisation, "name", "Friends and Family", "Organised by: Friends and Family"),
        (Venue, "name", "Market Square", "LOCATION:Market Square\\, Springfield"),
        (Case, "slug", "anna-a", "/cases/anna-a#event-"),
    ],
)
def test_a_change_to_anything_a_calendar_event_says_is_in_the_next_calendar(
    app: Flask,
    client: FlaskClient,
    story: dict[str, int],
    model: type[Any],
    field: str,
    value: Any,
    shown: str,
) -> None:
    path = "/cases/anna/calendar.ics"
    before = _calendar(client, path)
    assert "BEGIN:VEVENT" in before
    assert shown not in before
    assert _calendar(client, path) == before  # made again from what was kept: the same
    target = {
        Event: story["event"],
        Organisation: story["organisation"],
        Venue: story["venue"],
        Case: story["case"],
    }[model]
    _change(app, model, target, **{field: value})
    if model is Case:
        path = "/cases/anna-a/calendar.ics"
    assert shown in _calendar(client, path)


def test_a_translation_is_in_the_next_calendar_in_its_language_only(
    app: Flask, client: FlaskClient, story: dict[str, int]
) -> None:
    english = _calendar(client)
    assert "Пикет возле суда" not in _calendar(client, "/ru/cases/anna/calendar.ics")
    with app.app_context():
        db.session.add(
            EventTranslation(event_id=story["event"], language="ru", title="Пикет возле суда")
        )
        db.session.commit()
    assert "Пикет возле суда" in _calendar(client, "/ru/cases/anna/calendar.ics")
    assert _calendar(client) == english
