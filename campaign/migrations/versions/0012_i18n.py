"""A staff member's interface language

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04

``users.language``: the language of the staff area for this account (a Babel identifier such as
"ru"), or NULL to follow the browser's Accept-Language, as every account did until now.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("language", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("language")
