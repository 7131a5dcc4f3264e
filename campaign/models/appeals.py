"""Appeals ("urgent actions"): requests to named authorities about one or more cases, with a
sample letter, a deadline, the authorities' responses and the letters supporters report sending.

The authorities an appeal writes to are rows of the appeal (``appeal_targets``), not a shared
directory: the address and the office-holder printed on an appeal are those it was sent to, and
stay so when an embassy moves or a prosecutor changes.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign.database import NEVER_REUSE_IDS, Audited, str_enum, utcnow
from campaign.extensions import db
from campaign.models.keys import key_column
from campaign.models.translations import LANGUAGE_LENGTH, default_language
from campaign.models.vocab import Vocabulary

if TYPE_CHECKING:
    from campaign.models.accounts import User
    from campaign.models.cases import Case
    from campaign.models.organisations import Source


class AppealState(Vocabulary):
    """Where an appeal stands: only a draft is kept off every public page."""

    DRAFT = "draft"
    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"

    @classmethod
    def _labels(cls) -> dict[str, LazyString]:
        return {
            "draft": _l("Draft"),
            "open": _l("Open"),
            "answered": _l("Answered"),
            "closed": _l("Closed"),
        }


class AuthorityRole(Vocabulary):
    """What kind of authority an appeal writes to."""

    PROSECUTOR = "prosecutor"
    COURT = "court"
    MINISTRY = "ministry"
    EMBASSY = "embassy"
    OSCE = "osce"
    UN_BODY = "un_body"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> dict[str, LazyString]:
        return {
            "prosecutor": _l("Prosecutor"),
            "court": _l("Court"),
            "ministry": _l("Ministry"),
            "embassy": _l("Embassy"),
            "osce": _l("OSCE"),
            "un_body": _l("UN body"),
            "other": _l("Other authority"),
        }


class ResponseKind(Vocabulary):
    """How an authority answered (or did not)."""

    ACKNOWLEDGED = "acknowledged"
    REFUSED = "refused"
    GRANTED = "granted"
    PARTLY_GRANTED = "partly_granted"
    NO_REPLY = "no_reply"

    @classmethod
    def _labels(cls) -> dict[str, LazyString]:
        return {
            "acknowledged": _l("Acknowledged"),
            "refused": _l("Refused"),
            "granted": _l("Granted"),
            "partly_granted": _l("Partly granted"),
            "no_reply": _l("No reply by the deadline"),
        }


appeal_cases = sa.Table(
    "appeal_cases",
    db.metadata,
    sa.Column("appeal_id", sa.ForeignKey("appeals.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("case_id", sa.ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_appeal_cases_case_id", "case_id"),
)


class Appeal(db.Model):  # type: ignore[name-defined]
    """An urgent action: what is asked of whom, by when, for which cases."""

    __tablename__ = "appeals"
    __table_args__ = (sa.Index("ix_appeals_state_deadline", "state", "deadline"), NEVER_REUSE_IDS)
    __audit__ = Audited(relations=("cases",), ids_of=("cases",))

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = key_column()  # stable across databases (campaign.archive)
    title: Mapped[str] = mapped_column(sa.String(200))
    # What is asked and why: the text the public page opens with.
    asked: Mapped[str] = mapped_column(sa.Text)
    deadline: Mapped[dt.date]
    state: Mapped[AppealState] = mapped_column(str_enum(AppealState), default=AppealState.DRAFT)
    # The day it was opened to the public: where it stands on the case's timeline.
    opened_on: Mapped[dt.date | None]
    follow_up_on: Mapped[dt.date | None]
    closed_on: Mapped[dt.date | None]
    # What came of it, for those who wrote (shown once the appeal is no longer a draft).
    outcome: Mapped[str | None] = mapped_column(sa.Text)
    # The language the title, what is asked and the outcome are written in (a language code,
    # as a case's). None reads as the site's default: a host still on the code before 0024
    # may write a row during an upgrade, hence no NOT NULL.
    original_language: Mapped[str | None] = mapped_column(
        sa.String(LANGUAGE_LENGTH), default=default_language
    )
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    cases: Mapped[list[Case]] = relationship(secondary=appeal_cases, order_by="Case.person_name")
    targets: Mapped[list[AppealTarget]] = relationship(
        back_populates="appeal",
        cascade="all, delete-orphan",
        order_by="AppealTarget.position, AppealTarget.id",
    )
    letters: Mapped[list[AppealLetter]] = relationship(
        back_populates="appeal",
        cascade="all, delete-orphan",
        order_by="AppealLetter.position, AppealLetter.id",
    )
    responses: Mapped[list[AppealResponse]] = relationship(
        back_populates="appeal",
        cascade="all, delete-orphan",
        order_by="AppealResponse.received_on, AppealResponse.id",
    )
    created_by: Mapped[User | None] = relationship()

    # The texts shown marked with their language where a reader's differs
    # (campaign.util.localised): appeals are not translated, so every reader reads these.
    TRANSLATED = ("title", "asked", "outcome")

    @property
    def translations(self) -> tuple[()]:
        """None: an appeal is read in the language it is written in (campaign.util.localised)."""
        return ()

    @property
    def is_public(self) -> bool:
        """Whether the public may see this appeal at all (a draft never)."""
        return self.state != AppealState.DRAFT

    @property
    def starts_on(self) -> dt.date:
        """The day the appeal began: opened, or (a draft) created."""
        return self.opened_on or self.created_at.date()

    def __repr__(self) -> str:
        return f"<Appeal {self.id} {self.state}>"


class AppealTarget(db.Model):  # type: ignore[name-defined]
    """An authority an appeal writes to, with the addresses to write to."""

    __tablename__ = "appeal_targets"
    __audit__ = Audited()

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = key_column()  # stable across databases (campaign.archive)
    appeal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("appeals.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(300))
    role: Mapped[AuthorityRole] = mapped_column(
        str_enum(AuthorityRole), default=AuthorityRole.OTHER
    )
    postal_address: Mapped[str | None] = mapped_column(sa.Text)
    email: Mapped[str | None] = mapped_column(sa.String(254))

    appeal: Mapped[Appeal] = relationship(back_populates="targets")

    def __repr__(self) -> str:
        return f"<AppealTarget {self.id}>"


class AppealLetter(db.Model):  # type: ignore[name-defined]
    """The sample letter of an appeal in one language."""

    __tablename__ = "appeal_letters"
    __table_args__ = (
        sa.UniqueConstraint("appeal_id", "language", name="uq_appeal_letters_language"),
        NEVER_REUSE_IDS,
    )
    __audit__ = Audited()

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = key_column()  # stable across databases (campaign.archive)
    appeal_id: Mapped[int] = mapped_column(sa.ForeignKey("appeals.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    language: Mapped[str] = mapped_column(sa.String(16))  # a language code: en, ru, kk, de...
    text: Mapped[str] = mapped_column(sa.Text)

    appeal: Mapped[Appeal] = relationship(back_populates="letters")


class AppealResponse(db.Model):  # type: ignore[name-defined]
    """An authority's answer to an appeal (or the record that none came).

    A response is on the public pages only when an organiser published it and its appeal is
    not a draft; until then it is for staff alone.
    """

    __tablename__ = "appeal_responses"
    __audit__ = Audited(relations=("target", "source"))

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = key_column()  # stable across databases (campaign.archive)
    appeal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("appeals.id", ondelete="CASCADE"), index=True
    )
    target_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("appeal_targets.id", ondelete="SET NULL")
    )
    received_on: Mapped[dt.date]
    kind: Mapped[ResponseKind] = mapped_column(str_enum(ResponseKind))
    text: Mapped[str | None] = mapped_column(sa.Text)
    # The language the text is in (often the authority's, not the appeal's); None reads as
    # the site's default, as an appeal's.
    original_language: Mapped[str | None] = mapped_column(
        sa.String(LANGUAGE_LENGTH), default=default_language
    )
    source_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sources.id", ondelete="SET NULL"))
    published: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    appeal: Mapped[Appeal] = relationship(back_populates="responses")
    target: Mapped[AppealTarget | None] = relationship()
    source: Mapped[Source | None] = relationship()

    # As an appeal's (campaign.util.localised): the text, never translated, marked with its
    # language where a reader's differs.
    TRANSLATED = ("text",)

    @property
    def translations(self) -> tuple[()]:
        """None: a response is read in the language it was written in."""
        return ()

    def __repr__(self) -> str:
        return f"<AppealResponse {self.id} {self.kind}>"


class LetterReport(db.Model):  # type: ignore[name-defined]
    """A supporter's "I sent a letter": counted once per client and day, nothing personal kept.

    ``client_hash`` is the day's keyed hash of the client (campaign.web.clients), kept only to
    count a client once that day and erased once the retention of client hashes has passed.
    """

    __tablename__ = "letter_reports"
    __table_args__ = (
        sa.UniqueConstraint(
            "appeal_id", "reported_on", "client_hash", name="uq_letter_reports_client_day"
        ),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = key_column()  # stable across databases (campaign.archive)
    appeal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("appeals.id", ondelete="CASCADE"), index=True
    )
    reported_on: Mapped[dt.date]
    client_hash: Mapped[str | None] = mapped_column(sa.String(64))
