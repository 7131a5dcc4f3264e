"""Messages of support from supporters, and the packs in which they are delivered."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign.database import NEVER_REUSE_IDS, Audited, str_enum, utcnow
from campaign.extensions import db
from campaign.models.keys import key_column
from campaign.models.vocab import DeliveryMethod, MessageState

if TYPE_CHECKING:
    from campaign.models.accounts import User
    from campaign.models.cases import Case


class DeliveryPack(db.Model):  # type: ignore[name-defined]
    """A batch of published messages printed for one case and delivered to the person."""

    __tablename__ = "delivery_packs"
    __audit__ = Audited()

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = key_column()  # stable across databases (campaign.archive)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    method: Mapped[DeliveryMethod | None] = mapped_column(str_enum(DeliveryMethod))
    delivered_on: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(sa.Text)

    case: Mapped[Case] = relationship()
    created_by: Mapped[User | None] = relationship()
    messages: Mapped[list[Message]] = relationship(back_populates="delivery_pack")


class Message(db.Model):  # type: ignore[name-defined]
    """A message of support to a detained person. The e-mail is never shown to anyone."""

    __tablename__ = "messages"
    __table_args__ = (
        sa.Index("ix_messages_case_state_created", "case_id", "state", "created_at"),
        sa.Index("ix_messages_state_created", "state", "created_at"),
        # The case page's counts (on the site, delivered), its messages by country and by day
        # (the whole-case exports) read these alone: a case with 20,000 messages is counted in
        # the index, not row by row.
        sa.Index(
            "ix_messages_case_public_country",
            "case_id",
            "state",
            "consent_to_publish",
            "country",
            "created_at",
        ),
        sa.Index("ix_messages_case_delivered", "case_id", "delivered_on"),
        # The duplicate check (campaign.messages.spam) is one lookup of the case and the text's
        # fingerprint; with the fingerprint alone indexed, SQLite chose to walk the case.
        sa.Index("ix_messages_case_fingerprint", "case_id", "body_fingerprint", "created_at"),
        NEVER_REUSE_IDS,
    )
    # What a supporter wrote is erased on withdrawal, so the history never copies it.
    __audit__ = Audited(hidden=("body", "original_body", "display_name", "organisation"))

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = key_column()  # stable across databases (campaign.archive)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    display_name: Mapped[str | None] = mapped_column(sa.String(120))  # None: "a supporter"
    country: Mapped[str | None] = mapped_column(sa.String(2))
    organisation: Mapped[str | None] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254))  # erased after the decision
    body: Mapped[str] = mapped_column(sa.Text)
    language: Mapped[str | None] = mapped_column(sa.String(16))
    consent_to_publish: Mapped[bool] = mapped_column(default=False)

    state: Mapped[MessageState] = mapped_column(
        str_enum(MessageState), default=MessageState.PENDING
    )
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    edited_at: Mapped[datetime | None]  # set when an organiser made a safety edit
    # The text as sent, before the first safety edit: kept only until the message is delivered
    # or SAFETY_EDIT_ORIGINAL_DAYS have passed (messages.services.purge_originals).
    original_body: Mapped[str | None] = mapped_column(sa.Text)

    delivery_pack_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("delivery_packs.id", ondelete="SET NULL"), index=True
    )
    delivered_on: Mapped[date | None]

    # Privacy: a rotating keyed hash of the client, a hash of the text for duplicate detection,
    # and a hash of the withdrawal token the supporter received. Nothing here can be reversed.
    client_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    body_fingerprint: Mapped[str | None] = mapped_column(sa.String(64))
    withdraw_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    email_erased_at: Mapped[datetime | None]

    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship()
    decided_by: Mapped[User | None] = relationship()
    delivery_pack: Mapped[DeliveryPack | None] = relationship(back_populates="messages")

    def __repr__(self) -> str:
        return f"<Message {self.id} {self.state}>"
