"""The index of a case's public messages also holds when each arrived

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05

A whole-case export (timeline.json, timeline.csv) counts the case's public messages per day
afresh after every approval. ix_messages_case_public_country found them but not their day, so
SQLite read each of the long case's 20,000 rows from the table (37 ms); with ``created_at`` at
the index's end the count reads the index alone (18 ms). The index stays one index: a second
one would cost every message stored on a verdict day a second write. The counts by country
(the case's reach) read it in the same order as before. Nothing to fill: the database builds
the index from the rows already there.
"""

from __future__ import annotations

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

NAME = "ix_messages_case_public_country"


def upgrade():
    op.drop_index(NAME, table_name="messages")
    op.create_index(
        NAME, "messages", ["case_id", "state", "consent_to_publish", "country", "created_at"]
    )


def downgrade():
    op.drop_index(NAME, table_name="messages")
    op.create_index(NAME, "messages", ["case_id", "state", "consent_to_publish", "country"])
