"""Staff accounts: invitations, roles, deactivation (admins)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("users", __name__, url_prefix="/manage/users")
