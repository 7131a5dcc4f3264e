"""The messages' domain actions as plain functions: no client, no request, named errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask

from campaign.extensions import db
from campaign.messages import services
from campaign.models import AuditEntry, Case, DeliveryMethod, Message, MessageState, Role, User

HELLO = services.Submission(body="Stay strong, Ainur", country="AT", display_name="Anna")


@pytest.fixture
def made(make_case: Callable[..., Case], make_user: Callable[..., User]) -> tuple[int, int]:
    """A case and an organiser, committed before the test's own session opens."""
    return make_case(person_name="Ainur Kurmanov").id, make_user(Role.ORGANISER).id


@pytest.fixture
def case(app_ctx: Flask, made: tuple[int, int]) -> Case:
    return db.session.get(Case, made[0])


@pytest.fixture
def organiser(app_ctx: Flask, made: tuple[int, int]) -> User:
    return db.session.get(User, made[1])


def _messages() -> list[Message]:
    return list(db.session.scalars(sa.select(Message)))


def test_a_submission_is_stored_once_pending_and_recorded_as_a_supporters(case: Case) -> None:
    first = services.submit(case, HELLO, nonce="n-1", client_hash="c")
    again = services.submit(case, HELLO, nonce="n-1", client_hash="c")  # the same form, twice
    assert first.created
    assert not again.created
    assert again.message is first.message
    assert again.withdraw_token == first.withdraw_token
    assert [m.state for m in _messages()] == [MessageState.PENDING]
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.object_type == "message")
    ).one()
    assert entry.actor == services.SUPPORTER


def test_a_used_form_and_a_repeated_text_are_refused_by_name(case: Case) -> None:
    services.submit(case, HELLO, nonce="n-1", client_hash="c")
    other = services.Submission(body="Another text", country="AT")
    with pytest.raises(services.FormAlreadyUsed):
        services.submit(case, other, nonce="n-1", client_hash="c")
    with pytest.raises(services.DuplicateMessage):
        services.submit(case, HELLO, nonce="n-2", client_hash="c")
    assert len(_messages()) == 1


def test_two_supporters_may_send_the_same_words(case: Case) -> None:
    """A slogan sent by two people is two messages: the duplicate check is the sender's own
    repeat, not anyone's (and a refusal must not tell a stranger that someone sent it)."""
    first = services.submit(case, HELLO, nonce="n-1", client_hash="anna")
    second = services.submit(case, HELLO, nonce="n-2", client_hash="ivan")
    assert first.created
    assert second.created
    assert len(_messages()) == 2
    with pytest.raises(services.DuplicateMessage):
        services.submit(case, HELLO, nonce="n-3", client_hash="ivan")


def test_withdrawal_erases_the_email_and_happens_once(case: Case) -> None:
    with_email = services.Submission(body="Hi", country="AT", email="anna@example.org")
    message = services.submit(case, with_email, nonce="n-1", client_hash="c").message
    assert services.withdraw(message) is True
    assert (message.state, message.email) == (MessageState.WITHDRAWN, None)
    assert message.email_erased_at is not None
    assert services.withdraw(message) is False


def test_decisions_refuse_withdrawn_and_unchanged_messages(case: Case, organiser: User) -> None:
    kept = services.submit(case, HELLO, nonce="n-1", client_hash="c").message
    gone = services.submit(
        case, services.Submission(body="Bye", country="AT"), nonce="n-2", client_hash="c"
    ).message
    services.withdraw(gone)
    services.decide(kept, MessageState.PUBLISHED, organiser)
    assert (kept.state, kept.decided_by_id) == (MessageState.PUBLISHED, organiser.id)
    with pytest.raises(services.DecisionNotAllowed) as unchanged:
        services.decide(kept, MessageState.PUBLISHED, organiser)
    assert unchanged.value.reason == services.DecisionNotAllowed.UNCHANGED
    outcome = services.decide_many([kept.id, gone.id], MessageState.REJECTED, organiser)
    assert outcome.changed == [kept]
    assert [(e.message, e.reason) for e in outcome.refused] == [
        (gone, services.DecisionNotAllowed.WITHDRAWN)
    ]


def test_a_pack_is_built_delivered_and_taken_back(case: Case, organiser: User) -> None:
    with pytest.raises(services.NothingToDeliver):
        services.build_pack(case, organiser, size=500)
    message = services.submit(case, HELLO, nonce="n-1", client_hash="c").message
    services.decide(message, MessageState.PUBLISHED, organiser)
    pack = services.build_pack(case, organiser, size=500).pack
    assert message.delivery_pack is pack
    with pytest.raises(services.NotDelivered):
        services.mark_not_delivered(pack)
    done = services.mark_delivered(pack, DeliveryMethod.LAWYER, date(2010, 5, 12), None)
    assert done == services.Delivery(delivered=1, changed=True)
    same = services.mark_delivered(pack, DeliveryMethod.LAWYER, date(2010, 5, 12), None)
    assert same.changed is False  # a "correction" that corrects nothing
    assert services.mark_not_delivered(pack) == 1
    assert (pack.delivered_on, message.delivered_on) == (None, None)


def test_a_safety_edit_reports_whether_it_changed_the_text(case: Case, organiser: User) -> None:
    message = services.submit(case, HELLO, nonce="n-1", client_hash="c").message
    assert services.safety_edit(message, HELLO.body, organiser) is False
    assert services.safety_edit(message, "Stay strong", organiser) is True
    assert message.edited_at is not None


def test_withdrawal_erases_what_the_supporter_wrote_and_the_trail_never_had_it(
    case: Case,
) -> None:
    sent = services.Submission(
        body="Words only for Ainur", country="AT", display_name="Anna", organisation="SLP"
    )
    message = services.submit(case, sent, nonce="n-1", client_hash="c").message
    db.session.commit()
    services.withdraw(message)
    db.session.commit()
    assert (message.body, message.display_name, message.organisation) == ("", None, None)
    assert message.client_hash is None
    trail = str([(e.object_label, e.changes) for e in db.session.scalars(sa.select(AuditEntry))])
    for words in ("Words only for Ainur", "Anna", "SLP"):
        assert words not in trail


def test_the_text_as_sent_is_kept_until_delivery(case: Case, organiser: User) -> None:
    message = services.submit(case, HELLO, nonce="n-1", client_hash="c").message
    services.decide(message, MessageState.PUBLISHED, organiser)
    assert services.safety_edit(message, "Stay strong", organiser)
    assert services.safety_edit(message, "Stay strong!", organiser)
    assert message.original_body == HELLO.body  # the first text, not the first edit
    pack = services.build_pack(case, organiser, size=500).pack
    assert message.original_body == HELLO.body  # packed, not yet delivered
    services.mark_delivered(pack, DeliveryMethod.POST, date(2026, 12, 1), None)
    assert message.original_body is None


def test_the_text_as_sent_is_erased_after_the_set_number_of_days(
    app: Flask, case: Case, organiser: User
) -> None:
    from datetime import UTC, datetime, timedelta

    message = services.submit(case, HELLO, nonce="n-1", client_hash="c").message
    services.safety_edit(message, "Stay strong", organiser)
    db.session.commit()
    days = app.config["SAFETY_EDIT_ORIGINAL_DAYS"]
    assert services.purge(datetime.now(UTC) + timedelta(days=days - 1)).originals == 0
    assert services.purge(datetime.now(UTC) + timedelta(days=days, hours=1)).originals == 1
    db.session.commit()
    db.session.refresh(message)
    assert (message.original_body, message.body) == (None, "Stay strong")
