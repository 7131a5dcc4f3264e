"""A complete data export of one case for its organisers: JSON, and CSV for spreadsheets.

Unlike the public feeds, the export holds everything staff see: unpublished details, internal
notes, internal events, and every message of support whatever its state. It never holds what no
one may see: a supporter's e-mail and the hashes kept for spam checks and withdrawal. Messages
are copied field by field from an allow-list, so a column added to ``Message`` later stays out
of exports until someone decides it belongs there. Staff accounts are left out too (who created
or verified what): an export travels further than the tracker, and it needs no names to be
complete.

A supporter who withdrew a message asked for it to be gone: its text, name and organisation are
not exported, only the fact that a message was sent and withdrawn.

Dates and times are ISO 8601; timestamps are UTC with their offset.

Photos are referenced, not embedded: the case's portrait (``case.portrait``) and each event's
photos (``events[].photos``, internal ones too) by their stable names and the paths of their
re-encoded files inside the photos folder (``portraits/<name>.<size>.jpg``,
``events/<name>.<size>.jpg``), which every backup copies. The export stays one JSON document
that opens in any editor, and the files it names carry no metadata to leak.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from campaign.events.queries import case_events_select
from campaign.extensions import db
from campaign.models import (
    Case,
    CaseStatusChange,
    DeliveryPack,
    Event,
    Message,
    MessageState,
    Photo,
    Source,
)
from campaign.models.events import story_order
from campaign.photos import services as photos
from campaign.photos.images import SIZES
from campaign.timeline.build import EventItem
from campaign.timeline.feeds import CSV_FIELDS, timeline_rows
from campaign.util.countries import country_name

FORMAT = "campaign-case-export"
FORMAT_VERSION = 1

# The columns of a case copied as they are (the ids of related objects are replaced by slugs).
CASE_FIELDS = (
    "id",
    "slug",
    "person_name",
    "person_name_original",
    "occupation",
    "affiliation",
    "country",
    "city",
    "photo_filename",
    "photo_width",
    "photo_height",
    "charges",
    "legal_article",
    "court",
    "judge",
    "detention_place",
    "detention_address",
    "detention_address_public",
    "status",
    "arrest_date",
    "arrest_date_precision",
    "arrest_date_approximate",
    "sentence",
    "expected_release",
    "released_on",
    "released_on_precision",
    "released_on_approximate",
    "summary",
    "original_language",
    "internal_notes",
    "external_id",
    "published",
    "archived_at",
    "created_at",
    "updated_at",
    "version",
)
EVENT_FIELDS = (
    "id",
    "type",
    "title",
    "date",
    "date_precision",
    "date_approximate",
    "placed_on",
    "start_time",
    "end_date",
    "city",
    "country",
    "participants",
    "description",
    "outcome",
    "authority",
    "authority_response",
    "original_language",
    "visibility",
    "verification",
    "verified_at",
    "external_id",
    "created_at",
    "updated_at",
    "version",
)
PHOTO_FIELDS = ("name", "width", "height", "alt_text", "published", "created_at")
SOURCE_FIELDS = ("url", "title", "publisher", "citation", "published_on")
STATUS_CHANGE_FIELDS = ("old_status", "new_status", "effective_on", "changed_at", "event_id")
PACK_FIELDS = ("id", "method", "delivered_on", "note", "created_at")
# The allow-list of a message's columns: never email, client_hash, body_fingerprint,
# withdraw_token_hash, original_body (the text a safety edit took out), nor anything added to
# the model later without a decision.
MESSAGE_FIELDS = (
    "id",
    "created_at",
    "state",
    "display_name",
    "country",
    "organisation",
    "language",
    "consent_to_publish",
    "body",
    "decided_at",
    "edited_at",
    "delivered_on",
    "delivery_pack_id",
)
# What a withdrawn message keeps: that it existed, when, from which country, what became of it.
WITHDRAWN_REDACTED = frozenset({"display_name", "organisation", "body"})

# The events CSV: the public timeline.csv's columns first, in the same order, then what staff add.
EVENT_CSV_FIELDS = (
    *CSV_FIELDS,
    "id",
    "family",
    "visibility",
    "cases",
    "start_time",
    "city",
    "venue",
    "participants",
    "outcome",
    "authority",
    "authority_response",
    "verified_at",
    "created_at",
    "updated_at",
    "external_id",
)
MESSAGE_CSV_FIELDS = MESSAGE_FIELDS


def plain(value: Any) -> Any:
    """A column value as JSON can hold it: enums by value, dates and times in ISO 8601."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _fields(obj: Any, names: Iterable[str]) -> dict[str, Any]:
    return {name: plain(getattr(obj, name)) for name in names}


def case_record(case: Case) -> dict[str, Any]:
    """The case's own fields, internal notes included, and the slugs of its related cases."""
    record = _fields(case, CASE_FIELDS)
    record["related_cases"] = [other.slug for other in case.related_cases]
    record["translations"] = translations_record(case)
    record["portrait"] = portrait_record(case)
    return record


def portrait_record(case: Case) -> dict[str, Any] | None:
    """The case's portrait by its stable name, with its files' paths in the photos folder."""
    if not photos.has_portrait(case):
        return None
    name = case.photo_filename
    return {
        "name": name,
        "width": case.photo_width,
        "height": case.photo_height,
        "files": {size: f"portraits/{name}.{size}.jpg" for size in SIZES},
    }


def photo_record(photo: Photo) -> dict[str, Any]:
    """An event's photo by its stable name, with its files' paths in the photos folder."""
    record = _fields(photo, PHOTO_FIELDS)
    record["files"] = {size: f"events/{photo.name}.{size}.jpg" for size in SIZES}
    return record


def load_photos(events: Sequence[Event]) -> dict[int, list[Photo]]:
    """The photos of *events* (internal ones too) by event id, oldest first."""
    found: dict[int, list[Photo]] = {event.id: [] for event in events}
    if not found:
        return found
    stmt = sa.select(Photo).where(Photo.event_id.in_(found)).order_by(Photo.created_at, Photo.id)
    for photo in db.session.scalars(stmt):
        found[photo.event_id].append(photo)
    return found


def translations_record(record: Case | Event) -> dict[str, dict[str, str | None]]:
    """A case's or an event's translated texts by language: {"ru": {"summary": ...}}."""
    return {
        t.language: {field: getattr(t, field) for field in record.TRANSLATED}
        for t in record.translations
    }


def source_record(source: Source) -> dict[str, Any]:
    """Where a fact comes from, as the export shows it."""
    return _fields(source, SOURCE_FIELDS)


def event_record(event: Event) -> dict[str, Any]:
    """Every field of an event, with cases by slug, organisations by name, the venue by place."""
    record = _fields(event, EVENT_FIELDS)
    record["family"] = event.family.value
    record["cases"] = sorted(c.slug for c in event.cases)
    record["organisations"] = [o.name for o in event.organisations]
    record["venue"] = (
        {"name": event.venue.name, "city": event.venue.city, "country": event.venue.country}
        if event.venue
        else None
    )
    record["sources"] = [source_record(s) for s in event.sources]
    record["translations"] = translations_record(event)
    return record


def status_change_record(change: CaseStatusChange) -> dict[str, Any]:
    """A change of the case's status (``event_id`` names the event that caused it, if any)."""
    return _fields(change, STATUS_CHANGE_FIELDS)


def pack_record(pack: DeliveryPack, message_ids: Sequence[int]) -> dict[str, Any]:
    """A delivery pack and the ids of the messages it holds."""
    record = _fields(pack, PACK_FIELDS)
    record["messages"] = list(message_ids)
    return record


def message_record(message: Message) -> dict[str, Any]:
    """A message of support from the allow-list: never the e-mail or the privacy hashes."""
    record = _fields(message, MESSAGE_FIELDS)
    if message.state == MessageState.WITHDRAWN:
        record.update(dict.fromkeys(WITHDRAWN_REDACTED))
    return record


def load_events(case: Case) -> list[Event]:
    """Every event concerning the case, internal ones included, in date order."""
    stmt = (
        case_events_select(case.id, include_internal=True)
        .order_by(*story_order())
        .options(
            selectinload(Event.cases),
            selectinload(Event.organisations),
            selectinload(Event.sources),
            selectinload(Event.venue),
        )
    )
    return list(db.session.scalars(stmt))


def load_messages(case: Case) -> list[Message]:
    """Every message of support to the case, in every state, oldest first."""
    stmt = sa.select(Message).where(Message.case_id == case.id)
    return list(db.session.scalars(stmt.order_by(Message.created_at, Message.id)))


def load_packs(case: Case) -> list[DeliveryPack]:
    """The case's delivery packs, oldest first."""
    stmt = sa.select(DeliveryPack).where(DeliveryPack.case_id == case.id)
    return list(db.session.scalars(stmt.order_by(DeliveryPack.created_at, DeliveryPack.id)))


def case_export(case: Case, exported_at: datetime) -> dict[str, Any]:
    """The whole record of one case as one JSON-ready document."""
    messages = load_messages(case)
    in_pack: dict[int, list[int]] = {}
    for message in messages:
        if message.delivery_pack_id is not None:
            in_pack.setdefault(message.delivery_pack_id, []).append(message.id)
    events = load_events(case)
    event_photos = load_photos(events)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": exported_at.isoformat(),
        "case": case_record(case),
        "events": [
            {**event_record(e), "photos": [photo_record(p) for p in event_photos[e.id]]}
            for e in events
        ],
        "status_changes": [status_change_record(c) for c in case.status_changes],
        "delivery_packs": [pack_record(p, in_pack.get(p.id, [])) for p in load_packs(case)],
        "messages": [message_record(m) for m in messages],
    }


def _sources_cell(sources: Iterable[Source]) -> str:
    """Sources in one cell the way the public timeline.csv writes them: "title <url>; ..."."""
    return "; ".join(f"{s.title} <{s.url}>" if s.url else s.title for s in sources)


def event_rows(events: Iterable[Event]) -> list[dict[str, Any]]:
    """One CSV row per event: the public timeline's cells, then the staff-only ones."""
    rows = []
    for event in events:
        public = timeline_rows([EventItem(event)], country_name)[0]
        record = event_record(event)
        row = {name: public.get(name) for name in CSV_FIELDS}
        row["organisations"] = "; ".join(public["organisations"])
        row["also_concerns"] = "; ".join(public["also_concerns"])
        row["sources"] = _sources_cell(event.sources)
        row.update({name: record[name] for name in EVENT_CSV_FIELDS if name not in CSV_FIELDS})
        row["cases"] = "; ".join(record["cases"])
        row["venue"] = event.venue.name if event.venue else None
        rows.append(row)
    return rows


def message_rows(messages: Iterable[Message]) -> list[dict[str, Any]]:
    """One CSV row per message of support, from the same allow-list as the JSON."""
    return [message_record(m) for m in messages]
