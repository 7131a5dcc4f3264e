"""Staff views of events: the full form, the quick picket form, verification."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("events", __name__, url_prefix="/manage/events")
