"""The search index: one document per case and per event, and the database's full-text index.

A document holds the searchable words of its object, folded to lower-case ASCII
(:func:`campaign.util.slugs.folded_words`), so "Айнур" and "Ainur" are the same word to both
databases. ``heading`` holds the names (a case's person in both scripts, an event's title) and
weighs more in the ranking; ``body`` the rest. What the public may find is decided when searching,
from the live rows (campaign.search.queries), never from the document.

The full-text index itself lives in the database and is no model: on SQLite an FTS5 table kept in
step with ``search_documents`` by triggers, on PostgreSQL a GIN index over weighted tsvectors
(and pg_trgm for misspellings, where the database lets us create it). :func:`index_ddl` says
what they are; ``create_all`` builds them through the table's events and migration 0006 builds the
same. :func:`is_database_side` tells Alembic's comparison to leave them alone.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from campaign.database import NEVER_REUSE_IDS
from campaign.extensions import db

FTS_TABLE = "search_fts"
PG_INDEX = "ix_search_documents_fulltext"
# The tsvector the PostgreSQL index holds (written out in index_ddl, as in migration 0006): a
# search must use this very expression for the index to serve it.
PG_VECTOR = (
    "setweight(to_tsvector('simple'::regconfig, heading), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, body), 'B')"
)


class SearchDocument(db.Model):  # type: ignore[name-defined]
    """The folded words of one case or event, as the full-text index reads them."""

    __tablename__ = "search_documents"
    __table_args__ = (
        sa.UniqueConstraint("kind", "object_id", name="uq_search_documents_kind_object"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # "case" or "event"
    object_id: Mapped[int]
    heading: Mapped[str] = mapped_column(sa.Text, default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")


def index_ddl(dialect: str) -> list[str]:
    """The statements that build the full-text index over ``search_documents`` on *dialect*."""
    if dialect == "sqlite":
        return [
            "CREATE VIRTUAL TABLE search_fts USING fts5(heading, body, "
            "content='search_documents', content_rowid='id', tokenize='unicode61')",
            # The triggers FTS5's manual gives for a table indexing another table's content.
            "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
            "INSERT INTO search_fts(rowid, heading, body) "
            "VALUES (new.id, new.heading, new.body); END",
            "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
            "INSERT INTO search_fts(search_fts, rowid, heading, body) "
            "VALUES ('delete', old.id, old.heading, old.body); END",
            "CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN "
            "INSERT INTO search_fts(search_fts, rowid, heading, body) "
            "VALUES ('delete', old.id, old.heading, old.body); "
            "INSERT INTO search_fts(rowid, heading, body) "
            "VALUES (new.id, new.heading, new.body); END",
        ]
    if dialect == "postgresql":
        return [
            "CREATE INDEX ix_search_documents_fulltext ON search_documents "
            "USING gin ((setweight(to_tsvector('simple'::regconfig, heading), 'A') || "
            "setweight(to_tsvector('simple'::regconfig, body), 'B')))",
            # Trigram similarity finds misspelt names. Creating the extension needs a privilege
            # a deployment may not grant: without it, search simply does without (see queries).
            # In the public schema when possible, so every schema of the database shares it.
            "DO $$ BEGIN "
            "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public; "
            "EXCEPTION WHEN OTHERS THEN "
            "BEGIN CREATE EXTENSION IF NOT EXISTS pg_trgm; "
            "EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'pg_trgm unavailable: no fuzzy search'; END; "
            "END $$",
        ]
    return []


def drop_ddl(dialect: str) -> list[str]:
    """What dropping ``search_documents`` leaves behind on *dialect* (its triggers go with it)."""
    return ["DROP TABLE IF EXISTS search_fts"] if dialect == "sqlite" else []


def is_database_side(name: str | None, type_: str, parent_names: Any) -> bool:
    """Whether a reflected name is part of the full-text index, which no model describes."""
    if type_ == "table":
        return bool(name) and (name == FTS_TABLE or str(name).startswith(f"{FTS_TABLE}_"))
    return type_ == "index" and name == PG_INDEX


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic's ``include_name`` hook: compare everything but the full-text index."""
    return not is_database_side(name, type_, parent_names)


def _create_index(target: sa.Table, connection: sa.Connection, **_: Any) -> None:
    for statement in index_ddl(connection.dialect.name):
        connection.exec_driver_sql(statement)


def _drop_index(target: sa.Table, connection: sa.Connection, **_: Any) -> None:
    for statement in drop_ddl(connection.dialect.name):
        connection.exec_driver_sql(statement)


sa.event.listen(SearchDocument.__table__, "after_create", _create_index)
sa.event.listen(SearchDocument.__table__, "before_drop", _drop_index)
