"""The history names what a record points to, and writes values as people read them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time

from flask import Flask
from flask.testing import FlaskClient

from campaign.extensions import db
from campaign.models import Case, DeliveryPack, Event, EventType, Role


def test_a_message_history_names_its_case_and_language(
    staff_client: Callable[..., FlaskClient],
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
) -> None:
    case = make_case(person_name="Ainur Kurmanov")
    message_id = make_message(case.id, language="de")
    html = staff_client(Role.ORGANISER).get(f"/manage/history/messages/{message_id}")
    text = " ".join(html.get_data(as_text=True).split())
    assert "Ainur Kurmanov" in text
    assert "German" in text
    assert f"case no. {case.id}" not in text


def test_an_event_history_writes_its_time_to_the_minute(
    app: Flask, staff_client: Callable[..., FlaskClient], make_case: Callable[..., Case]
) -> None:
    case = make_case()
    with app.app_context():
        event = Event(
            type=EventType.HEARING,
            title="Appeal hearing",
            date=date(2010, 5, 6),
            start_time=time(10, 30),
            cases=[db.session.get(Case, case.id)],
        )
        db.session.add(event)
        db.session.commit()
        event_id = event.id
    html = staff_client(Role.ORGANISER).get(f"/manage/history/events/{event_id}")
    text = html.get_data(as_text=True)
    assert "10:30" in text
    assert "10:30:00" not in text


def test_a_pack_history_says_it_is_a_pack(
    app: Flask, staff_client: Callable[..., FlaskClient], make_case: Callable[..., Case]
) -> None:
    case = make_case(person_name="Ainur Kurmanov")
    with app.app_context():
        pack = DeliveryPack(case_id=case.id)
        db.session.add(pack)
        db.session.commit()
        pack_id = pack.id
    html = staff_client(Role.ORGANISER).get(f"/manage/history/packs/{pack_id}")
    assert f"History of Delivery pack #{pack_id} for Ainur Kurmanov" in html.get_data(as_text=True)
