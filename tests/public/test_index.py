"""The home page: published cases, people in custody first, filters and search."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from campaign.extensions import db
from campaign.models import Case, CaseStatus, Visibility


@pytest.fixture
def cases(make_case: Callable[..., Case], make_event) -> None:
    today = datetime.now(UTC).date()
    detained = make_case(
        person_name="Zara Held",
        status=CaseStatus.DETAINED,
        country="BY",
        city="Minsk",
        charges="Article 342: gross violation of public order",
        arrest_date=today - timedelta(days=99),
    )
    make_event([detained.id], title="Court visit", date=today - timedelta(days=3))
    make_event(
        [detained.id],
        title="Internal plan",
        date=today - timedelta(days=1),
        visibility=Visibility.INTERNAL,
    )
    make_event([detained.id], title="Future picket", date=today + timedelta(days=3))
    make_case(
        person_name="Anna Free",
        status=CaseStatus.RELEASED,
        country="KZ",
        city="Almaty",
        charges="Organising a picket",
        arrest_date=date(2010, 4, 27),
        released_on=date(2010, 5, 12),
    )


def test_people_in_custody_come_first_with_their_day_count_and_latest_event(
    client: FlaskClient, cases: None
) -> None:
    html = client.get("/").get_data(as_text=True)
    assert html.index("Zara Held") < html.index("Anna Free")
    assert "Day 100 in detention" in html
    assert "15 days in detention" in html
    assert "Court visit" in html
    assert "Internal plan" not in html
    assert "Future picket" not in html


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("?country=KZ", "Anna Free", "Zara Held"),
        ("?status=detained", "Zara Held", "Anna Free"),
        ("?q=342", "Zara Held", "Anna Free"),
        ("?q=almaty", "Anna Free", "Zara Held"),
        ("?q=zara", "Zara Held", "Anna Free"),
    ],
)
def test_filters_and_search(
    client: FlaskClient, cases: None, query: str, shown: str, hidden: str
) -> None:
    html = client.get(f"/{query}").get_data(as_text=True)
    assert shown in html
    assert hidden not in html


@pytest.mark.parametrize("query", ["?country=XX", "?status=bogus", "?q=" + "x" * 5000, "?q=%25"])
def test_bad_filters_fall_back_instead_of_failing(
    client: FlaskClient, cases: None, query: str
) -> None:
    response = client.get(f"/{query}")
    assert response.status_code == 200
    if "q=" not in query:
        assert "Zara Held" in response.get_data(as_text=True)


def test_search_box_and_filters_are_labelled(client: FlaskClient, cases: None) -> None:
    html = client.get("/").get_data(as_text=True)
    for control in ("q", "country", "status"):
        assert f'<label for="{control}">' in html
    assert 'role="search"' in html


def _statements(app: Flask, client: FlaskClient, path: str) -> int:
    """How many SQL statements one anonymous request for *path* runs."""
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_the_home_page_comes_in_pages_at_a_cost_that_does_not_grow_with_the_cases(
    app: Flask, client: FlaskClient, make_case: Callable[..., Case], make_event
) -> None:
    for n in range(5):
        case = make_case(person_name=f"Person {n:02d}", country="BY")
        make_event([case.id], title=f"Picket {n:02d}", date=date(2020, 1, 1))
    few = _statements(app, client, "/")
    for n in range(5, 45):
        case = make_case(person_name=f"Person {n:02d}", country="KZ" if n % 2 else "BY")
        make_event([case.id], title=f"Picket {n:02d}", date=date(2020, 1, 1))
    many = _statements(app, client, "/")
    assert many == few
    first = client.get("/").get_data(as_text=True)
    assert "Person 00" in first
    assert "Person 19" in first
    assert "Person 20" not in first
    assert 'rel="next" href="/?page=2"' in first
    third = client.get("/?page=3&country=&utm_source=x").get_data(as_text=True)
    assert "Person 44" in third
    assert "Person 39" not in third
    assert 'rel="prev" href="/?page=2"' in third
    assert 'rel="next"' not in third
    by = client.get("/?country=BY&page=2").get_data(as_text=True)
    assert 'rel="prev" href="/?country=BY"' in by
    assert "Person 44" in by
    beyond = client.get("/?page=9").get_data(as_text=True)
    assert "Back to the first page" in beyond
