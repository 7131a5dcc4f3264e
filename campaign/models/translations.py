"""Translations of what organisers write about a case or an event, one row per language.

A case or an event keeps its text as first written, in its ``original_language``; a row here
holds the same fields in one other language (any of them may be left empty: that field is then
shown in the original, with a note of its language). What is shown to whom is decided in one
place, :mod:`campaign.util.localised`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign.database import NEVER_REUSE_IDS, Audited, utcnow
from campaign.extensions import db
from campaign.models.keys import key_column

if TYPE_CHECKING:
    from campaign.models.cases import Case
    from campaign.models.events import Event

# The fields organisers may translate, in the order the forms and the pages show them.
CASE_TRANSLATED = ("summary", "charges", "sentence")
EVENT_TRANSLATED = ("title", "description", "outcome")
LANGUAGE_LENGTH = 16


def made_from_column() -> Mapped[dict[str, str] | None]:
    """Each translated field's fingerprint of the original text it was translated from
    (campaign.util.localised.fingerprint), by field: when the original changes, the
    translation is out of date and readers see the original until it is translated again.
    None (or a field missing): made before anyone kept track, taken as up to date."""
    return mapped_column(sa.JSON, nullable=True)


def default_language() -> str:
    """The site's default language: what a case or an event is written in unless told."""
    if has_app_context():
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    return "en"


class CaseTranslation(db.Model):  # type: ignore[name-defined]
    """A case's summary, charges and sentence in one language other than the original."""

    __tablename__ = "case_translations"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "language", name="uq_case_translations_case_language"),
        NEVER_REUSE_IDS,
    )
    # Organisers' public texts, like the case's own: the history shows them.
    __audit__ = Audited(relations=("case",))

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = key_column()  # stable across databases (campaign.archive)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(sa.String(LANGUAGE_LENGTH))
    summary: Mapped[str | None] = mapped_column(sa.Text)
    charges: Mapped[str | None] = mapped_column(sa.Text)
    sentence: Mapped[str | None] = mapped_column(sa.String(300))
    made_from: Mapped[dict[str, str] | None] = made_from_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    case: Mapped[Case] = relationship(back_populates="translations")

    def __repr__(self) -> str:
        return f"<CaseTranslation {self.case_id} {self.language}>"


class EventTranslation(db.Model):  # type: ignore[name-defined]
    """An event's title, description and outcome in one language other than the original."""

    __tablename__ = "event_translations"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "language", name="uq_event_translations_event_language"),
        NEVER_REUSE_IDS,
    )
    __audit__ = Audited(relations=("event",))

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = key_column()  # stable across databases (campaign.archive)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(sa.String(LANGUAGE_LENGTH))
    title: Mapped[str | None] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    outcome: Mapped[str | None] = mapped_column(sa.Text)
    made_from: Mapped[dict[str, str] | None] = made_from_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="translations")

    def __repr__(self) -> str:
        return f"<EventTranslation {self.event_id} {self.language}>"
