"""The reach a case page shows is counted when events and messages change and kept: after every
kind of change, what is kept is what counting afresh gives."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from campaign.extensions import db
from campaign.models import (
    Case,
    CaseReach,
    Event,
    EventType,
    Message,
    MessageState,
    Organisation,
    Venue,
    Visibility,
    event_cases,
)
from campaign.timeline.reach import Reach, compute_reach, load_reach, store_reach
from tests.conftest import event_form


def assert_kept(*case_ids: int) -> None:
    """Each case has its reach kept, and it is what counting afresh gives."""
    for case_id in case_ids:
        assert db.session.get(CaseReach, case_id) is not None, case_id
        assert load_reach(case_id) == compute_reach([case_id]).get(case_id, Reach()), case_id


def test_the_kept_reach_follows_every_change_to_events(
    app: Flask, make_case: Callable[..., Case]
) -> None:
    one, two = make_case().id, make_case().id
    with app.app_context():
        assert_kept(one, two)
        assert load_reach(one) == Reach()
        case, other = db.session.get(Case, one), db.session.get(Case, two)
        venue = Venue(name="Embassy", slug="embassy", city="Vienna", country="AT")
        org = Organisation(name="Union", slug="union")
        picket = Event(
            type=EventType.PICKET, title="Picket", date=date(2020, 1, 1), cases=[case], venue=venue
        )
        vigil = Event(
            type=EventType.VIGIL,
            title="Vigil",
            date=date(2020, 1, 2),
            city="Moscow",
            country="RU",
            cases=[case],
            organisations=[org],
        )
        db.session.add_all([picket, vigil])
        db.session.commit()
        assert_kept(one, two)
        assert (load_reach(one).actions, load_reach(one).cities, load_reach(one).countries) == (
            2,
            2,
            2,
        )
        assert load_reach(one).organisations == 1

        vigil.city, vigil.country = "Berlin", "DE"
        db.session.commit()
        assert_kept(one)
        venue.city, venue.country = "Paris", "FR"
        db.session.commit()
        assert_kept(one)
        assert {c.country for c in load_reach(one).by_country} == {"FR", "DE"}

        picket.cases.append(other)
        db.session.commit()
        assert_kept(one, two)
        assert load_reach(two).actions == 1
        picket.cases.remove(case)
        db.session.commit()
        assert_kept(one, two)
        assert load_reach(one).actions == 1

        vigil.visibility = Visibility.INTERNAL
        db.session.commit()
        assert_kept(one)
        assert load_reach(one).actions == 0
        vigil.visibility = Visibility.PUBLIC
        db.session.commit()

        db.session.delete(org)
        db.session.commit()
        assert_kept(one, two)
        assert load_reach(one).organisations == 0
        db.session.delete(venue)
        db.session.commit()
        assert_kept(one, two)
        db.session.delete(vigil)
        db.session.commit()
        assert_kept(one, two)
        assert load_reach(one).actions == 0

        # A bulk statement cannot say which cases it touched: every case is counted again.
        db.session.execute(sa.insert(event_cases).values(event_id=picket.id, case_id=one))
        db.session.commit()
        assert_kept(one, two)
        assert load_reach(one).actions == 1

        # A change rolled back leaves the count as it was.
        picket.cases.remove(case)
        db.session.flush()
        db.session.rollback()
        assert_kept(one, two)


def test_the_kept_reach_follows_messages_as_they_are_published_and_removed(
    app: Flask, make_case: Callable[..., Case]
) -> None:
    one, two = make_case().id, make_case().id
    with app.app_context():
        message = Message(case_id=one, body="Stay strong", country="GB", consent_to_publish=True)
        db.session.add(message)
        db.session.commit()
        assert load_reach(one).messages == 0  # waiting for review
        message.state = MessageState.PUBLISHED
        db.session.commit()
        assert_kept(one)
        assert load_reach(one).messages == 1
        message.country = "NG"
        db.session.commit()
        assert_kept(one)
        assert load_reach(one).by_country[0].country == "NG"
        message.case_id = two
        db.session.commit()
        assert_kept(one, two)
        assert (load_reach(one).messages, load_reach(two).messages) == (0, 1)
        message.consent_to_publish = False
        db.session.commit()
        assert_kept(two)
        assert load_reach(two).messages == 0
        db.session.delete(message)
        db.session.commit()
        assert_kept(one, two)


def test_events_logged_through_the_staff_forms_are_counted(
    app: Flask,
    make_case: Callable[..., Case],
    staff_client: Callable[..., FlaskClient],
    client: FlaskClient,
) -> None:
    case = make_case(slug="ainur")
    organiser = staff_client()
    response = organiser.post("/manage/events/new", data=event_form([case.id]))
    assert response.status_code == 302
    with app.app_context():
        assert_kept(case.id)
        assert load_reach(case.id).actions == 1
    page = client.get("/cases/ainur").get_data(as_text=True)
    assert "<strong>1</strong> action" in page


def test_a_case_counted_before_the_count_was_kept_is_counted_on_the_page(
    app: Flask, make_case: Callable[..., Case], make_event
) -> None:
    case = make_case()
    make_event([case.id], type=EventType.PICKET, city="Vienna", country="AT")
    with app.app_context():
        db.session.execute(sa.delete(CaseReach))
        db.session.commit()
        assert db.session.get(CaseReach, case.id) is None
        assert load_reach(case.id).actions == 1
        store_reach(None)
        db.session.commit()
        assert_kept(case.id)
