"""Changing a case's arrest date moves its arrest event, or says that the two disagree."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from campaign.extensions import db
from campaign.models import Case, CaseStatusChange, DatePrecision, Event, EventType, Role
from tests.conftest import audit_entries, case_form, version_of


def _open_case(app, client) -> tuple[int, int]:
    """A case opened on the form with its arrest on the timeline: (case id, event id)."""
    client.post("/manage/cases/new", data=case_form(add_arrest_event="y"))
    with app.app_context():
        case = db.session.scalars(sa.select(Case)).one()
        event = db.session.scalars(sa.select(Event)).one()
        return case.id, event.id


def _edit(client, case_id: int, **overrides):
    form = client.get(f"/manage/cases/{case_id}/edit").get_data(as_text=True)
    data = case_form(slug="ainur-kurmanov", version=version_of(form), **overrides)
    return client.post(f"/manage/cases/{case_id}/edit", data=data, follow_redirects=True)


def test_a_new_arrest_date_moves_the_arrest_event_and_the_first_status_change(app, staff_client):
    client = staff_client(Role.ORGANISER)
    case_id, event_id = _open_case(app, client)
    response = _edit(client, case_id, arrest_date="2010-04-25", arrest_date_approximate="")
    assert response.status_code == 200
    assert "different date" not in response.get_data(as_text=True)
    with app.app_context():
        event = db.session.get(Event, event_id)
        assert (event.date, event.date_precision) == (date(2010, 4, 25), DatePrecision.DAY)
        first = db.session.scalars(sa.select(CaseStatusChange)).one()
        assert first.effective_on == date(2010, 4, 25)
    update = audit_entries(app, "event", event_id)[-1]
    assert update.action == "update"
    assert update.changes["date"] == ["2010-04-27", "2010-04-25"]
    assert update.changes["date_approximate"] == [True, False]


def test_a_new_precision_alone_moves_the_arrest_event(app, staff_client):
    client = staff_client(Role.ORGANISER)
    case_id, event_id = _open_case(app, client)
    _edit(client, case_id, arrest_date="2010-04-27", arrest_date_approximate="")
    with app.app_context():
        event = db.session.get(Event, event_id)
        assert (event.date_precision, event.date_approximate) == (DatePrecision.DAY, False)
    # "Month only" chosen with the full date still typed: no retyping, the month is kept.
    _edit(client, case_id, arrest_date="2010-04-27", arrest_date_precision="month")
    with app.app_context():
        event = db.session.get(Event, event_id)
        assert (event.date, event.date_precision) == (date(2010, 4, 1), DatePrecision.MONTH)
        assert event.date_approximate


def test_the_status_change_that_came_from_the_arrest_event_moves_too(app, staff_client):
    client = staff_client(Role.ORGANISER)
    case_id, event_id = _open_case(app, client)
    with app.app_context():
        db.session.add(
            CaseStatusChange(
                case_id=case_id,
                old_status="at_risk",
                new_status="detained",
                effective_on=date(2010, 4, 27),
                event_id=event_id,
            )
        )
        db.session.commit()
    _edit(client, case_id, arrest_date="2010-04-26", arrest_date_precision="day")
    with app.app_context():
        moved = db.session.scalars(
            sa.select(CaseStatusChange).where(CaseStatusChange.event_id == event_id)
        ).one()
        assert moved.effective_on == date(2010, 4, 26)


def test_an_arrest_event_of_another_date_is_left_and_the_organiser_told(
    app, staff_client, make_event
):
    client = staff_client(Role.ORGANISER)
    case_id, event_id = _open_case(app, client)
    with app.app_context():
        db.session.get(Event, event_id).date = date(2010, 4, 20)
        db.session.commit()
    html = _edit(client, case_id, arrest_date="2010-04-25", arrest_date_precision="day").get_data(
        as_text=True
    )
    assert "different date from the case" in html
    assert f"/manage/events/{event_id}/edit" in html
    with app.app_context():
        assert db.session.get(Event, event_id).date == date(2010, 4, 20)
    # Its creation and the test's own change above; the case's edit did not touch it.
    assert [e.action for e in audit_entries(app, "event", event_id)] == ["create", "update"]
    assert not any("caused_by_case" in e.changes for e in audit_entries(app, "event", event_id))


def test_two_arrest_events_are_not_guessed_between(app, staff_client, make_event):
    client = staff_client(Role.ORGANISER)
    case_id, event_id = _open_case(app, client)
    other = make_event([case_id], type=EventType.ARREST, title="Re-arrest", date=date(2010, 4, 27))
    html = _edit(client, case_id, arrest_date="2010-04-25", arrest_date_precision="day").get_data(
        as_text=True
    )
    assert "different date from the case" in html
    with app.app_context():
        assert db.session.get(Event, event_id).date == date(2010, 4, 27)
        assert db.session.get(Event, other.id).date == date(2010, 4, 27)


def test_an_unchanged_arrest_date_leaves_the_timeline_alone(app, staff_client):
    client = staff_client(Role.ORGANISER)
    case_id, event_id = _open_case(app, client)
    html = _edit(client, case_id, city="Astana").get_data(as_text=True)
    assert "different date" not in html
    assert [e.action for e in audit_entries(app, "event", event_id)] == ["create"]
