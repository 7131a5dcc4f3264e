"""Spreadsheets in: keep an uploaded sheet until it is confirmed, map its columns, plan what
each row will do, and carry the plan out through the events' and cases' own services.

The plan is worked out from the sheet and the database without writing anything; the import
writes through :func:`campaign.events.services.log_event`, :func:`update_event`,
:func:`campaign.cases.services.open_case` and :func:`update_case`, so the status rules, the
history, the search index and the page cache follow as they do for a form. Nothing commits
here: the view commits once, so the rows are saved all together or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from campaign.cases import services as case_services
from campaign.directory.services import AmbiguousVenue
from campaign.errors import EditConflict
from campaign.events import services as event_services
from campaign.extensions import db
from campaign.imports import queries
from campaign.imports.labels import FIELDS, REQUIRED
from campaign.models import (
    Case,
    CaseStatus,
    DatePrecision,
    Event,
    EventType,
    SheetMapping,
    SheetUpload,
    User,
    Verification,
    Visibility,
)
from campaign.util.countries import country_from_text
from campaign.util.dates import NoSuchDate, UnreadableDate, parse_partial_date, start_of_period
from campaign.util.sheetfiles import Sheet

KINDS = ("events", "cases")
# Words before a date that say it is a best guess ("about 27.04.2010", "около 27.04.2010").
_ABOUT = re.compile(
    r"^(?:about|approx\.?|approximately|circa|c\.|ca\.|~|около|примерно|шамамен)\s*", re.IGNORECASE
)
_LINKED = re.compile(r"\s*(.*?)\s*<([^<>\s]+)>\s*(?:;|$)")
_SOURCE = re.compile(r"^(.*?)\s*<(\S+)>$")
_TRUE = frozenset({"true", "yes", "y", "1", "x", "да", "иә", "verified"})
_FALSE = frozenset({"false", "no", "n", "0", "", "нет", "жоқ"})
# The headings other sheets use for a field, besides its name and its label.
SYNONYMS: dict[str, dict[str, str]] = {
    "events": {
        "place": "venue",
        "where": "venue",
        "date_precision": "precision",
        "date_approximate": "approximate",
        "case": "cases",
        "event_type": "type",
        "what": "title",
        "event": "title",
        "organisation": "organisations",
        "organization": "organisations",
        "organizations": "organisations",
        "organised_by": "organisations",
        "source": "sources",
        "link": "sources",
        "url": "sources",
        "notes": "description",
        "ref": "external_id",
        "reference": "external_id",
        "дата": "date",
        "название": "title",
        "заголовок": "title",
        "тип": "type",
        "город": "city",
        "страна": "country",
        "описание": "description",
        "участники": "participants",
        "место": "venue",
        "источник": "sources",
        "ссылка": "sources",
        "дело": "cases",
        "организаторы": "organisations",
    },
    "cases": {
        "name": "person_name",
        "person": "person_name",
        "original_name": "person_name_original",
        "arrested": "arrest_date",
        "arrest": "arrest_date",
        "article": "legal_article",
        "address": "detention_address",
        "notes": "internal_notes",
        "ref": "external_id",
        "reference": "external_id",
        "имя": "person_name",
        "фио": "person_name",
        "статус": "status",
        "страна": "country",
        "город": "city",
        "дата_ареста": "arrest_date",
    },
}


class ImportProblem(Exception):
    """An import action that cannot be done; the view says why."""


class StaleUpload(ImportProblem):
    """The uploaded sheet is gone: expired, already imported, or another user's."""


class MappingIncomplete(ImportProblem):
    """A field the kind of sheet needs has no column, or a field has two."""

    def __init__(self, missing: Sequence[str], twice: Sequence[str]) -> None:
        super().__init__(", ".join([*missing, *twice]))
        self.missing = list(missing)
        self.twice = list(twice)


class ProblemsRemain(ImportProblem):
    """Some rows have problems and the user did not choose to leave them out."""


class RowFailed(ImportProblem):
    """A row could not be saved after all (a venue became ambiguous, someone edited the event
    meanwhile): nothing of the import is kept."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"{line}: {message}")
        self.line = line
        self.message = message


@dataclass
class RowPlan:
    """What one row of the sheet will do, shown in the preview."""

    line: int
    action: str = "create"  # "create", "update", "unchanged" or "skip"
    target_id: int | None = None
    shown: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    record: Any = None


@dataclass(frozen=True)
class Plan:
    """The preview of an import: every row's plan, and the counts."""

    rows: list[RowPlan]

    def count(self, action: str) -> int:
        """How many rows without problems will do *action*."""
        return sum(1 for r in self.rows if r.action == action and not r.problems)

    @property
    def with_problems(self) -> int:
        """How many rows have problems."""
        return sum(1 for r in self.rows if r.problems)


@dataclass(frozen=True)
class Imported:
    """What an import did."""

    created: int
    updated: int
    unchanged: int
    skipped: int


# -- the uploaded sheet -------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def store_upload(
    sheet: Sheet,
    kind: str,
    filename: str,
    actor: User,
    *,
    hours: float,
    default_case_id: int | None = None,
) -> str:
    """Keep a read sheet for *actor* until it is confirmed or expires; returns its token (the
    only copy: the table keeps its hash). Expired sheets of anyone are deleted on the way."""
    purge_expired()
    token = secrets.token_urlsafe(24)
    now = datetime.now(UTC)
    db.session.add(
        SheetUpload(
            token_hash=_hash(token),
            user_id=actor.id,
            kind=kind,
            filename=filename[:200] or "sheet",
            encoding=sheet.encoding,
            header=list(sheet.header),
            rows=[[line, cells] for line, cells in sheet.rows],
            default_case_id=default_case_id,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    db.session.flush()
    return token


def load_upload(token: str, actor: User) -> SheetUpload:
    """The sheet *actor* uploaded under *token*. Raises :class:`StaleUpload`."""
    upload = db.session.scalars(
        sa.select(SheetUpload).where(SheetUpload.token_hash == _hash(token or ""))
    ).first()
    if upload is None or upload.user_id != actor.id:
        raise StaleUpload
    if upload.expires_at <= datetime.now(UTC):
        raise StaleUpload
    return upload


def discard_upload(upload: SheetUpload) -> None:
    """Delete an uploaded sheet (imported, or given up)."""
    db.session.delete(upload)
    db.session.flush()


def purge_expired() -> int:
    """Delete the uploaded sheets whose time is up; returns how many."""
    result = db.session.execute(
        sa.delete(SheetUpload).where(SheetUpload.expires_at <= datetime.now(UTC))
    )
    return int(getattr(result, "rowcount", 0) or 0)


# -- mapping columns to fields ------------------------------------------------------------------


def _folded(heading: str) -> str:
    return re.sub(r"[\s\-]+", "_", heading.strip().casefold())


def guess_fields(kind: str, header: Sequence[str]) -> list[str]:
    """The field each column most likely holds, from its heading ("" for none): a field's own
    name first (as the tracker's exports write them), then its label, then other names."""
    names = FIELDS[kind]
    labels = {_folded(str(label)): name for name, label in names.items()}
    synonyms = SYNONYMS[kind]
    guessed = [""] * len(header)
    taken: set[str] = set()
    tracker_export = kind == "events" and {"id", "cases", "verification", "family"} <= {
        _folded(h) for h in header
    }
    for lookup in (
        lambda h: h if h in names else None,
        lambda h: labels.get(h),
        lambda h: synonyms.get(h),
    ):
        for i, heading in enumerate(header):
            if guessed[i]:
                continue
            found = lookup(_folded(heading))
            if found == "id" and not tracker_export:
                found = "external_id"  # another sheet's "id" is its own, not the tracker's
            if found and found not in taken:
                guessed[i] = found
                taken.add(found)
    return guessed


def check_fields(kind: str, fields: Sequence[str]) -> None:
    """Raise :class:`MappingIncomplete` unless every needed field has one column."""
    chosen = [f for f in fields if f]
    missing = [f for f in REQUIRED[kind] if f not in chosen]
    twice = sorted({f for f in chosen if chosen.count(f) > 1})
    if missing or twice:
        raise MappingIncomplete(missing, twice)


def set_mapping(upload: SheetUpload, fields: Sequence[str], default_case_id: int | None) -> None:
    """Keep the chosen mapping on the upload, and remember it for sheets with these headings.

    Raises :class:`MappingIncomplete`.
    """
    known = FIELDS[upload.kind]
    cleaned = [f if f in known else "" for f in fields][: len(upload.header)]
    cleaned += [""] * (len(upload.header) - len(cleaned))
    check_fields(upload.kind, cleaned)
    upload.fields = cleaned
    upload.default_case_id = default_case_id
    key = queries.header_key(upload.header)
    mapping = db.session.scalars(
        sa.select(SheetMapping).where(
            SheetMapping.kind == upload.kind, SheetMapping.header_key == key
        )
    ).first()
    if mapping is None:
        mapping = SheetMapping(kind=upload.kind, header_key=key, fields=cleaned)
        db.session.add(mapping)
    else:
        mapping.fields = cleaned
    db.session.flush()


# -- reading cells ------------------------------------------------------------------------------


def read_date(text: str) -> tuple[dt.date, DatePrecision, bool]:
    """A partial date as organisers type it: "May 2010", "about 27.04.2010", "2010-04".

    Raises :class:`UnreadableDate` or :class:`NoSuchDate`.
    """
    raw = text.strip()
    about = _ABOUT.match(raw)
    approximate = about is not None
    if about:
        raw = raw[about.end() :]
    day, precision = parse_partial_date(raw)
    return day, precision, approximate


def read_flag(text: str) -> bool | None:
    """Yes or no as a sheet writes it, or None when it is neither."""
    folded = text.strip().casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    return None


def _choice(enum: Any, text: str) -> Any:
    """A member of a vocabulary by its value or its label, or None."""
    folded = _folded(text)
    for member in enum:
        if folded in {member.value, _folded(str(member.label))}:
            return member
    return None


def _precision(text: str) -> DatePrecision | None:
    return _choice(DatePrecision, text) if text.strip() else None


def _sources(text: str) -> list[tuple[str | None, str | None]]:
    """Sources as the timeline's CSV writes them: "title <url>; url; title"."""
    found: list[tuple[str | None, str | None]] = []
    position, stripped = 0, text.strip()
    while position < len(stripped) and (linked := _LINKED.match(stripped, position)):
        found.append((linked.group(2), linked.group(1) or None))
        position = linked.end()
    if found and position >= len(stripped):
        return found  # every source has a link: a ";" inside a title is part of it
    found = []
    for part in re.split(r";\s*|\n", text):
        part = part.strip()
        if not part:
            continue
        if match := _SOURCE.match(part):
            found.append((match.group(2), match.group(1) or None))
        elif re.match(r"https?://", part):
            found.append((part, None))
        else:
            found.append((None, part))
    return found


def _items(text: str) -> list[str]:
    return [p.strip() for p in re.split(r";|\n", text) if p.strip()]


def _row_values(upload: SheetUpload, cells: Sequence[str]) -> dict[str, str]:
    fields = upload.fields or []
    return {f: (cells[i] if i < len(cells) else "") for i, f in enumerate(fields) if f}


# -- planning -----------------------------------------------------------------------------------


def plan_import(upload: SheetUpload) -> Plan:
    """What each row of a mapped sheet will do, with its problems; writes nothing."""
    if upload.kind == "cases":
        planner: Callable[[int, dict[str, str]], RowPlan] = _CasePlanner()
    else:
        planner = _EventPlanner(upload.default_case_id)
    rows = [planner(int(line), _row_values(upload, cells)) for line, cells in upload.rows]
    return Plan(rows)


def _date_problem(label: str, text: str) -> str:
    return _("%(field)s: “%(text)s” is not a date this tracker can read.", field=label, text=text)


class _EventPlanner:
    """Plans rows of a sheet of events, remembering what earlier rows claimed."""

    def __init__(self, default_case_id: int | None) -> None:
        self.finder = queries.CaseFinder()
        self.default_case_id = default_case_id
        self.seen: dict[Any, int] = {}

    def __call__(self, line: int, values: dict[str, str]) -> RowPlan:
        plan = RowPlan(line)
        kind = values.get("kind", "").strip().casefold()
        if kind and kind != "event":
            plan.action = "skip"  # a message day or a milestone of the public timeline
            plan.shown = [values.get("date", ""), values.get("title", "")]
            return plan
        problems = plan.problems
        title = values.get("title", "").strip()
        if not title:
            problems.append(_("The title is empty."))
        elif len(title) > 200:
            problems.append(_("The title is longer than 200 characters."))
        event_type = _choice(EventType, values.get("type", ""))
        if event_type is None:
            problems.append(_("“%(text)s” is not a type of event.", text=values.get("type", "")))
        day: dt.date | None = None
        precision, approximate = DatePrecision.DAY, False
        try:
            day, precision, approximate = read_date(values.get("date", ""))
        except (UnreadableDate, NoSuchDate):
            problems.append(_date_problem(str(FIELDS["events"]["date"]), values.get("date", "")))
        if "precision" in values and values["precision"].strip():
            said = _precision(values["precision"])
            if said is None:
                problems.append(_("“%(text)s” is not a date precision.", text=values["precision"]))
            else:
                precision = said
        if "approximate" in values and values["approximate"].strip():
            flag = read_flag(values["approximate"])
            approximate = approximate or bool(flag)
        if day is not None:
            day = start_of_period(day, precision)
        end_date = None
        if values.get("end_date", "").strip():
            try:
                end_date = read_date(values["end_date"])[0]
            except (UnreadableDate, NoSuchDate):
                problems.append(
                    _date_problem(str(FIELDS["events"]["end_date"]), values["end_date"])
                )
        start_time = None
        if values.get("start_time", "").strip():
            try:
                start_time = dt.time.fromisoformat(values["start_time"].strip().zfill(5))
            except ValueError:
                problems.append(_("“%(text)s” is not a time.", text=values["start_time"]))
        case_ids: list[int] = []
        for name in _items(values.get("cases", "")) + _items(values.get("also_concerns", "")):
            found = self.finder.find(name)
            if found is None:
                problems.append(_("No case is called “%(name)s”.", name=name))
            elif found not in case_ids:
                case_ids.append(found)
        if not case_ids and self.default_case_id is not None:
            case_ids.append(self.default_case_id)
        if not case_ids:
            problems.append(_("The row names no case, and no case was chosen for the sheet."))
        country = None
        if values.get("country", "").strip():
            country = country_from_text(values["country"])
            if country is None:
                problems.append(_("“%(text)s” is not a country.", text=values["country"]))
        participants = None
        if values.get("participants", "").strip():
            try:
                participants = int(float(values["participants"].replace(" ", "")))
                if participants < 0:
                    raise ValueError
            except ValueError:
                problems.append(
                    _("“%(text)s” is not a number of people.", text=values["participants"])
                )
        visibility = Visibility.PUBLIC
        if values.get("visibility", "").strip():
            visibility = _choice(Visibility, values["visibility"]) or Visibility.PUBLIC
        verified = values.get("verification", "").strip().casefold() == "verified"
        sources = _sources(values.get("sources", ""))
        plan.shown = [values.get("date", ""), title, values.get("type", "")]
        if problems or day is None or event_type is None:
            return plan
        existing = self._match(plan, values, case_ids, day, title)
        details = event_services.EventDetails(
            type=event_type,
            title=title,
            date=day,
            case_ids=case_ids,
            date_precision=precision,
            date_approximate=approximate,
            start_time=start_time,
            end_date=end_date,
            venue=values.get("venue", "").strip() or None,
            city=values.get("city", "").strip() or None,
            country=country,
            participants=participants,
            description=values.get("description"),
            outcome=values.get("outcome"),
            authority=values.get("authority"),
            authority_response=values.get("authority_response"),
            visibility=visibility,
            organisations=_items(values.get("organisations", "")),
            sources=sources,
            verified=verified,
            external_id=values.get("external_id", "").strip() or None,
        )
        if existing is not None:
            details = _keep_unmapped(details, existing, values)
            plan.changes = _event_changes(existing, details)
            plan.action = "update" if plan.changes else "unchanged"
            plan.target_id = existing.id
        elif verified and not details.cites_a_source:
            problems.append(_("A verified event needs a source."))
        plan.record = details
        key = ("event", existing.id) if existing else (frozenset(case_ids), day, title.casefold())
        if key in self.seen:
            problems.append(_("The same event as row %(line)s.", line=self.seen[key]))
        else:
            self.seen[key] = line
        return plan

    def _match(
        self, plan: RowPlan, values: dict[str, str], case_ids: list[int], day: dt.date, title: str
    ) -> Event | None:
        """The event this row is already, by the tracker's number, the sheet's own id, or its
        case, date and title."""
        number = values.get("id", "").strip().removeprefix("#")
        if number:
            event = db.session.get(Event, int(number)) if number.isdigit() else None
            if event is None or not {c.id for c in event.cases} & set(case_ids):
                plan.problems.append(_("There is no event #%(id)s of these cases.", id=number))
                return None
            return event
        external = values.get("external_id", "").strip()
        if external:
            found = queries.event_by_external_id(external)
            if found is not None:
                return found
        return queries.event_on(case_ids, day, title)


def _keep_unmapped(
    details: event_services.EventDetails, event: Event, values: dict[str, str]
) -> event_services.EventDetails:
    """An update changes only what the sheet has a column for; the rest stays as it is."""
    kept: dict[str, Any] = {"placed_on": event.placed_on}
    pairs = {
        "end_date": ("end_date", event.end_date),
        "start_time": ("start_time", event.start_time),
        "city": ("city", event.city),
        "participants": ("participants", event.participants),
        "description": ("description", event.description),
        "outcome": ("outcome", event.outcome),
        "authority": ("authority", event.authority),
        "authority_response": ("authority_response", event.authority_response),
        "visibility": ("visibility", event.visibility),
    }
    for column, (name, value) in pairs.items():
        if column not in values:
            kept[name] = value
    if "venue" not in values:
        kept["venue"] = event.venue.name if event.venue else None
        kept["city"] = details.city if "city" in values else event.city
    if "country" not in values or details.country == (
        event.country or (event.venue.country if event.venue else None)
    ):
        kept["country"] = event.country  # the export shows the venue's country for none
    if "organisations" not in values:
        kept["organisations"] = [o.name for o in event.organisations]
    if "sources" not in values:
        kept["sources"] = [(s.url, s.title) for s in event.sources]
    if "cases" not in values and "also_concerns" not in values:
        kept["case_ids"] = [c.id for c in event.cases]
    if event.verification == Verification.VERIFIED:
        kept["verified"] = False
    return replace(details, **kept)


def _text(value: Any) -> Any:
    return (value or "").strip() or None if isinstance(value, str) or value is None else value


def _event_changes(event: Event, details: event_services.EventDetails) -> list[str]:
    """The fields an update would change (their names), empty when the row says nothing new."""
    labels = FIELDS["events"]
    now: dict[str, Any] = {
        "type": event.type,
        "title": event.title,
        "date": (event.date, event.date_precision, event.date_approximate),
        "end_date": event.end_date,
        "start_time": event.start_time,
        "venue": (event.venue.name.casefold() if event.venue else None),
        "city": _text(event.city),
        "country": event.country,
        "participants": event.participants,
        "description": _text(event.description),
        "outcome": _text(event.outcome),
        "authority": _text(event.authority),
        "authority_response": _text(event.authority_response),
        "visibility": event.visibility,
        "cases": frozenset(c.id for c in event.cases),
        "organisations": frozenset(o.name.casefold() for o in event.organisations),
        "sources": [(s.url, s.title) for s in event.sources],
        "verification": event.verification == Verification.VERIFIED,
        "external_id": event.external_id,
    }
    venue = details.venue.strip() if details.venue else None
    if (
        venue
        and "," in venue
        and event.venue
        and venue.casefold().startswith(event.venue.name.casefold() + ",")
    ):
        venue = event.venue.name  # "Name, City" as the venue list writes it
    wanted: dict[str, Any] = {
        "type": details.type,
        "title": details.title.strip(),
        "date": (details.date, details.date_precision, details.date_approximate),
        "end_date": details.end_date,
        "start_time": details.start_time,
        "venue": venue.casefold() if venue else None,
        "city": _text(details.city) or (event.venue.city if venue and event.venue else None),
        "country": details.country,
        "participants": details.participants,
        "description": _text(details.description),
        "outcome": _text(details.outcome),
        "authority": _text(details.authority),
        "authority_response": _text(details.authority_response),
        "visibility": details.visibility,
        "cases": frozenset(details.case_ids),
        "organisations": frozenset(o.strip().casefold() for o in details.organisations),
        "sources": [
            (url, ((title or "").strip() or (url or ""))[:300]) for url, title in details.sources
        ],
        "verification": now["verification"] or details.verified,
        "external_id": details.external_id
        if details.external_id is not None
        else event.external_id,
    }
    names = {"date": "date", "verification": "verification"}
    return [str(labels[names.get(k, k)]) for k in now if now[k] != wanted[k]]


class _CasePlanner:
    """Plans rows of a sheet of cases."""

    def __init__(self) -> None:
        self.seen: dict[Any, int] = {}

    def __call__(self, line: int, values: dict[str, str]) -> RowPlan:
        plan = RowPlan(line)
        problems = plan.problems
        labels = FIELDS["cases"]
        name = values.get("person_name", "").strip()
        if not name:
            problems.append(_("The name is empty."))
        plan.shown = [name, values.get("status", ""), values.get("arrest_date", "")]
        existing = self._match(plan, values, name)
        record: dict[str, Any] = _case_values(existing) if existing else {}
        for column in (
            "person_name",
            "person_name_original",
            "occupation",
            "affiliation",
            "city",
            "charges",
            "legal_article",
            "court",
            "judge",
            "sentence",
            "detention_place",
            "detention_address",
            "summary",
            "internal_notes",
        ):
            if column in values:
                record[column] = values[column].strip() or None
        if "slug" in values and values["slug"].strip():
            record["slug"] = values["slug"].strip()
        if "external_id" in values and values["external_id"].strip():
            record["external_id"] = values["external_id"].strip()
        if values.get("country", "").strip():
            record["country"] = country_from_text(values["country"])
            if record["country"] is None:
                problems.append(_("“%(text)s” is not a country.", text=values["country"]))
        elif "country" in values:
            record["country"] = None
        if values.get("status", "").strip():
            status = _choice(CaseStatus, values["status"])
            if status is None:
                problems.append(_("“%(text)s” is not a case status.", text=values["status"]))
            else:
                record["status"] = status
        if values.get("arrest_date", "").strip():
            try:
                day, precision, approximate = read_date(values["arrest_date"])
                said = _precision(values.get("arrest_date_precision", ""))
                precision = said or precision
                flag = read_flag(values.get("arrest_date_approximate", ""))
                record["arrest_date"] = start_of_period(day, precision)
                record["arrest_date_precision"] = precision
                record["arrest_date_approximate"] = approximate or bool(flag)
            except (UnreadableDate, NoSuchDate):
                problems.append(_date_problem(str(labels["arrest_date"]), values["arrest_date"]))
        for column in ("expected_release", "released_on"):
            if values.get(column, "").strip():
                try:
                    record[column] = read_date(values[column])[0]
                except (UnreadableDate, NoSuchDate):
                    problems.append(_date_problem(str(labels[column]), values[column]))
        if problems:
            return plan
        try:
            plan.record = case_services.CaseRecord(**record)
        except TypeError:  # pragma: no cover - every key above is a field of the record
            problems.append(_("The row cannot be read."))
            return plan
        if existing is not None:
            plan.target_id = existing.id
            plan.changes = [
                str(labels.get(k, k))
                for k, v in record.items()
                if k not in {"related_ids", "slug"} and _text(getattr(existing, k)) != _text(v)
            ]
            plan.action = "update" if plan.changes else "unchanged"
        key = ("case", existing.id) if existing else name.casefold()
        if key in self.seen:
            problems.append(_("The same case as row %(line)s.", line=self.seen[key]))
        else:
            self.seen[key] = line
        return plan

    def _match(self, plan: RowPlan, values: dict[str, str], name: str) -> Case | None:
        """The case this row is already: by number, the sheet's own id, address or name."""
        number = values.get("id", "").strip().removeprefix("#")
        if number:
            case = db.session.get(Case, int(number)) if number.isdigit() else None
            if case is None:
                plan.problems.append(_("There is no case #%(id)s.", id=number))
            return case
        external = values.get("external_id", "").strip()
        if external and (found := queries.case_by_external_id(external)) is not None:
            return found
        slug = values.get("slug", "").strip()
        if slug and (found := queries.case_by_slug(slug)) is not None:
            return found
        named = queries.cases_named(name) if name else []
        return named[0] if len(named) == 1 else None


def _case_values(case: Case) -> dict[str, Any]:
    """A case's own values as a record holds them (what an update keeps unless changed)."""
    names = [
        "person_name",
        "person_name_original",
        "occupation",
        "affiliation",
        "country",
        "city",
        "status",
        "arrest_date",
        "arrest_date_precision",
        "arrest_date_approximate",
        "charges",
        "legal_article",
        "court",
        "judge",
        "sentence",
        "expected_release",
        "released_on",
        "detention_place",
        "detention_address",
        "detention_address_public",
        "summary",
        "internal_notes",
    ]
    values = {name: getattr(case, name) for name in names}
    values["slug"] = case.slug
    values["related_ids"] = [c.id for c in case.related_cases]
    return values


# -- carrying the plan out ----------------------------------------------------------------------


def run_import(upload: SheetUpload, actor: User, *, skip_problems: bool) -> Imported:
    """Save every row of the sheet as planned, then delete the uploaded sheet.

    Raises :class:`ProblemsRemain` when rows have problems and *skip_problems* is not set,
    and :class:`RowFailed` when a row cannot be saved after all; the caller then rolls back,
    so nothing of the import is kept.
    """
    plan = plan_import(upload)
    if plan.with_problems and not skip_problems:
        raise ProblemsRemain
    created = updated = unchanged = 0
    for row in plan.rows:
        if row.problems or row.action == "skip":
            continue
        if row.action == "unchanged":
            unchanged += 1
            continue
        try:
            if upload.kind == "cases":
                _save_case(row, actor)
            else:
                _save_event(row, actor)
        except AmbiguousVenue:
            raise RowFailed(row.line, _("several places have this name: give the city.")) from None
        except EditConflict:
            raise RowFailed(row.line, _("someone changed it meanwhile.")) from None
        except event_services.NoSourceToVerify:
            raise RowFailed(row.line, _("a verified event needs a source.")) from None
        except case_services.CaseError:
            raise RowFailed(row.line, _("the web address is taken or missing.")) from None
        if row.action == "create":
            created += 1
        else:
            updated += 1
    skipped = sum(1 for r in plan.rows if r.problems or r.action == "skip")
    discard_upload(upload)
    return Imported(created, updated, unchanged, skipped)


def _save_event(row: RowPlan, actor: User) -> None:
    if row.action == "create":
        event_services.log_event(row.record, actor)
        return
    event = db.session.get(Event, row.target_id)
    if event is None:  # deleted between the plan and now
        raise EditConflict("event", row.target_id or 0, 0, None)
    event_services.update_event(event, row.record, actor, seen_version=event.version)


def _save_case(row: RowPlan, actor: User) -> None:
    if row.action == "create":
        case_services.open_case(row.record, actor)
        return
    case = db.session.get(Case, row.target_id)
    if case is None:  # deleted between the plan and now
        raise EditConflict("case", row.target_id or 0, 0, None)
    case_services.update_case(case, row.record, actor, seen_version=case.version)
