"""The web app's manifest (public: browsers fetch it without cookies) and its service worker
(served under /manage/ so that its scope covers the staff pages)."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, url_for
from flask_babel import gettext as _

from campaign.web.access import STAFF, allow

public_bp = Blueprint("offline_app", __name__)
bp = Blueprint("offline", __name__, url_prefix="/manage")


def scope() -> str:
    """Where the service worker of this page's language acts: every staff page in that
    language (``/manage/``, ``/ru/manage/``), and nothing of the public site."""
    return url_for("manage.dashboard")


@public_bp.get("/manifest.webmanifest")
def manifest() -> Response:
    """What a phone needs to install the staff area as an app that opens on the picket form."""
    body = {
        "name": _("%(site)s: staff", site=current_app.config["SITE_NAME"]),
        "short_name": _("Log a picket"),
        "description": _(
            "Log a picket, even with no signal: it is sent when the phone is back online."
        ),
        "start_url": url_for("events.picket"),
        "scope": scope(),
        "id": scope(),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1d2b36",
        "icons": [
            {
                "src": url_for("static", filename="favicon.svg"),
                "sizes": "any",
                "type": "image/svg+xml",
                "purpose": "any",
            }
        ],
    }
    response = Response(
        json.dumps(body, ensure_ascii=False, indent=1), mimetype="application/manifest+json"
    )
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/sw.js")
@allow(*STAFF)
def service_worker() -> Response:
    """The service worker, from /manage/ so that the staff pages are in its scope."""
    source = Path(current_app.static_folder or "static") / "js" / "service-worker.js"
    response = Response(source.read_text(encoding="utf-8"), mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = scope()
    response.headers["Cache-Control"] = "no-store"  # a new version is picked up at once
    return response


@bp.get("/offline")
@allow(*STAFF)
def offline_page() -> str:
    """What the service worker shows for a staff page asked for with no signal: it says so and
    leads to the picket form, which works offline."""
    return render_template("offline/page.html")
