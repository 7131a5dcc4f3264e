"""Supporters who follow a case by e-mail, and which updates each was sent."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from campaign.database import NEVER_REUSE_IDS, str_enum, utcnow
from campaign.extensions import db


class Frequency(enum.StrEnum):
    """How often a subscriber hears of a case: each update as it comes, or a weekly digest."""

    EACH = "each"
    WEEKLY = "weekly"


class Subscription(db.Model):  # type: ignore[name-defined]
    """A supporter's wish to hear of one case. The e-mail serves this alone: never shown, never
    exported, deleted with the row on unsubscribing (or when never confirmed). Not audited."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "email", name="uq_subscriptions_case_id_email"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    frequency: Mapped[Frequency] = mapped_column(str_enum(Frequency, length=16))
    language: Mapped[str] = mapped_column(sa.String(16), default="en")
    # Random values inside the signed links: a new confirmation link replaces the last one, and
    # a confirmed subscription has none; the unsubscribe link names the subscription's own.
    confirm_nonce: Mapped[str | None] = mapped_column(sa.String(32))
    unsubscribe_nonce: Mapped[str] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmation_sent_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None] = mapped_column(index=True)
    last_digest_at: Mapped[datetime | None]


class SubscriptionDelivery(db.Model):  # type: ignore[name-defined]
    """That one update was sent to one subscriber (so it is never sent twice)."""

    __tablename__ = "subscription_deliveries"
    __table_args__ = (
        sa.UniqueConstraint(
            "subscription_id", "update_key", name="uq_subscription_deliveries_subscription_id"
        ),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        sa.ForeignKey("subscriptions.id", ondelete="CASCADE")
    )
    update_key: Mapped[str] = mapped_column(sa.String(64))  # "event:12", "status:3"
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
