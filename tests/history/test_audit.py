"""The audit trail is written by the flush hook: every change, in words people read, no secrets."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask

from campaign.extensions import db
from campaign.history.recorder import acting_as, note
from campaign.history.render import label
from campaign.models import (
    AuditAction,
    AuditEntry,
    Case,
    DeliveryPack,
    Event,
    EventType,
    Message,
    Organisation,
    Venue,
)

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


def _entries(object_type: str, action: AuditAction | None = None) -> list[AuditEntry]:
    query = sa.select(AuditEntry).where(AuditEntry.object_type == object_type)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    return list(db.session.scalars(query.order_by(AuditEntry.id)))


def test_labels_never_fall_back_to_python_reprs(app: Flask, make_case) -> None:
    case = make_case(person_name="Ainur Kurmanov")
    with app.app_context():
        anonymous = Message(
            case_id=case.id, body="Stay strong", country="BY", email="x@example.org"
        )
        named = Message(case_id=case.id, body="Hello", display_name="Masha")
        pack = DeliveryPack(case_id=case.id)
        venue = Venue(name="Embassy of Kazakhstan", city="Vienna", slug="embassy-vienna")
        db.session.add_all([anonymous, named, pack, venue])
        db.session.flush()
        # No sender's name: the trail keeps labels, and a withdrawn message leaves no name.
        assert label(anonymous) == f"Message #{anonymous.id} (BY)"
        assert label(named) == f"Message #{named.id}"
        assert label(pack) == f"#{pack.id} for Ainur Kurmanov"
        assert label(db.session.get(Case, case.id)) == "Ainur Kurmanov"
        assert label(venue) == "Embassy of Kazakhstan, Vienna"


def test_a_created_object_is_recorded_with_its_fields_and_the_email_hidden(
    app: Flask, make_case
) -> None:
    case = make_case()
    with app.app_context():
        message = Message(case_id=case.id, body="Hello", email="secret@example.org", country="DE")
        db.session.add(message)
        db.session.commit()
        (entry,) = _entries("message")
        assert entry.action == AuditAction.CREATE
        assert entry.object_id == message.id
        assert entry.actor == "command line"  # no request: the command line
        assert entry.changes["email"] == [None, "(hidden)"]
        assert entry.changes["body"] == [None, "(hidden)"]  # erasable: never copied here
        assert entry.changes["case_id"] == [None, case.id]
        assert "secret@example.org" not in str(entry.changes)


def test_an_update_records_only_what_changed_and_an_empty_one_nothing(
    app: Flask, make_case
) -> None:
    case = make_case(city="Almaty")
    with app.app_context():
        stored = db.session.get(Case, case.id)
        stored.city = "Almaty"  # the same value: no entry
        db.session.commit()
        assert _entries("case", AuditAction.UPDATE) == []
        stored.city = "Astana"
        db.session.commit()
        (entry,) = _entries("case", AuditAction.UPDATE)
        assert entry.action == AuditAction.UPDATE
        assert entry.changes == {"city": ["Almaty", "Astana"]}  # no version, no updated_at


def test_a_deletion_keeps_the_last_state_and_the_cases_it_concerned(
    app: Flask, make_case, make_event
) -> None:
    case = make_case(person_name="Ainur Kurmanov")
    event = make_event([case.id], title="Picket to forget")
    with app.app_context():
        db.session.delete(db.session.get(Event, event.id))
        db.session.commit()
        (entry,) = [e for e in _entries("event") if e.action == AuditAction.DELETE]
        assert entry.object_label == "Picket to forget"
        assert entry.changes["title"] == ["Picket to forget", None]
        assert entry.changes["cases"] == [["Ainur Kurmanov"], None]
        assert entry.changes["case_ids"] == [[case.id], None]


def test_relations_are_recorded_by_name(app: Flask, make_case) -> None:
    first = make_case(person_name="Ainur Kurmanov")
    second = make_case(person_name="Yesenbek Ukteshbaev")
    with app.app_context():
        org = Organisation(name="CWI Russia", slug="cwi-russia")
        event = Event(
            type=EventType.PICKET,
            title="Picket",
            date=date(2010, 5, 4),
            cases=[db.session.get(Case, first.id)],
            organisations=[org],
        )
        db.session.add(event)
        db.session.commit()
        created = _entries("event")[-1]
        assert created.changes["cases"] == [None, ["Ainur Kurmanov"]]
        assert created.changes["organisations"] == [None, ["CWI Russia"]]
        event.cases.append(db.session.get(Case, second.id))
        db.session.commit()
        changed = _entries("event")[-1]
        assert changed.changes == {
            "cases": [["Ainur Kurmanov"], ["Ainur Kurmanov", "Yesenbek Ukteshbaev"]]
        }


def test_a_note_travels_with_the_change_or_alone(app: Flask, make_case) -> None:
    case = make_case(city="Almaty")
    with app.app_context():
        stored = db.session.get(Case, case.id)
        note(stored, caused_by_event=[None, "#7 Release"])
        stored.city = "Astana"
        db.session.commit()
        assert _entries("case")[-1].changes == {
            "city": ["Almaty", "Astana"],
            "caused_by_event": [None, "#7 Release"],
        }
        version = stored.version
        note(stored, failed_sign_ins=[5, 0])  # no column changes: an entry of its own
        db.session.commit()
        assert _entries("case")[-1].changes == {"failed_sign_ins": [5, 0]}
        assert stored.version == version  # a note is not an edit of the row


def test_acting_as_names_who_acts_and_a_rollback_records_nothing(app: Flask, make_case) -> None:
    case = make_case()
    with app.app_context():
        with acting_as(label="supporter"):
            db.session.add(Message(case_id=case.id, body="Hello", country="DE"))
        db.session.commit()
        assert _entries("message")[-1].actor == "supporter"
        stored = db.session.get(Case, case.id)
        stored.city = "Nowhere"
        db.session.flush()
        db.session.rollback()
        assert _entries("case", AuditAction.UPDATE) == []


def test_a_request_names_the_signed_in_user(app: Flask, staff_client, make_case) -> None:
    case = make_case(published=False)
    client = staff_client()
    assert client.post(f"/manage/cases/{case.id}/publish").status_code == 302
    with app.app_context():
        (entry,) = _entries("case", AuditAction.UPDATE)
        assert entry.actor == client.user.display_name
        assert entry.user_id == client.user.id


def test_hashes_are_never_recorded_and_an_email_only_as_hidden(app: Flask, make_case) -> None:
    case = make_case()
    with app.app_context():
        db.session.add(
            Message(
                case_id=case.id,
                body="Hello",
                email="secret@example.org",
                client_hash="c" * 64,
                body_fingerprint="f" * 64,
                withdraw_token_hash="w" * 64,
            )
        )
        db.session.commit()
        entry = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.object_type == "message")
        ).one()
        assert entry.changes["email"] == [None, "(hidden)"]
        assert not {"client_hash", "body_fingerprint", "withdraw_token_hash"} & set(entry.changes)
        assert "c" * 64 not in str(entry.changes)
