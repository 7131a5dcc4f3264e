"""Approximation apart from precision ("about August 2023"); the release date keeps its precision

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04

Until now "approximate" was a fourth precision beside day, month and year, and meant "about
this day": an approximate month could not be said. From here on the precision is day, month or
year, and ``*_approximate`` says whether it is a best guess. Existing approximate dates become
approximate days. A case's release date gets the precision of the release event that set it,
so "Released" says "about" where the event did.

Events also get ``sort_date``, the last day of the period their date stands for: a case's story
is told in that order, so an event known only to the month comes after the dated events of
that month ("Appeal rejected, May 2010" after the 4 May protests), and one known only to the
year after that year's, unless an organiser places it after a day of its period (placed_on).
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

FALSE = sa.false()
# SQLite rebuilds a table to change a column: it keeps AUTOINCREMENT (see 0002).
KEEP_IDS = {"sqlite_autoincrement": True}


def _period_end(value: date, precision: str) -> date:
    """The last day of a month or a year; the day itself for a day (as of this revision)."""
    if precision == "year":
        return value.replace(month=12, day=31)
    if precision == "month":
        following = value.replace(day=28) + timedelta(days=4)
        return following - timedelta(days=following.day)
    return value


def _fill_sort_dates() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, date, date_precision FROM events")).all()
    update = sa.text("UPDATE events SET sort_date = :sort_date WHERE id = :id")
    for event_id, day, precision in rows:
        if isinstance(day, str):  # SQLite gives the date as text
            day = date.fromisoformat(day[:10])
        connection.execute(update, {"id": event_id, "sort_date": _period_end(day, precision)})


def upgrade():
    with op.batch_alter_table("events", table_kwargs=KEEP_IDS) as batch:
        batch.add_column(
            sa.Column("date_approximate", sa.Boolean(), nullable=False, server_default=FALSE)
        )
        batch.add_column(sa.Column("sort_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("placed_on", sa.Date(), nullable=True))
    with op.batch_alter_table("cases", table_kwargs=KEEP_IDS) as batch:
        batch.add_column(
            sa.Column("arrest_date_approximate", sa.Boolean(), nullable=False, server_default=FALSE)
        )
        batch.add_column(
            sa.Column(
                "released_on_precision",
                sa.Enum("day", "month", "year", name="dateprecision", native_enum=False, length=32),
                nullable=False,
                server_default="day",
            )
        )
        batch.add_column(
            sa.Column("released_on_approximate", sa.Boolean(), nullable=False, server_default=FALSE)
        )
    op.execute(
        "UPDATE events SET date_approximate = TRUE, date_precision = 'day' "
        "WHERE date_precision = 'approximate'"
    )
    op.execute(
        "UPDATE cases SET arrest_date_approximate = TRUE, arrest_date_precision = 'day' "
        "WHERE arrest_date_precision = 'approximate'"
    )
    # What an arrest event filled keeps reading back: the precision it wrote is now a day, and
    # the approximation it wrote gets its own row (taken back with the date, as the precision).
    op.execute(
        "INSERT INTO case_event_effects (case_id, event_id, field, old_value, new_value, created_at) "
        "SELECT case_id, event_id, 'arrest_date_approximate', "
        "CASE WHEN old_value = 'approximate' THEN 'true' ELSE 'false' END, "
        "CASE WHEN new_value = 'approximate' THEN 'true' ELSE 'false' END, created_at "
        "FROM case_event_effects WHERE field = 'arrest_date_precision' "
        "AND (old_value = 'approximate' OR new_value = 'approximate')"
    )
    for column in ("old_value", "new_value"):
        op.execute(
            f"UPDATE case_event_effects SET {column} = 'day' "  # noqa: S608 (a fixed name)
            f"WHERE field = 'arrest_date_precision' AND {column} = 'approximate'"
        )
    # The release date takes the precision of the release event dated that day, if any.
    for precision_column, event_column in (
        ("released_on_precision", "date_precision"),
        ("released_on_approximate", "date_approximate"),
    ):
        op.execute(
            f"UPDATE cases SET {precision_column} = ("  # noqa: S608 (fixed names)
            f"SELECT e.{event_column} FROM events e JOIN event_cases ec ON ec.event_id = e.id "
            "WHERE ec.case_id = cases.id AND e.type = 'release' AND e.date = cases.released_on "
            "ORDER BY e.id LIMIT 1) "
            "WHERE released_on IS NOT NULL AND EXISTS ("
            "SELECT 1 FROM events e JOIN event_cases ec ON ec.event_id = e.id "
            "WHERE ec.case_id = cases.id AND e.type = 'release' AND e.date = cases.released_on)"
        )
    _fill_sort_dates()
    with op.batch_alter_table("events", table_kwargs=KEEP_IDS) as batch:
        batch.alter_column("date_approximate", server_default=None)
        batch.alter_column("sort_date", existing_type=sa.Date(), nullable=False)
        batch.create_index("ix_events_sort_date_id", ["sort_date", "id"])
    with op.batch_alter_table("cases", table_kwargs=KEEP_IDS) as batch:
        batch.alter_column("arrest_date_approximate", server_default=None)
        batch.alter_column("released_on_precision", server_default=None)
        batch.alter_column("released_on_approximate", server_default=None)


def downgrade():
    # An approximate day goes back to "approximate"; an approximate month or year keeps only
    # its month or year, the nearest the old schema can say.
    op.execute(
        "UPDATE events SET date_precision = 'approximate' "
        "WHERE date_approximate AND date_precision = 'day'"
    )
    op.execute(
        "UPDATE cases SET arrest_date_precision = 'approximate' "
        "WHERE arrest_date_approximate AND arrest_date_precision = 'day'"
    )
    op.execute(
        "UPDATE case_event_effects SET new_value = 'approximate' "
        "WHERE field = 'arrest_date_precision' AND new_value = 'day' AND EXISTS ("
        "SELECT 1 FROM case_event_effects a WHERE a.case_id = case_event_effects.case_id "
        "AND a.event_id = case_event_effects.event_id AND a.field = 'arrest_date_approximate' "
        "AND a.new_value = 'true')"
    )
    op.execute(
        "DELETE FROM case_event_effects WHERE field IN "
        "('arrest_date_approximate', 'released_on_precision', 'released_on_approximate')"
    )
    with op.batch_alter_table("cases", table_kwargs=KEEP_IDS) as batch:
        batch.drop_column("released_on_approximate")
        batch.drop_column("released_on_precision")
        batch.drop_column("arrest_date_approximate")
    with op.batch_alter_table("events", table_kwargs=KEEP_IDS) as batch:
        batch.drop_index("ix_events_sort_date_id")
        batch.drop_column("placed_on")
        batch.drop_column("sort_date")
        batch.drop_column("date_approximate")
