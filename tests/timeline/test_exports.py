"""The public timeline as JSON and CSV: one item per row, ISO dates, safe in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, date, datetime, time

from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar

from campaign.extensions import db
from campaign.models import Case, DatePrecision, Event, EventType, Organisation, Source, Visibility


def _case_with_events(app: Flask, make_case: Callable[..., Case]) -> Case:
    case = make_case(slug="x")
    with app.app_context():
        model = db.session.get(Case, case.id)
        db.session.add_all(
            [
                Event(
                    type=EventType.PICKET,
                    title='=HYPERLINK("http://evil")',
                    date=date(2010, 5, 1),
                    date_precision=DatePrecision.MONTH,
                    city="Vienna",
                    country="AT",
                    organisations=[Organisation(name="SLP", slug="slp")],
                    sources=[Source(title="Statement", url="https://example.org/s")],
                    cases=[model],
                ),
                Event(
                    type=EventType.ARREST,
                    title="Arrest",
                    date=date(2010, 4, 27),
                    date_approximate=True,
                    cases=[model],
                ),
                Event(
                    type=EventType.OTHER_ACTION,
                    title="Internal note",
                    date=date(2010, 4, 28),
                    visibility=Visibility.INTERNAL,
                    cases=[model],
                ),
            ]
        )
        db.session.commit()
    return case


def test_timeline_json(
    app: Flask,
    client: FlaskClient,
    make_case: Callable[..., Case],
    make_published_message,
) -> None:
    case = _case_with_events(app, make_case)
    make_published_message(
        case.id, created_at=datetime(2010, 5, 3, tzinfo=UTC), email="s@example.net"
    )
    response = client.get("/cases/x/timeline.json")
    assert response.status_code == 200
    data = response.get_json()
    items = data["items"]
    assert [i["title"] for i in items] == [
        "Arrest",
        "1 message of support from 1 country",
        '=HYPERLINK("http://evil")',  # known only to May: after what is dated in May
    ]
    arrest, messages, picket = items
    assert arrest["date"] == "2010-04-27"
    assert (arrest["precision"], arrest["approximate"]) == ("day", True)
    assert picket["precision"] == "month"
    assert picket["place"] == "Vienna"
    assert picket["organisations"] == ["SLP"]
    assert picket["sources"][0]["url"] == "https://example.org/s"
    assert messages["kind"] == "messages"
    assert "s@example.net" not in response.get_data(as_text=True)


def test_timeline_csv_is_one_row_per_item_and_spreadsheet_safe(
    app: Flask, client: FlaskClient, make_case: Callable[..., Case]
) -> None:
    _case_with_events(app, make_case)
    response = client.get("/cases/x/timeline.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["date"] for r in rows] == ["2010-04-27", "2010-05-01"]
    assert rows[1]["title"] == '\'=HYPERLINK("http://evil")'
    assert rows[1]["precision"] == "month"
    assert rows[1]["organisations"] == "SLP"
    assert rows[1]["sources"] == "Statement <https://example.org/s>"
    assert "Internal note" not in response.get_data(as_text=True)


# Each fact the public case page shows of an event, as the page writes it and as it must appear
# in the exports: (field, value on the page, value in timeline.json).
SHOWN_FACTS = (
    ("title", "Letter to the prosecutor", "Letter to the prosecutor"),
    ("date", "about 4 May 2010", "2010-05-04"),
    ("approximate", "about", True),
    ("start_time", "10:30", "10:30"),
    ("place", "Almaty", "Almaty"),
    ("participants", "12 people took part", 12),
    ("description", "Signed by forty unions.", "Signed by forty unions."),
    ("authority", "Prosecutor General", "Prosecutor General"),
    ("authority_response", "Refused to answer.", "Refused to answer."),
    ("outcome", "15 days upheld.", "15 days upheld."),
    ("organisations", "Talmas", ["Talmas"]),
    ("also_concerns", "Yesenbek Ukteshbaev", ["Yesenbek Ukteshbaev"]),
    ("sources", "Statement", [{"title": "Statement", "url": None, "publisher": None}]),
)


def _fully_described_event(app: Flask, make_case: Callable[..., Case], **overrides: object) -> Case:
    case = make_case(slug="x")
    other = make_case(slug="y", person_name="Yesenbek Ukteshbaev")
    with app.app_context():
        fields: dict[str, object] = {
            "type": EventType.LETTER,
            "title": "Letter to the prosecutor",
            "date": date(2010, 5, 4),
            "date_approximate": True,
            "start_time": time(10, 30),
            "city": "Almaty",
            "participants": 12,
            "description": "Signed by forty unions.",
            "authority": "Prosecutor General",
            "authority_response": "Refused to answer.",
            "outcome": "15 days upheld.",
            "organisations": [Organisation(name="Talmas", slug="talmas")],
            "sources": [Source(title="Statement")],
            "cases": [db.session.get(Case, case.id), db.session.get(Case, other.id)],
        }
        db.session.add(Event(**{**fields, **overrides}))
        db.session.commit()
    return case


def test_every_fact_the_case_page_shows_is_in_every_export(
    app: Flask, client: FlaskClient, make_case: Callable[..., Case]
) -> None:
    _fully_described_event(app, make_case)
    page = client.get("/cases/x").get_data(as_text=True)
    (row,) = client.get("/cases/x/timeline.json").get_json()["items"]
    (cells,) = csv.DictReader(
        io.StringIO(client.get("/cases/x/timeline.csv").get_data(as_text=True))
    )
    for field, shown, exported in SHOWN_FACTS:
        assert shown in page, field
        assert row[field] == exported, field
        assert cells[field] == _as_cell(exported), field


def _as_cell(value: object) -> str:
    """How timeline.csv writes a JSON value: lists joined with "; ", sources by title."""
    if isinstance(value, list):
        return "; ".join(v["title"] if isinstance(v, dict) else str(v) for v in value)
    return str(value)


def test_the_calendar_carries_the_outcome_and_the_authoritys_answer(
    app: Flask, client: FlaskClient, make_case: Callable[..., Case]
) -> None:
    _fully_described_event(app, make_case, date_approximate=False)
    (event,) = Calendar.from_ical(client.get("/cases/x/calendar.ics").data).walk("VEVENT")
    text = str(event["DESCRIPTION"])
    for field, shown, _exported in SHOWN_FACTS:
        if field in {"title", "date", "approximate", "place", "sources", "also_concerns"}:
            continue  # the summary, the start, the location; the page links the rest
        assert shown in text, field
    assert str(event["LOCATION"]).startswith("Almaty")


def test_the_days_of_messages_are_written_as_each_row_is_written_alone(app: Flask) -> None:
    """After every approval the exports write the case's days of messages again, each pair
    of counts once with the day put in; the rows must read as if each were written alone,
    in JSON and CSV, in every language (the summary is a translated sentence)."""
    from campaign.timeline.build import MessageDay
    from campaign.timeline.views import _day_rows, _written_rows

    days = [
        MessageDay(date(2010, 5, 1), 1, 1),
        MessageDay(date(2010, 5, 2), 14, 6),
        MessageDay(date(2010, 5, 3), 1, 1),
        MessageDay(date(2011, 1, 31), 1234, 1),
    ]
    for prefix in ("", "/ru", "/kk"):
        with app.test_request_context(prefix + "/cases/x/timeline.json"):
            for written in ("json", "csv"):
                assert _day_rows(days, 1, written) == _written_rows(days, 1, written)
    with app.test_request_context("/ru/cases/x/timeline.json"):
        json_rows = [text for _key, text in _day_rows(days, 1, "json")]
    assert '"date":"2011-01-31"' in json_rows[3]
    assert json_rows[0] != json_rows[2]  # the same counts, another day
    assert json_rows[0].replace("2010-05-01", "2010-05-03") == json_rows[2]
