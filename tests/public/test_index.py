"""The home page: published cases, people in custody first, filters and search."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from flask.testing import FlaskClient

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
