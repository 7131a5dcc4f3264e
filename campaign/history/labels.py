"""How the history reads for people: field names as the forms call them, values as the campaign
writes them (a date with its precision, a country's name, a person instead of an id)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from difflib import SequenceMatcher
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import FieldList
from wtforms.fields.core import UnboundField

from campaign.extensions import db
from campaign.history.render import label
from campaign.messages.labels import language_name
from campaign.models import (
    AuditAction,
    AuditEntry,
    Case,
    CaseStatus,
    DatePrecision,
    DeliveryMethod,
    EventType,
    MessageState,
    OrganisationKind,
    Role,
    User,
    Venue,
    Verification,
    Visibility,
)
from campaign.models.vocab import Vocabulary
from campaign.util.countries import country_name, is_country_code
from campaign.util.dates import format_partial_date

# Each kind of audited object by its recorded ``object_type`` (the model's class name in lower
# case): what one of them is called, and what the Kind filter calls them all.
KINDS = {
    "case": (_l("Case"), _l("Cases")),
    "event": (_l("Event"), _l("Events")),
    "casetranslation": (_l("Case translation"), _l("Case translations")),
    "eventtranslation": (_l("Event translation"), _l("Event translations")),
    "organisation": (_l("Organisation"), _l("Organisations")),
    "venue": (_l("Venue"), _l("Venues")),
    "message": (_l("Message of support"), _l("Messages of support")),
    "deliverypack": (_l("Delivery pack"), _l("Delivery packs")),
    "user": (_l("User"), _l("Users")),
    "invitation": (_l("Invitation"), _l("Invitations")),
    "securitypolicy": (_l("Security policy"), _l("Security policy")),
    "appeal": (_l("Appeal"), _l("Appeals")),
    "appealtarget": (_l("Authority of an appeal"), _l("Authorities of appeals")),
    "appealletter": (_l("Sample letter"), _l("Sample letters")),
    "appealresponse": (_l("Response to an appeal"), _l("Responses to appeals")),
}
# How each kind is written in the address of its history page: /manage/history/messages/12.
URL_KINDS = {
    "case": "cases",
    "event": "events",
    "organisation": "organisations",
    "venue": "venues",
    "message": "messages",
    "deliverypack": "packs",
    "user": "users",
    "invitation": "invitations",
}


# Recorded fields that no form shows, named for people.
OTHER_LABELS = {
    "created_by_id": _l("Created by"),
    "verified_by_id": _l("Verified by"),
    "decided_by_id": _l("Decided by"),
    "changed_by_id": _l("Changed by"),
    "invited_by_id": _l("Invited by"),
    "case_id": _l("Case"),
    "delivery_pack_id": _l("Delivery pack"),
    "user_id": _l("User"),
    "venue_id": _l("Venue"),
    "verified_at": _l("Verified at"),
    "verification": _l("Verification"),
    "published": _l("Public"),
    "archived_at": _l("Archived at"),
    # Set with the release (an event), not on the case's form.
    "released_on_precision": _l("How much of the release date is known"),
    "released_on_approximate": _l("About: the release date is a best guess"),
    "case_ids": _l("Cases"),
    "caused_by_event": _l("Because of the event"),
    "caused_by_case": _l("Moved with the case's arrest date"),
    "undone_event": _l("Taken back with the event"),
    "totp_secret": _l("Two-factor secret"),
    "totp_confirmed_at": _l("Two-factor sign-in on since"),
    "recovery_codes": _l("Unused recovery codes"),
    "require_two_factor": _l("Two-factor sign-in required"),
    "failed_sign_ins": _l("Failed sign-ins"),
    # A delivery pack's messages, counted (one entry for the pack, not one per message).
    "messages": _l("Messages in the pack"),
    "messages_delivered": _l("Messages delivered"),
}
# Recorded values of these fields are vocabulary values: shown by their label.
VOCABULARIES: dict[str, type[Vocabulary]] = {
    "status": CaseStatus,
    "old_status": CaseStatus,
    "new_status": CaseStatus,
    "type": EventType,
    "date_precision": DatePrecision,
    "arrest_date_precision": DatePrecision,
    "released_on_precision": DatePrecision,
    "visibility": Visibility,
    "verification": Verification,
    "kind": OrganisationKind,
    "state": MessageState,
    "method": DeliveryMethod,
    "role": Role,
    "action": AuditAction,
}
# Recorded ids of other records, shown by the record's name (looked up for a page of entries).
ID_FIELDS = {
    "created_by_id": "users",
    "verified_by_id": "users",
    "decided_by_id": "users",
    "changed_by_id": "users",
    "invited_by_id": "users",
    "user_id": "users",
    "venue_id": "venues",
    "case_id": "cases",
}
# What a value reads when its record is gone (an id, never nothing).
NO_LONGER = {
    "users": _l("user no. %(id)s"),
    "venues": _l("venue no. %(id)s"),
    "cases": _l("case no. %(id)s"),
}
# A date field and the field that holds its precision in the same record.
PRECISION_OF = {
    "date": "date_precision",
    "arrest_date": "arrest_date_precision",
    "released_on": "released_on_precision",
}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_TIME = re.compile(r"\d{2}:\d{2}:\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}.*")


def _label_of(unbound: Any) -> Any:
    """The label an unbound field was declared with; a FieldList's own, not its entries'."""
    label = unbound.kwargs.get("label")
    if label is None:
        label = next((a for a in unbound.args if not isinstance(a, UnboundField | list)), None)
    if label is None and unbound.field_class is FieldList:
        return None
    return label


def field_label(name: str) -> str:
    """A recorded field's name for people: the label its form shows, else a readable name."""
    from campaign.cases.forms import CaseForm
    from campaign.events.forms import EventForm

    for form_class in (CaseForm, EventForm):
        unbound = getattr(form_class, name, None)
        if isinstance(unbound, UnboundField):
            label = _label_of(unbound)
            if label:
                return str(label)
    if name in OTHER_LABELS:
        return str(OTHER_LABELS[name])
    return name.replace("_", " ").capitalize()


def shown_changes(changes: dict[str, Any]) -> list[tuple[str, Any]]:
    """The recorded changes worth a row, by field name: not the bookkeeping that repeats
    another row (the case ids kept for deleted events, a venue id next to the venue)."""
    hidden = {"case_ids", "made_from"}  # made_from: a translation's fingerprints of its originals
    if "venue" in changes:
        hidden.add("venue_id")
    return sorted((name, pair) for name, pair in changes.items() if name not in hidden)


def _names(kind: str, ids: set[int]) -> dict[int, str]:
    """The names of the records of one kind, by id, in one query."""
    if kind == "users":
        rows = db.session.execute(sa.select(User.id, User.display_name).where(User.id.in_(ids)))
        return {row.id: row.display_name for row in rows}
    if kind == "cases":
        rows = db.session.execute(sa.select(Case.id, Case.person_name).where(Case.id.in_(ids)))
        return {row.id: row.person_name for row in rows}
    rows = db.session.execute(sa.select(Venue.id, Venue.name, Venue.city).where(Venue.id.in_(ids)))
    return {row.id: ", ".join(p for p in (row.name, row.city) if p) for row in rows}


def audit_lookups(entries: list[AuditEntry]) -> dict[str, dict[int, str]]:
    """The names of the people, cases and venues the entries refer to by id, one query each."""
    wanted: dict[str, set[int]] = {kind: set() for kind in ID_FIELDS.values()}
    for entry in entries:
        for name, pair in (entry.changes or {}).items():
            kind = ID_FIELDS.get(name)
            if kind is not None and isinstance(pair, list):
                wanted[kind].update(v for v in pair if isinstance(v, int))
    return {kind: _names(kind, ids) if ids else {} for kind, ids in wanted.items()}


# A text this long or longer shows what changed in it word by word: in a summary of 600
# characters one changed date is otherwise hard to find; a short value is read at a glance.
MARKED_FROM = 60
_WORDS = re.compile(r"\s+|[^\s]+")


def text_changes(before: Any, after: Any) -> tuple[Markup, Markup] | None:
    """A changed free text as two HTML strings, the words taken out in ``<del>`` and the words
    put in in ``<ins>``; None for values that are not both texts, or are short, or are not free
    text (a date, a code: :func:`audit_value` writes those)."""
    if not isinstance(before, str) or not isinstance(after, str):
        return None
    if max(len(before), len(after)) < MARKED_FROM or " " not in before + after:
        return None
    old, new = _WORDS.findall(before), _WORDS.findall(after)
    marked_old: list[str] = []
    marked_new: list[str] = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        old_part = escape("".join(old[old_start:old_end]))
        new_part = escape("".join(new[new_start:new_end]))
        if operation == "equal":
            marked_old.append(old_part)
            marked_new.append(new_part)
            continue
        if old_part:
            marked_old.append(f"<del>{old_part}</del>")
        if new_part:
            marked_new.append(f"<ins>{new_part}</ins>")
    # Every piece was escaped above; only the <del> and <ins> tags are ours.
    return Markup("".join(marked_old)), Markup("".join(marked_new))  # noqa: S704  # nosec B704


def audit_value(
    value: Any,
    name: str,
    changes: dict[str, Any] | None = None,
    side: int = 1,
    lookups: dict[str, dict[int, str]] | None = None,
) -> str:
    """One recorded value for people: Yes/No, a vocabulary label, a country's name, a date
    as the campaign writes it, a person's or a venue's name instead of its id."""
    lookups = lookups or {}
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(audit_value(v, name, changes, side, lookups) for v in value)
    kind = ID_FIELDS.get(name)
    if isinstance(value, int) and kind is not None:
        return lookups.get(kind, {}).get(value) or _(NO_LONGER[kind], id=value)
    if not isinstance(value, str):
        return str(value)
    vocabulary = VOCABULARIES.get(name)
    if vocabulary is not None and value in vocabulary._value2member_map_:
        return str(vocabulary(value).label)
    if name == "country" and is_country_code(value):
        return country_name(value)
    if name == "language":
        return language_name(value)
    if _ISO_TIME.fullmatch(value):
        return value[:5]  # a local time of day, to the minute
    if _ISO_DATE.fullmatch(value):
        precision: Any = DatePrecision.DAY
        pair = (changes or {}).get(PRECISION_OF.get(name, ""))
        known = pair[side] if isinstance(pair, list) and len(pair) > side else None
        if known in DatePrecision._value2member_map_:
            precision = DatePrecision(str(known))
        return format_partial_date(date.fromisoformat(value), precision)
    if _ISO_DATETIME.fullmatch(value):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return audit_time(moment)
    return value


def audit_time(value: datetime) -> str:
    """When a change was recorded, in UTC to the minute."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def audit_kind(object_type: str) -> str:
    """What one object of a recorded kind is called ("Delivery pack", not "deliverypack")."""
    labels = KINDS.get(object_type)
    return str(labels[0]) if labels else object_type.capitalize()


def audit_object_url(entry: AuditEntry) -> str | None:
    """The history page of the object an entry is about (it outlives the object); None for a
    kind the tracker does not know (an entry written by another version, say)."""
    if entry.object_type == "case":
        return url_for("history.case", case_id=entry.object_id)
    if entry.object_type == "event":
        return url_for("history.event", event_id=entry.object_id)
    kind = URL_KINDS.get(entry.object_type)
    if kind is None:
        return None
    return url_for("history.object", kind=kind, object_id=entry.object_id)


def object_title(object_type: str, record: Any, entries: list[AuditEntry]) -> str:
    """What a history page is titled: the object's label now, or the last one recorded."""
    named = label(record) if record is not None else entries[0].object_label if entries else ""
    if object_type == "deliverypack":  # "#2 for Ainur Kurmanov" says only whose it is
        return f"{audit_kind(object_type)} {named}"
    return named or audit_kind(object_type)
