"""What the database layer asks of the request: whether the work under way may write."""

from __future__ import annotations

from flask import has_request_context, request

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def may_write() -> bool:
    """False for a GET, HEAD or OPTIONS request; True for any other, and outside requests."""
    return not (has_request_context() and request.method in READ_ONLY_METHODS)
