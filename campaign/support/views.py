"""Supporters' messages: the public form, the confirmation, the wall of solidarity, withdrawal."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("support", __name__)
