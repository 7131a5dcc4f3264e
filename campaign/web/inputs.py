"""Refuse, before any view runs, text that no database can store and no person typed.

A NUL byte, bytes that are not UTF-8 (raw or percent-escaped), or half of a UTF-16 pair in the
address, the query string or a posted form is refused with 400. Left alone, werkzeug keeps
undecodable escapes as literal text ("Gr%FC%DFe" would be stored as such), PostgreSQL refuses
NUL in text with an error (a 500), and SQLite stores it and cuts the text short where it is read.

A view that explains the problem next to the field instead (the supporter's form, which keeps
the text typed so far) says so with :func:`reads_unreadable_text`; its address and query
string are still checked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import unquote_to_bytes

from flask import Flask, abort, current_app, request

F = TypeVar("F", bound=Callable[..., object])

_OWN_CHECK = "_reads_unreadable_text"
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def reads_unreadable_text(view: F) -> F:
    """Mark a view whose form finds undecodable text itself and says which field holds it."""
    setattr(view, _OWN_CHECK, True)
    return view


def readable(raw: bytes) -> bool:
    """Whether bytes are UTF-8 text without NUL (surrogates are not UTF-8)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return "\x00" not in text


def readable_encoded(raw: bytes) -> bool:
    """Whether a query string or url-encoded body decodes, escapes and all, to such text."""
    return readable(unquote_to_bytes(raw.replace(b"+", b" ")))


def check_request() -> None:
    """Abort with 400 if the path, the query string or the posted form cannot be stored."""
    # WSGI servers pass the path's bytes as latin-1 characters (PEP 3333).
    path = request.environ.get("PATH_INFO", "")
    try:
        raw_path = path.encode("latin-1")
    except UnicodeEncodeError:
        abort(400)
    if not readable(unquote_to_bytes(raw_path)) or not readable_encoded(request.query_string):
        abort(400)
    if request.method in {"GET", "HEAD", "OPTIONS"} or request.mimetype not in FORM_TYPES:
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, _OWN_CHECK, False):
        return
    if request.mimetype == "application/x-www-form-urlencoded":
        if not readable_encoded(request.get_data(cache=True)):
            abort(400)
        return
    # Multipart parts arrive decoded (undecodable bytes as U+FFFD, which the forms refuse).
    for values in request.form.listvalues():
        if any("\x00" in value for value in values):
            abort(400)


def init_app(app: Flask) -> None:
    """Check every request before anything else reads it."""
    app.before_request(check_request)
