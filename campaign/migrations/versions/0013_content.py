"""Translated content: a case's and an event's public texts in other languages

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04

Organisers may give a case's summary, charges and sentence, and an event's title, description
and outcome, in the site's other languages: one row per record and language in
``case_translations`` and ``event_translations``, each with the stable ``key`` a whole-campaign
export names it by (see 0010). Each case and event records the language its
own texts are in (``original_language``); existing ones are taken to be in the site's default
language (BABEL_DEFAULT_LOCALE when the app runs the migration, else English).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from flask import current_app, has_app_context

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# SQLite rebuilds a table to change a column: it keeps AUTOINCREMENT (see 0002).
KEEP_IDS = {"sqlite_autoincrement": True}


def _default_language() -> str:
    if has_app_context():
        return str(current_app.config.get("BABEL_DEFAULT_LOCALE") or "en")
    return "en"


def upgrade():
    op.create_table(
        "case_translations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("charges", sa.Text(), nullable=True),
        sa.Column("sentence", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_translations_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_translations")),
        sa.UniqueConstraint("case_id", "language", name="uq_case_translations_case_language"),
        sa.UniqueConstraint("key", name=op.f("uq_case_translations_key")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "event_translations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_translations_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_translations")),
        sa.UniqueConstraint("event_id", "language", name="uq_event_translations_event_language"),
        sa.UniqueConstraint("key", name=op.f("uq_event_translations_key")),
        sqlite_autoincrement=True,
    )
    for table in ("cases", "events"):
        with op.batch_alter_table(table, table_kwargs=KEEP_IDS) as batch:
            batch.add_column(sa.Column("original_language", sa.String(length=16), nullable=True))
        op.get_bind().execute(
            sa.text(f"UPDATE {table} SET original_language = :language"),  # noqa: S608  # nosec B608
            {"language": _default_language()},
        )
        with op.batch_alter_table(table, table_kwargs=KEEP_IDS) as batch:
            batch.alter_column(
                "original_language", existing_type=sa.String(length=16), nullable=False
            )


def downgrade():
    for table in ("events", "cases"):
        with op.batch_alter_table(table, table_kwargs=KEEP_IDS) as batch:
            batch.drop_column("original_language")
    op.drop_table("event_translations")
    op.drop_table("case_translations")
