"""Login throttling in the database, so the limits hold across worker processes.

Attempts are keyed by a rotating keyed hash of the e-mail ("account") and of the client's
address ("client"); neither is stored in clear. Too many failures in the window, per account or
per client, refuse further attempts until the oldest counted failure leaves the window.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from campaign.database import utcnow
from campaign.extensions import db
from campaign.models import LoginAttempt
from campaign.util.privacy import keyed_hash

ACCOUNT = "account"
CLIENT = "client"
# Attempts older than this are deleted; the keys rotate daily, so older rows link to nothing.
RETENTION = timedelta(days=1)


def _window() -> timedelta:
    window: timedelta = current_app.config["LOGIN_THROTTLE_WINDOW"]
    return window


def _limits() -> dict[str, int]:
    config = current_app.config
    return {
        ACCOUNT: config["LOGIN_ACCOUNT_LIMIT"],
        CLIENT: config["LOGIN_CLIENT_LIMIT"],
    }


def _key(scope: str, value: str, now: datetime) -> str:
    return keyed_hash(f"{scope}:{value}", now=now)


def _keys(scope: str, value: str, now: datetime) -> set[str]:
    """This period's key and, near a rotation, the previous one, so midnight resets nothing."""
    return {_key(scope, value, now), _key(scope, value, now - _window())}


def _lock_ends(scope: str, values: Iterable[str], now: datetime) -> dict[str, datetime]:
    """Which of *values* are locked in *scope*, and until when (one query for them all)."""
    window = _window()
    limit = _limits()[scope]
    owner = {key: value for value in values for key in _keys(scope, value, now)}
    if not owner:
        return {}
    rows = db.session.execute(
        sa.select(LoginAttempt.key_hash, LoginAttempt.created_at).where(
            LoginAttempt.scope == scope,
            LoginAttempt.key_hash.in_(owner),
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.created_at > now - window,
        )
    ).all()
    failures: dict[str, list[datetime]] = defaultdict(list)
    for key, created_at in rows:
        failures[owner[key]].append(created_at)
    ends: dict[str, datetime] = {}
    for value, times in failures.items():
        if len(times) >= limit:
            # Locked until the failure that made the count reach the limit leaves the window.
            ends[value] = sorted(times, reverse=True)[limit - 1] + window
    return ends


def waits(email: str, client: str, *, now: datetime | None = None) -> dict[str, timedelta]:
    """How long the account and the client must each wait; a scope that may try now is absent."""
    now = now or utcnow()
    result: dict[str, timedelta] = {}
    for scope, value in ((ACCOUNT, email), (CLIENT, client)):
        end = _lock_ends(scope, [value], now).get(value)
        if end is not None:
            result[scope] = end - now
    return result


def locked_accounts(emails: Iterable[str], *, now: datetime | None = None) -> dict[str, datetime]:
    """The accounts among *emails* that are locked now, each with the time its lock lifts."""
    return _lock_ends(ACCOUNT, [email.lower() for email in emails], now or utcnow())


def unlock(email: str, *, now: datetime | None = None) -> int:
    """Forget an account's failed attempts so its owner may sign in now; returns how many.

    The client limit stays: it stops one address guessing many accounts, which an admin
    unlocking one account must not undo.
    """
    now = now or utcnow()
    result = db.session.execute(
        sa.delete(LoginAttempt).where(
            LoginAttempt.scope == ACCOUNT,
            LoginAttempt.key_hash.in_(_keys(ACCOUNT, email.lower(), now)),
            LoginAttempt.succeeded.is_(False),
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def minutes(wait: timedelta) -> int:
    """A wait rounded up to whole minutes for people (never 0)."""
    return max(1, math.ceil(wait.total_seconds() / 60))


def record(email: str, client: str, *, succeeded: bool, now: datetime | None = None) -> None:
    """Note one attempt for the account and for the client (the view commits)."""
    now = now or utcnow()
    for scope, value in ((ACCOUNT, email), (CLIENT, client)):
        db.session.add(
            LoginAttempt(
                scope=scope, key_hash=_key(scope, value, now), succeeded=succeeded, created_at=now
            )
        )


def prune(*, now: datetime | None = None) -> None:
    """Delete attempts past the retention period (the view commits)."""
    now = now or utcnow()
    cutoff = now - max(RETENTION, _window())
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.created_at < cutoff))
