"""Staff views of organisations and venues, each with its actions across cases."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("organisations", __name__, url_prefix="/manage/organisations")
