"""Who the client of this request is, as a keyed hash of its address: never the address itself."""

from __future__ import annotations

from flask import request

from campaign.util.privacy import keyed_hash


def client_address() -> str:
    """The client's address as the app sees it (behind a configured proxy, the forwarded one)."""
    return request.remote_addr or "unknown"


def client_key() -> str:
    """Identify the current client for rate limits and spam checks by a rotating keyed hash."""
    return keyed_hash(client_address())
