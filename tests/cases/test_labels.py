"""Two cases of one person are told apart wherever staff pick or list cases."""

from __future__ import annotations

from datetime import date

import pytest

from campaign.cases.labels import case_choice_label, case_labels
from campaign.models import Case, Role


def _case(id_: int, name: str, slug: str, arrest: date | None = None) -> Case:
    return Case(id=id_, person_name=name, slug=slug, arrest_date=arrest)


def test_only_repeated_names_get_the_arrest_year_or_the_slug():
    cases = [
        _case(1, "Test Detainee", "test-detainee", date(2010, 4, 27)),
        _case(2, "Test Detainee", "test-detainee-2"),
        _case(3, "Other Person", "other-person", date(2011, 1, 1)),
    ]
    assert case_labels(cases) == {
        1: "Test Detainee (2010)",
        2: "Test Detainee (test-detainee-2)",
        3: "Other Person",
    }
    assert case_choice_label(cases[0], cases) == "Test Detainee (2010)"
    assert case_choice_label(cases[2], cases) == "Other Person"


def test_the_same_arrest_year_falls_back_to_the_slug():
    cases = [
        _case(1, "Test Detainee", "td", date(2010, 4, 1)),
        _case(2, "test  detainee", "td-2", date(2010, 9, 1)),
    ]
    assert case_labels(cases) == {1: "Test Detainee (td)", 2: "test  detainee (td-2)"}


@pytest.fixture
def twins(make_case):
    """Two cases of one person, arrested in different years."""
    first = make_case(person_name="Test Detainee", arrest_date=date(2010, 4, 27))
    second = make_case(person_name="Test Detainee", arrest_date=date(2012, 5, 1))
    return first, second


@pytest.mark.parametrize(
    ("role", "url"),
    [
        (Role.ACTIVIST, "/manage/events/picket"),
        (Role.ORGANISER, "/manage/events/new"),
        (Role.ACTIVIST, "/manage/events/"),
        (Role.ORGANISER, "/manage/messages/"),
        (Role.ACTIVIST, "/manage/"),
    ],
)
def test_staff_pages_tell_two_cases_of_one_person_apart(staff_client, twins, role, url):
    response = staff_client(role).get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Test Detainee (2010)" in html
    assert "Test Detainee (2012)" in html


def test_a_single_case_keeps_its_plain_name(staff_client, make_case):
    make_case(person_name="Test Detainee", arrest_date=date(2010, 4, 27))
    html = staff_client(Role.ACTIVIST).get("/manage/events/picket").get_data(as_text=True)
    assert "Test Detainee" in html
    assert "Test Detainee (" not in html


def test_related_cases_are_offered_with_their_labels(staff_client, make_case, twins):
    html = staff_client(Role.ORGANISER).get("/manage/cases/new").get_data(as_text=True)
    assert "Test Detainee (2010)" in html
    assert "Test Detainee (2012)" in html
