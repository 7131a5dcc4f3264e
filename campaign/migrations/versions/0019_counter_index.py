"""An index of events by type and date, for the day counters of a case page

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04

A case page reads the events its day counters need (hunger strikes, releases, and whatever is
still to come) on every render. It used to read every event of the case to find them; it now
starts from the few events of any case with those types (this index) or from today on
(ix_events_date_id), and checks each belongs to the case. Nothing to fill: the database builds
the index from the rows already there.
"""

from __future__ import annotations

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_events_type_date", "events", ["type", "date"], unique=False)


def downgrade():
    op.drop_index("ix_events_type_date", table_name="events")
