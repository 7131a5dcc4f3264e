"""SQLite: ids are never reused (AUTOINCREMENT on every table with an integer id)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

Without AUTOINCREMENT SQLite hands a deleted row's id to the next row, so a deleted event's
calendar UID, feed entry and audit history would pass to a new event. Each table is rebuilt
with its data (Alembic's batch mode copies every row); PostgreSQL sequences never reuse ids,
so there is nothing to do there.
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = (
    "users",
    "user_sessions",
    "login_attempts",
    "invitations",
    "organisations",
    "venues",
    "sources",
    "cases",
    "case_status_changes",
    "events",
    "delivery_packs",
    "messages",
    "audit_entries",
)


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass


def upgrade():
    _rebuild(True)


def downgrade():
    _rebuild(False)
