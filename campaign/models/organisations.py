"""Organisations behind actions, reusable venues, and the sources facts come from."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from campaign.database import NEVER_REUSE_IDS, Audited, str_enum, utcnow
from campaign.extensions import db
from campaign.models.keys import key_column
from campaign.models.vocab import OrganisationKind


class Organisation(db.Model):  # type: ignore[name-defined]
    """Who organised or supported an action: a party section, union, rights group, MP..."""

    __tablename__ = "organisations"
    __audit__ = Audited()

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    slug: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(
        str_enum(OrganisationKind), default=OrganisationKind.OTHER
    )
    country: Mapped[str | None] = mapped_column(sa.String(2))
    website: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.slug}>"


class Venue(db.Model):  # type: ignore[name-defined]
    """A place used for many actions: an embassy, a bank's head office, a court."""

    __tablename__ = "venues"
    __table_args__ = (
        sa.UniqueConstraint("name", "city", name="uq_venues_name_city"),
        NEVER_REUSE_IDS,
    )
    __audit__ = Audited()

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    slug: Mapped[str] = mapped_column(sa.String(240), unique=True)
    address: Mapped[str | None] = mapped_column(sa.String(300))
    city: Mapped[str | None] = mapped_column(sa.String(120))
    country: Mapped[str | None] = mapped_column(sa.String(2))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Venue {self.id} {self.slug}>"


class Source(db.Model):  # type: ignore[name-defined]
    """Where a fact comes from: a link, a statement, a court document."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = key_column()  # stable across databases (campaign.archive)
    url: Mapped[str | None] = mapped_column(sa.String(1000))
    title: Mapped[str] = mapped_column(sa.String(300))
    publisher: Mapped[str | None] = mapped_column(sa.String(200))
    citation: Mapped[str | None] = mapped_column(sa.Text)
    published_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Source {self.id}>"
