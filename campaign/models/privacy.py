"""Short-lived rows that protect supporters: the random keys behind client hashes, and the
counters of the rate limits shared by every worker."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from campaign.database import utcnow
from campaign.extensions import db


class ClientHashKey(db.Model):  # type: ignore[name-defined]
    """The random key of one period (a day or an ISO week) under which client addresses are
    hashed; deleted when its hashes are no longer needed, so they can never be linked again."""

    __tablename__ = "client_hash_keys"

    period: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64))  # 32 random bytes, hex
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RateLimit(db.Model):  # type: ignore[name-defined]
    """One fixed-window rate-limit counter (campaign.ratelimits), shared by every worker."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    hits: Mapped[int] = mapped_column(default=0)
    # Seconds since the epoch: compared with time.time() in one SQL statement on any database.
    expires_at: Mapped[float] = mapped_column(sa.Float, index=True)
