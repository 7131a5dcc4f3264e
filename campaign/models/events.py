"""Events: legal and custody events and solidarity actions, on a date with a precision."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, validates

from campaign.database import NEVER_REUSE_IDS, Audited, str_enum, utcnow
from campaign.extensions import db
from campaign.models.keys import key_column
from campaign.models.translations import EVENT_TRANSLATED, LANGUAGE_LENGTH, default_language
from campaign.models.vocab import (
    LEGAL_TYPES,
    DatePrecision,
    EventFamily,
    EventType,
    Role,
    Verification,
    Visibility,
)

if TYPE_CHECKING:
    from campaign.models.accounts import User
    from campaign.models.cases import Case
    from campaign.models.organisations import Organisation, Source, Venue
    from campaign.models.translations import EventTranslation

event_cases = sa.Table(
    "event_cases",
    db.metadata,
    sa.Column("event_id", sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("case_id", sa.ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    # The event's place in the story, its sort date and story rank: read from the event when
    # a link is written without them, kept in step by _keep_story_keys when the event moves.
    # A page of a long case's story is then a range of ix_event_cases_story, where sorting
    # the case's 2,000 events cost SQLite 1.8-3.9 ms a page.
    sa.Column("sort_date", sa.Date, default=lambda context: _of_linked_event(context, "day")),
    sa.Column(
        "story_rank", sa.SmallInteger, default=lambda context: _of_linked_event(context, "rank")
    ),
    sa.Index("ix_event_cases_case_id", "case_id"),
    sa.Index("ix_event_cases_story", "case_id", "sort_date", "story_rank", "event_id"),
)
event_organisations = sa.Table(
    "event_organisations",
    db.metadata,
    sa.Column("event_id", sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "organisation_id", sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Index("ix_event_organisations_organisation_id", "organisation_id"),
)
event_sources = sa.Table(
    "event_sources",
    db.metadata,
    sa.Column("event_id", sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("source_id", sa.ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_event_sources_source_id", "source_id"),
)


class Event(db.Model):  # type: ignore[name-defined]
    """Something that happened (or is scheduled) concerning one or more cases."""

    __tablename__ = "events"
    __table_args__ = (
        sa.Index("ix_events_date_id", "date", "id"),
        sa.Index("ix_events_sort_date_id", "sort_date", "id"),
        # The day counters' hunger strikes and releases, of any case (campaign.timeline.build).
        sa.Index("ix_events_type_date", "type", "date"),
        # The staff dashboard's latest events and oldest unchecked reports (events.queries).
        sa.Index("ix_events_created_at_id", "created_at", "id"),
        sa.Index("ix_events_verification_created_at", "verification", "created_at", "id"),
        NEVER_REUSE_IDS,
    )
    __audit__ = Audited(relations=("cases", "organisations", "sources", "venue"), ids_of=("cases",))

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = key_column()  # stable across databases (campaign.archive)
    type: Mapped[EventType] = mapped_column(str_enum(EventType))
    title: Mapped[str] = mapped_column(sa.String(200))
    # The date is the first day of the known period: 2010-05-01 with MONTH precision is "May 2010".
    date: Mapped[dt.date]
    date_precision: Mapped[DatePrecision] = mapped_column(
        str_enum(DatePrecision), default=DatePrecision.DAY
    )
    # "About": the day, month or year is a best guess ("about August 2023").
    date_approximate: Mapped[bool] = mapped_column(default=False)
    # Where the event stands in the story: the last day of its period, so "May 2010" comes
    # after the dated events of May (see campaign.timeline.build). Kept by _keep_sort_date.
    sort_date: Mapped[dt.date]
    # An organiser's placing of an event not known to the day: after the events of this day of
    # its period ("Appeal rejected, May 2010" after 4 May, before the release on 12 May).
    placed_on: Mapped[dt.date | None]
    start_time: Mapped[dt.time | None]  # local time at the venue, for hearings and pickets
    end_date: Mapped[dt.date | None]

    venue_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("venues.id", ondelete="SET NULL"), index=True
    )
    city: Mapped[str | None] = mapped_column(sa.String(120))
    country: Mapped[str | None] = mapped_column(sa.String(2))
    participants: Mapped[int | None]
    description: Mapped[str | None] = mapped_column(sa.Text)
    outcome: Mapped[str | None] = mapped_column(sa.Text)
    authority: Mapped[str | None] = mapped_column(sa.String(300))
    authority_response: Mapped[str | None] = mapped_column(sa.Text)
    # The language the title, description and outcome are written in (translations: below).
    original_language: Mapped[str] = mapped_column(
        sa.String(LANGUAGE_LENGTH), default=default_language
    )
    # The event's id in an organiser's own spreadsheet: a re-import updates rather than duplicates.
    external_id: Mapped[str | None] = mapped_column(sa.String(100), index=True)

    visibility: Mapped[Visibility] = mapped_column(str_enum(Visibility), default=Visibility.PUBLIC)
    verification: Mapped[Verification] = mapped_column(
        str_enum(Verification), default=Verification.REPORTED
    )
    verified_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    verified_at: Mapped[dt.datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    cases: Mapped[list[Case]] = relationship(secondary=event_cases)
    organisations: Mapped[list[Organisation]] = relationship(
        secondary=event_organisations, order_by="Organisation.name"
    )
    sources: Mapped[list[Source]] = relationship(secondary=event_sources, order_by="Source.id")
    # Active history: the old venue is loaded when another is set, so the history names both.
    venue: Mapped[Venue | None] = relationship(active_history=True)
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])
    # Loaded with the events, in one query per batch: every timeline, feed and export shows them.
    translations: Mapped[list[EventTranslation]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="EventTranslation.language",
    )

    __mapper_args__ = {"version_id_col": version}
    # What organisers may give in other languages (campaign.models.translations).
    TRANSLATED = EVENT_TRANSLATED

    @validates("date", "date_precision", "placed_on")
    def _keep_sort_date(self, key: str, value: Any) -> Any:
        """Set the story order's date whenever the date, its precision or its placing changes."""
        day = value if key == "date" else self.date
        precision = DatePrecision(
            value if key == "date_precision" else self.date_precision or "day"
        )
        placed = value if key == "placed_on" else self.placed_on
        if day is not None:
            self.sort_date = story_date(day, precision, placed)
        return value

    @property
    def family(self) -> EventFamily:
        """Legal and custody, or solidarity."""
        return self.type.family

    @property
    def is_public(self) -> bool:
        """Whether the public may see this event."""
        return self.visibility == Visibility.PUBLIC

    @property
    def awaits_check_to_be_shown(self) -> bool:
        """A legal or custody event an activist logged that no organiser has checked yet: kept
        off every public page until it is verified (campaign.events.queries.
        unchecked_activist_report, which the public pages filter on)."""
        creator = self.created_by
        return (
            self.type in LEGAL_TYPES
            and self.verification == Verification.REPORTED
            and creator is not None
            and creator.role == Role.ACTIVIST
        )

    @property
    def place(self) -> str:
        """The venue and city as one line for people ("Temir Bank head office, Almaty")."""
        parts = [self.venue.name] if self.venue else []
        city = self.city or (self.venue.city if self.venue else None)
        if city and not (self.venue and _names(self.venue.name, city)):
            parts.append(city)  # "Newsroom, New York" says its city already
        return ", ".join(parts)

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.type}>"


def story_date(day: dt.date, precision: DatePrecision, placed_on: dt.date | None) -> dt.date:
    """Where an event stands in the story: its day; for a month or a year, the day an organiser
    placed it on within that period, else the period's last day."""
    end = precision.period_end(day)
    if precision != DatePrecision.DAY and placed_on is not None and day <= placed_on <= end:
        return placed_on
    return end


def _names(text: str, word: str) -> bool:
    """Whether *text* contains *word* as a whole word ("Almaty City Court" names Almaty)."""
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE) is not None


_STORY_RANKS = {DatePrecision.DAY: 0, DatePrecision.MONTH: 1, DatePrecision.YEAR: 2}


def story_rank_of(precision: DatePrecision | None) -> int:
    """:func:`story_rank` of one precision, in Python (no precision: a day)."""
    return _STORY_RANKS[precision or DatePrecision.DAY]


@cache
def story_rank() -> sa.ColumnElement[int]:
    """SQL: 0 for an event known to the day, 1 to the month, 2 to the year (the story's order
    among events of the same sort date)."""
    return sa.case(
        (Event.date_precision == DatePrecision.MONTH, 1),
        (Event.date_precision == DatePrecision.YEAR, 2),
        else_=0,
    )


@cache
def story_order() -> tuple[Any, ...]:
    """The order a case's story is told in, on every page, sheet, feed and export."""
    return (Event.sort_date, story_rank(), Event.id)


def _of_linked_event(context: Any, key: str) -> Any:
    """The story key (*key* "day" or "rank") of the event a link being written names: every
    link starts with its event's place, whoever writes it (a form, an import, a bulk insert)."""
    event_id = context.get_current_parameters()["event_id"]
    statement = _EVENT_DAY if key == "day" else _EVENT_RANK
    return context.connection.execute(statement, {"event": event_id}).scalar()


_EVENT_DAY = sa.select(Event.sort_date).where(Event.id == sa.bindparam("event"))
_EVENT_RANK = sa.select(story_rank()).where(Event.id == sa.bindparam("event"))
# What an event's links copy.
_KEYED = ("sort_date", "date_precision")
_STORY_KEYS = (
    sa.update(event_cases)
    .where(event_cases.c.event_id == sa.bindparam("event"))
    .values(sort_date=sa.bindparam("day"), story_rank=sa.bindparam("rank"))
)


def _keep_story_keys(session: Session, _context: Any) -> None:
    """Copy the story keys of the events this flush moved (re-dated, or known to another
    precision) onto their links to cases, in one statement, before anything reads them."""
    rows = []
    for obj in session.dirty:
        if not isinstance(obj, Event) or obj in session.deleted:
            continue
        attrs: Any = sa.inspect(obj).attrs
        if any(attrs[n].history.has_changes() for n in _KEYED):
            rank = story_rank_of(obj.date_precision)
            rows.append({"event": obj.id, "day": obj.sort_date, "rank": rank})
    if rows:
        # On the connection: no ORM event sees it (the flush's own writes already tell the
        # public-data version and the reach counts what changed).
        session.connection().execute(_STORY_KEYS, rows)


sa.event.listen(Session, "after_flush", _keep_story_keys)
