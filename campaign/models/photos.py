"""Photos attached to events: re-encoded copies on disk under a random name, internal until an
organiser publishes each one with its alt text."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from campaign.database import NEVER_REUSE_IDS, Audited, utcnow
from campaign.extensions import db


class Photo(db.Model):  # type: ignore[name-defined]
    """One photo of an event. Its files are ``<name>.<size>.jpg`` in ``PHOTOS_DIR``; the name is
    random and stable (the export refers to it), and changes only when the photo is blurred."""

    __tablename__ = "photos"
    __table_args__ = (NEVER_REUSE_IDS,)
    __audit__ = Audited()

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(40), unique=True)
    width: Mapped[int]
    height: Mapped[int]
    alt_text: Mapped[str] = mapped_column(sa.String(500), default="")
    published: Mapped[bool] = mapped_column(default=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
