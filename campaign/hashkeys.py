"""The random keys behind client hashes, shared by every worker and deleted when they expire.

A client's address is only ever stored as a keyed hash (campaign.util.privacy.keyed_hash). The
key of each period is random, not derived from the app secret, and is deleted once
``CLIENT_HASH_RETENTION_HOURS`` have passed since its period ended: from then on, nothing on the
server (database, secret, configuration) can tell which address a stored hash came from.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.dialects import postgresql, sqlite

from campaign import ephemeral
from campaign.database import utcnow
from campaign.models import ClientHashKey, RateLimit
from campaign.util.privacy import KEY_SOURCE, period_end

_CACHE = "campaign.hash_keys"


def init_app(app: Flask) -> None:
    """Give keyed_hash its keys from the shared store."""
    app.extensions[KEY_SOURCE] = key_for
    app.extensions[_CACHE] = {}


def retention() -> timedelta:
    """How long a client hash is kept (and its key after its period ends)."""
    return timedelta(hours=float(current_app.config["CLIENT_HASH_RETENTION_HOURS"]))


def key_for(period: str) -> bytes:
    """The key of *period*: from this worker's memory, else the shared store, else a new one."""
    cache: dict[str, bytes] = current_app.extensions[_CACHE]
    key = cache.get(period)
    if key is None:
        key = _load_or_create(period)
        _forget_expired(utcnow())
        cache[period] = key
    return key


def _forget_expired(now: datetime) -> None:
    """A worker forgets an expired key too, not only the database."""
    cache: dict[str, bytes] = current_app.extensions[_CACHE]
    for known in [period for period in cache if _expired(period, now)]:
        del cache[known]


def _expired(period: str, now: datetime) -> bool:
    return period_end(period) + retention() < now


def _insert(dialect: str) -> type[sqlite.Insert] | type[postgresql.Insert]:
    return postgresql.Insert if dialect == "postgresql" else sqlite.Insert


def _load_or_create(period: str) -> bytes:
    """Read the period's key, or create it once for every worker (the first insert wins)."""
    engine = ephemeral.engine()
    select = sa.select(ClientHashKey.key).where(ClientHashKey.period == period)
    with engine.connect() as connection:
        found = connection.scalar(select)
        connection.rollback()
    if found is None:
        with engine.begin() as connection:
            insert = _insert(engine.dialect.name)(ClientHashKey).values(
                period=period, key=secrets.token_hex(32), created_at=utcnow()
            )
            connection.execute(insert.on_conflict_do_nothing(index_elements=["period"]))
            found = connection.scalar(select)
            _purge(connection, utcnow())
    return bytes.fromhex(str(found))


def purge(now: datetime | None = None) -> int:
    """Delete expired keys and rate-limit counters; returns how many keys went."""
    now = now or utcnow()
    _forget_expired(now)
    with ephemeral.engine().begin() as connection:
        return _purge(connection, now)


def _purge(connection: sa.Connection, now: datetime) -> int:
    """Run at each rotation: keys whose hashes are all past retention, counters past expiry."""
    periods = connection.scalars(sa.select(ClientHashKey.period)).all()
    expired = [period for period in periods if _expired(period, now)]
    if expired:
        connection.execute(sa.delete(ClientHashKey).where(ClientHashKey.period.in_(expired)))
    connection.execute(sa.delete(RateLimit).where(RateLimit.expires_at < now.timestamp()))
    return len(expired)
