"""What happens to a message of support: sent, decided, edited for safety, withdrawn, delivered.

Each action takes plain values and the acting user, adds and flushes but never commits (the view
commits once), and raises a named error when it cannot be done. The history records every change
by itself (campaign.history.recorder).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from campaign.database import PRIVATE_WRITE
from campaign.extensions import db
from campaign.history import recorder
from campaign.history.recorder import acting_as
from campaign.messages import delivery, spam
from campaign.models import Case, DeliveryMethod, DeliveryPack, Message, MessageState, User

# How often one worker erases expired client hashes as a supporter's post goes by.
CLIENT_HASH_PURGE_EVERY = timedelta(minutes=5)
_LAST_PURGE = "campaign.messages.last_client_hash_purge"
# Who the history names for what a supporter does (no account, no name kept for it).
SUPPORTER = "supporter"


class MessageError(Exception):
    """A domain action on a message that cannot be done; the view says why."""


class DuplicateMessage(MessageError):
    """The same sender sent the same text to the same case recently: it is not stored twice."""


class FormAlreadyUsed(MessageError):
    """This form (its one-time token) already sent a different message."""


class DecisionNotAllowed(MessageError):
    """A decision that cannot be taken on this message: its sender withdrew it, it already has
    that decision, or it was decided by someone else since the organiser saw it (``reason``
    says which)."""

    WITHDRAWN = "withdrawn"
    UNCHANGED = "unchanged"
    DECIDED_MEANWHILE = "decided meanwhile"

    def __init__(self, message: Message, reason: str) -> None:
        super().__init__(reason)
        self.message = message
        self.reason = reason


class NothingToDeliver(MessageError):
    """No approved message of the case waits for a delivery pack."""


class NotDelivered(MessageError):
    """The pack was never marked delivered, so there is no delivery to take back."""


@dataclass(frozen=True)
class Submission:
    """What a supporter sends: the text, how it is signed, and whether it may be published."""

    body: str
    country: str
    display_name: str | None = None
    organisation: str | None = None
    email: str | None = None
    language: str | None = None
    consent_to_publish: bool = False


@dataclass(frozen=True)
class Received:
    """A stored message, the token that withdraws it, and whether this call stored it."""

    message: Message
    withdraw_token: str
    created: bool


def submit(case: Case, submission: Submission, *, nonce: str, client_hash: str) -> Received:
    """Store a supporter's message exactly once, pending review.

    *nonce* is the form's one-time nonce: the same form sent twice (a double click, a retry)
    gives back the first message instead of a second one. Raises :class:`FormAlreadyUsed` when
    the form sent another text before, :class:`DuplicateMessage` when the same sender
    (*client_hash*) sent the same text to the case recently through another form.
    """
    fingerprint = spam.body_fingerprint(case.id, submission.body)
    token = spam.withdraw_token_for(nonce)
    hashed = spam.token_hash(token)
    found = spam.earlier_messages(case.id, fingerprint, hashed, client_hash)
    if found.same_form is not None:  # rare (a double click): only then is it loaded
        used_id, used_fingerprint, used_case = found.same_form
        if used_fingerprint == fingerprint and used_case == case.id:
            return Received(db.session.get_one(Message, used_id), token, created=False)
        raise FormAlreadyUsed
    if found.duplicate:
        raise DuplicateMessage
    purge_client_hashes_when_due()  # a supporter's post writes anyway: old hashes go with it
    message = Message(
        case_id=case.id,
        body=submission.body,
        display_name=submission.display_name or None,
        country=submission.country,
        organisation=submission.organisation or None,
        email=submission.email or None,
        language=submission.language or None,
        consent_to_publish=submission.consent_to_publish,
        state=MessageState.PENDING,
        client_hash=client_hash,
        body_fingerprint=fingerprint,
        withdraw_token_hash=hashed,
    )
    if db.session.get_bind().dialect.name == "sqlite":
        # This transaction took SQLite's one write lock at its BEGIN, before the lookup above
        # (campaign.database): no other post can have stored this form's message since.
        with acting_as(label=SUPPORTER):
            db.session.add(message)
            db.session.flush()
        return Received(message, token, created=True)
    try:
        # A savepoint: two identical posts that raced leave the first message and this
        # transaction usable, so the second is answered with the first.
        with db.session.begin_nested(), acting_as(label=SUPPORTER):
            db.session.add(message)
    except sa.exc.IntegrityError:
        earlier = _by_token_hash(hashed)
        if earlier is None:
            raise
        return Received(earlier, token, created=False)
    return Received(message, token, created=True)


def _by_token_hash(hashed: str) -> Message | None:
    return db.session.scalar(sa.select(Message).where(Message.withdraw_token_hash == hashed))


def by_withdraw_token(token: str) -> Message | None:
    """The message a withdrawal link points to (an unknown or absurd token finds nothing)."""
    if not token or len(token) > 200:
        return None
    return _by_token_hash(spam.token_hash(token))


def withdraw(message: Message) -> bool:
    """Withdraw a message at its sender's request: its text, name, organisation, e-mail and
    client hash are erased (only that a message was sent and withdrawn remains), and it leaves
    an open pack.

    Returns whether anything changed (withdrawing twice is the same as once).
    """
    if message.state == MessageState.WITHDRAWN:
        return False
    with acting_as(label=SUPPORTER):
        message.state = MessageState.WITHDRAWN
        message.body = ""
        message.original_body = None
        message.display_name = None
        message.organisation = None
        message.client_hash = None
        if message.email is not None:
            message.email = None
            message.email_erased_at = datetime.now(UTC)
        delivery.release_from_open_pack(message)
    return True


def decide(
    message: Message, state: MessageState, actor: User, seen: MessageState | None = None
) -> None:
    """An organiser's decision on one message: approve, reject, spam, or back to review.

    *seen* is the state the organiser saw when they decided (the queue says it): a message
    another organiser decided since is left as they left it. Raises
    :class:`DecisionNotAllowed` for a withdrawn message, an unchanged decision or one made
    meanwhile. A message that is no longer approved leaves the delivery pack it waited in.
    """
    if message.state == MessageState.WITHDRAWN:
        raise DecisionNotAllowed(message, DecisionNotAllowed.WITHDRAWN)
    if message.state == state:
        raise DecisionNotAllowed(message, DecisionNotAllowed.UNCHANGED)
    if seen is not None and message.state != seen:
        raise DecisionNotAllowed(message, DecisionNotAllowed.DECIDED_MEANWHILE)
    message.state = state
    if state == MessageState.PENDING:
        message.decided_at = None
        message.decided_by_id = None
    else:
        message.decided_at = datetime.now(UTC)
        message.decided_by_id = actor.id
    if state != MessageState.PUBLISHED:
        delivery.release_from_open_pack(message)


@dataclass(frozen=True)
class Decisions:
    """What a bulk decision did: the messages that took it, those that did not, with why, and
    how many of the ids asked for are no message (deleted with their case, or never were)."""

    changed: list[Message]
    refused: list[DecisionNotAllowed]
    missing: int = 0


def decide_many(
    message_ids: Iterable[int],
    state: MessageState,
    actor: User,
    seen: Mapping[int, MessageState] | None = None,
) -> Decisions:
    """The same decision for several messages, in the order they came in; then erase the
    e-mails whose retention period has passed (a moderation is when that is checked).

    *seen* maps a message's id to the state the organiser saw it in (see :func:`decide`)."""
    wanted = set(message_ids)
    messages = db.session.scalars(
        sa.select(Message).where(Message.id.in_(wanted)).order_by(Message.created_at, Message.id)
    ).all()
    changed: list[Message] = []
    refused: list[DecisionNotAllowed] = []
    seen = seen or {}
    for message in messages:
        try:
            decide(message, state, actor, seen.get(message.id))
        except DecisionNotAllowed as error:
            refused.append(error)
        else:
            changed.append(message)
    purge()
    return Decisions(changed, refused, len(wanted) - len(messages))


def safety_edit(message: Message, body: str, actor: User) -> bool:
    """An organiser's edit of a message's text to keep the person safe; returns whether it
    changed. The text as sent is kept in ``original_body`` until the message is delivered or
    ``SAFETY_EDIT_ORIGINAL_DAYS`` have passed (the history records only that it changed)."""
    if body == message.body:
        return False
    if message.original_body is None:
        message.original_body = message.body
    message.body = body
    message.edited_at = datetime.now(UTC)
    return True


@dataclass(frozen=True)
class Built:
    """A new delivery pack, and how many approved messages of its case still wait for one."""

    pack: DeliveryPack
    packed: int
    left: int


def build_pack(case: Case, actor: User | None, *, size: int) -> Built:
    """Put the *size* oldest approved, undelivered messages of the case (private ones too)
    into a new pack: a pack is printed and carried, so a verdict day's thousands make several.

    Raises :class:`NothingToDeliver` when none waits, or none is left by the time they are
    packed (another organiser's pack took them; the caller rolls back the empty pack).
    """
    ids = delivery.ready_ids(case.id, size)
    if not ids:
        raise NothingToDeliver
    pack = DeliveryPack(case=case, created_by=actor)
    db.session.add(pack)
    db.session.flush()
    packed = delivery.pack_ids(pack, ids)
    if not packed:
        raise NothingToDeliver
    # The number taken, known only now: the pack's history says it after its creation.
    recorder.note(pack, messages=[None, packed])
    db.session.flush()
    return Built(pack, packed, delivery.ready_counts_of(case.id))


@dataclass(frozen=True)
class Delivery:
    """What recording a delivery did: how many messages it delivered, and whether the record
    of the pack changed (a correction may change nothing)."""

    delivered: int
    changed: bool


def mark_delivered(
    pack: DeliveryPack, method: DeliveryMethod, on: date, note: str | None
) -> Delivery:
    """Record, or correct, how and when a pack reached the person."""
    recorded = (pack.method, pack.delivered_on, pack.note)
    delivered = delivery.mark_delivered(pack, method, on, note)
    return Delivery(delivered, recorded != (pack.method, pack.delivered_on, pack.note))


def mark_not_delivered(pack: DeliveryPack) -> int:
    """Take back a delivery recorded by mistake; returns how many messages wait again.

    Raises :class:`NotDelivered` when the pack was never marked delivered.
    """
    if pack.delivered_on is None:
        raise NotDelivered
    return delivery.mark_not_delivered(pack)


def purge_expired_emails(now: datetime | None = None, days: int | None = None) -> int:
    """Erase supporters' e-mails decided more than the retention period ago; returns how many.

    The period is the setting ``SUPPORTER_EMAIL_RETENTION_DAYS`` unless *days* is given.
    """
    now = now or datetime.now(UTC)
    if days is None:
        days = current_app.config["SUPPORTER_EMAIL_RETENTION_DAYS"]
    cutoff = now - timedelta(days=days)
    result = db.session.execute(
        sa.update(Message)
        .where(
            Message.email.is_not(None),
            Message.decided_at.is_not(None),
            Message.decided_at <= cutoff,
            Message.state != MessageState.PENDING,
        )
        .values(email=None, email_erased_at=now)
        .execution_options(**PRIVATE_WRITE)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def purge_client_hashes(now: datetime | None = None) -> int:
    """Erase client hashes older than ``CLIENT_HASH_RETENTION_HOURS``; returns how many.

    Their keys are deleted by then too (campaign.hashkeys), so a hash that escaped this purge
    (a backup) can no longer be linked to an address either.
    """
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(hours=float(current_app.config["CLIENT_HASH_RETENTION_HOURS"]))
    result = db.session.execute(
        sa.update(Message)
        .where(Message.client_hash.is_not(None), Message.created_at < cutoff)
        .values(client_hash=None)
        .execution_options(**PRIVATE_WRITE)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def purge_client_hashes_when_due() -> int:
    """:func:`purge_client_hashes`, at most once every ``CLIENT_HASH_PURGE_EVERY`` in one worker.

    The purge reads every message that still has a hash: on a busy day, once per message would
    cost more than the rest of the post. A hash then outlives its retention (hours) by a few
    minutes at most; ``flask messages purge`` erases them on its own schedule too.
    """
    last: list[float] = current_app.extensions.setdefault(_LAST_PURGE, [])
    now = time.monotonic()
    if last and now - last[0] < CLIENT_HASH_PURGE_EVERY.total_seconds():
        return 0
    last[:] = [now]
    return purge_client_hashes()


def purge_originals(now: datetime | None = None) -> int:
    """Erase the text as sent of safety-edited messages edited more than
    ``SAFETY_EDIT_ORIGINAL_DAYS`` ago; returns how many."""
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=current_app.config["SAFETY_EDIT_ORIGINAL_DAYS"])
    result = db.session.execute(
        sa.update(Message)
        .where(Message.original_body.is_not(None), Message.edited_at <= cutoff)
        .values(original_body=None)
        .execution_options(**PRIVATE_WRITE)
    )
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class Purged:
    """What one round of housekeeping erased."""

    emails: int
    client_hashes: int
    originals: int


def purge(now: datetime | None = None) -> Purged:
    """Every erasure that is due: e-mails, client hashes, texts as sent before a safety edit."""
    return Purged(purge_expired_emails(now), purge_client_hashes(now), purge_originals(now))
