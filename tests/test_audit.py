"""The audit trail names what changed in words people read, and hides secrets."""

from __future__ import annotations

import pytest
from flask import Flask

from campaign.extensions import db
from campaign.history import trail as audit
from campaign.models import AuditAction, Case, DeliveryPack, Message

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


def test_labels_never_fall_back_to_python_reprs(app: Flask, make_case) -> None:
    case = make_case(person_name="Ainur Kurmanov")
    with app.app_context():
        anonymous = Message(
            case_id=case.id, body="Stay strong", country="BY", email="x@example.org"
        )
        named = Message(case_id=case.id, body="Hello", display_name="Masha")
        pack = DeliveryPack(case_id=case.id)
        db.session.add_all([anonymous, named, pack])
        db.session.flush()
        assert audit._label(anonymous) == "Message from a supporter (BY)"
        assert audit._label(named) == "Message from Masha"
        assert audit._label(pack) == f"#{pack.id} for Ainur Kurmanov"
        assert audit._label(db.session.get(Case, case.id)) == "Ainur Kurmanov"


def test_an_entry_records_changes_and_hides_the_email(app: Flask, make_case) -> None:
    case = make_case()
    with app.app_context():
        message = Message(case_id=case.id, body="Hello", email="secret@example.org", country="DE")
        db.session.add(message)
        entry = audit.record(AuditAction.CREATE, message, actor_label="test")
        assert entry is not None
        assert entry.changes["email"] == [None, "(hidden)"]
        assert "secret@example.org" not in str(entry.changes)
        message.body = "Hello again"
        changes = audit.pending_changes(message)
        assert changes == {"body": ["Hello", "Hello again"]}
        assert audit.record(AuditAction.UPDATE, message, {}) is None  # empty updates are skipped
