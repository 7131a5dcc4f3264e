"""A double tap on "Log it" or "Save" logs once; the picket form links to what it logged."""

from __future__ import annotations

import re

import sqlalchemy as sa

from campaign.extensions import db
from campaign.models import Event, Organisation, Role, Venue
from tests.conftest import count_rows, event_form, picket_form


def test_a_double_tap_on_log_it_logs_one_picket(app, staff_client, make_case):
    case = make_case()
    activist = staff_client(Role.ACTIVIST)
    first = activist.post("/manage/events/picket", data=picket_form([case.id]))
    second = activist.post("/manage/events/picket", data=picket_form([case.id]))
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert count_rows(Event) == 1
        assert count_rows(Venue) == 1
        assert count_rows(Organisation) == 1
        event_id = db.session.scalars(sa.select(Event.id)).one()
    assert f"logged={event_id}" in first.headers["Location"]


def test_a_different_picket_right_after_is_logged(app, staff_client, make_case):
    case = make_case()
    activist = staff_client(Role.ACTIVIST)
    activist.post("/manage/events/picket", data=picket_form([case.id]))
    activist.post("/manage/events/picket", data=picket_form([case.id], participants="12"))
    with app.app_context():
        assert count_rows(Event) == 2


def test_the_same_picket_from_two_people_is_two_reports(app, staff_client, make_case):
    case = make_case()
    staff_client(Role.ACTIVIST).post("/manage/events/picket", data=picket_form([case.id]))
    staff_client(Role.ACTIVIST).post("/manage/events/picket", data=picket_form([case.id]))
    with app.app_context():
        assert count_rows(Event) == 2


def test_a_double_save_of_the_full_form_logs_one_event(app, staff_client, make_case):
    case = make_case()
    organiser = staff_client(Role.ORGANISER)
    first = organiser.post("/manage/events/new", data=event_form([case.id]))
    second = organiser.post("/manage/events/new", data=event_form([case.id]))
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert count_rows(Event) == 1


def test_after_logging_the_form_links_to_the_picket_just_logged(app, staff_client, make_case):
    case = make_case()
    activist = staff_client(Role.ACTIVIST)
    response = activist.post(
        "/manage/events/picket", data=picket_form([case.id]), follow_redirects=True
    )
    html = response.get_data(as_text=True)
    with app.app_context():
        event_id = db.session.scalars(sa.select(Event.id)).one()
    assert "Thank you: the picket was logged." in html
    assert f'href="/manage/events/{event_id}"' in html
    assert f'href="/manage/events/{event_id}/edit"' in html
    # ... and the form is empty for the next one.
    assert re.search(r'<input[^>]*name="organisation"[^>]*value="CWI', html) is None
