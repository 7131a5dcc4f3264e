"""What a whole-campaign export holds: every record kind, its fields and its references, in one
table (:data:`KINDS`). The exporter, the importer and the JSON Schema are all read off it.

A kind lists the columns it carries by name (an allowlist: a column added to a model later is
not exported until someone adds it here, and a test makes them decide), how each record is
named across databases (a slug or a ``key``, never an id), and its references to other kinds.
How a value is written and read follows from the column's type (:func:`codec_for`).

A new record kind is one more :class:`Kind` in :data:`KINDS`, placed after the
kinds it refers to; then write the schema afresh (:func:`write_schema`).

Format versions: 2 added the language an appeal and a response are written in
(``original_language``, migration 0024). A file of version 1 is still read: the importer
brings it up to this version first (campaign.archive.services.upgrade).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from campaign.database import UTCDateTime
from campaign.messages import spam
from campaign.models import (
    Appeal,
    AppealLetter,
    AppealResponse,
    AppealTarget,
    Case,
    CaseEventEffect,
    CaseStatusChange,
    CaseTranslation,
    DeliveryPack,
    Event,
    EventTranslation,
    LetterReport,
    Message,
    Organisation,
    Photo,
    Source,
    Venue,
)

FORMAT = "campaign"
FORMAT_VERSION = 2
SCHEMA_PATH = Path(__file__).parent / "schema" / f"campaign-v{FORMAT_VERSION}.json"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_TIME = r"^[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?$"
_DATETIME = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})$"
)


@dataclass(frozen=True)
class Codec:
    """How one column's values are written to JSON and read back."""

    schema: dict[str, Any]
    encode: Callable[[Any], Any]
    decode: Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


def _read_datetime(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment.astimezone(UTC)


def _write_datetime(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def codec_for(column: sa.Column[Any]) -> Codec:
    """The codec a column's type calls for (every type an exported column has is here)."""
    kind = column.type
    if isinstance(kind, sa.Enum):
        members = kind.enum_class
        if members is None or not issubclass(members, enum.Enum):
            raise TypeError(f"{column.table.name}.{column.name}: an enum column without its enum")
        return Codec({"enum": list(kind.enums)}, lambda v: v.value, members)
    if isinstance(kind, UTCDateTime):
        return Codec({"type": "string", "pattern": _DATETIME}, _write_datetime, _read_datetime)
    if isinstance(kind, sa.Date):
        return Codec(
            {"type": "string", "pattern": _DATE}, lambda v: v.isoformat(), date.fromisoformat
        )
    if isinstance(kind, sa.Time):
        return Codec(
            {"type": "string", "pattern": _TIME}, lambda v: v.isoformat(), time.fromisoformat
        )
    if isinstance(kind, sa.Boolean):
        return Codec({"type": "boolean"}, bool, _same)
    if isinstance(kind, sa.Integer):
        return Codec({"type": "integer"}, int, _same)
    if isinstance(kind, sa.String):  # Text too
        schema: dict[str, Any] = {"type": "string"}
        if kind.length:
            schema["maxLength"] = kind.length
        return Codec(schema, _same, _same)
    raise TypeError(f"no codec for {column.table.name}.{column.name} ({kind!r})")


@dataclass(frozen=True)
class Ref:
    """A reference from one kind to another, written as the other record's identifier.

    One (*column* is the foreign key, and the kind it points to comes earlier in
    :data:`KINDS`), or many (*relationship* is a list, resolved once every record exists).
    """

    name: str
    kind: str
    column: str | None = None
    relationship: str | None = None
    required: bool = False

    @property
    def many(self) -> bool:
        """Whether the reference is a list of identifiers."""
        return self.relationship is not None


@dataclass(frozen=True)
class Kind:
    """One kind of record in the document: a list under *name*, one object per row."""

    name: str
    model: type[Any]
    identity: str  # the column that names a record in every database: "slug" or "key"
    fields: tuple[str, ...]
    label: LazyString
    refs: tuple[Ref, ...] = ()
    # Every other column of the model, with the reason it stays out of the document.
    left_out: dict[str, str] = field(default_factory=dict)
    # Columns derived from exported ones, set again after a record is read in.
    derive: Callable[[Any], None] | None = None

    def column(self, name: str) -> sa.Column[Any]:
        """A column of the kind's table."""
        return self.model.__table__.c[name]

    def codec(self, name: str) -> Codec:
        """How a field of this kind is written and read."""
        return codec_for(self.column(name))

    def nullable(self, name: str) -> bool:
        """Whether a field may be null in the document."""
        column = self.column(name)
        return bool(column.nullable) and not column.primary_key


def _fingerprint(message: Message) -> None:
    """The duplicate check's keyed hash of a message, under this site's key."""
    fingerprint = spam.body_fingerprint(message.case_id, message.body)
    if message.body_fingerprint != fingerprint:  # unchanged, the row stays clean
        message.body_fingerprint = fingerprint


_ID = "the row's number in one database; the identifier names it everywhere"
_MADE_FROM = (
    "fingerprints of the originals a translation was made from: a moved campaign's "
    "translations count as made from its texts as they are"
)
_USER = "accounts are not exported"
_VERSION = "the edit-conflict counter of one database"

KINDS: tuple[Kind, ...] = (
    Kind(
        "organisations",
        Organisation,
        "slug",
        ("name", "kind", "country", "website", "created_at"),
        _l("Organisations"),
        left_out={"id": _ID},
    ),
    Kind(
        "venues",
        Venue,
        "slug",
        ("name", "address", "city", "country", "created_at"),
        _l("Venues"),
        left_out={"id": _ID},
    ),
    Kind(
        "sources",
        Source,
        "key",
        ("url", "title", "publisher", "citation", "published_on", "created_at"),
        _l("Sources"),
        left_out={"id": _ID},
    ),
    Kind(
        "cases",
        Case,
        "slug",
        (
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
        ),
        _l("Cases"),
        refs=(Ref("related_cases", "cases", relationship="related_cases"),),
        left_out={"id": _ID, "version": _VERSION},
    ),
    Kind(
        "events",
        Event,
        "key",
        (
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
            "external_id",
            "visibility",
            "verification",
            "verified_at",
            "created_at",
            "updated_at",
        ),
        _l("Events"),
        refs=(
            Ref("venue", "venues", column="venue_id"),
            Ref("cases", "cases", relationship="cases"),
            Ref("organisations", "organisations", relationship="organisations"),
            Ref("sources", "sources", relationship="sources"),
        ),
        left_out={
            "id": _ID,
            "version": _VERSION,
            "sort_date": "derived from the date, its precision and placed_on",
            "verified_by_id": _USER,
            "created_by_id": _USER,
        },
    ),
    Kind(
        "photos",
        Photo,
        # The photo's random file name: stable, and the same in every copy of the photos folder.
        "name",
        ("width", "height", "alt_text", "published", "created_at"),
        _l("Photos of events"),
        refs=(Ref("event", "events", column="event_id", required=True),),
        left_out={"id": _ID, "uploaded_by_id": _USER},
    ),
    Kind(
        "case_translations",
        CaseTranslation,
        "key",
        ("language", "summary", "charges", "sentence", "created_at", "updated_at"),
        _l("Translations of cases"),
        refs=(Ref("case", "cases", column="case_id", required=True),),
        left_out={"id": _ID, "made_from": _MADE_FROM},
    ),
    Kind(
        "event_translations",
        EventTranslation,
        "key",
        ("language", "title", "description", "outcome", "created_at", "updated_at"),
        _l("Translations of events"),
        refs=(Ref("event", "events", column="event_id", required=True),),
        left_out={"id": _ID, "made_from": _MADE_FROM},
    ),
    Kind(
        "case_status_changes",
        CaseStatusChange,
        "key",
        ("old_status", "new_status", "effective_on", "changed_at"),
        _l("Status changes of cases"),
        refs=(
            Ref("case", "cases", column="case_id", required=True),
            Ref("event", "events", column="event_id"),
        ),
        left_out={"id": _ID, "changed_by_id": _USER},
    ),
    Kind(
        "case_event_effects",
        CaseEventEffect,
        "key",
        ("field", "old_value", "new_value", "created_at"),
        _l("What events did to cases"),
        refs=(
            Ref("case", "cases", column="case_id", required=True),
            Ref("event", "events", column="event_id", required=True),
        ),
        left_out={"id": _ID},
    ),
    Kind(
        "delivery_packs",
        DeliveryPack,
        "key",
        ("method", "delivered_on", "note", "created_at"),
        _l("Delivery packs"),
        refs=(Ref("case", "cases", column="case_id", required=True),),
        left_out={"id": _ID, "created_by_id": _USER},
    ),
    Kind(
        "messages",
        Message,
        "key",
        (
            "display_name",
            "country",
            "organisation",
            "body",
            "language",
            "consent_to_publish",
            "state",
            "decided_at",
            "edited_at",
            "delivered_on",
            "created_at",
        ),
        _l("Messages of support"),
        refs=(
            Ref("case", "cases", column="case_id", required=True),
            Ref("delivery_pack", "delivery_packs", column="delivery_pack_id"),
        ),
        left_out={
            "id": _ID,
            "email": "a supporter's e-mail never leaves the site",
            "client_hash": "a keyed hash of the sender's address: never exported",
            "withdraw_token_hash": "the withdraw link's hash: never exported",  # nosec B105  # a reason, no secret
            "email_erased_at": "about the e-mail, which is not exported",
            "original_body": "the text before a safety edit stays on the site until it is erased",
            "body_fingerprint": "recomputed on import under the site's own key",
            "decided_by_id": _USER,
        },
        derive=_fingerprint,
    ),
    Kind(
        "appeals",
        Appeal,
        "key",
        (
            "title",
            "asked",
            "deadline",
            "state",
            "opened_on",
            "follow_up_on",
            "closed_on",
            "outcome",
            "original_language",
            "created_at",
            "updated_at",
        ),
        _l("Appeals"),
        refs=(Ref("cases", "cases", relationship="cases"),),
        left_out={"id": _ID, "created_by_id": _USER},
    ),
    Kind(
        "appeal_targets",
        AppealTarget,
        "key",
        # An authority's addresses are its public, official ones: they travel with the appeal.
        ("position", "name", "role", "postal_address", "email"),
        _l("Authorities appeals write to"),
        refs=(Ref("appeal", "appeals", column="appeal_id", required=True),),
        left_out={"id": _ID},
    ),
    Kind(
        "appeal_letters",
        AppealLetter,
        "key",
        ("position", "language", "text"),
        _l("Sample letters of appeals"),
        refs=(Ref("appeal", "appeals", column="appeal_id", required=True),),
        left_out={"id": _ID},
    ),
    Kind(
        "appeal_responses",
        AppealResponse,
        "key",
        ("received_on", "kind", "text", "original_language", "published", "created_at"),
        _l("Responses to appeals"),
        refs=(
            Ref("appeal", "appeals", column="appeal_id", required=True),
            Ref("target", "appeal_targets", column="target_id"),
            Ref("source", "sources", column="source_id"),
        ),
        left_out={"id": _ID, "created_by_id": _USER},
    ),
    Kind(
        "letter_reports",
        LetterReport,
        "key",
        # The public count of letters sent, one record per letter and day: nothing of the sender.
        ("reported_on",),
        _l("Letters supporters reported sending"),
        refs=(Ref("appeal", "appeals", column="appeal_id", required=True),),
        left_out={
            "id": _ID,
            "client_hash": "a keyed hash of the sender's client: never exported",
        },
    ),
)
BY_NAME = {kind.name: kind for kind in KINDS}


def _field_schema(kind: Kind, name: str) -> dict[str, Any]:
    schema = dict(kind.codec(name).schema)
    if kind.nullable(name):
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
        else:
            schema["type"] = [schema["type"], "null"]
    return schema


def _identifier_schema(kind: Kind) -> dict[str, Any]:
    length = getattr(kind.column(kind.identity).type, "length", None)
    return {"type": "string", "minLength": 1, "maxLength": length}


def _ref_schema(ref: Ref) -> dict[str, Any]:
    identifier = _identifier_schema(BY_NAME[ref.kind])
    if ref.many:
        return {"type": "array", "items": identifier, "uniqueItems": True}
    if ref.required:
        return identifier
    return {"anyOf": [identifier, {"type": "null"}]}


def record_schema(kind: Kind) -> dict[str, Any]:
    """The JSON Schema of one record of a kind."""
    properties: dict[str, Any] = {kind.identity: _identifier_schema(kind)}
    properties.update({name: _field_schema(kind, name) for name in kind.fields})
    properties.update({ref.name: _ref_schema(ref) for ref in kind.refs})
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(properties),
        "properties": properties,
    }


def document_schema() -> dict[str, Any]:
    """The JSON Schema of a whole-campaign document, made from :data:`KINDS`."""
    properties: dict[str, Any] = {
        "format": {"const": FORMAT},
        "format_version": {"const": FORMAT_VERSION},
    }
    for kind in KINDS:
        properties[kind.name] = {"type": "array", "items": {"$ref": f"#/$defs/{kind.name}"}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "A whole campaign of the solidarity tracker",
        "description": (
            "Every case, event, organisation, venue, source, status change, message of support, "
            "delivery pack and appeal (with its authorities, sample letters, responses and "
            "the letters reported sent), named by slugs and keys. Accounts, supporters' "
            "e-mails and hashes are not part of it. Photos (a case's portrait, an event's "
            "photos) are named, not included: their files are in the photos folder, which "
            "backups copy. Written by `flask --app campaign export`, read by `... import`."
        ),
        "type": "object",
        "additionalProperties": False,
        "required": list(properties),
        "properties": properties,
        "$defs": {kind.name: record_schema(kind) for kind in KINDS},
    }


def schema_text() -> str:
    """The schema as it is kept in the repository."""
    return json.dumps(document_schema(), indent=2, ensure_ascii=False) + "\n"


def write_schema() -> None:
    """Write the schema file afresh after a change to :data:`KINDS`."""
    SCHEMA_PATH.write_text(schema_text(), encoding="utf-8")


def load_schema() -> dict[str, Any]:
    """The schema kept in the repository (the one imports are checked against)."""
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded
