"""How the audit trail writes a value or names an object: readable, JSON-safe, never a secret."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import Any

from campaign.models import DeliveryPack, Message, Source, Venue

HIDDEN = "(hidden)"
# Recorded only as "(hidden)": that they were set or changed is worth knowing, never the value.
REDACTED_FIELDS = frozenset({"password_hash", "email", "totp_secret"})
# Never recorded: bookkeeping that changes on its own (a save, a sign-in), and the hashes kept
# for sessions, invitations, spam checks and withdrawal, which mean nothing to a reader.
IGNORED_FIELDS = frozenset(
    {
        "updated_at",
        "version",
        "sort_date",
        "created_at",
        "last_login_at",
        "token_hash",
        "withdraw_token_hash",
        "client_hash",
        "body_fingerprint",
        "totp_last_step",
        "key",  # a random identifier for export and import (campaign.archive)
    }
)
LABEL_LENGTH = 300


def render(value: Any) -> Any:
    """A column value as JSON keeps it and people read it: enums by value, dates in ISO 8601."""
    if isinstance(value, enum.Enum):
        return value.value
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(label(v) for v in value)
    return label(value)


def render_field(name: str, value: Any, hidden: tuple[str, ...] = ()) -> Any:
    """A field's value for the trail, hidden when the field is a secret or personal data
    (always, or for this model: *hidden*)."""
    secret = name in REDACTED_FIELDS or name in hidden
    return HIDDEN if secret and value not in (None, "") else render(value)


def label(obj: Any) -> str:
    """A short human label for an object (never an e-mail, never a Python repr)."""
    if isinstance(obj, DeliveryPack):
        # The history shows the kind ("Delivery pack") in front of this label.
        return f"#{obj.id} for {obj.case.person_name}" if obj.case else f"#{obj.id}"
    if isinstance(obj, Message):
        return f"Message #{obj.id}" + (f" ({obj.country})" if obj.country else "")
    if isinstance(obj, Venue):
        return f"{obj.name}, {obj.city}" if obj.city else obj.name
    if isinstance(obj, Source):
        return obj.url or obj.title
    for attr in ("person_name", "display_name", "name", "title", "slug"):
        value = getattr(obj, attr, None)
        if value:
            return str(value)
    object_id = getattr(obj, "id", None)
    return f"{type(obj).__name__} {object_id}" if object_id is not None else type(obj).__name__


def kind_of(obj: Any) -> str:
    """The recorded kind of an object: its class name in lower case ("deliverypack")."""
    return type(obj).__name__.lower()
