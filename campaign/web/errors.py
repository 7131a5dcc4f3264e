"""Error pages that look like the rest of the site and reveal nothing."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, SecurityError

# app.extensions key: the path prefixes whose errors are JSON (the public API's), not pages.
_JSON_PREFIXES = "campaign.json_error_prefixes"


def answer_json_under(app: Flask, prefix: str) -> None:
    """Answer errors under *prefix* (unknown addresses and wrong methods included) as
    ``{"error": ..., "status": ...}`` instead of an HTML page."""
    prefixes: list[str] = app.extensions.setdefault(_JSON_PREFIXES, [])
    if prefix not in prefixes:
        prefixes.append(prefix)


def _json_error(error: HTTPException, code: int) -> tuple[Any, int]:
    """The error as JSON: the sentence a view gave (``abort(400, "...")``), else its name."""
    given = error.description != type(error).description
    response = jsonify({"error": error.description if given else error.name, "status": code})
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response, code


def init_app(app: Flask) -> None:
    """Render 4xx and 5xx errors with the site's layout."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Any, int]:
        code = error.code or 500
        if request.path.startswith(tuple(current_app.extensions.get(_JSON_PREFIXES, ()))):
            return _json_error(error, code)
        if isinstance(error, SecurityError):
            # A Host outside TRUSTED_HOSTS: no address can be built for it, so no layout.
            return "Bad request: this site does not answer to that host name.", code
        return render_template("errors/error.html", error=error, code=code), code
