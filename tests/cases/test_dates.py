"""Dates on the case form: a long sentence's end is far ahead, an arrest or release is not."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from campaign.extensions import db
from campaign.models import Case, Role
from tests.conftest import case_form


def _today() -> date:
    return datetime.now(UTC).date()


def _field_block(html: str, field: str) -> str:
    block = re.search(
        rf'<div class="field field-error">\s*<label for="{field}".*?</div>', html, re.S
    )
    assert block, f"{field} is marked as wrong"
    return block.group(0)


def test_a_long_sentence_can_end_decades_ahead(app, staff_client):
    far = _today().replace(year=_today().year + 20, day=1)
    response = staff_client(Role.ORGANISER).post(
        "/manage/cases/new", data=case_form(expected_release=far.isoformat())
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalars(sa.select(Case)).one().expected_release == far


def test_expected_release_more_than_a_century_ahead_is_a_typo(app, staff_client):
    response = staff_client(Role.ORGANISER).post(
        "/manage/cases/new", data=case_form(expected_release="2999-01-01")
    )
    assert response.status_code == 200
    assert "Enter a date between" in _field_block(
        response.get_data(as_text=True), "expected_release"
    )


def test_events_keep_the_five_year_limit(staff_client, make_case):
    case = make_case()
    far = _today().replace(year=_today().year + 20, day=1)
    response = staff_client(Role.ORGANISER).post(
        "/manage/events/new",
        data={
            "type": "hearing",
            "title": "Hearing",
            "cases": str(case.id),
            "date": far.isoformat(),
            "date_precision": "day",
            "visibility": "public",
        },
    )
    assert response.status_code == 200
    assert "Enter a date between" in response.get_data(as_text=True)


@pytest.mark.parametrize("field", ["arrest_date", "released_on"])
def test_an_arrest_or_release_in_the_future_is_refused(app, staff_client, field):
    tomorrow = _today() + timedelta(days=1)
    overrides = {field: tomorrow.isoformat()}
    if field == "arrest_date":
        overrides["arrest_date_precision"] = "day"
    response = staff_client(Role.ORGANISER).post("/manage/cases/new", data=case_form(**overrides))
    assert response.status_code == 200
    assert "in the future" in _field_block(response.get_data(as_text=True), field)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0


def test_an_arrest_today_is_accepted(app, staff_client):
    response = staff_client(Role.ORGANISER).post(
        "/manage/cases/new",
        data=case_form(arrest_date=_today().isoformat(), arrest_date_precision="day"),
    )
    assert response.status_code == 302
