"""Accounts: signing in, the password policy, changing a password, and invitations."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from campaign.accounts.passwords import (
    context_words,
    hash_password,
    is_guessable,
    password_problem,
    verify_password,
)
from campaign.database import utcnow
from campaign.extensions import db
from campaign.models import AuditAction, AuditEntry, Invitation, Role, User
from tests.conftest import fetch

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "plum kettle umbrella sonnet"


def _change(client: FlaskClient, current: str, new: str, confirm: str | None = None):
    return client.post(
        "/account/password",
        data={"current_password": current, "new_password": new, "confirm": confirm or new},
    )


# --- signing in -------------------------------------------------------------------------------


def test_signing_in_leads_to_the_staff_area_and_records_the_time(
    app: Flask, client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.ACTIVIST)
    response = client.post("/login", data={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/manage/"
    assert fetch(app, User, user.id).last_login_at is not None


def test_next_is_followed_only_within_the_site(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    data = {"email": user.email, "password": PASSWORD, "next": "//evil.example/"}
    assert client.post("/login", data=data).headers["Location"] == "/manage/"


def test_a_wrong_password_and_an_unknown_e_mail_read_the_same(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    wrong = client.post("/login", data={"email": user.email, "password": "not the password"})
    unknown = client.post("/login", data={"email": "x@example.org", "password": "not it"})
    assert wrong.status_code == unknown.status_code == 200
    # Apart from the e-mail typed back into the form, the pages are identical.
    unknown_page = unknown.get_data(as_text=True).replace("x@example.org", user.email)
    assert wrong.get_data(as_text=True) == unknown_page


def test_the_one_time_password_leads_only_to_choosing_a_new_one(
    app: Flask, client: FlaskClient, make_user: Callable[..., User], login
) -> None:
    user = make_user(Role.ADMIN, must_change_password=True)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/account/password"
    for url in ("/manage/", "/manage/users/"):
        assert client.get(url).headers["Location"] == "/account/password"
    assert _change(client, PASSWORD, NEW_PASSWORD).status_code == 302
    assert client.get("/manage/").status_code == 200
    refreshed = fetch(app, User, user.id)
    assert not refreshed.must_change_password
    with app.app_context():
        assert verify_password(refreshed.password_hash, NEW_PASSWORD)


def test_the_account_page_needs_a_sign_in(client: FlaskClient) -> None:
    response = client.get("/account/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


# --- the password policy ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "qwertyuiop12",  # in the common list as it is
        "Password123456",  # a common word with digits added
        "iloveyou!!!!!!",
        "aaaaaaaaaaaaaaaa",  # too few different characters
        "abcabcabcabcabc",  # a repetition
        "dragondragondragon",
    ],
)
def test_common_or_repetitive_passwords_are_refused(app_ctx: Flask, password: str) -> None:
    assert is_guessable(password)
    assert password_problem(password) is not None


@pytest.mark.parametrize(
    "password", [PASSWORD, NEW_PASSWORD, "Mañana, por la mañana!", "ночь улица фонарь аптека"]
)
def test_long_uncommon_passwords_are_accepted(app_ctx: Flask, password: str) -> None:
    assert password_problem(password) is None


def test_length_limits_and_the_account_s_own_name(app_ctx: Flask) -> None:
    assert "12 characters" in (password_problem("short words") or "")
    assert password_problem("x" * 1025) is not None
    known = context_words("rosalind.franklin@example.org", "Rosalind Franklin")
    assert password_problem("rosalind.franklin", known)
    assert password_problem("Rosalind Franklin 1958", known)
    assert password_problem("rosalind.franklin") is None


@pytest.mark.parametrize("password", ["abcdefghijkl", "zxcvbnm,./123"])
def test_sequences_and_rows_of_keys_are_refused_by_their_strength_score(
    app_ctx: Flask, password: str
) -> None:
    """Not in any word list, but zxcvbn scores them as guessed at once."""
    assert not is_guessable(password)
    problem = password_problem(password) or ""
    assert "This password is too easy to guess" in problem
    assert "Try a few unrelated words instead." in problem


def test_the_strength_score_knows_the_account_s_e_mail_and_name(app_ctx: Flask) -> None:
    from campaign.accounts.passwords import strength

    known = context_words("rosalind.franklin@example.org", "Rosalind Franklin")
    assert strength("rosalind.franklin") >= 3
    assert strength("rosalind.franklin", known) == 0


def test_hashes_are_argon2id_and_verify(app_ctx: Flask) -> None:
    hashed = hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, PASSWORD)
    assert not verify_password(hashed, PASSWORD + "!")
    assert not verify_password(None, PASSWORD)


# --- changing a password ----------------------------------------------------------------------


def test_changing_the_password_needs_the_current_one_and_a_matching_good_new_one(
    app: Flask, staff_client: Callable[..., FlaskClient]
) -> None:
    client = staff_client(Role.ACTIVIST)
    cases = [
        ("not my password", NEW_PASSWORD, None, "This is not your current password."),
        (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "The two passwords are not the same."),
        (PASSWORD, "password1234", None, "too common"),
        (PASSWORD, "abcdefghijkl", None, "This password is too easy to guess"),
        (PASSWORD, "zxcvbnm,./123", None, "This password is too easy to guess"),
        (PASSWORD, "short", None, "at least 12 characters"),
        (PASSWORD, PASSWORD, None, "different from the current one"),
    ]
    for current, new, confirm, message in cases:
        response = _change(client, current, new, confirm)
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    user_id = client.user.id  # type: ignore[attr-defined]
    with app.app_context():
        assert verify_password(fetch(app, User, user_id).password_hash, PASSWORD)

    assert _change(client, PASSWORD, NEW_PASSWORD).status_code == 302
    with app.app_context():
        assert verify_password(fetch(app, User, user_id).password_hash, NEW_PASSWORD)
        entry = db.session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.object_type == "user", AuditEntry.action == AuditAction.UPDATE
            )
        ).one()
        assert entry.object_id == user_id
        assert entry.changes["password_hash"] == ["(hidden)", "(hidden)"]


# --- invitations ------------------------------------------------------------------------------


def _invite(admin: FlaskClient, email: str = "new.person@example.org", role: str = "organiser"):
    """Create an invitation as *admin*; returns the link's path as the admin sees it."""
    response = admin.post(
        "/manage/users/invite", data={"email": email, "display_name": "New Person", "role": role}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    match = re.search(r"https?://[^/\"]+(/invite/[A-Za-z0-9_\-]+)", page)
    assert match, page
    return match.group(1)


def _accept(client: FlaskClient, path: str, password: str = NEW_PASSWORD):
    return client.post(
        path, data={"display_name": "New Person", "new_password": password, "confirm": password}
    )


def test_an_invitation_creates_the_account_once(
    app: Flask, staff_client: Callable[..., FlaskClient]
) -> None:
    admin = staff_client(Role.ADMIN)
    path = _invite(admin)
    newcomer = app.test_client()
    page = newcomer.get(path)
    assert page.status_code == 200
    assert "new.person@example.org" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"

    response = _accept(newcomer, path)
    assert response.status_code == 302
    assert newcomer.get("/manage/").status_code == 200  # signed straight in
    with app.app_context():
        user = db.session.scalars(
            sa.select(User).where(User.email == "new.person@example.org")
        ).one()
        assert user.role == Role.ORGANISER
        assert verify_password(user.password_hash, NEW_PASSWORD)
        created = db.session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.object_type == "user", AuditEntry.object_id == user.id
            )
        ).one()
        assert created.action == AuditAction.CREATE
        assert created.changes["role"] == [None, "organiser"]

    # Single use: the link now says so, and a second try creates nothing.
    again = app.test_client()
    used = again.get(path)
    assert used.status_code == 410
    assert "already been used" in used.get_data(as_text=True)
    assert _accept(again, path, "another fine passphrase").status_code == 410
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 2


def test_an_invitation_opens_in_the_newcomers_language_with_its_expiry_in_words(
    app: Flask, staff_client: Callable[..., FlaskClient]
) -> None:
    """A Russian colleague opening the link from their mail reads the page in Russian (as the
    home page does for a first visit); the expiry is a date as the pages write dates."""
    admin = staff_client(Role.ADMIN)
    path = _invite(admin)
    newcomer = app.test_client()
    arriving = {"Sec-Fetch-Site": "none", "Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}
    response = newcomer.get(path, headers=arriving)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/ru{path}"
    assert "Accept-Language" in response.vary
    page = newcomer.get(response.headers["Location"]).get_data(as_text=True)
    assert '<html lang="ru"' in page
    with app.app_context():
        expires = db.session.scalars(sa.select(Invitation)).one().expires_at
    assert f"{expires:%H:%M}" in page
    assert f"{expires:%Y-%m-%d}" not in page
    assert re.search(
        r"\d{1,2}\s\w+\s\d{4}\s\w\., \d\d:\d\d", page
    )  # a day, a month, a year, a time
    # A click from the site itself (the switcher's "English") is never sent back.
    english = newcomer.get(path, headers={**arriving, "Sec-Fetch-Site": "same-origin"})
    assert english.status_code == 200
    assert f"{expires:%Y-%m-%d}" not in english.get_data(as_text=True)


def test_the_link_is_shown_once_and_only_its_hash_is_kept(
    app: Flask, staff_client: Callable[..., FlaskClient]
) -> None:
    admin = staff_client(Role.ADMIN)
    path = _invite(admin)
    token = path.rsplit("/", 1)[1]
    with app.app_context():
        invitation = db.session.scalars(sa.select(Invitation)).one()
        assert token not in invitation.token_hash
        invitation_id = invitation.id
    again = admin.get(f"/manage/users/invitations/{invitation_id}/link")
    assert again.status_code == 302
    assert token not in admin.get(again.headers["Location"]).get_data(as_text=True)


def test_an_expired_invitation_says_so_and_creates_nothing(
    app: Flask, staff_client: Callable[..., FlaskClient]
) -> None:
    path = _invite(staff_client(Role.ADMIN))
    with app.app_context():
        invitation = db.session.scalars(sa.select(Invitation)).one()
        assert timedelta(hours=71) < invitation.expires_at - utcnow() <= timedelta(hours=72)
        invitation.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    newcomer = app.test_client()
    page = newcomer.get(path)
    assert page.status_code == 410
    assert "expired" in page.get_data(as_text=True)
    assert _accept(newcomer, path).status_code == 410
    with app.app_context():
        assert db.session.scalar(sa.select(User.id).where(User.email.like("new.%"))) is None


def test_an_unknown_invitation_token_is_not_found(client: FlaskClient) -> None:
    assert client.get("/invite/not-a-real-token").status_code == 404


def test_a_withdrawn_invitation_stops_working(
    app: Flask, staff_client: Callable[..., FlaskClient]
) -> None:
    admin = staff_client(Role.ADMIN)
    path = _invite(admin)
    with app.app_context():
        invitation_id = db.session.scalars(sa.select(Invitation.id)).one()
    assert admin.post(f"/manage/users/invitations/{invitation_id}/withdraw").status_code == 302
    assert app.test_client().get(path).status_code == 404


def test_an_invitation_refuses_a_weak_password_and_an_existing_e_mail(
    app: Flask, staff_client: Callable[..., FlaskClient], make_user: Callable[..., User]
) -> None:
    admin = staff_client(Role.ADMIN)
    path = _invite(admin)
    response = _accept(app.test_client(), path, "password12345")
    assert response.status_code == 200
    assert "too common" in response.get_data(as_text=True)

    existing = make_user()
    response = admin.post(
        "/manage/users/invite", data={"email": existing.email, "role": "activist"}
    )
    assert response.status_code == 200
    assert "already an account" in response.get_data(as_text=True)


# --- CSRF is on in production: the forms carry and need a token ---------------------------------


@pytest.fixture
def csrf_app(app_config: dict) -> Iterator[Flask]:
    """The app with CSRF protection on, as in production (on the same database as ``app``)."""
    from tests.conftest import make_app

    csrf_app = make_app({**app_config, "WTF_CSRF_ENABLED": True})
    yield csrf_app
    with csrf_app.app_context():
        db.session.remove()
        db.engine.dispose()


def _token(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def test_sign_in_and_password_change_need_the_csrf_token(
    app: Flask, csrf_app: Flask, make_user: Callable[..., User]
) -> None:
    user = make_user()
    client = csrf_app.test_client()
    forged = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert forged.status_code == 400
    assert client.get("/manage/").status_code == 302

    token = _token(client.get("/login").get_data(as_text=True))
    data = {"email": user.email, "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=data).status_code == 302

    page = client.get("/account/password").get_data(as_text=True)
    assert _change(client, PASSWORD, NEW_PASSWORD).status_code == 400  # no token: refused
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": _token(page),
        },
    )
    assert response.status_code == 302

    forged_logout = client.post("/logout")
    assert forged_logout.status_code == 400
    assert client.get("/manage/").status_code == 200  # a cross-site POST cannot sign you out
