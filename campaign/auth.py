"""Loading the signed-in user for Flask-Login."""

from __future__ import annotations

from flask import Flask

from campaign.extensions import db, login_manager
from campaign.models import User


def init_app(app: Flask) -> None:
    """Wire Flask-Login to the user table."""
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        return user if user is not None and user.active else None
