"""The staff area is deny-by-default: every route under /manage/, for every role and anonymous.

The routes come from the app's URL map, so a new staff view is covered the day it is added.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from campaign import create_app
from campaign.models import Role
from campaign.web.access import allowed_roles
from tests.conftest import base_config

# Access control does not depend on the database: one backend keeps the matrix quick.
pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


def _staff_rules() -> list[tuple[str, str, str]]:
    """(endpoint, url with placeholder arguments, method) for every route under /manage/."""
    import tempfile
    from pathlib import Path

    app = create_app(base_config(Path(tempfile.gettempdir()), SQLALCHEMY_DATABASE_URI="sqlite://"))
    rules = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.rule.startswith("/manage"):
                continue
            url = rule.rule
            for argument in rule.arguments:
                url = url.replace(f"<int:{argument}>", "999999").replace(f"<{argument}>", "zz-none")
                url = url.replace(f"<string:{argument}>", "zz-none")
            methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
            for method in methods:
                rules.append((rule.endpoint, url, method))
    return sorted(rules)


STAFF_RULES = _staff_rules()
ROLES = [Role.ADMIN, Role.ORGANISER, Role.ACTIVIST]


def _call(client: FlaskClient, url: str, method: str):
    return client.open(url, method=method, data={})


@pytest.mark.parametrize(("endpoint", "url", "method"), STAFF_RULES)
def test_anonymous_visitors_are_sent_to_sign_in(
    client: FlaskClient, endpoint: str, url: str, method: str
) -> None:
    response = _call(client, url, method)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(("endpoint", "url", "method"), STAFF_RULES)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_the_views_that_allow_it(
    app: Flask,
    staff_client: Callable[..., FlaskClient],
    role: Role,
    endpoint: str,
    url: str,
    method: str,
) -> None:
    allowed = role in allowed_roles(app.view_functions[endpoint])
    response = _call(staff_client(role), url, method)
    if allowed:
        assert response.status_code != 403, (role, endpoint)
        assert response.status_code < 500, (role, endpoint, response.status_code)
    else:
        assert response.status_code == 403, (role, endpoint, response.status_code)


@pytest.mark.parametrize(("endpoint", "url", "method"), STAFF_RULES)
def test_every_staff_view_declares_its_roles(
    app: Flask, endpoint: str, url: str, method: str
) -> None:
    assert allowed_roles(app.view_functions[endpoint]), f"{endpoint} declares no roles"


def test_a_staff_view_without_declared_roles_is_refused_to_everyone(
    app: Flask, staff_client: Callable[..., FlaskClient]
) -> None:
    @app.get("/manage/forgotten")
    def forgotten() -> str:
        return "should never be seen"

    for role in ROLES:
        assert staff_client(role).get("/manage/forgotten").status_code == 403


def test_deactivated_users_lose_the_staff_area(
    app: Flask, make_user, login, client: FlaskClient
) -> None:
    from campaign.extensions import db
    from campaign.models import User

    user = make_user(Role.ADMIN)
    login(client, user)
    assert client.get("/manage/").status_code == 200
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    assert client.get("/manage/").status_code == 302


@pytest.mark.parametrize(("endpoint", "url", "method"), STAFF_RULES)
def test_a_one_time_password_opens_nothing_until_it_is_replaced(
    staff_client: Callable[..., FlaskClient], endpoint: str, url: str, method: str
) -> None:
    client = staff_client(Role.ADMIN, must_change_password=True)
    response = _call(client, url, method)
    assert response.status_code == 302, (endpoint, response.status_code)
    assert response.headers["Location"] == "/account/password"


@pytest.mark.parametrize(("endpoint", "url", "method"), STAFF_RULES)
def test_a_signed_out_cookie_opens_nothing(
    app: Flask, staff_client: Callable[..., FlaskClient], endpoint: str, url: str, method: str
) -> None:
    client = staff_client(Role.ADMIN)
    cookie = client.get_cookie("session")
    assert cookie is not None
    client.post("/logout")
    replay = app.test_client()
    replay.set_cookie("session", cookie.value)
    response = _call(replay, url, method)
    assert response.status_code == 302, (endpoint, response.status_code)
    assert response.headers["Location"].startswith("/login")
