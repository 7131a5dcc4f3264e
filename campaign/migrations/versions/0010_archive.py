"""Stable keys for the rows that have no slug, so a whole-campaign export can name them

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04

Cases, organisations and venues are named by their slugs in an export (campaign.archive);
events, sources, messages, delivery packs, status changes and what events did to cases get a
``key``: a random UUID made with the row, the same in every database the campaign moves to.
Existing rows get one each here.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# SQLite rebuilds a table to change a column: it keeps AUTOINCREMENT (see 0002).
KEEP_IDS = {"sqlite_autoincrement": True}
# The tables whose rows are named by a key.
TABLES = (
    "events",
    "sources",
    "messages",
    "delivery_packs",
    "case_status_changes",
    "case_event_effects",
)


def _fill_keys(table: str) -> None:
    connection = op.get_bind()
    ids = connection.execute(sa.text(f"SELECT id FROM {table}")).scalars().all()  # noqa: S608
    update = sa.text(f"UPDATE {table} SET key = :key WHERE id = :id")  # noqa: S608 (fixed names)
    for row_id in ids:
        connection.execute(update, {"id": row_id, "key": str(uuid.uuid4())})


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, table_kwargs=KEEP_IDS) as batch:
            batch.add_column(sa.Column("key", sa.String(length=36), nullable=True))
        _fill_keys(table)
        with op.batch_alter_table(table, table_kwargs=KEEP_IDS) as batch:
            batch.alter_column("key", existing_type=sa.String(length=36), nullable=False)
            batch.create_unique_constraint(f"uq_{table}_key", ["key"])


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, table_kwargs=KEEP_IDS) as batch:
            batch.drop_constraint(f"uq_{table}_key", type_="unique")
            batch.drop_column("key")
