"""The language an appeal and an authority's response are written in

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05

An appeal's title, what it asks and its outcome, and a response's text, carried no language:
on a page in another language screen readers and hyphenation read them as the page's. Each now
records its ``original_language``, as a case and an event do (0013). The column may be empty, so
that a host still on the code before it can write an appeal during an upgrade; empty is read as
the site's default language (campaign.util.localised).

Existing rows get the best guess: an appeal is in the language of its cases when they all have
the same one, else in the site's default language (BABEL_DEFAULT_LOCALE when the app runs the
migration, else English); a response is in its appeal's.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from flask import current_app, has_app_context

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

# SQLite rebuilds a table to drop a column: it keeps AUTOINCREMENT (see 0002).
KEEP_IDS = {"sqlite_autoincrement": True}
TABLES = ("appeals", "appeal_responses")


def _default_language() -> str:
    if has_app_context():
        return str(current_app.config.get("BABEL_DEFAULT_LOCALE") or "en")
    return "en"


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, table_kwargs=KEEP_IDS) as batch:
            batch.add_column(sa.Column("original_language", sa.String(length=16), nullable=True))
    connection = op.get_bind()
    # The one language all of an appeal's cases are written in; none when they differ.
    # (HAVING without GROUP BY is refused by SQLite before 3.39: hence the CASE.)
    connection.execute(
        sa.text(
            "UPDATE appeals SET original_language = ("
            " SELECT CASE WHEN COUNT(DISTINCT c.original_language) = 1"
            " THEN MIN(c.original_language) END"
            " FROM appeal_cases ac JOIN cases c ON c.id = ac.case_id"
            " WHERE ac.appeal_id = appeals.id)"
        )
    )
    connection.execute(
        sa.text("UPDATE appeals SET original_language = :language WHERE original_language IS NULL"),
        {"language": _default_language()},
    )
    connection.execute(
        sa.text(
            "UPDATE appeal_responses SET original_language = ("
            " SELECT a.original_language FROM appeals a WHERE a.id = appeal_responses.appeal_id)"
        )
    )


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, table_kwargs=KEEP_IDS) as batch:
            batch.drop_column("original_language")
