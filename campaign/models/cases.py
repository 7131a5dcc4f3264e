"""A case: one person's detention and prosecution, and the links between related cases."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign.database import NEVER_REUSE_IDS, Audited, str_enum, utcnow
from campaign.extensions import db
from campaign.models.keys import key_column
from campaign.models.translations import CASE_TRANSLATED, LANGUAGE_LENGTH, default_language
from campaign.models.vocab import CaseStatus, DatePrecision

if TYPE_CHECKING:
    from campaign.models.accounts import User
    from campaign.models.events import Event
    from campaign.models.translations import CaseTranslation

case_links = sa.Table(
    "case_links",
    db.metadata,
    sa.Column("case_id", sa.ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("related_case_id", sa.ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
)


class Case(db.Model):  # type: ignore[name-defined]
    """A detained (or threatened) person's case; its slug is the public address."""

    __tablename__ = "cases"
    __audit__ = Audited(relations=("related_cases",))

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    person_name: Mapped[str] = mapped_column(sa.String(200))
    person_name_original: Mapped[str | None] = mapped_column(sa.String(200))
    occupation: Mapped[str | None] = mapped_column(sa.String(200))
    affiliation: Mapped[str | None] = mapped_column(sa.String(300))
    country: Mapped[str | None] = mapped_column(sa.String(2))  # ISO 3166-1 alpha-2
    city: Mapped[str | None] = mapped_column(sa.String(120))
    photo_filename: Mapped[str | None] = mapped_column(sa.String(200))
    # The portrait's large size, for pages to give its <img> a width and height before it loads.
    photo_width: Mapped[int | None]
    photo_height: Mapped[int | None]

    charges: Mapped[str | None] = mapped_column(sa.Text)
    legal_article: Mapped[str | None] = mapped_column(sa.String(200))
    court: Mapped[str | None] = mapped_column(sa.String(300))
    judge: Mapped[str | None] = mapped_column(sa.String(200))
    detention_place: Mapped[str | None] = mapped_column(sa.String(300))
    detention_address: Mapped[str | None] = mapped_column(sa.Text)
    # The address for letters is shown to the public only when organisers choose to publish it.
    detention_address_public: Mapped[bool] = mapped_column(default=False)

    status: Mapped[CaseStatus] = mapped_column(str_enum(CaseStatus), default=CaseStatus.DETAINED)
    arrest_date: Mapped[date | None]
    arrest_date_precision: Mapped[DatePrecision] = mapped_column(
        str_enum(DatePrecision), default=DatePrecision.DAY
    )
    arrest_date_approximate: Mapped[bool] = mapped_column(default=False)
    sentence: Mapped[str | None] = mapped_column(sa.String(300))
    expected_release: Mapped[date | None]
    released_on: Mapped[date | None]
    # Taken from the release event that set the date, so "Released" says "about" when it did.
    released_on_precision: Mapped[DatePrecision] = mapped_column(
        str_enum(DatePrecision), default=DatePrecision.DAY
    )
    released_on_approximate: Mapped[bool] = mapped_column(default=False)
    summary: Mapped[str | None] = mapped_column(sa.Text)
    # The language the summary, charges and sentence above are written in (translations: below).
    original_language: Mapped[str] = mapped_column(
        sa.String(LANGUAGE_LENGTH), default=default_language
    )
    internal_notes: Mapped[str | None] = mapped_column(sa.Text)
    # The case's id in an organiser's own spreadsheet: a re-import updates rather than duplicates.
    external_id: Mapped[str | None] = mapped_column(sa.String(100), index=True)

    published: Mapped[bool] = mapped_column(default=False)
    archived_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Optimistic locking: two organisers saving the same case cannot silently overwrite each other.
    version: Mapped[int] = mapped_column(default=1)

    related_cases: Mapped[list[Case]] = relationship(
        secondary=case_links,
        primaryjoin=lambda: Case.id == case_links.c.case_id,
        secondaryjoin=lambda: Case.id == case_links.c.related_case_id,
        order_by=lambda: Case.person_name,
    )
    status_changes: Mapped[list[CaseStatusChange]] = relationship(
        back_populates="case",
        cascade="all, delete-orphan",
        order_by=lambda: CaseStatusChange.changed_at,
    )

    translations: Mapped[list[CaseTranslation]] = relationship(
        back_populates="case",
        cascade="all, delete-orphan",
        order_by="CaseTranslation.language",
    )

    __mapper_args__ = {"version_id_col": version}
    # What organisers may give in other languages (campaign.models.translations).
    TRANSLATED = CASE_TRANSLATED

    def link(self, other: Case) -> None:
        """Relate two cases both ways (a link shown on one case page is shown on the other)."""
        if other is self:
            return
        if other not in self.related_cases:
            self.related_cases.append(other)
            self._touch()
        if self not in other.related_cases:
            other.related_cases.append(self)
            other._touch()

    def unlink(self, other: Case) -> None:
        """Remove the relation between two cases, both ways."""
        if other in self.related_cases:
            self.related_cases.remove(other)
            self._touch()
        if self in other.related_cases:
            other.related_cases.remove(self)
            other._touch()

    def _touch(self) -> None:
        """Move the case's version on: a link lives in another table, so without this an edit
        form of the case opened before the link was made (from this case or the other) would
        save over it unawares, and take it away."""
        self.updated_at = utcnow()

    def __repr__(self) -> str:
        return f"<Case {self.id} {self.slug}>"


class CaseStatusChange(db.Model):  # type: ignore[name-defined]
    """A change of a case's status, kept for the case's feed and its history."""

    __tablename__ = "case_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = key_column()  # stable across databases (campaign.archive)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    old_status: Mapped[CaseStatus | None] = mapped_column(str_enum(CaseStatus))
    new_status: Mapped[CaseStatus] = mapped_column(str_enum(CaseStatus))
    effective_on: Mapped[date | None]
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id", ondelete="SET NULL"))

    case: Mapped[Case] = relationship(back_populates="status_changes")
    changed_by: Mapped[User | None] = relationship()


class CaseEventEffect(db.Model):  # type: ignore[name-defined]
    """What an event did to a case's record: moved its status, filled a date.

    Written by the status rules (campaign.cases.status) when an event moves a case, read back
    when the event is changed, no longer checked or deleted, so exactly what it did can be taken
    back; the row goes once that is done. Values are stored as the audit trail writes them: ISO
    dates, vocabulary values.
    """

    __tablename__ = "case_event_effects"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "event_id", "field", name="uq_case_event_effects_field"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = key_column()  # stable across databases (campaign.archive)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    field: Mapped[str] = mapped_column(sa.String(40))
    old_value: Mapped[str | None] = mapped_column(sa.String(40))
    new_value: Mapped[str | None] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship()
    event: Mapped[Event] = relationship()
