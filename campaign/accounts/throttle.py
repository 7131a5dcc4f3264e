"""Login throttling in the database, so the limits hold across worker processes.

Attempts are keyed by a rotating keyed hash of the e-mail ("account") and of the client's
address ("client"); neither is stored in clear. Too many failures in the window, per account or
per client, refuse further attempts until the oldest counted failure leaves the window.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from campaign.database import utcnow
from campaign.extensions import db
from campaign.models import LoginAttempt
from campaign.privacy import keyed_hash

ACCOUNT = "account"
CLIENT = "client"
DEFAULT_ACCOUNT_LIMIT = 5
DEFAULT_CLIENT_LIMIT = 20
DEFAULT_WINDOW = timedelta(minutes=15)
# Attempts older than this are deleted; the keys rotate daily, so older rows link to nothing.
RETENTION = timedelta(days=1)


def _window() -> timedelta:
    value = current_app.config.get("LOGIN_THROTTLE_WINDOW", DEFAULT_WINDOW)
    return value if isinstance(value, timedelta) else timedelta(seconds=int(value))


def _limits() -> dict[str, int]:
    config = current_app.config
    return {
        ACCOUNT: int(config.get("LOGIN_ACCOUNT_LIMIT", DEFAULT_ACCOUNT_LIMIT)),
        CLIENT: int(config.get("LOGIN_CLIENT_LIMIT", DEFAULT_CLIENT_LIMIT)),
    }


def _key(scope: str, value: str, now: datetime) -> str:
    return keyed_hash(f"{scope}:{value}", now=now)


def _keys(scope: str, value: str, now: datetime) -> set[str]:
    """This period's key and, near a rotation, the previous one, so midnight resets nothing."""
    return {_key(scope, value, now), _key(scope, value, now - _window())}


def wait_time(email: str, client: str, *, now: datetime | None = None) -> timedelta | None:
    """How long until this account and client may try again, or None if they may now."""
    now = now or utcnow()
    window = _window()
    longest: timedelta | None = None
    for scope, value in ((ACCOUNT, email), (CLIENT, client)):
        limit = _limits()[scope]
        recent = db.session.scalars(
            sa.select(LoginAttempt.created_at)
            .where(
                LoginAttempt.scope == scope,
                LoginAttempt.key_hash.in_(_keys(scope, value, now)),
                LoginAttempt.succeeded.is_(False),
                LoginAttempt.created_at > now - window,
            )
            .order_by(LoginAttempt.created_at.desc())
            .limit(limit)
        ).all()
        if len(recent) >= limit:
            wait = recent[-1] + window - now
            if longest is None or wait > longest:
                longest = wait
    return longest


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
