"""The public-data version (public_versions), the key of the page cache

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04

One row counts the changes to what the public can see; every commit that changes public data
moves it (campaign.public.version), and the page cache keys anonymous pages by it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    versions = op.create_table(
        "public_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_versions")),
        sqlite_autoincrement=True,
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    op.bulk_insert(versions, [{"id": 1, "version": 1, "changed_at": now}])


def downgrade():
    op.drop_table("public_versions")
