"""What the layers below ask of the request: whether the work under way may write (the
database), and which values its form carried (the log filter, to keep them out of the log)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import g, has_request_context, request

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def may_write() -> bool:
    """False for a GET, HEAD or OPTIONS request or inside :func:`reading_only`; True for any
    other, and outside requests."""
    if not has_request_context():
        return True
    return request.method not in READ_ONLY_METHODS and not g.get("_reading_only", False)


@contextmanager
def reading_only() -> Iterator[None]:
    """Database work in the block only reads, so it does not wait for the write lock that
    another process holds (SQLite): a POST that could not write can still show its page."""
    g._reading_only = True
    try:
        yield
    finally:
        g._reading_only = False


def form_values(shortest: int) -> list[str]:
    """The values of the current request's form of at least *shortest* characters, longest
    first, if the form has been read already (a log filter must not read a body itself)."""
    if not has_request_context() or "form" not in request.__dict__:
        return []
    values = {v for v in request.form.values() if len(v.strip()) >= shortest}
    return sorted(values, key=len, reverse=True)
