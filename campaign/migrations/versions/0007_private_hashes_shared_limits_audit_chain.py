"""Random client-hash keys, shared rate limits, erasable messages, a chained audit trail

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04

New tables: client_hash_keys (the random keys behind client hashes, deleted when they expire),
rate_limits (counters every worker shares) and audit_chain_heads (the end of the audit chain).
messages.original_body keeps a message's text as sent before a safety edit, for a while.

Data: the audit trail stops copying what supporters wrote (text, name, organisation), because
a withdrawn message must be erased; the old entries get the same "(hidden)" values and a label
without the name, and the text as sent before a safety edit moves to original_body while the
message waits for delivery. Withdrawn messages lose their text and name. Client hashes made
under the old keys (derived from the secret) are erased, on messages and failed sign-ins alike:
with the secret they could be linked to an address (at most a quarter of an hour of sign-in
throttling is forgotten). Then every entry, oldest first, is chained with the keyed hash of
campaign.util.chain, under a key derived from this installation's secret.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op
from flask import current_app

from campaign.util.chain import chain_key, entry_hash

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

HIDDEN = "(hidden)"
MESSAGE_HIDDEN = ("body", "original_body", "display_name", "organisation")


def upgrade():
    op.create_table(
        "audit_chain_heads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_heads")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "client_hash_keys",
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("period", name=op.f("pk_client_hash_keys")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limits")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("rate_limits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_limits_expires_at"), ["expires_at"], unique=False)

    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chain_seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("chain_hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_audit_entries_chain_seq"), ["chain_seq"])

    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("original_body", sa.Text(), nullable=True))

    connection = op.get_bind()
    _erase_what_supporters_wrote(connection)
    _chain(connection)


def _changes(raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    return dict(json.loads(raw) if isinstance(raw, str) else raw)


def _erase_what_supporters_wrote(connection: sa.Connection) -> None:
    messages = sa.table(
        "messages",
        sa.column("id", sa.Integer),
        sa.column("country", sa.String),
        sa.column("state", sa.String),
        sa.column("body", sa.Text),
        sa.column("original_body", sa.Text),
        sa.column("display_name", sa.String),
        sa.column("organisation", sa.String),
        sa.column("delivered_on", sa.Date),
        sa.column("client_hash", sa.String),
    )
    entries = sa.table(
        "audit_entries",
        sa.column("id", sa.Integer),
        sa.column("object_type", sa.String),
        sa.column("object_id", sa.Integer),
        sa.column("object_label", sa.String),
        sa.column("changes", sa.JSON),
    )
    waiting = {
        row.id: row.country
        for row in connection.execute(
            sa.select(messages.c.id, messages.c.country).where(
                messages.c.delivered_on.is_(None), messages.c.state != "withdrawn"
            )
        )
    }
    countries = dict(connection.execute(sa.select(messages.c.id, messages.c.country)).all())
    originals: dict[int, str] = {}
    rows = connection.execute(
        sa.select(entries.c.id, entries.c.object_id, entries.c.changes)
        .where(entries.c.object_type == "message")
        .order_by(entries.c.id)
    ).all()
    for entry_id, message_id, raw in rows:
        changes = _changes(raw)
        body = changes.get("body")
        if (
            message_id in waiting
            and message_id not in originals
            and isinstance(body, list)
            and body[0] not in (None, "", HIDDEN)
        ):
            originals[message_id] = str(body[0])
        for name in MESSAGE_HIDDEN:
            if name in changes and isinstance(changes[name], list):
                changes[name] = [v if v in (None, "") else HIDDEN for v in changes[name]]
        country = countries.get(message_id)
        label = f"Message #{message_id}" + (f" ({country})" if country else "")
        connection.execute(
            sa.update(entries)
            .where(entries.c.id == entry_id)
            .values(changes=changes, object_label=label)
        )
    for message_id, original in originals.items():
        connection.execute(
            sa.update(messages).where(messages.c.id == message_id).values(original_body=original)
        )
    connection.execute(
        sa.update(messages)
        .where(messages.c.state == "withdrawn")
        .values(body="", original_body=None, display_name=None, organisation=None)
    )
    connection.execute(sa.update(messages).values(client_hash=None))
    connection.execute(sa.text("DELETE FROM login_attempts"))


def _chain(connection: sa.Connection) -> None:
    entries = sa.table(
        "audit_entries",
        sa.column("id", sa.Integer),
        sa.column("created_at", sa.DateTime),
        sa.column("user_id", sa.Integer),
        sa.column("actor", sa.String),
        sa.column("action", sa.String),
        sa.column("object_type", sa.String),
        sa.column("object_id", sa.Integer),
        sa.column("object_label", sa.String),
        sa.column("changes", sa.JSON),
        sa.column("chain_seq", sa.Integer),
        sa.column("chain_hash", sa.String),
    )
    key = chain_key(current_app.config["SECRET_KEY"])
    previous, seq = "", 0
    rows = connection.execute(sa.select(entries).order_by(entries.c.id)).mappings().all()
    for row in rows:
        seq += 1
        fields = dict(row)
        fields["changes"] = _changes(row["changes"])
        previous = entry_hash(key, previous, seq, fields)
        connection.execute(
            sa.update(entries)
            .where(entries.c.id == row["id"])
            .values(chain_seq=seq, chain_hash=previous)
        )
    heads = sa.table(
        "audit_chain_heads",
        sa.column("id", sa.Integer),
        sa.column("last_seq", sa.Integer),
        sa.column("last_hash", sa.String),
    )
    connection.execute(sa.insert(heads).values(id=1, last_seq=seq, last_hash=previous))


def downgrade():
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("original_body")

    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_entries_chain_seq"), type_="unique")
        batch_op.drop_column("chain_hash")
        batch_op.drop_column("chain_seq")

    with op.batch_alter_table("rate_limits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_limits_expires_at"))

    op.drop_table("rate_limits")
    op.drop_table("client_hash_keys")
    op.drop_table("audit_chain_heads")
