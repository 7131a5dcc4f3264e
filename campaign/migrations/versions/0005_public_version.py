"""The public-data version (public_versions), the key of the page cache; indexes that count
a case's messages

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04

One row counts the changes to what the public can see; every commit that changes public data
moves it (campaign.public.version), and the page cache keys anonymous pages by it. Two indexes
on messages let the case page count a case's messages (on the site, delivered, by country)
without reading every row; the duplicate check of the support form gets an index of the case
and the text's fingerprint together (it replaces the fingerprint's own index, which SQLite
passed over for a walk through every message of the case).
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
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
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_messages_case_public_country",
            ["case_id", "state", "consent_to_publish", "country"],
            unique=False,
        )
        batch_op.create_index(
            "ix_messages_case_delivered", ["case_id", "delivered_on"], unique=False
        )
        batch_op.create_index(
            "ix_messages_case_fingerprint",
            ["case_id", "body_fingerprint", "created_at"],
            unique=False,
        )
        batch_op.drop_index("ix_messages_body_fingerprint")


def downgrade():
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index("ix_messages_body_fingerprint", ["body_fingerprint"], unique=False)
        batch_op.drop_index("ix_messages_case_fingerprint")
        batch_op.drop_index("ix_messages_case_delivered")
        batch_op.drop_index("ix_messages_case_public_country")
    op.drop_table("public_versions")
