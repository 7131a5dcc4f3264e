"""The cases' domain actions: open a case, change it, link it to others, publish, archive.

Each takes plain values and the acting user, adds and flushes but never commits (the view, an
import or the command line commits once), and raises a named error. The history records every
change by itself; the status history records an organiser's own change of the status.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from campaign.cases.status import record_manual_change
from campaign.events.queries import case_events
from campaign.extensions import db
from campaign.history.recorder import note
from campaign.models import (
    Case,
    CaseStatus,
    CaseStatusChange,
    DatePrecision,
    Event,
    EventType,
    User,
)
from campaign.util import merge
from campaign.util.dates import today_utc
from campaign.util.slugs import slugify


class CaseError(Exception):
    """A case action that cannot be done; the view says why."""


class SlugMissing(CaseError):
    """The name gives no web address (it has no letters or digits) and none was typed."""


class SlugTaken(CaseError):
    """Another case already uses the web address that was typed."""


class CaseArchived(CaseError):
    """An archived case cannot be published: it must be brought back first."""


@dataclass(frozen=True)
class CaseRecord:
    """Everything organisers keep about a case, as plain values (the form, an import, the API).

    *slug* is the web address as typed; None makes one from the name. *related_ids* are the
    ids of the cases linked to this one (a link shows on both cases).
    """

    person_name: str
    slug: str | None = None
    person_name_original: str | None = None
    occupation: str | None = None
    affiliation: str | None = None
    country: str | None = None
    city: str | None = None
    status: CaseStatus = CaseStatus.DETAINED
    arrest_date: dt.date | None = None
    arrest_date_precision: DatePrecision = DatePrecision.DAY
    arrest_date_approximate: bool = False
    charges: str | None = None
    legal_article: str | None = None
    court: str | None = None
    judge: str | None = None
    sentence: str | None = None
    expected_release: dt.date | None = None
    released_on: dt.date | None = None
    detention_place: str | None = None
    detention_address: str | None = None
    detention_address_public: bool = False
    summary: str | None = None
    internal_notes: str | None = None
    related_ids: Sequence[int] = field(default_factory=tuple)
    # The case's id in an organiser's own spreadsheet (an import); None leaves it as it is.
    external_id: str | None = None


# The record's fields copied onto the case as they are (text stripped, empty text as None).
_COPIED = tuple(
    f.name for f in fields(CaseRecord) if f.name not in {"slug", "related_ids", "external_id"}
)


@dataclass(frozen=True)
class CaseSaved:
    """What saving a case did: whether its timeline's arrest event agrees with it afterwards,
    and which fields kept the values someone else saved after the form was loaded."""

    case: Case
    timeline_in_step: bool = True
    kept_theirs: tuple[str, ...] = ()


# The fields an edit form shows, and so the fields two people's edits are merged by.
EDITED_FIELDS = tuple(f.name for f in fields(CaseRecord) if f.name != "external_id")
# Fields merged as one (campaign.util.merge): the arrest date with its precision, and the
# dates the form checks against it (a release is not before the arrest).
EDITED_TOGETHER = (
    (
        "arrest_date",
        "arrest_date_precision",
        "arrest_date_approximate",
        "expected_release",
        "released_on",
    ),
)


def record_of(case: Case) -> CaseRecord:
    """The case as an edit form shows it, in plain values."""
    values = {name: getattr(case, name) for name in _COPIED}
    return CaseRecord(**values, slug=case.slug, related_ids=tuple(c.id for c in case.related_cases))


def loaded_fingerprints(case: Case) -> str:
    """What an edit form carries of the case it shows, to merge a later save with others'."""
    return merge.fingerprints(record_of(case), EDITED_FIELDS)


def _slug_taken(slug: str, case: Case | None) -> bool:
    taken = db.session.scalar(
        sa.select(Case.id).where(Case.slug == slug, Case.id != (case.id if case else 0))
    )
    return taken is not None


def choose_slug(typed: str | None, person_name: str, case: Case | None) -> str:
    """The case's web address: the one typed, or one made from the name in any script.

    A second case of the same person gets name-2, name-3... Raises :class:`SlugTaken` when a
    typed address is used by another case, :class:`SlugMissing` when the name gives none.
    """
    limit = int(sa.inspect(Case).columns["slug"].type.length)
    slug = (typed or slugify(person_name))[:limit]
    if not slug:
        raise SlugMissing
    base, n = slug, 2
    while _slug_taken(slug, case):
        if typed:
            raise SlugTaken(slug)
        tail = f"-{n}"
        slug = f"{base[: limit - len(tail)]}{tail}"
        n += 1
    return slug


def _copy(case: Case, record: CaseRecord) -> None:
    with db.session.no_autoflush:
        for name in _COPIED:
            value = getattr(record, name)
            if isinstance(value, str):
                value = value.strip() or None
            setattr(case, name, value)
        if record.external_id is not None:
            case.external_id = record.external_id.strip()[:100] or None


def link_cases(case: Case, related_ids: Sequence[int]) -> None:
    """Link *case* to exactly these other cases, both ways (each case shows the other)."""
    wanted = set(related_ids) - {case.id}
    others = list(db.session.scalars(sa.select(Case).where(Case.id.in_(wanted or [0]))))
    with db.session.no_autoflush:
        for other in list(case.related_cases):
            if other.id not in wanted:
                case.unlink(other)
        for other in others:
            case.link(other)


def open_case(record: CaseRecord, actor: User | None, *, log_arrest: bool = False) -> Case:
    """Open a case, unpublished until an organiser publishes it.

    Its status history starts from the arrest when the arrest date is known; with *log_arrest*
    the arrest also goes on its timeline, with the same date and precision. Raises
    :class:`SlugTaken` or :class:`SlugMissing`.
    """
    slug = choose_slug(record.slug, record.person_name, None)
    case = Case(published=False, slug=slug)
    _copy(case, record)
    db.session.add(case)
    db.session.flush()
    link_cases(case, record.related_ids)
    first = record_manual_change(case, None, today_utc(), actor)
    if first is not None and case.arrest_date is not None:
        # The status holds since the arrest, not since the day the case was typed in.
        first.effective_on = case.arrest_date
    if log_arrest and case.arrest_date is not None:
        _log_arrest(case, actor)
    db.session.flush()
    return case


def arrest_title(person_name: str) -> str:
    """The title the app gives the arrest it puts on a new case's timeline."""
    return _("Arrest of %(name)s", name=person_name)[:200]


def _log_arrest(case: Case, actor: User | None) -> Event:
    """Put the arrest typed on a new case on its timeline, with the same date and precision."""
    event = Event(
        type=EventType.ARREST,
        title=arrest_title(case.person_name),
        date=case.arrest_date,
        date_precision=case.arrest_date_precision,
        date_approximate=case.arrest_date_approximate,
        city=case.city,
        country=case.country,
        created_by_id=actor.id if actor is not None else None,
        cases=[case],
    )
    db.session.add(event)
    return event


def update_case(
    case: Case,
    record: CaseRecord,
    actor: User | None,
    *,
    seen_version: int | None,
    loaded: str | None = None,
) -> CaseSaved:
    """Change a case that *actor* loaded at *seen_version*.

    When someone saved it since, *loaded* (the form's :func:`loaded_fingerprints`) lets the
    two edits merge: the fields *actor* left alone keep the newer values. Raises
    :class:`campaign.errors.EditConflict` when they cannot be merged (no *loaded*, or a field
    both changed),
    :class:`SlugTaken` or :class:`SlugMissing`. An organiser's change of the status is kept in
    the status history; a new arrest date moves the case's single arrest event with it (see
    :func:`move_arrest`).
    """
    record, kept_theirs = merge.reconcile(
        "case",
        case.id,
        (case.version, seen_version),
        loaded,
        record,
        lambda: record_of(case),
        EDITED_FIELDS,
        EDITED_TOGETHER,
    )
    slug = choose_slug(record.slug, record.person_name, case)
    old_status = case.status
    old_arrest = _arrest_of(case)
    old_release = case.released_on
    old_name = case.person_name
    case.slug = slug
    _copy(case, record)
    if case.person_name != old_name:
        retitle_generated(case, old_name)
    if case.released_on != old_release:
        # A release date typed by hand is a day; an event's "about" no longer describes it.
        case.released_on_precision = DatePrecision.DAY
        case.released_on_approximate = False
    link_cases(case, record.related_ids)
    record_manual_change(case, old_status, today_utc(), actor)
    db.session.flush()
    in_step = True
    if old_arrest != _arrest_of(case):
        in_step = move_arrest(case, old_arrest[0])
    return CaseSaved(case, in_step, kept_theirs)


def retitle_generated(case: Case, old_name: str) -> None:
    """Give the titles the app made from the old name ("Arrest of <old name>") the new name;
    titles a person wrote stay as they are."""
    made = arrest_title(old_name)
    for event in case_events(case):
        if event.type == EventType.ARREST and event.title == made:
            event.title = arrest_title(case.person_name)


def _arrest_of(case: Case) -> tuple[dt.date | None, DatePrecision, bool]:
    """The case's arrest date with how it is known, to tell whether an edit moved it."""
    return (case.arrest_date, case.arrest_date_precision, case.arrest_date_approximate)


def move_arrest(case: Case, old_date: dt.date | None) -> bool:
    """Move the case's arrest event (and its status changes) to the case's new arrest date.

    Only the unambiguous case moves: exactly one arrest event, concerning this case alone, dated
    the old arrest date. Returns whether the timeline agrees with the case afterwards.
    """
    new_date, new_precision = case.arrest_date, case.arrest_date_precision
    first = min(case.status_changes, key=lambda c: (c.changed_at, c.id or 0), default=None)
    if (
        first is not None
        and first.event_id is None
        and old_date is not None
        and new_date is not None
        and first.effective_on == old_date
    ):
        # The status opened with the case was dated from the arrest (see open_case).
        first.effective_on = new_date
    arrests = [e for e in case_events(case) if e.type == EventType.ARREST]
    if not arrests:
        return True
    if (
        new_date is None
        or old_date is None
        or len(arrests) != 1
        or arrests[0].date != old_date
        or len(arrests[0].cases) != 1
    ):
        return any(e.date == new_date for e in arrests)
    event = arrests[0]
    note(event, caused_by_case=[None, f"#{case.id} {case.person_name}"])
    event.date = new_date
    event.date_precision = new_precision
    event.date_approximate = case.arrest_date_approximate
    for change in db.session.scalars(
        sa.select(CaseStatusChange).where(
            CaseStatusChange.event_id == event.id, CaseStatusChange.effective_on == old_date
        )
    ):
        change.effective_on = new_date
    db.session.flush()
    return True


def publish(case: Case) -> bool:
    """Show the case on the public site; returns whether it was not public yet.

    Raises :class:`CaseArchived` for an archived case.
    """
    if case.archived_at is not None:
        raise CaseArchived
    return _set(case, published=True)


def unpublish(case: Case) -> bool:
    """Take the case off the public site; returns whether it was public."""
    return _set(case, published=False)


def archive(case: Case) -> bool:
    """Archive a case instead of deleting it: it leaves the lists and the public site."""
    if case.archived_at is not None:
        return False
    case.archived_at = datetime.now(UTC)
    case.published = False
    db.session.flush()
    return True


def unarchive(case: Case) -> bool:
    """Bring an archived case back (it stays unpublished until published again)."""
    return _set(case, archived_at=None)


def _set(case: Case, **values: object) -> bool:
    """Set fields of a case; returns whether any changed."""
    changed = any(getattr(case, name) != value for name, value in values.items())
    for name, value in values.items():
        setattr(case, name, value)
    db.session.flush()
    return changed
