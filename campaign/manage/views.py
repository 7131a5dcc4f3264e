"""The staff area under /manage/: deny-by-default for every view, enforced once here."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from campaign.extensions import db
from campaign.manage.access import STAFF, allow, allowed_roles
from campaign.models import Message, MessageState

bp = Blueprint("manage", __name__, url_prefix="/manage")


STAFF_PREFIX = "/manage"


def guard() -> Response | None:
    """Every request under /manage/ needs a signed-in user holding one of the view's roles.

    Registered on the app (not on a blueprint) and keyed on the path, so no view under /manage/
    can be forgotten, whichever blueprint defines it: a view that declares no roles (see
    :func:`campaign.manage.access.allow`) is refused to everybody.
    """
    if request.path != STAFF_PREFIX and not request.path.startswith(STAFF_PREFIX + "/"):
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    if current_user.must_change_password:
        # A one-time password opens nothing but the page where it is replaced.
        return redirect(url_for("accounts.change_password"))
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None:
        abort(404)
    if current_user.role not in allowed_roles(view):
        abort(403)
    return None


def may_open(endpoint: str) -> bool:
    """Whether the signed-in user may open a staff view: templates link only where it works."""
    view = current_app.view_functions.get(endpoint)
    return (
        view is not None
        and current_user.is_authenticated
        and not current_user.must_change_password
        and current_user.role in allowed_roles(view)
    )


@bp.app_context_processor
def staff_helpers() -> dict[str, object]:
    """Offer ``may_open`` to every template (the navigation in base.html uses it)."""
    return {"may_open": may_open}


@bp.get("/")
@allow(*STAFF)
def dashboard() -> str:
    """The staff home page: a tile per area the user may open, with what waits there."""
    counts: dict[str, int] = {}
    if may_open("moderation.queue"):
        counts["moderation.queue"] = pending_messages()
    return render_template("manage/dashboard.html", counts=counts)


def pending_messages() -> int:
    """How many messages of support wait for review, across all cases (one query)."""
    return int(
        db.session.scalar(
            sa.select(sa.func.count(Message.id)).where(Message.state == MessageState.PENDING)
        )
        or 0
    )
