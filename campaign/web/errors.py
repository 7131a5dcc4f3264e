"""Error pages that look like the rest of the site and reveal nothing."""

from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException, SecurityError


def init_app(app: Flask) -> None:
    """Render 4xx and 5xx errors with the site's layout."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        if isinstance(error, SecurityError):
            # A Host outside TRUSTED_HOSTS: no address can be built for it, so no layout.
            return "Bad request: this site does not answer to that host name.", code
        return render_template("errors/error.html", error=error, code=code), code
