"""The Flask extensions, created unbound here and bound to an app in :func:`campaign.create_app`.

Flask-Migrate is bound only when something migrates (campaign.migrating)."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from campaign.database import Base
from campaign.util.privacy import keyed_hash

db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


def _limit_key() -> str:
    """Rate limits are keyed by a rotating keyed hash of the client address, never the address
    itself (as campaign.web.clients.client_key; built here so the extensions need no web layer)."""
    return keyed_hash(get_remote_address() or "unknown")


limiter = Limiter(key_func=_limit_key, default_limits=[], headers_enabled=True)
