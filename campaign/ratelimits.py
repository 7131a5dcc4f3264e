"""Rate limits that every worker shares: counters in the database by default, Redis when set.

Flask-Limiter's own default (``memory://``) counts per worker process, so four gunicorn workers
let one client through four times as often. ``limits`` ships no SQL storage, hence the small one
here: one fixed-window counter per row, incremented and read back in one atomic
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` (SQLite 3.35+ and PostgreSQL alike), in the
shared store of campaign.ephemeral.

With ``RATELIMIT_STORAGE_URI`` set to Redis, Redis keeps the counters; if it stops answering,
the database takes over (with a warning in the log) until Redis answers again: never a 500, and
never a request let through without a limit.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from typing import Any

import sqlalchemy as sa
from flask import Flask
from limits.storage import Storage, storage_from_string

from campaign import ephemeral
from campaign.models import RateLimit

logger = logging.getLogger(__name__)

DATABASE_URI = "database://"
_FALLBACK_URI = "campaign-fallback://"
# How long the database stands in for an unreachable Redis before Redis is tried again.
RETRY_SECONDS = 30.0
# A dead Redis must not hold a request for long.
REDIS_TIMEOUTS = {"socket_connect_timeout": 1, "socket_timeout": 1}
_TABLE = RateLimit.__table__


def init_app(app: Flask) -> None:
    """Point Flask-Limiter at the shared store (call before ``limiter.init_app``)."""
    config = app.config
    uri = str(config["RATELIMIT_STORAGE_URI"] or DATABASE_URI)
    if uri.startswith(("redis", "rediss")):
        options = dict(config.get("RATELIMIT_STORAGE_OPTIONS") or {})
        config["RATELIMIT_STORAGE_OPTIONS"] = {"primary": uri, **REDIS_TIMEOUTS, **options}
        uri = _FALLBACK_URI
    config["RATELIMIT_STORAGE_URI"] = uri
    # Before Flask-Limiter's own hooks (it is initialised after this): each request starts
    # knowing none of the counters.
    app.before_request(_start_request)
    app.teardown_request(_end_request)


def _key(key: str) -> str:
    """Keys fit the column: a long one is replaced by its digest."""
    if len(key) <= 255:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


# Fixed text, the same on SQLite and PostgreSQL: a textual statement skips the expression
# building and cache-key work of a Core one, which costs more than the statement on SQLite.
_INCR = sa.text(
    'INSERT INTO rate_limits ("key", hits, expires_at) VALUES (:key, :amount, :expires) '
    'ON CONFLICT ("key") DO UPDATE SET '
    "hits = CASE WHEN rate_limits.expires_at <= :now THEN :amount "
    "ELSE rate_limits.hits + :amount END, "
    "expires_at = CASE WHEN rate_limits.expires_at <= :now THEN :expires "
    "ELSE rate_limits.expires_at END "
    "RETURNING hits, expires_at"
)
_READ = sa.text('SELECT hits, expires_at FROM rate_limits WHERE "key" = :key AND expires_at > :now')
# A client's other counters, read in the transaction that counts one of them (SQLite only, see
# DatabaseStorage.incr): one range of the primary key, in SQLite's byte order.
_SIBLINGS = sa.text(
    'SELECT "key", hits, expires_at FROM rate_limits '
    'WHERE "key" >= :low AND "key" < :high AND expires_at > :now'
)

# What this request already knows of its counters: Flask-Limiter reads a counter back (for the
# X-RateLimit headers, and before a conditional deduction) right after this request wrote or
# read it. Kept for one request of one thread only, so another worker's hits are never missed
# from one request to the next.
_REQUEST = threading.local()


def _known() -> dict[str, tuple[int, float]] | None:
    known: dict[str, tuple[int, float]] | None = getattr(_REQUEST, "counters", None)
    return known


def _read_prefixes() -> set[str] | None:
    """The key prefixes (a client's) whose every live counter this request has read."""
    read: set[str] | None = getattr(_REQUEST, "prefixes", None)
    return read


def _start_request() -> None:
    _REQUEST.counters = {}
    _REQUEST.prefixes = set()


def _end_request(_error: BaseException | None = None) -> None:
    _REQUEST.counters = None
    _REQUEST.prefixes = None


def _client_prefix(key: str) -> str | None:
    """The part of a ``limits`` key that names the client ("LIMITER/<client>/"): the keys of
    one client's limits all start with it. None for a key stored as its digest."""
    parts = key.split("/", 2)
    if len(parts) < 3 or len(key) > 255:
        return None
    return f"{parts[0]}/{parts[1]}/"


class DatabaseStorage(Storage):
    """Fixed-window counters in the ``rate_limits`` table (the ``database://`` storage)."""

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any):
        super().__init__(uri, wrap_exceptions=wrap_exceptions)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sa.exc.SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add *amount* hits, starting a new window if the last one ended; one statement.

        On SQLite the same transaction reads the client's other counters, for the request's
        next checks (a conditional limit is read before the view runs): on SQLite every
        transaction here waits for the file's one write lock, and a post checks two or three
        limits. They are as fresh as a read a moment later could be: no other request of this
        client can count between the two (Flask-Limiter's read-then-count of a conditional
        limit is not atomic either way). PostgreSQL reads each counter when it is asked for.
        """
        now = time.time()
        values = {"key": _key(key), "amount": amount, "expires": now + expiry, "now": now}
        known, prefixes = _known(), _read_prefixes()
        prefix = _client_prefix(key) if known is not None and prefixes is not None else None
        engine = ephemeral.engine()
        if engine.dialect.name != "sqlite" or (prefixes is not None and prefix in prefixes):
            prefix = None  # not SQLite, or this request has read them already
        siblings: list[Any] = []
        with engine.begin() as connection:
            hits, expires_at = connection.execute(_INCR, values).one()
            if prefix is not None:
                bounds = {"low": prefix, "high": prefix[:-1] + "0", "now": now}  # "0" follows "/"
                siblings = list(connection.execute(_SIBLINGS, bounds))
        if known is not None:
            for sibling, sibling_hits, sibling_expiry in siblings:
                known[str(sibling)] = (int(sibling_hits), float(sibling_expiry))
            known[key] = (int(hits), float(expires_at))
        if prefix is not None and prefixes is not None:
            prefixes.add(prefix)
        return int(hits)

    def _row(self, key: str) -> tuple[int, float] | None:
        known = _known()
        if known is not None and key in known:
            hits, expires_at = known[key]
            return (hits, expires_at) if expires_at > time.time() else None
        prefixes = _read_prefixes()
        prefix = _client_prefix(key)
        if prefixes and prefix in prefixes:
            return None  # read with the client's other counters: it has no live window
        engine = ephemeral.engine()
        now = time.time()
        if engine.dialect.name == "sqlite" and prefix is not None and known is not None:
            # The client's every counter in one read (its other limits are checked next).
            bounds = {"low": prefix, "high": prefix[:-1] + "0", "now": now}
            with ephemeral.reads(), engine.connect() as connection:
                rows = list(connection.execute(_SIBLINGS, bounds))
                connection.rollback()
            for sibling, sibling_hits, sibling_expiry in rows:
                known[str(sibling)] = (int(sibling_hits), float(sibling_expiry))
            if prefixes is not None:
                prefixes.add(prefix)
            if key not in known:
                return None
            hits, expires_at = known[key]
            return (hits, expires_at) if expires_at > now else None
        with ephemeral.reads(), engine.connect() as connection:
            row = connection.execute(_READ, {"key": _key(key), "now": now}).first()
            connection.rollback()
        found = (int(row[0]), float(row[1])) if row is not None else None
        if known is not None:
            known[key] = found if found is not None else (0, 0.0)
        return found

    def get(self, key: str) -> int:
        """The hits of the current window (0 when it has ended)."""
        row = self._row(key)
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        """When the current window ends (now, when there is none)."""
        row = self._row(key)
        return row[1] if row else time.time()

    def check(self) -> bool:
        """Whether the table answers."""
        try:
            with ephemeral.engine().connect() as connection:
                connection.execute(sa.select(sa.func.count()).select_from(_TABLE))
                connection.rollback()
        except sa.exc.SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every counter; returns how many there were."""
        known, prefixes = _known(), _read_prefixes()
        if known is not None:
            known.clear()
        if prefixes is not None:
            prefixes.clear()
        with ephemeral.engine().begin() as connection:
            result = connection.execute(sa.delete(_TABLE))
        return int(result.rowcount or 0)

    def clear(self, key: str) -> None:
        """Forget one counter."""
        known, prefixes = _known(), _read_prefixes()
        if known is not None:
            known.pop(key, None)
        if prefixes is not None:
            prefixes.discard(_client_prefix(key) or "")
        with ephemeral.engine().begin() as connection:
            connection.execute(sa.delete(_TABLE).where(_TABLE.c.key == _key(key)))


class FallbackStorage(Storage):
    """Redis (or another ``limits`` storage) first; the database while it does not answer."""

    STORAGE_SCHEME = ["campaign-fallback"]

    def __init__(
        self,
        uri: str | None = None,
        wrap_exceptions: bool = False,
        primary: str = "",
        **options: Any,
    ):
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self.primary = storage_from_string(primary, **options)
        self.fallback = DatabaseStorage()
        self._down_until = 0.0

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sa.exc.SQLAlchemyError

    def _call(self, method: str, *args: Any) -> Any:
        if time.monotonic() >= self._down_until:
            try:
                return getattr(self.primary, method)(*args)
            except self.primary.base_exceptions as error:
                logger.warning(
                    "the rate-limit store is unreachable (%s): the database keeps the limits "
                    "for the next %d seconds",
                    type(error).__name__,
                    RETRY_SECONDS,
                )
                self._down_until = time.monotonic() + RETRY_SECONDS
        return getattr(self.fallback, method)(*args)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Count in Redis, else in the database."""
        return int(self._call("incr", key, expiry, amount))

    def get(self, key: str) -> int:
        """Read from Redis, else from the database."""
        return int(self._call("get", key))

    def get_expiry(self, key: str) -> float:
        """Read from Redis, else from the database."""
        return float(self._call("get_expiry", key))

    def check(self) -> bool:
        """Healthy while either store answers."""
        return bool(self.primary.check() or self.fallback.check())

    def reset(self) -> int | None:
        """Forget every counter in both stores."""
        found = self._call("reset")
        self.fallback.reset()
        return int(found) if found is not None else None

    def clear(self, key: str) -> None:
        """Forget one counter in both stores."""
        self._call("clear", key)
        self.fallback.clear(key)
