"""What the layers below ask of the request: whether the work under way may write (the
database), and which values its form carried (the log filter, to keep them out of the log)."""

from __future__ import annotations

from flask import has_request_context, request

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def may_write() -> bool:
    """False for a GET, HEAD or OPTIONS request; True for any other, and outside requests."""
    return not (has_request_context() and request.method in READ_ONLY_METHODS)


def form_values(shortest: int) -> list[str]:
    """The values of the current request's form of at least *shortest* characters, longest
    first, if the form has been read already (a log filter must not read a body itself)."""
    if not has_request_context() or "form" not in request.__dict__:
        return []
    values = {v for v in request.form.values() if len(v.strip()) >= shortest}
    return sorted(values, key=len, reverse=True)
