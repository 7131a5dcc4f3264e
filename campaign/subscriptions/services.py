"""Following a case by e-mail: asking (double opt-in), confirming, leaving, and queueing the
updates and digests. Every function adds and flushes, never commits.

The links are signed with the app's secret (itsdangerous) and carry a random nonce that the
row holds: a confirmation link expires, works once, and is replaced by the next one; an
unsubscribe link works until the subscription is gone. A subscriber's address is used to
write to them and for nothing else: it is deleted with the row.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadData, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from campaign.database import PRIVATE_WRITE, utcnow
from campaign.extensions import db
from campaign.models import Case, Frequency, Subscription, SubscriptionDelivery
from campaign.ratelimits import DatabaseStorage
from campaign.subscriptions import mails
from campaign.subscriptions.links import public_url
from campaign.subscriptions.updates import Update, updates_since
from campaign.util.privacy import keyed_hash

logger = logging.getLogger(__name__)

EMAIL_MAX_LENGTH = 254
_EMAIL = re.compile(r"^[^@\s<>\"'(),;:\\\[\]]+@[^@\s<>\"'(),;:\\\[\]]+\.[^@\s<>\"'(),;:\\\[\]]+$")
# At most one confirmation e-mail to one address in this time, whatever is asked.
CONFIRMATION_INTERVAL = timedelta(hours=1)
# Updates older than this are never sent (a subscriber hears news, not history).
LOOKBACK = timedelta(days=35)
DIGEST_EVERY = timedelta(days=7)
# A daily cron job runs a little earlier or later each day: a digest due within this is due.
DIGEST_SLACK = timedelta(hours=2)
_CONFIRM_SALT = "subscription-confirm"
_UNSUBSCRIBE_SALT = "subscription-unsubscribe"


class InvalidEmail(ValueError):
    """The address is not one an e-mail can be sent to."""


class LinkInvalid(ValueError):
    """The link was altered, cut short or made up."""


class LinkExpired(ValueError):
    """The confirmation link is older than it may be."""


class LinkUsed(ValueError):
    """The link was used already, replaced by a newer one, or its subscription is gone."""


def normalise_email(value: str) -> str:
    """The address as stored and compared (trimmed, lower case), or InvalidEmail."""
    address = (value or "").strip().lower()
    if (
        not address
        or len(address) > EMAIL_MAX_LENGTH
        or not _EMAIL.match(address)
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in address)
    ):
        raise InvalidEmail(value)
    return address


def _confirm_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.config["SECRET_KEY"]), salt=_CONFIRM_SALT)


def _unsubscribe_signer() -> URLSafeSerializer:
    return URLSafeSerializer(str(current_app.config["SECRET_KEY"]), salt=_UNSUBSCRIBE_SALT)


def unsubscribe_token(subscription: Subscription) -> str:
    """The token of the subscription's one-click leave link."""
    return str(_unsubscribe_signer().dumps([subscription.id, subscription.unsubscribe_nonce]))


def unsubscribe_url(subscription: Subscription) -> str:
    """The absolute one-click leave link (also the List-Unsubscribe address)."""
    return public_url("subscriptions.unsubscribe", token=unsubscribe_token(subscription))


def _throttle_keys(address: str, now: datetime) -> list[str]:
    """The throttle's keys for an address: its keyed hash (never the address) under this
    period's key and, across a key rotation, the last hour's."""
    keys = [keyed_hash(address, now=now), keyed_hash(address, now=now - CONFIRMATION_INTERVAL)]
    return [f"subscription-confirmation/{key}" for key in dict.fromkeys(keys)]


def _may_send_confirmation(address: str, now: datetime) -> bool:
    """True at most once an hour per address, counted in the shared rate-limit store."""
    storage = DatabaseStorage()
    current, *earlier = _throttle_keys(address, now)
    if any(storage.get(key) for key in earlier):
        return False
    return storage.incr(current, int(CONFIRMATION_INTERVAL.total_seconds())) <= 1


def subscribe(
    case: Case,
    email: str,
    frequency: Frequency | str,
    language: str,
    *,
    now: datetime | None = None,
) -> Subscription | None:
    """Ask to follow *case*: a new or renewed unconfirmed subscription and its confirmation
    e-mail (at most one an hour per address). Already confirmed: nothing changes. Returns the
    subscription (None when it was confirmed already); the caller answers the same in every
    case, so nobody can learn whether an address follows a case."""
    now = now or utcnow()
    address = normalise_email(email)
    wanted = Frequency(frequency)
    subscription = db.session.scalar(
        sa.select(Subscription).where(
            Subscription.case_id == case.id, Subscription.email == address
        )
    )
    if subscription is not None and subscription.confirmed_at is not None:
        return None
    if subscription is None:
        subscription = Subscription(
            case_id=case.id,
            email=address,
            frequency=wanted,
            language=language[:16] or "en",
            unsubscribe_nonce=secrets.token_hex(16),
            created_at=now,
        )
        db.session.add(subscription)
    else:
        subscription.frequency = wanted
        subscription.language = language[:16] or "en"
    if not _may_send_confirmation(address, now):
        db.session.flush()
        logger.info(
            "no confirmation for subscription %s: one was sent within the hour", subscription.id
        )
        return subscription
    subscription.confirm_nonce = secrets.token_hex(16)
    subscription.confirmation_sent_at = now
    db.session.flush()
    token = _confirm_signer().dumps([subscription.id, subscription.confirm_nonce])
    mail = mails.queue_confirmation(
        subscription, case, public_url("subscriptions.confirm", token=token)
    )
    logger.info("confirmation e-mail %s queued for subscription %s", mail.id, subscription.id)
    return subscription


def _max_age() -> int:
    return int(float(current_app.config["SUBSCRIPTION_CONFIRM_HOURS"]) * 3600)


def pending_confirmation(token: str) -> Subscription:
    """The unconfirmed subscription a confirmation link names; LinkInvalid, LinkExpired or
    LinkUsed otherwise. Changes nothing."""
    try:
        found = _confirm_signer().loads(token, max_age=_max_age())
    except SignatureExpired:
        raise LinkExpired(token) from None
    except (BadData, ValueError):  # altered, or not even text a signature can be made of
        raise LinkInvalid(token) from None
    if not (isinstance(found, list) and len(found) == 2 and isinstance(found[0], int)):
        raise LinkInvalid(token)
    subscription = db.session.get(Subscription, found[0])
    if subscription is None or subscription.confirmed_at is not None:
        raise LinkUsed(token)
    if subscription.confirm_nonce is None or not secrets.compare_digest(
        str(subscription.confirm_nonce), str(found[1])
    ):
        raise LinkUsed(token)
    return subscription


def confirm(token: str, *, now: datetime | None = None) -> Subscription:
    """Confirm the subscription a link names (once); from now on it receives updates."""
    subscription = pending_confirmation(token)
    subscription.confirmed_at = now or utcnow()
    subscription.confirm_nonce = None
    db.session.flush()
    logger.info("subscription %s confirmed", subscription.id)
    return subscription


def subscription_to_leave(token: str) -> Subscription:
    """The subscription an unsubscribe link names; LinkInvalid or LinkUsed. Changes nothing."""
    try:
        found = _unsubscribe_signer().loads(token)
    except (BadData, ValueError):  # altered, or not even text a signature can be made of
        raise LinkInvalid(token) from None
    if not (isinstance(found, list) and len(found) == 2 and isinstance(found[0], int)):
        raise LinkInvalid(token)
    subscription = db.session.get(Subscription, found[0])
    if subscription is None or not secrets.compare_digest(
        str(subscription.unsubscribe_nonce), str(found[1])
    ):
        raise LinkUsed(token)
    return subscription


def unsubscribe(token: str) -> int:
    """Leave: delete the subscription and its address; returns the case's id."""
    subscription = subscription_to_leave(token)
    case_id = subscription.case_id
    subscription_id = subscription.id
    db.session.delete(subscription)
    db.session.flush()
    logger.info("subscription %s ended by its subscriber", subscription_id)
    return case_id


@dataclass(frozen=True)
class Queued:
    """What one ``send_updates`` run put in the outbox."""

    updates: int
    digests: int


def _case_updates(case_id: int, now: datetime, cache: dict[int, list[Update]]) -> list[Update]:
    if case_id not in cache:
        cache[case_id] = updates_since(case_id, now - LOOKBACK)
    return cache[case_id]


def send_updates(*, now: datetime | None = None) -> Queued:
    """Queue each confirmed subscriber's news: one e-mail per update for "each update", a
    digest a week after the last for "weekly". Each update goes to a subscriber once."""
    now = now or utcnow()
    rows = db.session.execute(
        sa.select(Subscription, Case)
        .join(Case, Case.id == Subscription.case_id)
        .where(
            Subscription.confirmed_at.is_not(None),
            Case.published.is_(True),
            Case.archived_at.is_(None),
        )
        .order_by(Subscription.id)
    ).all()
    cache: dict[int, list[Update]] = {}
    updates = digests = 0
    for subscription, case in rows:
        confirmed_at = subscription.confirmed_at
        assert confirmed_at is not None  # noqa: S101  # nosec B101  # the query's condition
        if subscription.frequency == Frequency.WEEKLY:
            last = subscription.last_digest_at or confirmed_at
            if now - last < DIGEST_EVERY - DIGEST_SLACK:
                continue
        sent = set(
            db.session.scalars(
                sa.select(SubscriptionDelivery.update_key).where(
                    SubscriptionDelivery.subscription_id == subscription.id
                )
            )
        )
        news = [
            update
            for update in _case_updates(case.id, now, cache)
            if update.published_at > confirmed_at and update.key not in sent
        ]
        if not news:
            continue
        leave = unsubscribe_url(subscription)
        if subscription.frequency == Frequency.WEEKLY:
            mails.queue_digest(subscription, case, news, leave)
            subscription.last_digest_at = now
            digests += 1
        else:
            for update in news:
                mails.queue_update(subscription, case, update, leave)
            updates += len(news)
        db.session.add_all(
            SubscriptionDelivery(subscription_id=subscription.id, update_key=u.key, sent_at=now)
            for u in news
        )
        db.session.flush()
    return Queued(updates, digests)


@dataclass(frozen=True)
class Purged:
    """What the housekeeping deleted."""

    unconfirmed: int
    deliveries: int


def purge(*, now: datetime | None = None, days: int | None = None) -> Purged:
    """Delete subscriptions never confirmed within *days* (their addresses with them), and the
    record of updates too old to be sent again."""
    now = now or utcnow()
    keep = days if days is not None else int(current_app.config["SUBSCRIPTION_UNCONFIRMED_DAYS"])
    unconfirmed = db.session.execute(
        sa.delete(Subscription)
        .where(
            Subscription.confirmed_at.is_(None),
            Subscription.created_at < now - timedelta(days=keep),
        )
        .execution_options(**PRIVATE_WRITE)
    )
    deliveries = db.session.execute(
        sa.delete(SubscriptionDelivery)
        .where(SubscriptionDelivery.sent_at < now - LOOKBACK - timedelta(days=1))
        .execution_options(**PRIVATE_WRITE)
    )
    return Purged(
        int(getattr(unconfirmed, "rowcount", 0) or 0),
        int(getattr(deliveries, "rowcount", 0) or 0),
    )
