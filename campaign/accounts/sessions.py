"""Server-side sessions: the cookie holds a random token, the database decides if it still works.

Flask's cookie session alone cannot be taken back: a copied cookie would work until it expires.
Here the cookie carries a token whose SHA-256 names a ``UserSession`` row; signing out,
deactivation, a password change, the idle timeout and the absolute lifetime end that row, and
the cookie with it.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import Flask, current_app, flash, request, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import joinedload

from campaign.database import utcnow
from campaign.extensions import db, login_manager
from campaign.models import User, UserSession

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

logger = logging.getLogger(__name__)

SESSION_KEY = "_sid"
# A sign-in waiting for its second factor: the account's id and when the password was right.
HELD_KEY = "_held"
HELD_LIFETIME = timedelta(minutes=5)
# A browser that signed in before keeps a signed random id, so strangers' failures never
# throttle it (OWASP's "device cookie"); it proves nothing by itself and opens nothing.
DEVICE_COOKIE = "campaign_device"
DEVICE_LIFETIME = timedelta(days=90)
# last_seen_at is written at most this often, so most GET requests write nothing.
TOUCH_INTERVAL = timedelta(minutes=1)


def init_app(app: Flask) -> None:
    """Wire Flask-Login to the server-side sessions and resolve the user before any view runs."""
    # The server-side session is what ends a sign-in; checking the client's address as well
    # ("strong") would sign activists out each time their phone changes network.
    login_manager.session_protection = "basic"
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "warning"
    login_manager.user_loader(load_user)

    @app.before_request
    def resolve_user_first() -> None:
        """Load the user now, so session bookkeeping commits before a view changes anything."""
        if request.endpoint != "static":
            _ = current_user.is_authenticated


def token_digest(token: str) -> str:
    """The SHA-256 hex digest stored in place of a token (sessions and invitations alike)."""
    return hashlib.sha256(token.encode()).hexdigest()


def begin(user: User) -> UserSession:
    """Sign *user* in on a new server-side session; the old cookie's content is dropped first."""
    session.clear()  # no session fixation: nothing from before the sign-in survives it
    _prune()
    token = secrets.token_urlsafe(32)
    record = UserSession(token_hash=token_digest(token), user_id=user.id)
    db.session.add(record)
    # A browser-session cookie (not "permanent"): closing the browser ends it on shared
    # computers; the server enforces the idle timeout and the absolute lifetime either way.
    session[SESSION_KEY] = token
    login_user(user)
    return record


def _prune() -> None:
    """Delete sessions that ended long enough ago to be of no further use (the view commits)."""
    cutoff = utcnow() - current_app.config["PERMANENT_SESSION_LIFETIME"] - timedelta(days=1)
    db.session.execute(sa.delete(UserSession).where(UserSession.created_at < cutoff))


def current() -> UserSession | None:
    """The live server-side session of this request's cookie, if there is one."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        return None
    record: UserSession | None = db.session.scalar(_CURRENT, {"digest": token_digest(token)})
    return record


# Built once, with the session's user in the same statement: every signed-in request runs it
# (two statements and a lazy load cost 1.1 ms of CPU a request).
_CURRENT = (
    sa.select(UserSession)
    .where(UserSession.token_hash == sa.bindparam("digest"))
    .options(joinedload(UserSession.user, innerjoin=True))
)


def _expired(record: UserSession, now: datetime) -> bool:
    config = current_app.config
    idle: timedelta = config["SESSION_IDLE_TIMEOUT"]
    lifetime: timedelta = config["PERMANENT_SESSION_LIFETIME"]
    return now - record.last_seen_at > idle or now - record.created_at > lifetime


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the user only if the cookie's session is live and theirs.

    Refuses revoked, idle-expired and too-old sessions and inactive users. Called at the start
    of every request (see :func:`init_app`), so its occasional commit (revoking an
    expired session, or noting activity) never carries a view's half-done changes with it.
    """
    record = current()
    if record is None or record.revoked_at is not None or str(record.user_id) != user_id:
        session.pop(SESSION_KEY, None)
        return None
    now = utcnow()
    if _expired(record, now):
        record.revoked_at = now
        _commit_quietly()
        session.pop(SESSION_KEY, None)
        flash(_("Your session has ended. Please sign in again."), "warning")
        return None
    user = record.user
    if not user.active:
        return None
    if now - record.last_seen_at >= TOUCH_INTERVAL:
        record.last_seen_at = now
        _commit_quietly()
    return user


def _commit_quietly() -> None:
    """Commit session bookkeeping; if the database is busy, skip it (the next request retries)."""
    try:
        db.session.commit()
    except sa.exc.OperationalError:
        db.session.rollback()
        logger.warning("could not record session activity; the database was busy")


def end() -> None:
    """Sign out: revoke this browser's server-side session and empty its cookie."""
    record = current()
    if record is not None and record.revoked_at is None:
        record.revoked_at = utcnow()
    logout_user()
    session.clear()


def revoke_all(user: User, *, keep: UserSession | None = None) -> int:
    """Revoke every live session of *user* except *keep*; returns how many ended."""
    query = sa.update(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None)
    )
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    result = db.session.execute(query.values(revoked_at=utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)


def hold_for_second_factor(user: User, next_target: str) -> None:
    """Remember, in this browser only, that *user* gave the right password and owes a code."""
    session.clear()
    session[HELD_KEY] = {"user": user.id, "at": utcnow().timestamp(), "next": next_target}


def held() -> tuple[User, str] | None:
    """The account (and where to go next) waiting for a code in this browser, if still fresh."""
    value = session.get(HELD_KEY)
    if not isinstance(value, dict):
        return None
    at, user_id = value.get("at"), value.get("user")
    if not isinstance(at, int | float) or not isinstance(user_id, int):
        return None
    if utcnow().timestamp() - at > HELD_LIFETIME.total_seconds():
        session.pop(HELD_KEY, None)
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        return None
    return user, str(value.get("next") or "")


def drop_held() -> None:
    """Forget a sign-in waiting for its code (too many wrong codes: start again)."""
    session.pop(HELD_KEY, None)


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="campaign.device")


def known_device() -> tuple[int, str] | None:
    """The (user id, device id) this browser's device cookie vouches for, if valid and fresh."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        value = _device_serializer().loads(raw, max_age=int(DEVICE_LIFETIME.total_seconds()))
    except BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2):
        return None
    user_id, device_id = value
    if not isinstance(user_id, int) or not isinstance(device_id, str):
        return None
    return user_id, device_id


def remember_device(response: Response, user: User) -> Response:
    """Give this browser a device cookie for *user* after a complete sign-in."""
    current = known_device()
    device_id = current[1] if current and current[0] == user.id else secrets.token_urlsafe(16)
    config = current_app.config
    response.set_cookie(
        DEVICE_COOKIE,
        _device_serializer().dumps([user.id, device_id]),
        max_age=int(DEVICE_LIFETIME.total_seconds()),
        secure=bool(config["SESSION_COOKIE_SECURE"]),
        httponly=True,
        samesite="Lax",
    )
    return response
