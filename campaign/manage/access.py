"""Who may use which staff view: each view declares its roles; undeclared views are refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from campaign.models import Role

F = TypeVar("F", bound=Callable[..., object])

ROLES_ATTRIBUTE = "_allowed_roles"
STAFF = (Role.ADMIN, Role.ORGANISER, Role.ACTIVIST)
ORGANISERS = (Role.ADMIN, Role.ORGANISER)
ADMINS = (Role.ADMIN,)


def allow(*roles: Role) -> Callable[[F], F]:
    """Declare the roles that may use a staff view (checked once, by the staff area's guard)."""

    def decorate(view: F) -> F:
        setattr(view, ROLES_ATTRIBUTE, frozenset(roles))
        return view

    return decorate


def allowed_roles(view: Callable[..., object] | None) -> frozenset[Role]:
    """The roles a view declared; none declared means nobody may use it."""
    return frozenset(getattr(view, ROLES_ATTRIBUTE, frozenset()))
