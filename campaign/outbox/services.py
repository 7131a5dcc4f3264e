"""Putting e-mails in the outbox and moving them through it: claim, sent, retry or failed.

``enqueue`` is what every feature calls: it adds and flushes in the caller's transaction, so an
e-mail exists exactly when what caused it was committed. The worker (campaign.outbox.worker)
claims due e-mails in a short transaction of its own (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so several workers never take the same row; a lease, ``claimed_until``, so a
crashed worker's claim expires), sends them with no transaction open, then records the outcome.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from campaign.database import PRIVATE_WRITE, utcnow
from campaign.extensions import db
from campaign.models import OutboxMail, OutboxState

# The longest subject a row holds; a longer one is cut (a case name can be long).
SUBJECT_MAX_LENGTH = 300


class NoRecipient(ValueError):
    """An e-mail was to be queued without an address."""


@dataclass(frozen=True)
class Claimed:
    """What a worker needs to send one claimed e-mail, read inside the claim's transaction."""

    id: int
    kind: str
    recipient: str
    subject: str
    body_text: str
    body_html: str | None
    headers: dict[str, str]
    attempts: int
    claimed_by: str


def enqueue(
    *,
    kind: str,
    recipient: str,
    subject: str,
    text: str,
    html: str | None = None,
    headers: dict[str, str] | None = None,
) -> OutboxMail:
    """Queue one e-mail in the current transaction (adds and flushes; never commits)."""
    if not recipient:
        raise NoRecipient(kind)
    mail = OutboxMail(
        kind=kind,
        recipient=recipient,
        subject=subject[:SUBJECT_MAX_LENGTH],
        body_text=text,
        body_html=html,
        headers=dict(headers or {}),
        state=OutboxState.PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
    )
    db.session.add(mail)
    db.session.flush()
    return mail


def new_worker_id() -> str:
    """A random name for one worker's claims."""
    return secrets.token_hex(8)


def claim(
    worker: str, limit: int = 10, now: datetime | None = None, due_by: datetime | None = None
) -> list[Claimed]:
    """Take up to *limit* e-mails due by *due_by* (default: now) for *worker* and commit at
    once (a short transaction).

    On PostgreSQL the rows are locked with ``SKIP LOCKED`` while they are claimed: a second
    worker skips them instead of waiting, and once this commits it sees them claimed. On
    SQLite the claim is one ``BEGIN IMMEDIATE`` transaction, so workers queue for it.
    """
    now = now or utcnow()
    lease = timedelta(seconds=float(current_app.config["OUTBOX_LEASE_SECONDS"]))
    rows = db.session.scalars(
        sa.select(OutboxMail)
        .where(
            OutboxMail.state == OutboxState.PENDING,
            OutboxMail.next_attempt_at <= (due_by or now),
            sa.or_(OutboxMail.claimed_until.is_(None), OutboxMail.claimed_until < now),
        )
        .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    claimed = []
    for row in rows:
        row.claimed_until = now + lease
        row.claimed_by = worker
        row.attempts += 1
        claimed.append(
            Claimed(
                id=row.id,
                kind=row.kind,
                recipient=str(row.recipient or ""),
                subject=str(row.subject or ""),
                body_text=str(row.body_text or ""),
                body_html=row.body_html,
                headers={str(k): str(v) for k, v in (row.headers or {}).items()},
                attempts=row.attempts,
                claimed_by=worker,
            )
        )
    db.session.commit()
    return claimed


def _own(mail_id: int, worker: str) -> OutboxMail | None:
    """The row, if this worker's claim on it still stands."""
    row = db.session.get(OutboxMail, mail_id, with_for_update=True)
    if row is None or row.claimed_by != worker or row.state != OutboxState.PENDING:
        return None
    return row


def _erase(row: OutboxMail, now: datetime) -> None:
    """Blank what identifies a person: the address, the text and its links."""
    row.recipient = None
    row.body_text = None
    row.body_html = None
    row.headers = None
    row.erased_at = now


def mark_sent(mail_id: int, worker: str, now: datetime | None = None) -> None:
    """Record that the e-mail left, and blank its address and text (flushes)."""
    now = now or utcnow()
    row = _own(mail_id, worker)
    if row is None:
        return
    row.state = OutboxState.SENT
    row.sent_at = now
    row.claimed_until = None
    row.last_error = None
    _erase(row, now)
    db.session.flush()


def backoff(attempts: int) -> timedelta:
    """The wait before the next try after *attempts* failed ones: doubled each time, capped."""
    config = current_app.config
    base = float(config["OUTBOX_RETRY_SECONDS"])
    ceiling = float(config["OUTBOX_RETRY_MAX_SECONDS"])
    return timedelta(seconds=min(ceiling, base * 2 ** max(0, min(attempts - 1, 30))))


def mark_failed_attempt(
    mail_id: int, worker: str, error: str, *, permanent: bool = False, now: datetime | None = None
) -> OutboxState | None:
    """Record a failed try: due again after the backoff, or failed for good after the last
    attempt (or at once when *permanent*). The row and its address are kept. Flushes."""
    now = now or utcnow()
    row = _own(mail_id, worker)
    if row is None:
        return None
    row.claimed_until = None
    row.last_error = error[:100]
    if permanent or row.attempts >= int(current_app.config["OUTBOX_MAX_ATTEMPTS"]):
        row.state = OutboxState.FAILED
        row.failed_at = now
    else:
        row.next_attempt_at = now + backoff(row.attempts)
    db.session.flush()
    return row.state


def retry_failed(now: datetime | None = None) -> int:
    """Queue every failed e-mail whose address is still kept once more; returns how many."""
    now = now or utcnow()
    result = db.session.execute(
        sa.update(OutboxMail)
        .where(OutboxMail.state == OutboxState.FAILED, OutboxMail.recipient.is_not(None))
        .values(
            state=OutboxState.PENDING,
            attempts=0,
            next_attempt_at=now,
            failed_at=None,
            claimed_until=None,
        )
        .execution_options(**PRIVATE_WRITE)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def purge(now: datetime | None = None, days: int | None = None) -> int:
    """Blank the address and text of e-mails that failed more than the retention ago, and of
    any sent one not yet blanked; returns how many rows were blanked. The rows stay."""
    now = now or utcnow()
    keep = days if days is not None else int(current_app.config["OUTBOX_FAILED_RETENTION_DAYS"])
    cutoff = now - timedelta(days=keep)
    values: dict[str, Any] = {
        "recipient": None,
        "body_text": None,
        "body_html": None,
        "headers": None,
        "erased_at": now,
    }
    result = db.session.execute(
        sa.update(OutboxMail)
        .where(
            OutboxMail.recipient.is_not(None),
            sa.or_(
                OutboxMail.state == OutboxState.SENT,
                sa.and_(OutboxMail.state == OutboxState.FAILED, OutboxMail.failed_at < cutoff),
            ),
        )
        .values(**values)
        .execution_options(**PRIVATE_WRITE)
    )
    return int(getattr(result, "rowcount", 0) or 0)
