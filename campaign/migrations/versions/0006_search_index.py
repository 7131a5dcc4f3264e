"""Full-text search: a document per case and event, and the database's index over them

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04

search_documents holds the searchable words of each case and event, folded to lower-case ASCII
and transliterated (Айнур is ainur). On SQLite an FTS5 table indexes it, kept in step by
triggers; on PostgreSQL a GIN index over weighted tsvectors, and pg_trgm for misspelt names
where the database lets us create the extension (it is left in place on downgrade: other
schemas of the database may use it). The documents of the existing cases and events are
written here, with the folding of this revision; `flask search rebuild` writes them afresh.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from slugify import slugify

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

PG_VECTOR = (
    "setweight(to_tsvector('simple'::regconfig, heading), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, body), 'B')"
)
SQLITE_INDEX = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(heading, body, "
    "content='search_documents', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
    "INSERT INTO search_fts(rowid, heading, body) VALUES (new.id, new.heading, new.body); END",
    "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, heading, body) "
    "VALUES ('delete', old.id, old.heading, old.body); END",
    "CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, heading, body) "
    "VALUES ('delete', old.id, old.heading, old.body); "
    "INSERT INTO search_fts(rowid, heading, body) VALUES (new.id, new.heading, new.body); END",
]
POSTGRES_INDEX = [
    f"CREATE INDEX ix_search_documents_fulltext ON search_documents USING gin (({PG_VECTOR}))",
    "DO $$ BEGIN "
    "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public; "
    "EXCEPTION WHEN OTHERS THEN "
    "BEGIN CREATE EXTENSION IF NOT EXISTS pg_trgm; "
    "EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'pg_trgm unavailable: no fuzzy search'; END; "
    "END $$",
]
# Kazakh letters and the Latin letter a reader expects (as campaign.util.slugs has them).
PLAIN_LATIN = [
    ["Ә", "A"], ["ә", "a"], ["Ғ", "G"], ["ғ", "g"], ["Қ", "K"], ["қ", "k"], ["Ң", "N"], ["ң", "n"],
    ["Ө", "O"], ["ө", "o"], ["Ұ", "U"], ["ұ", "u"], ["Ү", "U"], ["ү", "u"], ["Һ", "H"], ["һ", "h"],
    ["І", "I"], ["і", "i"],
]  # fmt: skip
CASE_HEADING = ("person_name", "person_name_original")
CASE_BODY = (
    "occupation",
    "affiliation",
    "city",
    "charges",
    "legal_article",
    "court",
    "judge",
    "detention_place",
    "sentence",
    "summary",
)
EVENT_BODY = (
    "venue_name",
    "venue_city",
    "city",
    "description",
    "outcome",
    "authority",
    "authority_response",
)


def _fold(*texts: Any) -> str:
    words: list[str] = []
    for text in texts:
        if text:
            words += slugify(
                str(text),
                separator=" ",
                replacements=PLAIN_LATIN,
                entities=False,
                decimal=False,
                hexadecimal=False,
            ).split()
    return " ".join(words)


def upgrade():
    documents = op.create_table(
        "search_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("heading", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_documents")),
        sa.UniqueConstraint("kind", "object_id", name="uq_search_documents_kind_object"),
        sqlite_autoincrement=True,
    )
    bind = op.get_bind()
    dialect = bind.dialect.name
    for statement in {"sqlite": SQLITE_INDEX, "postgresql": POSTGRES_INDEX}.get(dialect, []):
        op.execute(statement)
    rows = [
        {
            "kind": "case",
            "object_id": row["id"],
            "heading": _fold(*(row[c] for c in CASE_HEADING)),
            "body": _fold(*(row[c] for c in CASE_BODY)),
        }
        for row in bind.execute(
            sa.text(f"SELECT id, {', '.join(CASE_HEADING + CASE_BODY)} FROM cases ORDER BY id")
        ).mappings()
    ]
    rows += [
        {
            "kind": "event",
            "object_id": row["id"],
            "heading": _fold(row["title"]),
            "body": _fold(*(row[c] for c in EVENT_BODY)),
        }
        for row in bind.execute(
            sa.text(
                "SELECT e.id, e.title, v.name AS venue_name, v.city AS venue_city, e.city, "
                "e.description, e.outcome, e.authority, e.authority_response "
                "FROM events e LEFT JOIN venues v ON v.id = e.venue_id ORDER BY e.id"
            )
        ).mappings()
    ]
    if rows:
        op.bulk_insert(documents, rows)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table("search_documents")
