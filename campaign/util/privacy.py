"""Keyed, rotating hashes: recognising a client or a text without storing it in clear."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

from flask import current_app


def _period_key(period: str) -> bytes:
    """A key derived from the app secret for *period*, so hashes of old periods cannot be linked."""
    secret = current_app.config["SECRET_KEY"]
    if isinstance(secret, str):
        secret = secret.encode()
    return hmac.new(secret, b"client-hash:" + period.encode(), hashlib.sha256).digest()


def keyed_hash(value: str, *, rotation: str = "day", now: datetime | None = None) -> str:
    """Return a hex digest of *value* under a key that rotates daily (or weekly with ``"week"``)."""
    now = now or datetime.now(UTC)
    period = now.strftime("%G-W%V") if rotation == "week" else now.strftime("%Y-%m-%d")
    return hmac.new(_period_key(period), value.encode(), hashlib.sha256).hexdigest()
