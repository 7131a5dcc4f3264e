"""The audit trail, read-only: the history of a case, an event, or everything."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("history", __name__, url_prefix="/manage/history")
