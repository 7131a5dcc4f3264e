"""Sessions end for real: logout, deactivation, password changes and timeouts stop a cookie."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from campaign import create_app
from campaign.accounts.sessions import SESSION_KEY, token_digest
from campaign.database import utcnow
from campaign.extensions import db
from campaign.models import Role, User, UserSession
from tests.conftest import base_config

PASSWORD = "correct horse battery staple"


def _cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _copy_of(app: Flask, cookie: str) -> FlaskClient:
    """Another browser holding a copy of someone's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def _sessions(app: Flask, user: User) -> list[UserSession]:
    with app.app_context():
        return list(
            db.session.scalars(sa.select(UserSession).where(UserSession.user_id == user.id))
        )


def _age_sessions(app: Flask, user: User, **changes: timedelta) -> None:
    """Move a user's sessions into the past: ``created`` and ``seen`` say by how much."""
    with app.app_context():
        for record in db.session.scalars(
            sa.select(UserSession).where(UserSession.user_id == user.id)
        ):
            if "created" in changes:
                record.created_at = utcnow() - changes["created"]
            if "seen" in changes:
                record.last_seen_at = utcnow() - changes["seen"]
        db.session.commit()


def test_a_copied_cookie_stops_working_after_logout(
    app: Flask, make_user: Callable[..., User], login: Callable[..., FlaskClient]
) -> None:
    user = make_user(Role.ORGANISER)
    client = login(app.test_client(), user)
    stolen = _cookie(client)
    assert _copy_of(app, stolen).get("/manage/").status_code == 200

    client.post("/logout")
    assert client.get("/manage/").status_code == 302
    # The copy still carries a validly signed cookie: only the server can refuse it.
    response = _copy_of(app, stolen).get("/manage/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert all(s.revoked_at is not None for s in _sessions(app, user))


def test_the_session_token_is_stored_only_as_its_hash(
    app: Flask, make_user: Callable[..., User], login: Callable[..., FlaskClient]
) -> None:
    user = make_user()
    client = login(app.test_client(), user)
    with client.session_transaction() as session:
        token = session[SESSION_KEY]
    (record,) = _sessions(app, user)
    assert record.token_hash == token_digest(token)
    assert token not in record.token_hash


def test_signing_in_starts_a_fresh_session_without_earlier_content(
    app: Flask, make_user: Callable[..., User], login: Callable[..., FlaskClient]
) -> None:
    user = make_user()
    client = app.test_client()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session[SESSION_KEY] = "chosen-by-the-attacker"
    login(client, user)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session[SESSION_KEY] != "chosen-by-the-attacker"


def test_deactivation_ends_every_session_of_the_account(
    app: Flask,
    make_user: Callable[..., User],
    login: Callable[..., FlaskClient],
    staff_client: Callable[..., FlaskClient],
) -> None:
    user = make_user(Role.ACTIVIST)
    phone, laptop = login(app.test_client(), user), login(app.test_client(), user)
    admin = staff_client(Role.ADMIN)
    assert admin.post(f"/manage/users/{user.id}/deactivate").status_code == 302
    for browser in (phone, laptop):
        assert browser.get("/manage/").status_code == 302
    assert all(s.revoked_at is not None for s in _sessions(app, user))


def test_changing_the_password_signs_out_the_other_browsers_only(
    app: Flask, make_user: Callable[..., User], login: Callable[..., FlaskClient]
) -> None:
    user = make_user()
    here, elsewhere = login(app.test_client(), user), login(app.test_client(), user)
    response = here.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a new and longer passphrase",
            "confirm": "a new and longer passphrase",
        },
    )
    assert response.status_code == 302
    assert here.get("/manage/").status_code == 200
    assert elsewhere.get("/manage/").status_code == 302


def test_an_idle_session_expires(
    app: Flask, make_user: Callable[..., User], login: Callable[..., FlaskClient]
) -> None:
    user = make_user()
    client = login(app.test_client(), user)
    idle = app.config["SESSION_IDLE_TIMEOUT"]
    _age_sessions(app, user, seen=idle - timedelta(minutes=5))
    assert client.get("/manage/").status_code == 200  # still within the idle time, and renewed
    _age_sessions(app, user, seen=idle + timedelta(minutes=1))
    response = client.get("/manage/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert all(s.revoked_at is not None for s in _sessions(app, user))


def test_an_active_session_still_ends_after_its_lifetime(
    app: Flask, make_user: Callable[..., User], login: Callable[..., FlaskClient]
) -> None:
    user = make_user()
    client = login(app.test_client(), user)
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"]
    _age_sessions(app, user, created=lifetime + timedelta(minutes=1), seen=timedelta(0))
    assert client.get("/manage/").status_code == 302


def test_activity_is_written_at_most_once_a_minute(
    app: Flask, make_user: Callable[..., User], login: Callable[..., FlaskClient]
) -> None:
    user = make_user()
    client = login(app.test_client(), user)
    (before,) = _sessions(app, user)
    client.get("/manage/")
    (unchanged,) = _sessions(app, user)
    assert unchanged.last_seen_at == before.last_seen_at

    _age_sessions(app, user, seen=timedelta(minutes=2))
    client.get("/manage/")
    (touched,) = _sessions(app, user)
    assert utcnow() - touched.last_seen_at < timedelta(minutes=1)


def test_a_deactivated_user_is_refused_even_before_sessions_are_revoked(
    app: Flask, make_user: Callable[..., User], login: Callable[..., FlaskClient]
) -> None:
    user = make_user()
    client = login(app.test_client(), user)
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    assert client.get("/manage/").status_code == 302


@pytest.mark.parametrize("backend", ["sqlite"])
def test_session_cookies_are_httponly_samesite_and_secure_outside_debug(
    tmp_path, make_user: Callable[..., User]
) -> None:
    production_like = create_app(base_config(tmp_path, TESTING=False))
    user = make_user()
    try:
        response = production_like.test_client().post(
            "/login",
            data={"email": user.email, "password": PASSWORD},
            base_url="https://localhost",
        )
    finally:
        with production_like.app_context():
            db.session.remove()
            db.engine.dispose()
    assert response.status_code == 302
    header = response.headers["Set-Cookie"]
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Secure" in header


def test_long_ended_sessions_are_pruned_at_the_next_sign_in(
    app: Flask, make_user: Callable[..., User], login: Callable[..., FlaskClient]
) -> None:
    user = make_user()
    login(app.test_client(), user)
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"]
    _age_sessions(app, user, created=lifetime + timedelta(days=2))
    login(app.test_client(), user)
    (remaining,) = _sessions(app, user)
    assert utcnow() - remaining.created_at < timedelta(minutes=1)
