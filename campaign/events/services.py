"""The events' domain actions: log an event or a picket, change, verify or delete one.

Each takes plain values and the acting user, adds and flushes but never commits (the view, an
import or an offline report sent later commits once), and raises a named error. Logging an
event moves its cases' status when the event says so (an arrest, a sentence, a release) and
the actor's word counts (see :func:`drives_status`); changing or deleting it takes that back.
The history records every change by itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from campaign.cases import status
from campaign.database import utcnow
from campaign.directory.services import (
    country_of_city,
    organisation_named,
    venue_label,
    venue_named,
)
from campaign.events.queries import EventRow, case_events
from campaign.extensions import db
from campaign.models import (
    Case,
    DatePrecision,
    Event,
    EventTranslation,
    EventType,
    Organisation,
    Role,
    Source,
    User,
    Verification,
    Visibility,
    event_sources,
)
from campaign.models.events import story_order
from campaign.util import merge
from campaign.util.dates import today_utc
from campaign.util.localised import fingerprint, reader_language, same_language

# A second identical report by the same person within this time is the same report sent twice.
REPEAT_WINDOW = timedelta(minutes=2)
# PostgreSQL advisory-lock namespace: one user's reports are checked one after the other.
REPEAT_LOCK = 0x6576_0000


class NoSourceToVerify(Exception):
    """An event saved as verified must cite a source it was checked against."""


@dataclass(frozen=True)
class EventDetails:
    """Everything an event says, as plain values (what the full form, an import or the API
    gives). *venue* is the name as typed or picked from the list ("Name, City"); *sources*
    are (link, title) pairs; cases are given by id."""

    type: EventType
    title: str
    date: dt.date
    case_ids: Sequence[int]
    date_precision: DatePrecision = DatePrecision.DAY
    date_approximate: bool = False
    # For a month or a year: the day of that period after whose events it is told.
    placed_on: dt.date | None = None
    start_time: dt.time | None = None
    end_date: dt.date | None = None
    venue: str | None = None
    city: str | None = None
    country: str | None = None
    participants: int | None = None
    description: str | None = None
    outcome: str | None = None
    authority: str | None = None
    authority_response: str | None = None
    visibility: Visibility = Visibility.PUBLIC
    organisations: Sequence[str] = ()
    sources: Sequence[tuple[str | None, str | None]] = field(default_factory=tuple)
    # An organiser checked it against its sources while typing it in: saved as verified.
    verified: bool = False
    # The event's id in an organiser's own spreadsheet (an import); None leaves it as it is.
    external_id: str | None = None

    @property
    def cites_a_source(self) -> bool:
        """Whether a link or a title of a source is given."""
        return any(url or (title or "").strip() for url, title in self.sources)


@dataclass(frozen=True)
class PicketReport:
    """What an activist reports from a picket, a demonstration or a vigil, in a minute.

    Without a *country*, the country of the city (from the venues and events already placed
    there) is used; a new city without one counts nowhere in the case's reach.
    """

    type: EventType
    case_ids: Sequence[int]
    organisation: str
    date: dt.date
    venue: str | None = None
    city: str | None = None
    country: str | None = None
    participants: int | None = None
    link: str | None = None
    note: str | None = None
    # The key the phone gave the report when it was filled in (a UUID in its text form): the
    # same key sent again, from a retry or a second tab, is the same event.
    client_key: str | None = None


@dataclass(frozen=True)
class Logged:
    """The event a report logged, and whether it was a repeat of one logged moments ago."""

    event: Event
    repeated: bool = False


def may_edit(event: Event | EventRow, user: User) -> bool:
    """Whether *user* may change *event*: organisers and admins any, an activist their own."""
    if user.has_role(Role.ORGANISER):
        return True
    return event.created_by_id is not None and event.created_by_id == user.id


def may_verify(user: User | None) -> bool:
    """Whether *user* may mark events as checked (organisers and admins)."""
    return user is not None and user.has_role(Role.ORGANISER)


def drives_status(event: Event, user: User | None) -> bool:
    """Whether *event* may move its cases' status now.

    An organiser's or admin's word applies at once; an activist's report waits until an
    organiser verifies it, so one unchecked report cannot change what the public sees.
    """
    return may_verify(user) or event.verification == Verification.VERIFIED


def _cases(ids: Sequence[int]) -> list[Case]:
    return [c for c in (db.session.get(Case, cid) for cid in ids) if c is not None]


def _source_for(url: str | None, title: str | None, existing: list[Source]) -> Source:
    """Reuse the event's own source with the same link and title, or make a new one."""
    title = (title or "").strip() or (url or "")
    for source in existing:
        if source.url == url and source.title == title[:300]:
            return source
    return Source(url=url, title=title[:300])


def _fill(event: Event, details: EventDetails) -> None:
    """Copy the details onto the event, resolving cases, venue, organisations and sources.

    Raises :class:`campaign.directory.services.AmbiguousVenue` before anything is changed.
    """
    country = details.country or None
    cases = _cases(details.case_ids)
    venue = venue_named(details.venue, details.city, country) if details.venue else None
    orgs: list[Organisation] = []
    for name in details.organisations:
        if name and name.strip():
            org = organisation_named(name)
            if org not in orgs:
                orgs.append(org)
    existing = list(event.sources) if event.id else []
    sources = [
        _source_for(url, title, existing)
        for url, title in details.sources
        if url or (title or "").strip()
    ]
    with db.session.no_autoflush:
        event.type = details.type
        event.title = details.title.strip()
        event.date = details.date
        event.date_precision = details.date_precision
        event.date_approximate = details.date_approximate
        event.placed_on = None if details.date_precision == DatePrecision.DAY else details.placed_on
        event.start_time = details.start_time
        event.end_date = details.end_date
        event.venue = venue
        event.city = (details.city or "").strip() or (venue.city if venue else None)
        event.country = country
        event.participants = details.participants
        event.description = _text(details.description)
        event.outcome = _text(details.outcome)
        event.authority = _text(details.authority)
        event.authority_response = _text(details.authority_response)
        event.visibility = details.visibility
        event.cases = cases
        event.organisations = orgs
        event.sources = sources
        if details.external_id is not None:
            event.external_id = details.external_id.strip()[:100] or None


def _text(value: str | None) -> str | None:
    """Typed text as stored: without surrounding blanks, and nothing for blanks alone."""
    return (value or "").strip() or None


def _fingerprint(event: Event) -> tuple[Any, ...]:
    """What makes two submissions the same report."""
    return (
        event.type,
        event.title,
        event.date,
        event.date_precision,
        event.date_approximate,
        event.placed_on,
        event.start_time,
        event.end_date,
        event.venue.id if event.venue is not None else None,
        event.city,
        event.country,
        event.participants,
        event.description,
        event.outcome,
        event.authority,
        event.authority_response,
        event.visibility,
        frozenset(c.id for c in event.cases),
        frozenset(o.name.lower() for o in event.organisations),
        tuple((x.url, x.title) for x in event.sources),
    )


def _lock_reports_of(user: User) -> None:
    """Two taps arrive at once: on PostgreSQL a per-user transaction lock makes the second wait
    for the first to commit (SQLite already serialises writing requests with BEGIN IMMEDIATE)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(REPEAT_LOCK + user.id)))


def repeated_event(event: Event, user: User) -> Event | None:
    """The event *user* logged moments ago with exactly these details, if any."""
    since = datetime.now(UTC) - REPEAT_WINDOW
    with db.session.no_autoflush:
        candidates = db.session.scalars(
            sa.select(Event)
            .where(
                Event.created_by_id == user.id,
                Event.type == event.type,
                Event.date == event.date,
                Event.title == event.title,
                Event.created_at >= since,
            )
            .order_by(Event.id)
        )
        wanted = _fingerprint(event)
        for candidate in candidates:
            if candidate is not event and _fingerprint(candidate) == wanted:
                return candidate
    return None


def _log(event: Event, actor: User, build: Any) -> Logged:
    """Build *event* inside a savepoint and keep it unless it repeats one logged moments ago.

    A repeat is dropped with whatever was made for it (a new venue or organisation).
    """
    _lock_reports_of(actor)
    savepoint = db.session.begin_nested()
    try:
        build()
        earlier = repeated_event(event, actor)
    except BaseException:
        savepoint.rollback()
        raise
    if earlier is not None:
        savepoint.rollback()
        return Logged(earlier, repeated=True)
    db.session.add(event)
    savepoint.commit()
    return Logged(event)


def log_event(details: EventDetails, actor: User) -> Logged:
    """Log an event with every detail; its cases follow what it implies if *actor*'s word
    counts. The same report sent twice in a row logs one event.

    Raises :class:`campaign.directory.services.AmbiguousVenue`.
    """
    _check_verified(details, actor)
    event = Event(created_by_id=actor.id)
    logged = _log(event, actor, lambda: _fill(event, details))
    if not logged.repeated and drives_status(event, actor):
        follow_status(event, actor)
    if details.verified and may_verify(actor):
        verify_event(logged.event, actor)
    return logged


def _check_verified(details: EventDetails, actor: User) -> None:
    """Refuse "save as verified" without a source (only an organiser's word counts)."""
    if details.verified and may_verify(actor) and not details.cites_a_source:
        raise NoSourceToVerify


def picket_title(kind: EventType, venue_name: str | None, city: str | None) -> str:
    """ "Picket at the embassy", but "Picket in Vienna": a city is not a place one stands at."""
    if venue_name:
        return _("%(what)s at %(place)s", what=kind.label, place=venue_name)
    return _("%(what)s in %(city)s", what=kind.label, city=city)


def picket_title_translations(
    kind: EventType, venue_name: str | None, city: str | None, original: str, title: str
) -> list[EventTranslation]:
    """The quick form's title in each of the site's other languages than *original*, each
    made from *title* as it reads now (edited later, the original is shown again until a
    translator catches up: campaign.util.localised)."""
    made_from = {"title": fingerprint(title)}
    translations = []
    for language in current_app.config["LANGUAGES"]:
        if same_language(language, original):
            continue
        with force_locale(language):
            translated = picket_title(kind, venue_name, city)[:200]
        translations.append(
            EventTranslation(language=language, title=translated, made_from=dict(made_from))
        )
    return translations


def log_picket(report: PicketReport, actor: User) -> Logged:
    """Log a picket (or a demonstration, a vigil) from the quick form: public, reported, with
    a title made from the place. The same report sent twice in a row logs one event.

    Raises :class:`campaign.directory.services.AmbiguousVenue`.
    """
    city = (report.city or "").strip() or None
    event = Event(
        type=report.type,
        date=report.date,
        date_precision=DatePrecision.DAY,
        date_approximate=False,
        participants=report.participants,
        description=_text(report.note),
        visibility=Visibility.PUBLIC,
        created_by_id=actor.id,
    )

    def build() -> None:
        known = report.country or country_of_city(city)
        venue = venue_named(report.venue, city, known) if report.venue else None
        organisation = organisation_named(report.organisation)
        with db.session.no_autoflush:
            place = venue.name if venue else None
            event.title = picket_title(report.type, place, city)[:200]
            # The title is written in the reader's language, and so, most likely, is the note.
            event.original_language = reader_language()
            # The title is the app's own words around the place: readers of the site's other
            # languages read it in theirs ("Picket in Almaty", "Пикет в Алматы"), not in the
            # activist's with "(in Russian)" after it.
            event.translations = picket_title_translations(
                report.type, place, city, event.original_language, event.title
            )
            event.venue = venue
            event.city = city or (venue.city if venue else None)
            event.country = report.country or (venue.country if venue else None) or known
            event.cases = _cases(report.case_ids)
            event.organisations = [organisation]
            if report.link:
                event.sources = [Source(url=report.link, title=report.link[:300])]

    key = report.client_key
    if key is None:
        return _log(event, actor, build)
    _lock_reports_of(actor)  # a second tab sending the same key waits, then finds the event
    known = event_with_key(key)
    if known is not None:
        return Logged(known, repeated=True)
    event.key = key
    outer = db.session.begin_nested()
    try:
        logged = _log(event, actor, build)
        outer.commit()
    except sa.exc.IntegrityError:
        # The same key committed by another request in between (where no lock serialises).
        outer.rollback()
        known = event_with_key(key)
        if known is None:
            raise
        return Logged(known, repeated=True)
    return logged


def event_with_key(key: str) -> Event | None:
    """The event logged from the report with this key (see :attr:`PicketReport.client_key`)."""
    with db.session.no_autoflush:
        return db.session.scalars(sa.select(Event).where(Event.key == key)).first()


# The fields an edit form shows, and so the fields two people's edits are merged by.
EDITED_FIELDS = tuple(
    f.name for f in fields(EventDetails) if f.name not in {"verified", "external_id"}
)


# Fields merged as one (campaign.util.merge): the date with its precision and the other
# times the form checks against it (an end is not before the start).
EDITED_TOGETHER = (
    ("date", "date_precision", "date_approximate", "placed_on", "start_time", "end_date"),
)


def details_of(event: Event) -> EventDetails:
    """The event as an edit form shows it, in plain values."""
    venue = event.venue
    return EventDetails(
        type=event.type,
        title=event.title,
        date=event.date,
        case_ids=tuple(c.id for c in event.cases),
        date_precision=event.date_precision,
        date_approximate=event.date_approximate,
        placed_on=event.placed_on,
        start_time=event.start_time,
        end_date=event.end_date,
        venue=venue_label(venue.name, venue.city) if venue else None,
        city=event.city,
        country=event.country,
        participants=event.participants,
        description=event.description,
        outcome=event.outcome,
        authority=event.authority,
        authority_response=event.authority_response,
        visibility=event.visibility,
        organisations=tuple(o.name for o in event.organisations),
        sources=tuple((s.url, s.title) for s in event.sources),
    )


def loaded_fingerprints(event: Event) -> str:
    """What an edit form carries of the event it shows, to merge a later save with others'."""
    return merge.fingerprints(details_of(event), EDITED_FIELDS)


def update_event(
    event: Event,
    details: EventDetails,
    actor: User,
    *,
    seen_version: int | None,
    loaded: str | None = None,
) -> tuple[str, ...]:
    """Change an event that *actor* loaded at *seen_version*; returns the fields that kept
    the values someone else saved after that.

    When someone saved it since, *loaded* (the form's :func:`loaded_fingerprints`) lets the
    two edits merge: the fields *actor* left alone keep the newer values. Raises
    :class:`campaign.errors.EditConflict` when they cannot be merged (no *loaded*, or a field
    both changed),
    and :class:`campaign.directory.services.AmbiguousVenue`. An activist's change to a checked
    event makes it unchecked again, and so takes back what it did to its cases; an organiser's
    change of the type, date or cases re-applies the status rules.
    """
    details, kept_theirs = merge.reconcile(
        "event",
        event.id,
        (event.version, seen_version),
        loaded,
        details,
        lambda: details_of(event),
        EDITED_FIELDS,
        EDITED_TOGETHER,
    )
    _check_verified(details, actor)
    before = _status_facts(event)
    cases_before = list(event.cases)
    cited_before = list(event.sources)
    _fill(event, details)
    if db.session.is_modified(event):
        # Its cases, organisations and sources live in other tables: without a write to the
        # event's own row its version would stay, and a form opened before would save over
        # them unawares (campaign.util.merge).
        event.updated_at = utcnow()
        if event.verification == Verification.VERIFIED and not may_verify(actor):
            # What an organiser checked is no longer what is saved: it needs checking again.
            event.verification = Verification.REPORTED
    db.session.flush()
    drop_unused_sources([s for s in cited_before if s not in event.sources], event.id)
    if not drives_status(event, actor):
        # An activist's change takes the event back to unchecked: so does its effect.
        unfollow_status(event, cases_before, everything=True)
    elif before != _status_facts(event):
        unfollow_status(event, cases_before)
        follow_status(event, actor)
    if details.verified and may_verify(actor):
        verify_event(event, actor)
    return kept_theirs


def _status_facts(event: Event) -> tuple[Any, ...]:
    """What the status rules read from an event: a change re-applies them."""
    cases = frozenset(c.id for c in event.cases)
    return (event.type, event.date, event.date_precision, event.date_approximate, cases)


def verify_event(event: Event, actor: User) -> bool:
    """Mark an event as checked against its sources; returns whether it was not checked yet.

    Checked now, an activist's arrest, sentence or release may move its cases' status.
    """
    if event.verification == Verification.VERIFIED:
        return False
    event.verification = Verification.VERIFIED
    event.verified_by_id = actor.id
    event.verified_at = datetime.now(UTC)
    follow_status(event, actor, only_new=True)
    db.session.flush()
    return True


def verify_events(event_ids: Sequence[int], actor: User) -> int:
    """Mark several events as checked at once (from a case page), in the story's order so the
    status rules meet them as they happened; returns how many were not checked yet."""
    events = db.session.scalars(
        sa.select(Event).where(Event.id.in_(list(event_ids) or [0])).order_by(*story_order())
    )
    return sum(1 for event in list(events) if verify_event(event, actor))


def delete_event(event: Event, actor: User) -> None:
    """Delete an event: what it did to its cases is taken back, and the sources no other event
    cites go with it. The history keeps its last state."""
    unfollow_status(event, list(event.cases), everything=True)
    cited = list(event.sources)
    event_id = event.id
    db.session.delete(event)
    db.session.flush()
    drop_unused_sources(cited, event_id)


def drop_unused_sources(sources: list[Source], event_id: int) -> None:
    """Delete sources this event no longer cites, unless another event still cites them."""
    for source in sources:
        if source.id is None:
            continue
        cited_elsewhere = db.session.scalar(
            sa.select(event_sources.c.event_id).where(
                event_sources.c.source_id == source.id, event_sources.c.event_id != event_id
            )
        )
        if cited_elsewhere is None:
            db.session.delete(source)


def follow_status(event: Event, actor: User | None, *, only_new: bool = False) -> None:
    """Let each of the event's cases follow what the event implies (arrest, sentence, release).

    With *only_new*, skip cases whose status this event already moved (a repeated verify).
    """
    db.session.flush()  # the status rules keep the event's id
    for case in event.cases:
        if only_new and status.is_applied(case, event):
            continue
        status.apply_event(case, event, case_events(case), today_utc(), actor)


def unfollow_status(event: Event, cases: list[Case], *, everything: bool = False) -> None:
    """Take back what *event* did to *cases* when it no longer justifies it (or, with
    *everything*, in any case: the event is deleted or no longer checked)."""
    today = today_utc()
    for case in cases:
        if everything or not status.still_justifies(case, event, today):
            status.undo_event(case, event, today, None)
