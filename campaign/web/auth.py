"""Loading the signed-in user for Flask-Login, through the server-side session."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from campaign.accounts import sessions
from campaign.extensions import login_manager


def init_app(app: Flask) -> None:
    """Wire Flask-Login to the server-side sessions and resolve the user before any view runs."""
    # The server-side session is what ends a sign-in; checking the client's address as well
    # ("strong") would sign activists out each time their phone changes network.
    login_manager.session_protection = "basic"
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "warning"
    login_manager.user_loader(sessions.load_user)

    @app.before_request
    def resolve_user_first() -> None:
        """Load the user now, so session bookkeeping commits before a view changes anything."""
        if request.endpoint != "static":
            _ = current_user.is_authenticated
