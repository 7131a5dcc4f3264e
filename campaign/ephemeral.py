"""Where short-lived state shared by every worker lives: the random keys behind client hashes
(campaign.hashkeys) and the rate-limit counters (campaign.ratelimits).

On PostgreSQL that is the app's own database, through connections of their own, so a counter
or a key is written at once whatever the request's transaction does. On SQLite it is a file of
its own beside the database (``<name>-shared.sqlite``): SQLite locks a whole file, and a request
that holds the write lock of the main database must never wait for itself to write a counter.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.pool import QueuePool, StaticPool

from campaign.database import tune_sqlite
from campaign.extensions import db
from campaign.models import ClientHashKey, RateLimit

_ENGINE = "campaign.ephemeral_engine"
TABLES = (ClientHashKey.__table__, RateLimit.__table__)


def init_app(app: Flask) -> None:
    """Choose the engine of the shared state; on SQLite, create its file and tables."""
    main = db.engine
    if main.dialect.name != "sqlite":
        app.extensions[_ENGINE] = main
        return
    database = main.url.database
    if database in (None, "", ":memory:"):
        engine = sa.create_engine("sqlite://", poolclass=StaticPool)
    else:
        path = Path(str(database))
        shared = path.with_name(f"{path.stem}-shared.sqlite")
        if not shared.exists():
            # Owner-only, like the database: its counters are keyed by client hashes.
            os.close(os.open(shared, os.O_WRONLY | os.O_CREAT, 0o600))
        engine = sa.create_engine(
            f"sqlite:///{shared}",
            # Connections are kept between uses: opening one costs more than a counter's
            # statement, and closing the last one checkpoints the file's write-ahead log.
            poolclass=QueuePool,
            connect_args={"timeout": app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000},
        )
    # Every unit of work here writes but for reads() blocks: take the write lock at BEGIN so
    # writers queue.
    tune_sqlite(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"], _may_write)
    with engine.begin() as connection:
        for table in TABLES:
            table.create(connection, checkfirst=True)
    if not isinstance(engine.pool, StaticPool):
        # None is left open for a forked worker to inherit (gunicorn --preload): each opens
        # its own (an in-memory database lives in its one connection, and stays).
        engine.dispose()
    app.extensions[_ENGINE] = engine


_READING = threading.local()


def _may_write() -> bool:
    return not getattr(_READING, "active", False)


@contextmanager
def reads() -> Iterator[None]:
    """A block whose transactions here only read: on SQLite they begin without the write lock
    (WAL lets them read while another process writes), so they never queue behind writers."""
    previous = getattr(_READING, "active", False)
    _READING.active = True
    try:
        yield
    finally:
        _READING.active = previous


def engine() -> sa.Engine:
    """The engine of the current app's shared short-lived state."""
    found: sa.Engine = current_app.extensions[_ENGINE]
    return found
