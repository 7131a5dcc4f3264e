"""Opening a case: a free web address is found, and a known arrest starts the timeline."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from campaign.extensions import db
from campaign.models import Case, CaseStatusChange, Event, EventType, Role
from tests.conftest import audit_entries, case_form


def _slugs(app) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(sa.select(Case.slug)))


def test_a_second_case_of_the_same_person_gets_a_free_address(app, staff_client, make_case):
    make_case(slug="ainur-kurmanov")
    client = staff_client(Role.ORGANISER)
    first = client.post("/manage/cases/new", data=case_form(add_arrest_event="y"))
    second = client.post("/manage/cases/new", data=case_form())
    assert first.status_code == second.status_code == 302
    assert _slugs(app) == ["ainur-kurmanov", "ainur-kurmanov-2", "ainur-kurmanov-3"]


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Айнур Курманов", "ainur-kurmanov"),  # Russian Cyrillic
        ("Қайрат Нұрланұлы Әлиев", "kairat-nurlanuly-aliev"),  # Kazakh letters, no marks
        ("Ελένη Παππά", "elene-pappa"),
    ],
)
def test_a_name_in_any_script_gets_a_readable_address(app, staff_client, name, slug):
    response = staff_client(Role.ORGANISER).post(
        "/manage/cases/new", data=case_form(person_name=name, slug="")
    )
    assert response.status_code == 302
    assert _slugs(app) == [slug]


def test_the_first_status_change_dates_from_the_arrest(app, staff_client):
    staff_client(Role.ORGANISER).post("/manage/cases/new", data=case_form())
    with app.app_context():
        change = db.session.scalars(sa.select(CaseStatusChange)).one()
        assert change.effective_on == date(2010, 4, 27)


def test_the_arrest_is_added_to_the_timeline_when_asked(app, staff_client):
    client = staff_client(Role.ORGANISER)
    form = client.get("/manage/cases/new").get_data(as_text=True)
    assert "Add the arrest to the timeline" in form
    assert re.search(r'<input[^>]*checked[^>]*id="add_arrest_event"', form)
    client.post("/manage/cases/new", data=case_form(add_arrest_event="y"))
    with app.app_context():
        case = db.session.scalars(sa.select(Case)).one()
        event = db.session.scalars(sa.select(Event)).one()
        assert event.type == EventType.ARREST
        assert (event.date, event.date_precision) == (date(2010, 4, 27), "day")
        assert event.date_approximate
        assert [c.id for c in event.cases] == [case.id]
        assert event.created_by_id == client.user.id
        event_id = event.id
    assert [e.action for e in audit_entries(app, "event", event_id)] == ["create"]


def test_no_arrest_event_when_unticked_or_without_a_date(app, staff_client):
    client = staff_client(Role.ORGANISER)
    client.post("/manage/cases/new", data=case_form())
    client.post(
        "/manage/cases/new",
        data=case_form(person_name="Yesenbek Ukteshbaev", arrest_date="", add_arrest_event="y"),
    )
    with app.app_context():
        assert db.session.scalars(sa.select(Event)).all() == []
