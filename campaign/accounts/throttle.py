"""Sign-in throttling in the database, so the limits hold across worker processes.

The aim is that an attacker is slowed down while the account's owner still gets in:

- **pair**: failures of one account from one client (or one known browser, see
  :mod:`campaign.accounts.sessions`) are limited to ``LOGIN_ACCOUNT_LIMIT`` in the window; then
  that client, and only that client, waits. A stranger's guesses lock nobody else out.
- **client**: failures from one client over all accounts are limited to ``LOGIN_CLIENT_LIMIT``,
  so one address cannot spray guesses across every account.
- **account**: after ``LOGIN_ACCOUNT_SLOW_AFTER`` failures of an account from everywhere, it
  takes one attempt per ``LOGIN_ACCOUNT_SLOW_INTERVAL`` from unknown clients: many addresses
  together are slowed, never locked out for good. A browser the owner signed in with before
  passes the client and account limits (only its own pair limit applies).
- **code**: wrong one-time codes of an account are limited to ``LOGIN_CODE_LIMIT``.

Checking the limits and recording the attempt are one atomic step (:func:`claim`): the keys are
locked first (PostgreSQL advisory locks; SQLite's writes are serialised by ``BEGIN IMMEDIATE``),
and the attempt is recorded as a failure before the password is checked, so parallel guesses
cannot all pass one check. The locks end with the request's transaction.

Keys are rotating keyed hashes of the e-mail, the client and the pair; none is stored in clear.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from campaign.database import utcnow
from campaign.extensions import db
from campaign.models import LoginAttempt
from campaign.util.privacy import keyed_hash

ACCOUNT = "account"
CLIENT = "client"
PAIR = "pair"
CODE = "code"
# Attempts older than this are deleted; the keys rotate daily, so older rows link to nothing.
RETENTION = timedelta(days=1)


class Throttled(Exception):
    """An attempt refused before it is checked: each scope that must wait, and how long."""

    def __init__(self, waits: dict[str, timedelta]) -> None:
        super().__init__("throttled")
        self.waits = waits


@dataclass
class Attempt:
    """The rows of a claimed attempt, recorded as failed until :func:`succeeded` says otherwise."""

    rows: list[LoginAttempt] = field(default_factory=list)


def _window() -> timedelta:
    window: timedelta = current_app.config["LOGIN_THROTTLE_WINDOW"]
    return window


def _key(scope: str, value: str, now: datetime) -> str:
    return keyed_hash(f"{scope}:{value}", now=now)


def _keys(scope: str, value: str, now: datetime) -> set[str]:
    """This period's key and, near a rotation, the previous one, so midnight resets nothing."""
    return {_key(scope, value, now), _key(scope, value, now - _window())}


def _lock(keys: Iterable[str]) -> None:
    """Hold a transaction-long lock per key, so one check-and-record runs at a time per key.

    PostgreSQL gets advisory locks, taken in a fixed order so two attempts never deadlock.
    SQLite needs none: every writing transaction begins IMMEDIATE, which serialises them.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    ids = sorted(
        {int.from_bytes(hashlib.sha256(k.encode()).digest()[:8], "big", signed=True) for k in keys}
    )
    for lock_id in ids:
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(lock_id)))


def _failures(scope: str, keys: set[str], now: datetime) -> list[datetime]:
    """When the failures under *keys* in the window happened, newest first."""
    times = db.session.scalars(
        sa.select(LoginAttempt.created_at).where(
            LoginAttempt.scope == scope,
            LoginAttempt.key_hash.in_(keys),
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.created_at > now - _window(),
        )
    ).all()
    return sorted(times, reverse=True)


def _locked_for(failures: list[datetime], limit: int, now: datetime) -> timedelta | None:
    """With *limit* failures in the window, the wait until the limit-th newest leaves it."""
    if len(failures) < limit:
        return None
    return failures[limit - 1] + _window() - now


def _slowed_for(failures: list[datetime], after: int, now: datetime) -> timedelta | None:
    """With *after* failures or more, one attempt per interval: the wait since the newest."""
    if len(failures) < after:
        return None
    interval: timedelta = current_app.config["LOGIN_ACCOUNT_SLOW_INTERVAL"]
    wait = failures[0] + interval - now
    return wait if wait > timedelta(0) else None


def claim(
    email: str, client: str, *, device: str | None = None, now: datetime | None = None
) -> Attempt:
    """Check every limit for a password attempt and record it as failed, in one atomic step.

    *device* is the id of a browser this account signed in with before (None for any other):
    it stands in for the client, and the client and account limits do not apply to it.
    Raises :class:`Throttled` (and records nothing) while a limit holds.
    """
    now = now or utcnow()
    email = email.lower()
    config = current_app.config
    source = f"device:{device}" if device else f"client:{client}"
    pair = _keys(PAIR, f"{email}\x00{source}", now)
    account = _keys(ACCOUNT, email, now)
    clients = _keys(CLIENT, client, now)
    _lock([*sorted(account), *sorted(pair), *sorted(clients)])
    waits: dict[str, timedelta] = {}
    checks = [(PAIR, _locked_for(_failures(PAIR, pair, now), config["LOGIN_ACCOUNT_LIMIT"], now))]
    if device is None:
        checks.append(
            (
                CLIENT,
                _locked_for(_failures(CLIENT, clients, now), config["LOGIN_CLIENT_LIMIT"], now),
            )
        )
        checks.append(
            (
                ACCOUNT,
                _slowed_for(
                    _failures(ACCOUNT, account, now), config["LOGIN_ACCOUNT_SLOW_AFTER"], now
                ),
            )
        )
    waits = {scope: wait for scope, wait in checks if wait is not None and wait > timedelta(0)}
    if waits:
        raise Throttled(waits)
    account_hash = _key(ACCOUNT, email, now)
    attempt = Attempt()
    for scope, value in ((ACCOUNT, email), (CLIENT, client), (PAIR, f"{email}\x00{source}")):
        attempt.rows.append(
            LoginAttempt(
                scope=scope,
                key_hash=_key(scope, value, now),
                account_hash=account_hash,
                succeeded=False,
                created_at=now,
            )
        )
    db.session.add_all(attempt.rows)
    db.session.flush()
    return attempt


def claim_code(email: str, *, now: datetime | None = None) -> Attempt:
    """Check the one-time-code limit of an account and record a code attempt, atomically.

    Raises :class:`Throttled` (and records nothing) while the account must wait.
    """
    now = now or utcnow()
    email = email.lower()
    keys = _keys(CODE, email, now)
    _lock(sorted(keys))
    wait = _locked_for(_failures(CODE, keys, now), current_app.config["LOGIN_CODE_LIMIT"], now)
    if wait is not None and wait > timedelta(0):
        raise Throttled({CODE: wait})
    row = LoginAttempt(
        scope=CODE,
        key_hash=_key(CODE, email, now),
        account_hash=_key(ACCOUNT, email, now),
        succeeded=False,
        created_at=now,
    )
    db.session.add(row)
    db.session.flush()
    return Attempt([row])


def succeeded(attempt: Attempt) -> None:
    """Mark a claimed attempt as a success (the password, or the code, was right)."""
    for row in attempt.rows:
        row.succeeded = True
    db.session.flush()


def failed_sign_ins(emails: Iterable[str], *, now: datetime | None = None) -> dict[str, int]:
    """How many failed password attempts each of *emails* had in the window (those with any)."""
    now = now or utcnow()
    owner = {key: email.lower() for email in emails for key in _keys(ACCOUNT, email.lower(), now)}
    if not owner:
        return {}
    rows = db.session.scalars(
        sa.select(LoginAttempt.key_hash).where(
            LoginAttempt.scope == ACCOUNT,
            LoginAttempt.key_hash.in_(owner),
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.created_at > now - _window(),
        )
    ).all()
    counts: dict[str, int] = defaultdict(int)
    for key in rows:
        counts[owner[key]] += 1
    return dict(counts)


def unlock(email: str, *, now: datetime | None = None) -> int:
    """Forget an account's failed attempts of every kind (from every client, and its wrong
    codes), so its owner need not wait; returns how many password failures there were.

    Failures counted against a client stay: they stop one address guessing many accounts,
    which an admin clearing one account must not undo.
    """
    now = now or utcnow()
    keys = _keys(ACCOUNT, email.lower(), now)
    counted = failed_sign_ins([email], now=now).get(email.lower(), 0)
    db.session.execute(
        sa.delete(LoginAttempt).where(
            sa.or_(
                LoginAttempt.account_hash.in_(keys),
                sa.and_(LoginAttempt.scope == ACCOUNT, LoginAttempt.key_hash.in_(keys)),
            ),
            LoginAttempt.scope != CLIENT,
            LoginAttempt.succeeded.is_(False),
        )
    )
    return counted


def minutes(wait: timedelta) -> int:
    """A wait rounded up to whole minutes for people (never 0)."""
    return max(1, math.ceil(wait.total_seconds() / 60))


def prune(*, now: datetime | None = None) -> None:
    """Delete attempts past the retention period (the view commits)."""
    now = now or utcnow()
    cutoff = now - max(RETENTION, _window())
    # Rows another sign-in is deleting are left to it: two prunes never wait for each other,
    # so parallel sign-ins cannot deadlock on PostgreSQL.
    stale = (
        sa.select(LoginAttempt.id)
        .where(LoginAttempt.created_at < cutoff)
        .with_for_update(skip_locked=True)
    )
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.id.in_(stale.scalar_subquery())))
