"""The database layer: the declarative base, shared column types, and engine tuning for SQLite."""

from __future__ import annotations

import enum
import fcntl
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Now, as an aware UTC datetime: the callable default of every timestamp column."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timestamp stored as naive UTC on every database and always read back as aware UTC."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def str_enum(enum_class: type[enum.Enum], length: int = 32) -> sa.Enum:
    """A portable enum column: a VARCHAR holding the member's value, no native database type."""
    return sa.Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


# SQLite reuses the highest id after a delete unless a table says AUTOINCREMENT; ids are public
# (calendar UIDs, feed entries, the audit trail), so a deleted event's id must never come back.
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}

# Execution options of a bulk statement that writes only what the public never sees (erasing
# supporters' e-mails, client hashes, texts as sent): the public-data version ignores it, so
# the housekeeping that runs with every message sent does not empty the page cache.
PRIVATE_WRITE = {"synchronize_session": False, "private_write": True}

# Execution options of a bulk statement on messages that changes no count of a case's reach
# (campaign.timeline.reach: states, consent, countries), such as packing and delivering them:
# without it, the reach of every case is counted again on commit.
KEEPS_REACH = {"keeps_reach": True}


class Base(DeclarativeBase):
    """The base of every model: shared metadata with a naming convention Alembic can rely on.

    Models that declare their own ``__table_args__`` end them with :data:`NEVER_REUSE_IDS`.
    """

    __table_args__: Any = NEVER_REUSE_IDS

    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


@dataclass(frozen=True)
class Audited:
    """Declares a model audited (``__audit__ = Audited(...)``): the history records its changes.

    Columns are always recorded. *relations* names the relationships recorded too, by the names
    of the related objects; *ids_of* the relationships whose ids a deletion keeps as
    ``<singular>_ids`` (so the history of a case can still list the events deleted from it);
    *hidden* the columns recorded as "(hidden)": that they changed, never what they held (a
    supporter's words and name, which must be erasable).
    """

    relations: tuple[str, ...] = ()
    ids_of: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()


def begin_statement(may_write: bool) -> str:
    """BEGIN IMMEDIATE for a unit of work that may write, plain BEGIN for a read-only one.

    In WAL mode a deferred transaction that reads and then writes fails at once with
    "database is locked" if another process wrote in between, whatever the busy timeout.
    Taking the write lock at BEGIN makes concurrent writers queue on the busy timeout instead.
    """
    return "BEGIN IMMEDIATE" if may_write else "BEGIN"


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _unicode_upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


def tune_sqlite(
    engine: sa.Engine, busy_timeout_ms: int, may_write: Callable[[], bool], mmap_bytes: int = 0
) -> None:
    """Foreign keys on, WAL, a busy timeout, Unicode lower(), and explicit BEGINs per connection.

    *may_write* says whether the work under way may write (a read-only request does not);
    *mmap_bytes* how much of the file is read through a memory map (0: none).
    """

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself instead of the driver's implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        if mmap_bytes:
            # Read the file through a memory map: after another process writes, SQLite drops
            # its page cache, and pages read from a map cost less than pages copied again.
            cursor.execute(f"PRAGMA mmap_size={int(mmap_bytes)}")
        cursor.close()
        # SQLite's own lower()/upper() know only ASCII, so a search for "Айнур" would never match
        # "айнур"; Python's str methods know every script (and ILIKE compiles to lower() here).
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
        dbapi_connection.create_function("upper", 1, _unicode_upper, deterministic=True)

    queue = _WriterQueue.beside(engine, busy_timeout_ms)

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        writes = may_write()
        if writes and queue is not None:
            queue.enter(connection.info)
        connection.exec_driver_sql(begin_statement(writes))

    if queue is not None:

        @sa.event.listens_for(engine, "checkin")
        def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
            queue.leave(record.info)

        @sa.event.listens_for(engine, "close")
        def _on_close(_dbapi_connection: Any, record: Any) -> None:
            queue.leave(record.info)


class _WriterQueue:
    """The processes of one host that write to one SQLite file, taking turns on a lock file
    (``<database>-writers.lock``) before BEGIN IMMEDIATE, and giving it back when the connection
    returns to the pool (after its commit or rollback).

    SQLite's own wait for its write lock sleeps 1, 2, 5, 10 ... 100 ms between tries, so two
    busy workers that want it often leave it idle most of the time (a burst of supporters'
    messages then stores a few dozen a second). Here a waiter tries again within a millisecond.
    After the busy timeout it goes on to BEGIN IMMEDIATE anyway, and SQLite decides as before.
    The file is opened for each turn and closed after it, so nothing stays open in between,
    and a process that dies lets go of its turn with its files.
    """

    _HELD = "campaign.writer_lock"
    _LONGEST_NAP = 0.001

    def __init__(self, path: str, timeout: float) -> None:
        self.path = path
        self.timeout = timeout

    @classmethod
    def beside(cls, engine: sa.Engine, busy_timeout_ms: int) -> _WriterQueue | None:
        """The queue of *engine*'s database file; None for an in-memory database."""
        database = engine.url.database
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        return cls(f"{database}-writers.lock", busy_timeout_ms / 1000)

    def enter(self, info: dict[Any, Any]) -> None:
        """Wait for this host's other writers (up to the busy timeout)."""
        held = info.get(self._HELD)
        if held is not None and held[0] == os.getpid():
            return  # this connection's turn goes on (a second transaction before checkin)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + self.timeout
        nap = 0.0001
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() < deadline:
                    time.sleep(nap)
                    nap = min(nap * 2, self._LONGEST_NAP)
                    continue
                os.close(fd)  # SQLite's busy timeout decides from here
                return
            info[self._HELD] = (os.getpid(), fd)
            return

    def leave(self, info: dict[Any, Any]) -> None:
        """Let the next writer in (closing the file lets go of the lock)."""
        held = info.pop(self._HELD, None)
        if held is not None and held[0] == os.getpid():  # not a parent's, after a fork
            os.close(held[1])
