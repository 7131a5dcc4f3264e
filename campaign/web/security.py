"""Security headers on every response (what the browser may load, send, embed, keep and
index), the onion service's address, and /.well-known/security.txt."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, request
from flask_login import current_user

F = TypeVar("F", bound=Callable[..., Any])

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


# The policy of a page any site may show in a frame (an embed, see :func:`frameable`).
FRAMEABLE_POLICY = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors *")
# The attribute of a view function that holds its frameable policy.
_FRAMEABLE = "_campaign_frame_policy"


def frameable(policy: str = FRAMEABLE_POLICY) -> Callable[[F], F]:
    """Let any site show this view's responses in a frame: they carry *policy* (which says
    ``frame-ancestors *``) and no ``X-Frame-Options``. Every other page refuses framing.

    The mark is on the view, not on the response, so a page served from the page cache or a
    304 carries the same headers as the page the view rendered.
    """
    if "frame-ancestors *" not in policy:
        raise ValueError("a frameable view's policy must allow every frame ancestor")

    def mark(view: F) -> F:
        setattr(view, _FRAMEABLE, policy)
        return view

    return mark


def _frame_policy(app: Flask) -> str | None:
    """The policy of a frameable view answering this request, else None."""
    view = app.view_functions.get(request.endpoint or "")
    policy = getattr(view, _FRAMEABLE, None)
    return policy if isinstance(policy, str) else None


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
        frame_policy = _frame_policy(app)
        if frame_policy is None:
            signed_in = runs_staff_scripts()
            frame_policy_or_page = (
                SIGNED_IN_CONTENT_SECURITY_POLICY if signed_in else CONTENT_SECURITY_POLICY
            )
        else:
            frame_policy_or_page = frame_policy
        headers.setdefault("Content-Security-Policy", frame_policy_or_page)
        # A supporter following a source link must not tell the other site which case they read.
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        if frame_policy is None:
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
            page = request.script_root + request.full_path.rstrip("?")  # with its language
            headers.setdefault("Onion-Location", onion + page)
        return response
