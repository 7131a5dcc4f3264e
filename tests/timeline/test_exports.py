"""The public timeline as JSON and CSV: one item per row, ISO dates, safe in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, date, datetime

from flask import Flask
from flask.testing import FlaskClient

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
                    date_precision=DatePrecision.APPROXIMATE,
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
        '=HYPERLINK("http://evil")',
        "1 message of support from 1 country",
    ]
    arrest, picket, messages = items
    assert arrest["date"] == "2010-04-27"
    assert arrest["precision"] == "approximate"
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
