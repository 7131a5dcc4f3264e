"""Feeds and exports in a language use that language's texts, through the same rule as the
page (campaign.util.localised)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from campaign.content import services
from campaign.extensions import db
from campaign.models import Case, Event, EventType, Role


@pytest.fixture
def story(
    app: Flask, make_case: Callable[..., Case], make_event: Callable[..., Event]
) -> tuple[Case, Event]:
    case = make_case(slug="ainur", summary="Journalist.")
    event = make_event(
        [case.id],
        type=EventType.PICKET,
        title="Picket at the embassy",
        description="Thirty came.",
        outcome="Letter handed in",
        date=date(2099, 5, 4),
    )
    with app.app_context():
        services.save_translation(
            db.session.get(Event, event.id),
            "ru",
            {"title": "Пикет у посольства", "outcome": "Письмо передано"},
        )
        services.save_translation(db.session.get(Case, case.id), "ru", {"summary": "Журналист."})
        db.session.commit()
    return case, event


def test_the_timeline_json_and_csv_in_a_language(
    client: FlaskClient, story: tuple[Case, Event], reading: Callable[[str], dict[str, str]]
) -> None:
    items = client.get(reading("ru", "/cases/ainur/timeline.json")).get_json()["items"]
    (row,) = [i for i in items if i["kind"] == "event"]
    assert (row["title"], row["description"], row["outcome"]) == (
        "Пикет у посольства",
        "Thirty came.",
        "Письмо передано",
    )
    assert row["languages"] == {"title": "ru", "description": "en", "outcome": "ru"}
    english = client.get(reading("en", "/cases/ainur/timeline.json")).get_json()
    (row,) = [i for i in english["items"] if i["kind"] == "event"]
    assert row["title"] == "Picket at the embassy"

    text = client.get(reading("ru", "/cases/ainur/timeline.csv")).get_data(as_text=True)
    (line,) = [r for r in csv.DictReader(io.StringIO(text)) if r["kind"] == "event"]
    assert (line["title"], line["outcome"]) == ("Пикет у посольства", "Письмо передано")


def test_the_feeds_in_a_language(
    client: FlaskClient, story: tuple[Case, Event], reading: Callable[[str], dict[str, str]]
) -> None:
    atom = client.get(reading("ru", "/cases/ainur/feed.atom")).get_data(as_text=True)
    assert "Пикет у посольства" in atom
    assert "Письмо передано" in atom
    assert "Thirty came." in atom  # no Russian description: the original
    assert "<title>Picket at the embassy" not in atom
    calendar = client.get(reading("ru", "/cases/ainur/calendar.ics")).data.decode()
    assert "Пикет у посольства" in calendar
    site = client.get(reading("ru", "/feed.atom")).get_data(as_text=True)
    assert "Пикет у посольства" in site
    english = client.get(reading("en", "/cases/ainur/feed.atom")).get_data(as_text=True)
    assert "Picket at the embassy" in english
    assert "Пикет" not in english


def test_the_staff_export_carries_every_translation_and_its_csv_the_readers_language(
    staff_client: Callable[..., FlaskClient],
    story: tuple[Case, Event],
    reading: Callable[[str], dict[str, str]],
) -> None:
    case, _event = story
    organiser = staff_client(Role.ORGANISER)
    document = json.loads(organiser.get(f"/manage/cases/{case.id}/export.json").data)
    assert document["case"]["original_language"] == "en"
    assert document["case"]["translations"] == {
        "ru": {"summary": "Журналист.", "charges": None, "sentence": None}
    }
    (event,) = document["events"]
    assert event["title"] == "Picket at the embassy"  # the record as written
    assert event["translations"]["ru"]["title"] == "Пикет у посольства"
    text = organiser.get(reading("ru", f"/manage/cases/{case.id}/export.csv")).text
    (row,) = csv.DictReader(io.StringIO(text))
    assert row["title"] == "Пикет у посольства"
