"""The search index kept in step with cases and events by one SQLAlchemy flush hook.

After each flush the hook rewrites the document (campaign.models.search) of every case and event
the flush added or changed, and of the events at a venue that changed, and deletes the documents
of deleted ones, in the same transaction: a document is never saved without its change, nor the
change without it. The database's own triggers or index take it from there. Nothing else writes
documents but :func:`rebuild`, for ``flask search rebuild``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, object_session

from campaign.extensions import db
from campaign.models import (
    Case,
    CaseTranslation,
    Event,
    EventTranslation,
    SearchDocument,
    Venue,
)
from campaign.models.translations import CASE_TRANSLATED
from campaign.util.slugs import folded_words

CASE = "case"
EVENT = "event"
# Keys of Session.info: indexing switched off; events whose venue the flush deletes.
_SUSPENDED = "campaign.search.suspended"
_UNLINKED = "campaign.search.unlinked"


def _fold(*texts: str | None) -> str:
    return " ".join(word for text in texts if text for word in folded_words(text))


def case_document(case: Case) -> tuple[str, str]:
    """The heading and body words of a case: what the public page shows, never internal notes."""
    heading = _fold(case.person_name, case.person_name_original)
    body = _fold(
        case.occupation,
        case.affiliation,
        case.city,
        case.charges,
        case.legal_article,
        case.court,
        case.judge,
        case.detention_place,
        case.sentence,
        case.summary,
        *_translated(case, CASE_TRANSLATED),
    )
    return heading, body


def event_document(event: Event) -> tuple[str, str]:
    """The heading and body words of an event: its title, then its place and what it said."""
    venue = event.venue
    body = _fold(
        venue.name if venue else None,
        venue.city if venue else None,
        event.city,
        event.description,
        event.outcome,
        event.authority,
        event.authority_response,
        *_translated(event, ("description", "outcome")),
    )
    titles = _translated(event, ("title",))
    return _fold(event.title, *titles), body


def _translated(record: Case | Event, fields: tuple[str, ...]) -> list[str | None]:
    """The texts of a record's translations, so a search in any language finds it.

    Read in SQL on the session's connection, not through ``record.translations``: the hook
    runs inside a flush, where loading objects just written would put second copies of them
    in the session.
    """
    session = object_session(record)
    if session is None or record.id is None:
        return []
    table = (CaseTranslation if isinstance(record, Case) else EventTranslation).__table__
    parent = table.c.case_id if isinstance(record, Case) else table.c.event_id
    rows = session.connection().execute(
        sa.select(*(table.c[f] for f in fields)).where(parent == record.id)
    )
    return [text for row in rows for text in row]


def init_app(app: Flask) -> None:
    """Keep the index in step with every flush of the app's session."""
    for name, listener in (("before_flush", _before_flush), ("after_flush", _after_flush)):
        if not sa.event.contains(db.session, name, listener):
            sa.event.listen(db.session, name, listener)


@contextmanager
def suspended() -> Iterator[None]:
    """Write no documents for the changes flushed inside the block.

    Only for a database whose schema predates the index (a migration's test building the old
    state): migration 0006 indexes what is there, as ``flask search rebuild`` does.
    """
    session = db.session()
    session.flush()
    session.info[_SUSPENDED] = True
    try:
        yield
        session.flush()
    finally:
        session.info.pop(_SUSPENDED, None)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    """Note the events at a venue about to be deleted: the database unlinks them itself."""
    if session.info.get(_SUSPENDED):
        return
    gone = [v.id for v in session.deleted if isinstance(v, Venue) and v.id is not None]
    if gone:
        with session.no_autoflush:
            ids = session.scalars(sa.select(Event.id).where(Event.venue_id.in_(gone)))
            session.info.setdefault(_UNLINKED, set()).update(ids)


def _after_flush(session: Session, _context: Any) -> None:
    if session.info.get(_SUSPENDED):
        return
    changed: dict[str, set[int]] = {CASE: set(), EVENT: set()}
    gone: dict[str, set[int]] = {CASE: set(), EVENT: set()}
    venues: set[int] = set()
    changed[EVENT].update(session.info.pop(_UNLINKED, ()))
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Case):
            changed[CASE].add(obj.id)
        elif isinstance(obj, Event):
            changed[EVENT].add(obj.id)
        elif isinstance(obj, Venue) and obj.id is not None:
            venues.add(obj.id)
    for obj in (*session.new, *session.dirty, *session.deleted):
        # A translation is part of its record's document.
        if isinstance(obj, CaseTranslation) and obj.case_id is not None:
            changed[CASE].add(obj.case_id)
        elif isinstance(obj, EventTranslation) and obj.event_id is not None:
            changed[EVENT].add(obj.event_id)
    for obj in session.deleted:
        if isinstance(obj, Case):
            gone[CASE].add(obj.id)
        elif isinstance(obj, Event):
            gone[EVENT].add(obj.id)
    if not (venues or any(changed.values()) or any(gone.values())):
        return  # most flushes (audit entries, sessions, messages) touch nothing indexed
    connection = session.connection()
    if venues:
        changed[EVENT].update(
            connection.scalars(sa.select(Event.id).where(Event.venue_id.in_(venues)))
        )
    for kind in (CASE, EVENT):
        changed[kind] -= gone[kind]
        if gone[kind]:
            connection.execute(
                sa.delete(SearchDocument).where(
                    SearchDocument.kind == kind, SearchDocument.object_id.in_(gone[kind])
                )
            )
    if not (changed[CASE] or changed[EVENT]):
        return
    with session.no_autoflush:
        rows = [_row(CASE, session.get(Case, i)) for i in sorted(changed[CASE])]
        rows += [_row(EVENT, session.get(Event, i)) for i in sorted(changed[EVENT])]
    _upsert(connection, [r for r in rows if r is not None])


def _row(kind: str, obj: Case | Event | None) -> dict[str, Any] | None:
    if obj is None:
        return None
    heading, body = case_document(obj) if isinstance(obj, Case) else event_document(obj)
    return {"kind": kind, "object_id": obj.id, "heading": heading, "body": body}


def _upsert(connection: sa.Connection, rows: list[dict[str, Any]]) -> None:
    """Insert or replace documents, on the unique (kind, object_id), in one statement."""
    if not rows:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(SearchDocument).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=[SearchDocument.kind, SearchDocument.object_id],
        set_={"heading": statement.excluded.heading, "body": statement.excluded.body},
    )
    connection.execute(statement)


def _all(model: type[Case] | type[Event]) -> Iterable[Any]:
    return db.session.scalars(sa.select(model).order_by(model.id))


def rebuild() -> int:
    """Write every document afresh (after a change of what documents hold); returns how many."""
    connection = db.session.connection()
    connection.execute(sa.delete(SearchDocument))
    rows = [_row(CASE, c) for c in _all(Case)] + [_row(EVENT, e) for e in _all(Event)]
    kept = [r for r in rows if r is not None]
    for start in range(0, len(kept), 500):
        _upsert(connection, kept[start : start + 500])
    return len(kept)
