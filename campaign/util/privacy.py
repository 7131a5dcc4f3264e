"""Keyed, rotating hashes: recognising a client without storing its address in clear."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import current_app

# Where the app keeps the function that gives the key of a period (campaign.hashkeys.key_for):
# random keys in a shared store, deleted once expired, so old hashes cannot be linked to anyone.
KEY_SOURCE = "campaign.hash_key_source"
_WEEK = "%G-W%V"


def period_of(now: datetime, rotation: str = "day") -> str:
    """The name of the period *now* falls in: ``2026-12-04``, or ``2026-W49`` for weeks."""
    return now.strftime(_WEEK) if rotation == "week" else now.strftime("%Y-%m-%d")


def period_end(period: str) -> datetime:
    """When a period named by :func:`period_of` ends (UTC)."""
    if "W" in period:
        start = datetime.strptime(period + "-1", "%G-W%V-%u").replace(tzinfo=UTC)
        return start + timedelta(weeks=1)
    return datetime.strptime(period, "%Y-%m-%d").replace(tzinfo=UTC) + timedelta(days=1)


def keyed_hash(value: str, *, rotation: str = "day", now: datetime | None = None) -> str:
    """Return a hex digest of *value* under a key that rotates daily (or weekly with ``"week"``)."""
    period = period_of(now or datetime.now(UTC), rotation)
    key_for: Callable[[str], bytes] = current_app.extensions[KEY_SOURCE]
    return hmac.new(key_for(period), value.encode(), hashlib.sha256).hexdigest()
