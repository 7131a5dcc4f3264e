"""Refuse, before any view runs, text that no database can store and no person typed.

A NUL byte, bytes that are not UTF-8 (raw or percent-escaped), or half of a UTF-16 pair in the
address, the query string or a posted form is refused with 400. Left alone, werkzeug keeps
undecodable escapes as literal text ("Gr%FC%DFe" would be stored as such), PostgreSQL refuses
NUL in text with an error (a 500), and SQLite stores it and cuts the text short where it is read.

A view that explains the problem next to the field instead (the supporter's form, which keeps
the text typed so far) says so with :func:`reads_unreadable_text`; its address and query
string are still checked.

Under gunicorn, a client that stops sending its body halfway is cut off after
``REQUEST_BODY_TIMEOUT`` seconds with 400 (:class:`BodyTimeout`); left alone, it holds the
worker until gunicorn's own timeout kills it and answers 500. A buffering proxy in front
(SECURITY.md) keeps such clients away from the workers altogether.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar
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


class BodyTimeout:
    """WSGI middleware: under gunicorn, reading the request body times out after *seconds*.

    Werkzeug turns the socket's timeout, when a read meets it, into ClientDisconnected (400).
    """

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]], seconds: float) -> None:
        self.wsgi_app = wsgi_app
        self.seconds = seconds

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        sock = environ.get("gunicorn.socket")
        if sock is None or not self.seconds:
            return self.wsgi_app(environ, start_response)
        previous = sock.gettimeout()
        sock.settimeout(self.seconds)
        try:
            return self.wsgi_app(environ, start_response)
        finally:
            sock.settimeout(previous)  # writing the answer is gunicorn's business again


def init_app(app: Flask) -> None:
    """Check every request before anything else reads it; bound the wait for its body."""
    app.before_request(check_request)
    app.wsgi_app = BodyTimeout(app.wsgi_app, app.config["REQUEST_BODY_TIMEOUT"])  # type: ignore[method-assign]
