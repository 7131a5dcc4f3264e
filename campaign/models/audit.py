"""The audit trail: who changed what, when, from what to what. Append-only from the app."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign.database import NEVER_REUSE_IDS, str_enum, utcnow
from campaign.extensions import db
from campaign.models.vocab import AuditAction

if TYPE_CHECKING:
    from campaign.models.accounts import User


class AuditEntry(db.Model):  # type: ignore[name-defined]
    """One recorded change to a case, event, organisation, message decision or user."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        sa.Index("ix_audit_entries_object", "object_type", "object_id"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(sa.String(120))  # name at the time, or "command line"
    action: Mapped[AuditAction] = mapped_column(str_enum(AuditAction))
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int]
    object_label: Mapped[str] = mapped_column(sa.String(300), default="")
    # {"field": [old, new], ...} with values rendered as strings.
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # The tamper-evident chain (campaign.history.chain): the entry's place in it, and a keyed
    # hash of its fields and of the hash before it.
    chain_seq: Mapped[int | None] = mapped_column(unique=True)
    chain_hash: Mapped[str | None] = mapped_column(sa.String(64))

    user: Mapped[User | None] = relationship()


class AuditChainHead(db.Model):  # type: ignore[name-defined]
    """The end of the audit chain: one row, locked while entries are chained, so concurrent
    writers queue and entries deleted from the end are noticed."""

    __tablename__ = "audit_chain_heads"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(sa.String(64), default="")
