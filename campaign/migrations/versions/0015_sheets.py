"""Spreadsheets in: uploaded sheets awaiting confirmation, remembered column mappings, and the
external ids a re-import matches on

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04

``sheet_uploads`` keeps a sheet read from an upload between its preview and its confirmation
(server-side, never in the session cookie); ``sheet_mappings`` the last mapping of columns to
fields for each kind of sheet and set of headings. ``events.external_id`` and
``cases.external_id`` hold a row's id in an organiser's own spreadsheet. New tables and
columns only: no data moves.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sheet_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("header_key", sa.String(length=64), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sheet_mappings")),
        sa.UniqueConstraint("kind", "header_key", name="uq_sheet_mappings_kind_header_key"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "sheet_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("encoding", sa.String(length=16), nullable=False),
        sa.Column("header", sa.JSON(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=True),
        sa.Column("default_case_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["default_case_id"],
            ["cases.id"],
            name=op.f("fk_sheet_uploads_default_case_id_cases"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_sheet_uploads_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sheet_uploads")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sheet_uploads_token_hash")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("sheet_uploads", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sheet_uploads_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sheet_uploads_user_id"), ["user_id"], unique=False)
    for table in ("cases", "events"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("external_id", sa.String(length=100), nullable=True))
            batch_op.create_index(
                batch_op.f(f"ix_{table}_external_id"), ["external_id"], unique=False
            )


def downgrade():
    for table in ("events", "cases"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_external_id"))
            batch_op.drop_column("external_id")
    with op.batch_alter_table("sheet_uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sheet_uploads_user_id"))
        batch_op.drop_index(batch_op.f("ix_sheet_uploads_expires_at"))
    op.drop_table("sheet_uploads")
    op.drop_table("sheet_mappings")
