"""User admin: the list, roles, deactivation and reactivation, each with an audit entry."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from campaign.extensions import db
from campaign.models import AuditAction, Role, User
from tests.conftest import audit_entries, fetch

PASSWORD = "correct horse battery staple"


def test_the_list_shows_role_state_and_last_sign_in(
    staff_client: Callable[..., FlaskClient], make_user: Callable[..., User]
) -> None:
    make_user(Role.ACTIVIST, display_name="Gulnara Activist", active=False)
    admin = staff_client(Role.ADMIN, display_name="Dana Admin")
    page = admin.get("/manage/users/").get_data(as_text=True)
    assert "Gulnara Activist" in page
    assert "Deactivated" in page
    assert "never" in page  # Gulnara has not signed in; Dana has
    assert re.search(r"<time datetime=\"\d{4}-", page)


def test_an_admin_changes_a_role_and_the_trail_says_from_what_to_what(
    app: Flask, staff_client: Callable[..., FlaskClient], make_user: Callable[..., User]
) -> None:
    user = make_user(Role.ACTIVIST)
    admin = staff_client(Role.ADMIN, display_name="Dana Admin")
    response = admin.post(f"/manage/users/{user.id}/role", data={f"u{user.id}-role": "organiser"})
    assert response.status_code == 302
    assert fetch(app, User, user.id).role == Role.ORGANISER
    (entry,) = audit_entries(app, "user", user.id, "update")
    assert entry.action == AuditAction.UPDATE
    assert entry.actor == "Dana Admin"
    assert entry.changes == {"role": ["activist", "organiser"]}


def test_deactivating_and_reactivating_are_audited(
    app: Flask,
    staff_client: Callable[..., FlaskClient],
    make_user: Callable[..., User],
    login: Callable[..., FlaskClient],
) -> None:
    user = make_user(Role.ORGANISER)
    admin = staff_client(Role.ADMIN)
    assert admin.post(f"/manage/users/{user.id}/deactivate").status_code == 302
    assert not fetch(app, User, user.id).active
    refused = app.test_client().post("/login", data={"email": user.email, "password": PASSWORD})
    assert refused.status_code == 200

    assert admin.post(f"/manage/users/{user.id}/reactivate").status_code == 302
    assert fetch(app, User, user.id).active
    login(app.test_client(), user)
    changes = [e.changes for e in audit_entries(app, "user", user.id, "update")]
    assert changes == [{"active": [True, False]}, {"active": [False, True]}]


def test_an_admin_cannot_deactivate_themselves(
    app: Flask, staff_client: Callable[..., FlaskClient], make_user: Callable[..., User]
) -> None:
    make_user(Role.ADMIN)  # another admin exists, so only the self-rule applies
    admin = staff_client(Role.ADMIN)
    admin_id = admin.user.id  # type: ignore[attr-defined]
    response = admin.post(f"/manage/users/{admin_id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    assert fetch(app, User, admin_id).active
    assert audit_entries(app, "user", admin_id, "update") == []


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(
    app: Flask, staff_client: Callable[..., FlaskClient], make_user: Callable[..., User]
) -> None:
    admin = staff_client(Role.ADMIN)
    admin_id = admin.user.id  # type: ignore[attr-defined]
    make_user(Role.ADMIN, active=False)  # a deactivated admin does not count
    response = admin.post(
        f"/manage/users/{admin_id}/role",
        data={f"u{admin_id}-role": "organiser"},
        follow_redirects=True,
    )
    assert "the last active admin" in response.get_data(as_text=True)
    assert fetch(app, User, admin_id).role == Role.ADMIN

    second = make_user(Role.ADMIN)
    assert (
        admin.post(f"/manage/users/{second.id}/role", data={f"u{second.id}-role": "activist"})
    ).status_code == 302
    assert fetch(app, User, second.id).role == Role.ACTIVIST
    # With two active admins, one may be deactivated; then the other is the last one.
    third = make_user(Role.ADMIN)
    admin.post(f"/manage/users/{third.id}/deactivate")
    assert not fetch(app, User, third.id).active


def test_an_unknown_user_is_not_found(staff_client: Callable[..., FlaskClient]) -> None:
    admin = staff_client(Role.ADMIN)
    assert admin.post("/manage/users/4242/deactivate").status_code == 404


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.ACTIVIST])
def test_only_admins_manage_users(
    app: Flask,
    role: Role,
    staff_client: Callable[..., FlaskClient],
    make_user: Callable[..., User],
) -> None:
    victim = make_user(Role.ADMIN)
    client = staff_client(role)
    assert client.get("/manage/users/").status_code == 403
    assert client.post(f"/manage/users/{victim.id}/deactivate").status_code == 403
    assert fetch(app, User, victim.id).active
    assert client.post(f"/manage/users/{victim.id}/unlock").status_code == 403


@pytest.fixture
def csrf_app(app_config: dict) -> Iterator[Flask]:
    """The app with CSRF protection on, as in production (on the same database as ``app``)."""
    from tests.conftest import make_app

    csrf_app = make_app({**app_config, "WTF_CSRF_ENABLED": True})
    yield csrf_app
    with csrf_app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_admin_forms_need_the_csrf_token(
    app: Flask, csrf_app: Flask, make_user: Callable[..., User]
) -> None:
    admin = make_user(Role.ADMIN)
    victim = make_user(Role.ACTIVIST)
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token
    client.post(
        "/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert client.post(f"/manage/users/{victim.id}/deactivate").status_code == 400
    assert client.post("/manage/users/invite", data={"email": "a@example.org"}).status_code == 400
    assert fetch(app, User, victim.id).active

    page = client.get("/manage/users/").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token
    role_token = re.search(rf'name="u{victim.id}-csrf_token"[^>]*value="([^"]+)"', page)
    assert role_token, "each role form carries its own token"
    data = {f"u{victim.id}-role": "organiser", f"u{victim.id}-csrf_token": role_token.group(1)}
    assert client.post(f"/manage/users/{victim.id}/role", data=data).status_code == 302
    assert fetch(app, User, victim.id).role == Role.ORGANISER
    response = client.post(
        f"/manage/users/{victim.id}/deactivate", data={"csrf_token": token.group(1)}
    )
    assert response.status_code == 302
    assert not fetch(app, User, victim.id).active


def _lock_out(app: Flask, user: User) -> None:
    """Five wrong passwords from one client: that client waits for the window."""
    guesser = app.test_client()
    for _ in range(5):
        guesser.post("/login", data={"email": user.email, "password": "wrong password here"})


def test_the_list_shows_which_accounts_had_failed_sign_ins(
    app: Flask, staff_client: Callable[..., FlaskClient], make_user: Callable[..., User]
) -> None:
    locked = make_user(Role.ORGANISER, display_name="Olga Organiser")
    make_user(Role.ACTIVIST, display_name="Asel Activist")
    _lock_out(app, locked)
    admin = staff_client(Role.ADMIN)
    page = admin.get("/manage/users/").get_data(as_text=True)
    assert page.count("failed sign-ins in the last 15 minutes") == 1  # Olga only
    start = page.index("Olga Organiser")
    row = page[start : page.index("</tr>", start)]
    assert "5 failed sign-ins in the last 15 minutes" in row
    assert f'action="/manage/users/{locked.id}/unlock"' in row
    assert page.count("Clear failed sign-ins") == 1


def test_an_admin_unlocks_sign_in_and_the_trail_says_so(
    app: Flask, staff_client: Callable[..., FlaskClient], make_user: Callable[..., User]
) -> None:
    user = make_user(Role.ORGANISER)
    _lock_out(app, user)
    owner = app.test_client()  # the same address as the guesses
    refused = owner.post("/login", data={"email": user.email, "password": PASSWORD})
    assert refused.status_code == 429

    admin = staff_client(Role.ADMIN, display_name="Dana Admin")
    response = admin.post(f"/manage/users/{user.id}/unlock", follow_redirects=True)
    assert "failed sign-ins are cleared" in response.get_data(as_text=True)
    assert "failed sign-ins in the last 15 minutes" not in response.get_data(as_text=True)
    assert owner.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302

    (entry,) = audit_entries(app, "user", user.id, "update")
    assert entry.action == AuditAction.UPDATE
    assert entry.actor == "Dana Admin"
    assert entry.changes["failed_sign_ins"] == [5, 0]
    assert user.email not in str(entry.changes)


def test_unlocking_an_account_without_failures_changes_nothing(
    app: Flask, staff_client: Callable[..., FlaskClient], make_user: Callable[..., User]
) -> None:
    user = make_user(Role.ACTIVIST)
    admin = staff_client(Role.ADMIN)
    response = admin.post(f"/manage/users/{user.id}/unlock", follow_redirects=True)
    assert "has no failed sign-ins to clear" in response.get_data(as_text=True)
    assert audit_entries(app, "user", user.id, "update") == []
    assert admin.get(f"/manage/users/{user.id}/unlock").status_code == 405  # POST only
    assert admin.post("/manage/users/4242/unlock").status_code == 404


def test_unlocking_needs_the_csrf_token(
    app: Flask, csrf_app: Flask, make_user: Callable[..., User]
) -> None:
    admin = make_user(Role.ADMIN)
    user = make_user(Role.ACTIVIST)
    _lock_out(app, user)
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token
    client.post(
        "/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert client.post(f"/manage/users/{user.id}/unlock").status_code == 400
    assert audit_entries(app, "user", user.id, "update") == []
    page = client.get("/manage/users/").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token
    response = client.post(f"/manage/users/{user.id}/unlock", data={"csrf_token": token.group(1)})
    assert response.status_code == 302
    assert len(audit_entries(app, "user", user.id, "update")) == 1
