"""Who may use which staff view: each view declares its roles; undeclared views are refused.

Everything under ``/manage/`` passes :func:`guard`, registered once on the app and keyed on the
path, so no staff view can be forgotten whichever blueprint defines it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from campaign.models import Role, User

F = TypeVar("F", bound=Callable[..., object])

ROLES_ATTRIBUTE = "_allowed_roles"
STAFF = (Role.ADMIN, Role.ORGANISER, Role.ACTIVIST)
ORGANISERS = (Role.ADMIN, Role.ORGANISER)
ADMINS = (Role.ADMIN,)
STAFF_PREFIX = "/manage"
# Checks a signed-in user passes before any staff view (app.extensions[GATES]): each returns a
# redirect to where the user must go first (such as enrolling a second factor), or None.
GATES = "campaign.staff_gates"
Gate = Callable[[], Response | None]


def allow(*roles: Role) -> Callable[[F], F]:
    """Declare the roles that may use a staff view (checked once, by :func:`guard`)."""

    def decorate(view: F) -> F:
        setattr(view, ROLES_ATTRIBUTE, frozenset(roles))
        return view

    return decorate


def allowed_roles(view: Callable[..., object] | None) -> frozenset[Role]:
    """The roles a view declared; none declared means nobody may use it."""
    return frozenset(getattr(view, ROLES_ATTRIBUTE, frozenset()))


def add_gate(app: Flask, gate: Gate) -> None:
    """Add a check every signed-in request under /manage/ passes before its view's roles."""
    app.extensions.setdefault(GATES, []).append(gate)


def acting_user() -> User:
    """The signed-in user behind this request, for a service to act as (a view calls it only
    where the guard or ``login_required`` let the request in)."""
    user: User = current_user._get_current_object()
    return user


def guard() -> Response | None:
    """Every request under /manage/ needs a signed-in user holding one of the view's roles.

    A view that declares no roles (see :func:`allow`) is refused to everybody. A signed-in user
    who asks a staff address with the wrong method gets the router's answer (405), not a 404.
    """
    if request.path != STAFF_PREFIX and not request.path.startswith(STAFF_PREFIX + "/"):
        return None
    if not current_user.is_authenticated:
        # The page as asked for, its language prefix (script_root) too.
        back = request.script_root + request.full_path.rstrip("?")
        return redirect(url_for("accounts.login", next=back))
    if current_user.must_change_password:
        # A one-time password opens nothing but the page where it is replaced.
        return redirect(url_for("accounts.change_password"))
    for gate in current_app.extensions.get(GATES, ()):
        detour = gate()
        if detour is not None:
            return detour
    if request.routing_exception is not None:
        raise request.routing_exception
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


def init_app(app: Flask) -> None:
    """Put every request through the guard and offer ``may_open`` to every template."""
    app.before_request(guard)
    app.add_template_global(may_open, "may_open")


def lets_in() -> bool:
    """Whether :func:`guard` would let this request in, for error handlers that may run before
    it: a body over the request limit is refused while it is read (CSRF reads it first), and a
    staff page's own 413 answer must not show its contents to someone the guard would turn away.
    """
    try:
        return guard() is None
    except HTTPException:
        return False
