"""What an event did to a case gets its own table (case_event_effects)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

Until now the status rules found what an event had done to a case (moved its status, filled the
arrest or release date) by reading the case's audit entries for the text "#<event id> ". From
here on they keep it in case_event_effects and read it back from there. This migration moves
what the trail says into the new table, once: for every case and event, the fields the event's
last application set, unless an undoing followed it. Effects of events deleted since are left
out. The audit entries themselves stay as they are.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

FIELDS = ("status", "arrest_date", "arrest_date_precision", "released_on")
_EVENT_MARK = re.compile(r"#(\d+) ")


def upgrade():
    effects = op.create_table(
        "case_event_effects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("old_value", sa.String(length=40), nullable=True),
        sa.Column("new_value", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_event_effects_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_case_event_effects_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_event_effects")),
        sa.UniqueConstraint("case_id", "event_id", "field", name="uq_case_event_effects_field"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("case_event_effects", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_event_effects_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_case_event_effects_event_id"), ["event_id"], unique=False
        )
    rows = _effects_from_the_trail(op.get_bind())
    if rows:
        op.bulk_insert(effects, rows)


def downgrade():
    with op.batch_alter_table("case_event_effects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_event_effects_event_id"))
        batch_op.drop_index(batch_op.f("ix_case_event_effects_case_id"))
    op.drop_table("case_event_effects")


def _changes(raw: Any) -> dict[str, Any]:
    """An entry's changes: a dict from PostgreSQL's JSON, text from SQLite's."""
    if isinstance(raw, str):
        raw = json.loads(raw)
    return raw if isinstance(raw, dict) else {}


def _event_id(pair: Any, side: int) -> int | None:
    """The event id in a "#12 Title" marker on one side of a recorded [old, new] pair."""
    if not isinstance(pair, list) or len(pair) != 2:
        return None
    match = _EVENT_MARK.match(str(pair[side] or ""))
    return int(match.group(1)) if match else None


def _effects_from_the_trail(bind: sa.Connection) -> list[dict[str, Any]]:
    """Replay the cases' audit entries in order: what each event did, and what was undone."""
    events = {row[0] for row in bind.execute(sa.text("SELECT id FROM events"))}
    cases = {row[0] for row in bind.execute(sa.text("SELECT id FROM cases"))}
    applied: dict[tuple[int, int], dict[str, tuple[Any, Any]]] = {}
    entries = bind.execute(
        sa.text(
            "SELECT object_id, changes FROM audit_entries "
            "WHERE object_type = 'case' ORDER BY id"
        )
    )
    for case_id, raw in entries:
        changes = _changes(raw)
        caused = _event_id(changes.get("caused_by_event"), 1)
        undone = _event_id(changes.get("undone_event"), 0)
        if caused is not None:
            fields = applied.setdefault((case_id, caused), {})
            for name in FIELDS:
                pair = changes.get(name)
                if isinstance(pair, list) and len(pair) == 2:
                    first_old = fields[name][0] if name in fields else pair[0]
                    fields[name] = (first_old, pair[1])
        elif undone is not None:
            applied.pop((case_id, undone), None)  # an undoing takes back all of it
    now = datetime.now(UTC).replace(tzinfo=None)
    return [
        {
            "case_id": case_id,
            "event_id": event_id,
            "field": name,
            "old_value": None if old is None else str(old),
            "new_value": None if new is None else str(new),
            "created_at": now,
        }
        for (case_id, event_id), fields in sorted(applied.items())
        if case_id in cases and event_id in events
        for name, (old, new) in fields.items()
    ]
