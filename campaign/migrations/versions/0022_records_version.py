"""The records' own version beside the public-data version: what moved it last, but for messages

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05

On a verdict day organisers approve messages of support every few seconds, and each approval
moves the public-data version, so every cached page is made again. The calendars and Atom feeds
show no message: ``records_version`` is the public-data version at the last change to anything
public but a message (``records_changed_at`` when it was), and those documents are kept under
it (campaign.public.version). The row's present values fill it: every change so far counts.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("public_versions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("records_version", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("records_changed_at", sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE public_versions SET records_version = version, records_changed_at = changed_at"
    )
    with op.batch_alter_table("public_versions", schema=None) as batch_op:
        batch_op.alter_column("records_changed_at", existing_type=sa.DateTime(), nullable=False)
        batch_op.alter_column(
            "records_version", existing_type=sa.BigInteger(), server_default=None
        )


def downgrade():
    with op.batch_alter_table("public_versions", schema=None) as batch_op:
        batch_op.drop_column("records_changed_at")
        batch_op.drop_column("records_version")
