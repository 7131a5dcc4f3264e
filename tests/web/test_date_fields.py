"""Typo dates (9999-12-31, 2099, 1066) are refused next to their field on every staff form."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from campaign.models import Case, Event, Role
from campaign.web.fields import latest_plausible
from tests.conftest import count_rows, event_form, picket_form

MESSAGE = "Enter a date between 1900-01-01 and"


def _case_form(**overrides: str) -> dict[str, str]:
    data = {
        "person_name": "Ainur Kurmanov",
        "slug": "",
        "status": "detained",
        "arrest_date_precision": "day",
        "country": "KZ",
    }
    data.update(overrides)
    return data


def test_the_limit_is_five_years_ahead() -> None:
    assert latest_plausible(date(2026, 11, 28)) == date(2031, 11, 28)
    assert latest_plausible(date(2028, 2, 29)) == date(2033, 2, 28)


@pytest.mark.parametrize("typed", ["9999-12-31", "2099", "1899-12-31"])
def test_the_full_form_refuses_implausible_dates(app, staff_client, make_case, typed):
    case = make_case()
    precision = "year" if len(typed) == 4 else "day"
    response = staff_client(Role.ORGANISER).post(
        "/manage/events/new", data=event_form([case.id], date=typed, date_precision=precision)
    )
    assert response.status_code == 200
    assert MESSAGE in response.get_data(as_text=True)
    with app.app_context():
        assert count_rows(Event) == 0


def test_the_full_form_refuses_an_implausible_end_date(app, staff_client, make_case):
    case = make_case()
    response = staff_client(Role.ORGANISER).post(
        "/manage/events/new", data=event_form([case.id], end_date="9999-12-31")
    )
    assert MESSAGE in response.get_data(as_text=True)


@pytest.mark.parametrize("typed", ["9999-12-31", "2099-05-04"])
def test_the_quick_form_refuses_implausible_dates(app, staff_client, make_case, typed):
    case = make_case()
    response = staff_client(Role.ACTIVIST).post(
        "/manage/events/picket", data=picket_form([case.id], date=typed)
    )
    assert response.status_code == 200
    assert MESSAGE in response.get_data(as_text=True)
    with app.app_context():
        assert count_rows(Event) == 0


def test_a_hearing_next_year_is_fine(app, staff_client, make_case):
    case = make_case()
    next_year = datetime.now(UTC).date().year + 1
    response = staff_client(Role.ORGANISER).post(
        "/manage/events/new",
        data=event_form([case.id], type="hearing", date=f"{next_year}-03-01"),
    )
    assert response.status_code == 302


@pytest.mark.parametrize("field", ["arrest_date", "released_on", "expected_release"])
def test_the_case_form_refuses_implausible_dates(app, staff_client, field):
    response = staff_client(Role.ORGANISER).post(
        "/manage/cases/new", data=_case_form(**{field: "9999-12-31"})
    )
    assert response.status_code == 200
    assert MESSAGE in response.get_data(as_text=True)
    with app.app_context():
        assert count_rows(Case) == 0
