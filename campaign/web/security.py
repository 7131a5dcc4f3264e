"""Security headers on every response (what the browser may load, send, embed, keep and
index), the onion service's address, and /.well-known/security.txt."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, request
from flask_login import current_user

# Nothing but our own stylesheets and images, no scripts at all, forms only to ourselves (the
# public pages).
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

# A signed-in member's pages also run our own scripts (static/js/offline.js keeps a picket
# report on the phone while there is no signal) and install the staff app: still nothing from
# another host, no inline script, no eval.
SIGNED_IN_CONTENT_SECURITY_POLICY = "; ".join(
    [
        CONTENT_SECURITY_POLICY,
        "script-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
    ]
)


# The pages of staff: everything under /manage/ and the sign-in, password and invitation pages.
STAFF_PATHS = ("/manage", "/login", "/logout", "/account/", "/invite/")


def _is_staff_page() -> bool:
    """Whether this response is a staff page (or any page a signed-in member is looking at)."""
    if request.path.startswith(STAFF_PATHS):
        return True
    if request.endpoint == "static":  # the same files for everybody: no user to load for them
        return False
    return bool(current_user and current_user.is_authenticated)


def runs_staff_scripts() -> bool:
    """Whether this page is a signed-in member's, which loads the offline script and manifest."""
    if request.endpoint == "static":
        return False
    return bool(current_user and current_user.is_authenticated)


def security_txt() -> Response:
    """/.well-known/security.txt (RFC 9116): whom to tell about a vulnerability, until when."""
    config = current_app.config
    contact = config["SECURITY_CONTACT"]
    if not contact:
        abort(404)
    lines = [f"Contact: {contact}", f"Expires: {config['SECURITY_TXT_EXPIRES']}"]
    base = config["PUBLIC_BASE_URL"]
    if base:
        lines.append(f"Canonical: {base}/.well-known/security.txt")
    lines.append("Preferred-Languages: en")
    response = Response("\n".join(lines) + "\n", mimetype="text/plain")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def init_app(app: Flask) -> None:
    """Add the headers after every request, and serve security.txt."""
    app.add_url_rule("/.well-known/security.txt", "security_txt", security_txt)
    app.add_template_global(runs_staff_scripts, "runs_staff_scripts")
    onion = app.config["ONION_ADDRESS"]
    onion_host = urlsplit(onion).hostname if onion else None

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        headers = response.headers
        # Also in debug mode, so `make run` shows what production sends (the debugger's traceback
        # page still shows; only its interactive console, which needs scripts, does not run).
        headers.setdefault(
            "Content-Security-Policy",
            SIGNED_IN_CONTENT_SECURITY_POLICY if runs_staff_scripts() else CONTENT_SECURITY_POLICY,
        )
        # A supporter following a source link must not tell the other site which case they read.
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), geolocation=(), microphone=()")
        if app.config["PRODUCTION"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if _is_staff_page():
            # Shared computers, proxies and search engines keep nothing of the staff area.
            if "no-store" not in headers.get("Cache-Control", ""):
                headers["Cache-Control"] = "no-store"
            headers["X-Robots-Tag"] = "noindex, nofollow"
        # The raw header: request.host raises for a host outside TRUSTED_HOSTS.
        host = request.environ.get("HTTP_HOST", "").split(":")[0]
        if onion and host != onion_host and response.mimetype == "text/html":
            # Tor Browser offers the onion service of this same page (over HTTPS only).
            headers.setdefault("Onion-Location", onion + request.full_path.rstrip("?"))
        return response
