"""What each translation was made from: a fingerprint of each original text it translates

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05

A translation of a case's summary or an event's title stayed on the Russian and Kazakh pages
after the original changed: readers saw last week's facts with no sign of it. ``made_from``
keeps, per translated field, a fingerprint of the original it was translated from; when they
differ, readers see the current original (campaign.util.localised). The translations there are
now are taken as made from today's originals.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

# (translations table, its record's table, the record's id column, the translated fields)
TABLES = (
    ("case_translations", "cases", "case_id", ("summary", "charges", "sentence")),
    ("event_translations", "events", "event_id", ("title", "description", "outcome")),
)


def _fingerprint(text: str | None) -> str:
    # As campaign.util.localised.fingerprint, written out: a migration keeps today's rule.
    return hashlib.sha256((text or "").encode()).hexdigest()[:16]


def upgrade():
    for table, _records, _id_column, _fields in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("made_from", sa.JSON(), nullable=True))
    connection = op.get_bind()
    for table, records, id_column, fields in TABLES:
        translated = ", ".join(f"t.{field}" for field in fields)
        originals = ", ".join(f"r.{field}" for field in fields)
        rows = connection.execute(
            sa.text(
                f"SELECT t.id, {translated}, {originals} FROM {table} t "  # noqa: S608  # nosec B608  # fixed names
                f"JOIN {records} r ON r.id = t.{id_column}"
            )
        ).all()
        update = sa.text(
            f"UPDATE {table} SET made_from = :made_from WHERE id = :id"  # noqa: S608  # nosec B608
        ).bindparams(sa.bindparam("made_from", type_=sa.JSON))
        for row in rows:
            values = row[1 : 1 + len(fields)]
            sources = row[1 + len(fields) :]
            made_from = {
                field: _fingerprint(source)
                for field, value, source in zip(fields, values, sources, strict=True)
                if value
            }
            connection.execute(update, {"id": row[0], "made_from": made_from})


def downgrade():
    for table, _records, _id_column, _fields in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("made_from")
