"""The keyed hash that chains audit entries: each entry's hash covers its fields and the hash
of the entry before it, so an entry changed, inserted or deleted behind the app's back shows.

The format is frozen: every stored chain depends on it (migration 0007 chained the old entries
with it). A new format needs a new migration that chains everything again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any


def chain_key(secret: str | bytes) -> bytes:
    """The chain's key, derived from the app secret for this use only."""
    raw = secret.encode() if isinstance(secret, str) else bytes(secret)
    return hmac.new(raw, b"campaign-audit-chain", hashlib.sha256).digest()


def _instant(value: datetime | str | None) -> str | None:
    """A timestamp as UTC ISO 8601 to the microsecond, whatever the database gave back."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds")


def entry_hash(key: bytes, previous: str, seq: int, fields: dict[str, Any]) -> str:
    """The hash of entry number *seq* after the entry hashed *previous*.

    *fields*: created_at, user_id, actor, action, object_type, object_id, object_label, changes.
    """
    content = {
        "seq": seq,
        "created_at": _instant(fields["created_at"]),
        "user_id": fields["user_id"],
        "actor": fields["actor"],
        "action": getattr(fields["action"], "value", fields["action"]),
        "object_type": fields["object_type"],
        "object_id": fields["object_id"],
        "object_label": fields["object_label"],
        "changes": fields["changes"],
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(key, f"{previous}\n{text}".encode(), hashlib.sha256).hexdigest()
