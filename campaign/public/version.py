"""The public-data version, moved on commit by every change the public could see.

Like the audit trail (campaign.history.recorder), this hangs on SQLAlchemy's session events
instead of calls in views: a flush that writes a case, an event, an organisation, a venue, a
source, a status change, a delivery pack or a message the public sees (or saw) marks the
session; the commit then moves the one row of ``public_versions`` in the same transaction, so
the new number is visible exactly when the change is, to every worker and every host.

A supporter's new message waits for review and is not public: sending one does not move the
version, so a flood of messages does not empty the page cache. Approving one does; it leaves
the records' version (``records_version``, the version at the last change to anything public
but a message) as it was, and the pages that show no message are kept under that one: a
verdict day's moderation does not make the calendars and feeds again.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session

from campaign.database import utcnow
from campaign.extensions import db
from campaign.models import (
    Appeal,
    AppealLetter,
    AppealResponse,
    AppealTarget,
    Case,
    CaseStatusChange,
    CaseTranslation,
    DeliveryPack,
    Event,
    EventTranslation,
    Message,
    MessageState,
    Organisation,
    Photo,
    PublicVersion,
    Source,
    Venue,
)
from campaign.models.site import VERSION_ROW

logger = logging.getLogger(__name__)

# Key of Session.info: this transaction changed public data, and what: messages only, or more.
_CHANGED = "campaign.public.changed"
_MESSAGES, _RECORDS = 1, 2
# Key of app.extensions: when the version's table was last looked for (inf: it is there).
_TABLE_CHECKED = "campaign.public_version_table"
_RECHECK_SECONDS = 60.0

# Every change to these is public (an unpublished case or an internal event may become public).
PUBLIC_MODELS: tuple[type[Any], ...] = (
    Appeal,
    AppealLetter,
    AppealResponse,
    AppealTarget,
    Case,
    CaseStatusChange,
    CaseTranslation,
    DeliveryPack,
    Event,
    EventTranslation,
    Organisation,
    Source,
    Venue,
)
# Statements that write these tables (bulk inserts, updates, deletes) change public data.
PUBLIC_TABLES = frozenset(
    {str(sa.inspect(model).local_table.name) for model in (*PUBLIC_MODELS, Message, Photo)}
    | {"case_links", "event_cases", "event_organisations", "event_sources", "appeal_cases"}
)
_MESSAGES_TABLE = str(sa.inspect(Message).local_table.name)
# The fields of a message the public sees through its counts: the delivered ones.
_MESSAGE_COUNTED = ("delivered_on",)
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Version:
    """The public-data version as read at the start of a request, and the records' own: the
    version at the last change to anything public but a message, and when that was."""

    number: int
    changed_at: datetime
    records: int
    records_changed_at: datetime


def init_app(app: Flask) -> None:
    """Move the version on every commit that changes public data."""
    for name, listener in (
        ("after_flush", _after_flush),
        ("before_commit", _before_commit),
        ("after_soft_rollback", _forget),
        ("do_orm_execute", _on_execute),
    ):
        if not sa.event.contains(db.session, name, listener):
            sa.event.listen(db.session, name, listener)


def current() -> Version | None:
    """The version as the database has it now (one primary-key lookup); None on a database
    not yet migrated to hold it (the page cache then stays off).

    Read on a connection of its own, outside the session, because it is read on every anonymous
    request and most of them need nothing else from the database. A page rendered after this
    read may show newer data than the number says; it is then kept under the older number,
    which only ever serves it to requests that read that number before the change: never stale.
    Without the row (a table emptied by hand) the version is 0 until the next change makes it.
    """
    if not _table_ready(db.engine):
        return None
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(_READ)
        row = cursor.fetchone()
        cursor.close()
    finally:
        connection.close()
    if row is None:
        return Version(0, _EPOCH, 0, _EPOCH)
    return Version(int(row[0]), _as_utc(row[1]), int(row[2]), _as_utc(row[3]))


# A constant statement: no parameters, so it reads the same on every driver.
_READ = (
    "SELECT version, changed_at, records_version, records_changed_at "  # noqa: S608  # nosec B608
    f"FROM public_versions WHERE id = {VERSION_ROW}"
)


def _as_utc(value: datetime | str) -> datetime:
    """The stored time as aware UTC (SQLite's driver gives text, psycopg a naive datetime)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _table_ready(bind: sa.Engine | sa.Connection) -> bool:
    """Whether the database has the version's table as this code reads it (with the records'
    version, migration 0022): a database at an older migration (code deployed before ``flask
    db upgrade``) works as before, uncached, and says so once; it is looked for again every
    minute until it is there."""
    seen: list[float] = current_app.extensions.setdefault(_TABLE_CHECKED, [])
    if seen and seen[0] == float("inf"):
        return True
    now = time.monotonic()
    if seen and now - seen[0] < _RECHECK_SECONDS:
        return False
    inspector = sa.inspect(bind)
    present = inspector.has_table(PublicVersion.__tablename__) and "records_version" in {
        column["name"] for column in inspector.get_columns(PublicVersion.__tablename__)
    }
    if not present and not seen:
        logger.warning(
            "the database's public_versions table is missing or older than this code: run "
            "'flask db upgrade'; until then public pages are not cached"
        )
    seen[:] = [float("inf") if present else now]
    return present


def _message_is_public(message: Message, *, new: bool) -> bool:
    """Whether a written message is or was on the site, or changed a delivered count."""
    state: Any = sa.inspect(message)
    if new:
        return message.state == MessageState.PUBLISHED
    history = state.attrs.state.history
    states = {*history.added, *history.deleted, *history.unchanged}
    if MessageState.PUBLISHED in states or message.state == MessageState.PUBLISHED:
        return True
    return any(state.attrs[name].history.has_changes() for name in _MESSAGE_COUNTED)


def _photo_is_public(photo: Photo, *, new: bool) -> bool:
    """Whether a written photo is or was published: uploading, blurring or describing an internal
    photo changes no public page, so it keeps the page cache."""
    if new:
        return photo.published
    history: Any = sa.inspect(photo).attrs.published.history
    return photo.published or True in (*history.added, *history.deleted, *history.unchanged)


def _touches_public(session: Session) -> int:
    """What of public data the session's changes touch: records (anything public but a
    message), messages only, or nothing (0)."""
    touched = 0
    for obj, new in (
        *((obj, True) for obj in session.new),
        *((obj, False) for obj in (*session.dirty, *session.deleted)),
    ):
        if isinstance(obj, PUBLIC_MODELS):
            return _RECORDS
        if isinstance(obj, Photo) and _photo_is_public(obj, new=new):
            return _RECORDS
        if isinstance(obj, Message) and not touched and _message_is_public(obj, new=new):
            touched = _MESSAGES
    return touched


def _mark(session: Session, touched: int) -> None:
    if touched > (session.info.get(_CHANGED) or 0):
        session.info[_CHANGED] = touched


def _after_flush(session: Session, _context: Any) -> None:
    """Note that this transaction wrote public data, and what (read while the changes are
    still known)."""
    if (session.info.get(_CHANGED) or 0) < _RECORDS:
        _mark(session, _touches_public(session))


def _on_execute(state: ORMExecuteState) -> None:
    """A statement that writes a public table (a bulk insert, update or delete) counts too."""
    if state.is_select or state.execution_options.get("private_write"):
        return
    statement = state.statement
    table = getattr(statement, "table", None)
    name = getattr(table, "name", None)
    if name is None:
        # Hand-written SQL: assume the worst unless it only reads.
        text = str(statement).lstrip().lower()
        if text.startswith(("select", "pragma", "with", "show")):
            return
    elif name not in PUBLIC_TABLES:
        return
    _mark(state.session, _MESSAGES if name == _MESSAGES_TABLE else _RECORDS)


def _before_commit(session: Session) -> None:
    """Move the version in the transaction being committed, if it changed public data."""
    if session.info.get(_CHANGED) is None and not (session.new or session.dirty or session.deleted):
        return
    session.flush()  # the commit's own flush comes after this hook: do it now
    # Looked for on the transaction's own connection: on SQLite, another one would wait for
    # this transaction's write lock.
    touched = session.info.pop(_CHANGED, 0)
    if not touched or not _table_ready(session.connection()):
        return
    session.execute(_bump_statement(session, records=touched == _RECORDS))


def _bump_statement(session: Session, *, records: bool) -> sa.Executable:
    """One statement that adds one to the version (and makes the new number the records' too
    when *records* changed), creating the row if it is missing."""
    now = utcnow()
    dialect = session.get_bind().dialect.name
    table = PublicVersion.__table__
    values = {
        "id": VERSION_ROW,
        "version": 1,
        "changed_at": now,
        "records_version": 1,
        "records_changed_at": now,
    }
    update: dict[str, Any] = {"version": table.c.version + 1, "changed_at": now}
    if records:
        # Both sides of SET read the row as it was: the records' version is the new number.
        update.update(records_version=table.c.version + 1, records_changed_at=now)
    if dialect == "postgresql":
        return (
            postgresql.insert(table)
            .values(values)
            .on_conflict_do_update(index_elements=[table.c.id], set_=update)
        )
    if dialect == "sqlite":
        return (
            sqlite.insert(table)
            .values(values)
            .on_conflict_do_update(index_elements=[table.c.id], set_=update)
        )
    return sa.update(table).where(table.c.id == VERSION_ROW).values(update)


def _forget(session: Session, previous: Any) -> None:
    """A rollback undoes the changes, and with them the need to move the version (a savepoint's
    rollback leaves the changes made before it, so the mark stays: moving it once too often is
    harmless, missing one is not)."""
    if not getattr(previous, "nested", False):
        session.info.pop(_CHANGED, None)
