"""Staff views of cases: list, create, edit, publish, archive, links."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/manage/cases")
