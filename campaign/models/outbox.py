"""The outbox: every e-mail the tracker sends, written in the transaction that caused it and
sent later by a worker (campaign.outbox)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from campaign.database import NEVER_REUSE_IDS, str_enum, utcnow
from campaign.extensions import db


class OutboxState(enum.StrEnum):
    """Where an e-mail of the outbox stands: waiting (or between attempts), sent, or given up."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMail(db.Model):  # type: ignore[name-defined]
    """One e-mail to send. The recipient and the text are personal data: they are blanked once
    the e-mail is sent (and, for one that failed, by the housekeeping); the row, its state and
    its times stay, so what happened can still be told. Not audited: the history must never
    hold an address."""

    __tablename__ = "outbox_mails"
    __table_args__ = (
        sa.Index("ix_outbox_mails_state_due", "state", "next_attempt_at"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # What the e-mail is for ("support-confirmation", "subscription-update"...): ids-only logs.
    kind: Mapped[str] = mapped_column(sa.String(40))
    recipient: Mapped[str | None] = mapped_column(sa.String(254))
    subject: Mapped[str | None] = mapped_column(sa.String(300))
    body_text: Mapped[str | None] = mapped_column(sa.Text)
    body_html: Mapped[str | None] = mapped_column(sa.Text)
    # Extra headers (List-Unsubscribe...), name to value.
    headers: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)

    state: Mapped[OutboxState] = mapped_column(
        str_enum(OutboxState, length=16), default=OutboxState.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A worker's claim: until this time no other worker takes the row, so a crashed worker's
    # claim expires by itself. claimed_by tells a worker its own claims apart.
    claimed_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(sa.String(32))
    last_error: Mapped[str | None] = mapped_column(sa.String(100))  # the error's class only

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    erased_at: Mapped[datetime | None]  # when recipient and text were blanked
