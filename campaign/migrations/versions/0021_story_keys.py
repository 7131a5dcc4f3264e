"""Each link of a case to an event carries the event's place in the story

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05

A case page, the staff view of a case and its record list a page of the case's events in story
order (sort date, then day before month before year, then id). The case's links named its
events, whose keys were then read and sorted whole: 1.8 to 3.9 ms of SQLite a page for the
bench's case of 2,000 events, growing with the case. The links now carry the sort date and the
story rank themselves (kept by campaign.models.events on every flush), so a page is a range of
ix_event_cases_story. The existing links are filled from their events.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

# campaign.models.events.story_rank, as this revision knows it.
_FILL = """
UPDATE event_cases SET
    sort_date = (SELECT events.sort_date FROM events WHERE events.id = event_cases.event_id),
    story_rank = (
        SELECT CASE events.date_precision WHEN 'month' THEN 1 WHEN 'year' THEN 2 ELSE 0 END
        FROM events WHERE events.id = event_cases.event_id
    )
"""


def upgrade():
    with op.batch_alter_table("event_cases") as batch:
        batch.add_column(sa.Column("sort_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("story_rank", sa.SmallInteger(), nullable=True))
    op.execute(_FILL)
    op.create_index(
        "ix_event_cases_story",
        "event_cases",
        ["case_id", "sort_date", "story_rank", "event_id"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_event_cases_story", table_name="event_cases")
    with op.batch_alter_table("event_cases") as batch:
        batch.drop_column("story_rank")
        batch.drop_column("sort_date")
