"""Moderation of supporters' messages and delivery packs."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("moderation", __name__, url_prefix="/manage/messages")
