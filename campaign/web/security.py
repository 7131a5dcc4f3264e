"""Security headers on every response: what the browser may load, send and embed."""

from __future__ import annotations

from flask import Flask, Response

# Nothing but our own stylesheets and images, no scripts at all, forms only to ourselves.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self' data:",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)


def init_app(app: Flask) -> None:
    """Add the headers after every request."""

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        headers = response.headers
        # Also in debug mode, so `make run` shows what production sends (the debugger's traceback
        # page still shows; only its interactive console, which needs scripts, does not run).
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        # A supporter following a source link must not tell the other site which case they read.
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), geolocation=(), microphone=()")
        if app.config["PRODUCTION"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
