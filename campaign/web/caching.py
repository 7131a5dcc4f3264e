"""Cache headers of the public pages: anyone may keep an anonymous page briefly, staff pages never.

Public pages depend on nothing but the URL (and the language the browser asks for): no session is
written for anonymous visitors, so a cache in front may serve them. Signed-in staff additionally
see internal items, so their responses are never cached.
"""

from __future__ import annotations

from flask import Response
from flask_login import current_user

PUBLIC_CACHE = "public, max-age=60"
STAFF_CACHE = "private, no-store"


def is_staff() -> bool:
    """Whether a signed-in staff member is looking (they see internal items)."""
    return bool(current_user.is_authenticated)


def cache_headers(response: Response) -> Response:
    """Anonymous pages may be cached briefly by anyone; staff pages never (an after_request)."""
    if response.status_code < 500:
        response.headers["Cache-Control"] = STAFF_CACHE if is_staff() else PUBLIC_CACHE
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    return response
