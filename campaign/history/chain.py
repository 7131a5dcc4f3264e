"""The audit trail's tamper-evident chain, and the check behind ``flask audit verify``.

Every entry gets the next number in the chain and a keyed hash (campaign.util.chain) of its
fields and of the previous entry's hash. The numbers and hashes are given in the flush that
inserts the entries, while the transaction holds the one row of ``audit_chain_heads`` locked
(``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's writers hold the database's write lock
anyway), so concurrent writers queue and never fork the chain.

Without the secret nobody can forge a hash, so an entry changed, inserted or deleted directly
in the database breaks the chain at that entry; the head row remembers the last number, so
entries deleted from the end show too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from campaign.database import utcnow
from campaign.extensions import db
from campaign.models import AuditChainHead, AuditEntry
from campaign.util.chain import chain_key, entry_hash

HEAD_ID = 1
# Key of Session.info: the entries the recorder added, in the order it added them.
ORDER = "campaign.audit.order"
_HEAD = AuditChainHead.__table__


def _key() -> bytes:
    return chain_key(current_app.config["SECRET_KEY"])


def fields(entry: AuditEntry) -> dict[str, Any]:
    """The fields of an entry that its hash covers."""
    return {
        "created_at": entry.created_at,
        "user_id": entry.user_id,
        "actor": entry.actor,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_label": entry.object_label,
        "changes": entry.changes,
    }


# Built once: every audited change runs them, while it holds the chain's lock (and on SQLite
# the database's write lock), and building a statement costs more than running it.
_READ_HEAD = (
    sa.select(_HEAD.c.last_seq, _HEAD.c.last_hash).where(_HEAD.c.id == HEAD_ID).with_for_update()
)
_MOVE_HEAD = (
    sa.update(_HEAD)
    .where(_HEAD.c.id == HEAD_ID)
    .values(last_seq=sa.bindparam("seq"), last_hash=sa.bindparam("hash"))
)


def _lock_head(connection: sa.Connection) -> tuple[int, str]:
    """The chain's last number and hash, with the head row locked until the transaction ends."""
    query = _READ_HEAD
    row = connection.execute(query).first()
    if row is None:
        insert_class = (
            postgresql.Insert if connection.dialect.name == "postgresql" else sqlite.Insert
        )
        connection.execute(
            insert_class(_HEAD)
            .values(id=HEAD_ID, last_seq=0, last_hash="")
            .on_conflict_do_nothing(index_elements=["id"])
        )
        row = connection.execute(query).one()
    return int(row[0]), str(row[1])


_INSERT = AuditEntry.__table__.insert()


def append(connection: sa.Connection, rows: list[dict[str, Any]]) -> None:
    """Number, hash and insert entries at the end of the chain, in the order given.

    Each row holds the fields :func:`fields` names. For the recorder, which makes its entries
    right after the flush of the changes they record: inserting them there, with the chain's
    head locked as for any entry, spares them a flush of ORM objects of their own (on SQLite
    that flush ran while every other writer waited for the write lock).
    """
    if not rows:
        return
    seq, previous = _lock_head(connection)
    key = _key()
    for row in rows:
        seq += 1
        row["chain_seq"] = seq
        row["chain_hash"] = previous = entry_hash(key, previous, seq, row)
    connection.execute(_INSERT, rows if len(rows) > 1 else rows[0])
    connection.execute(_MOVE_HEAD, {"seq": seq, "hash": previous})


def chain_new_entries(session: Session, _context: Any, _instances: Any) -> None:
    """Before a flush that inserts audit entries: number and hash them, in the order made."""
    new = [obj for obj in session.new if isinstance(obj, AuditEntry) and obj.chain_hash is None]
    if not new:
        return
    made: list[AuditEntry] = session.info.pop(ORDER, [])
    order = {id(entry): index for index, entry in enumerate(made)}
    new.sort(key=lambda entry: order.get(id(entry), len(order)))
    connection = session.connection()
    seq, previous = _lock_head(connection)
    key = _key()
    for entry in new:
        if entry.created_at is None:
            entry.created_at = utcnow()
        if entry.changes is None:
            entry.changes = {}
        if entry.object_label is None:
            entry.object_label = ""
        seq += 1
        entry.chain_seq = seq
        entry.chain_hash = entry_hash(key, previous, seq, fields(entry))
        previous = entry.chain_hash
    connection.execute(_MOVE_HEAD, {"seq": seq, "hash": previous})


@dataclass(frozen=True)
class Verdict:
    """What the check found: how many entries it read and, if the chain breaks, where and why."""

    checked: int
    broken_id: int | None = None
    reason: str | None = None

    @property
    def intact(self) -> bool:
        """Whether every entry is as the app wrote it."""
        return self.broken_id is None and self.reason is None


def verify() -> Verdict:
    """Walk the chain from the first entry; stop at the first entry that does not fit."""
    unchained = db.session.scalar(
        sa.select(sa.func.min(AuditEntry.id)).where(AuditEntry.chain_seq.is_(None))
    )
    if unchained is not None:
        return Verdict(0, unchained, "it is not in the chain: it was inserted behind the app")
    key = _key()
    previous, expected, checked, last_id = "", 1, 0, None
    entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.chain_seq))
    for entry in entries:
        if entry.chain_seq is not None and entry.chain_seq > expected:
            return Verdict(checked, entry.id, "the entry before it in the chain was deleted")
        if entry.chain_seq != expected:
            return Verdict(checked, entry.id, "it was inserted behind the app")
        if entry.chain_hash != entry_hash(key, previous, expected, fields(entry)):
            return Verdict(checked, entry.id, "it was changed or inserted behind the app")
        previous, expected, checked = str(entry.chain_hash), expected + 1, checked + 1
        last_id = entry.id
    head = db.session.execute(
        sa.select(_HEAD.c.last_seq, _HEAD.c.last_hash).where(_HEAD.c.id == HEAD_ID)
    ).first()
    last_seq, last_hash = (int(head[0]), str(head[1])) if head is not None else (0, "")
    if last_seq != checked or last_hash != previous:
        return Verdict(
            checked,
            last_id,
            f"the chain should go on to entry number {last_seq}: the entries after it were deleted",
        )
    return Verdict(checked)
