"""The staff area is deny-by-default: every route under /manage/, for every role and anonymous.

The routes come from the app's URL map, so a new staff view is covered the day it is added.
Access control does not depend on the database, so the matrix runs on SQLite only, and the
placeholder ids change nothing: one app and one signed-in client per role serve the module.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from campaign import create_app
from campaign.extensions import db
from campaign.models import Role, User
from campaign.web.access import allowed_roles
from tests.conftest import base_config, make_app

ROLES = [Role.ADMIN, Role.ORGANISER, Role.ACTIVIST]
PASSWORD = "correct horse battery staple"

StaffRule = tuple[str, str, str]


def _staff_rules(app: Flask) -> list[StaffRule]:
    """(endpoint, url with placeholder arguments, method) for every route under /manage/."""
    rules = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/manage"):
            continue
        url = rule.rule
        for argument in rule.arguments:
            url = url.replace(f"<int:{argument}>", "999999").replace(f"<{argument}>", "zz-none")
            url = url.replace(f"<string:{argument}>", "zz-none")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            rules.append((rule.endpoint, url, method))
    return sorted(rules)


STAFF_RULES = _staff_rules(
    create_app(base_config(Path(tempfile.gettempdir()), SQLALCHEMY_DATABASE_URI="sqlite://"))
)


def _call(client: FlaskClient, url: str, method: str) -> TestResponse:
    return client.open(url, method=method, data={})


def _is_sent_to(response: TestResponse, prefix: str) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith(prefix)


@pytest.fixture(scope="module")
def matrix_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app for the module: the checks below only read, whatever they send."""
    app = make_app(base_config(tmp_path_factory.mktemp("access-matrix")))
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def sign_in(matrix_app: Flask) -> Callable[..., FlaskClient]:
    """A new client signed in through the login form as a new user with *role*."""
    from campaign.accounts.passwords import hash_password

    made = iter(range(1, 1000))

    def factory(role: Role, **overrides: object) -> FlaskClient:
        n = next(made)
        with matrix_app.app_context():
            user = User(
                email=f"matrix{n}@example.org",
                display_name=f"Matrix {n}",
                role=role,
                password_hash=hash_password(PASSWORD),
                **overrides,
            )
            db.session.add(user)
            db.session.commit()
            email = user.email
        client = matrix_app.test_client()
        response = client.post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return factory


@pytest.fixture(scope="module")
def role_clients(sign_in: Callable[..., FlaskClient]) -> dict[Role, FlaskClient]:
    return {role: sign_in(role) for role in ROLES}


def test_the_matrix_sees_the_staff_area(matrix_app: Flask) -> None:
    """An empty walk would pass every check below: the URL map must give the staff routes."""
    rules = _staff_rules(matrix_app)
    assert rules == STAFF_RULES
    assert {"manage.dashboard", "cases.index", "users.index"} <= {e for e, _, _ in rules}


def test_anonymous_visitors_are_sent_to_sign_in(matrix_app: Flask) -> None:
    failures = []
    for endpoint, url, method in _staff_rules(matrix_app):
        response = _call(matrix_app.test_client(), url, method)
        if not _is_sent_to(response, "/login"):
            failures.append((endpoint, method, response.status_code))
    assert failures == []


def test_every_staff_view_declares_its_roles(matrix_app: Flask) -> None:
    undeclared = sorted(
        {
            endpoint
            for endpoint, _, _ in _staff_rules(matrix_app)
            if not allowed_roles(matrix_app.view_functions[endpoint])
        }
    )
    assert undeclared == [], f"{undeclared} declare no roles"


@pytest.mark.parametrize(("endpoint", "url", "method"), STAFF_RULES)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_the_views_that_allow_it(
    matrix_app: Flask,
    role_clients: dict[Role, FlaskClient],
    role: Role,
    endpoint: str,
    url: str,
    method: str,
) -> None:
    allowed = role in allowed_roles(matrix_app.view_functions[endpoint])
    response = _call(role_clients[role], url, method)
    if allowed:
        # The guard let the request through to the view, which answered without an error.
        assert response.status_code != 403, (role, endpoint)
        assert response.status_code < 500, (role, endpoint, response.status_code)
        assert not _is_sent_to(response, "/login"), (role, endpoint, "signed out")
        assert not _is_sent_to(response, "/account/password"), (role, endpoint)
    else:
        assert response.status_code == 403, (role, endpoint, response.status_code)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_staff_view_without_declared_roles_is_refused_to_everyone(
    app: Flask, staff_client: Callable[..., FlaskClient]
) -> None:
    @app.get("/manage/forgotten")
    def forgotten() -> str:
        return "should never be seen"

    for role in ROLES:
        assert staff_client(role).get("/manage/forgotten").status_code == 403


@pytest.mark.parametrize("backend", ["sqlite"])
def test_deactivated_users_lose_the_staff_area(
    app: Flask, make_user, login, client: FlaskClient
) -> None:
    user = make_user(Role.ADMIN)
    login(client, user)
    assert client.get("/manage/").status_code == 200
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    assert client.get("/manage/").status_code == 302


def test_a_one_time_password_opens_nothing_until_it_is_replaced(
    matrix_app: Flask, sign_in: Callable[..., FlaskClient]
) -> None:
    signed_in = sign_in(Role.ADMIN, must_change_password=True)
    cookie = signed_in.get_cookie("session")
    assert cookie is not None
    failures = []
    for endpoint, url, method in _staff_rules(matrix_app):
        client = matrix_app.test_client()  # a fresh browser with that sign-in, for every route
        client.set_cookie("session", cookie.value)
        response = _call(client, url, method)
        if not (
            response.status_code == 302 and response.headers["Location"] == "/account/password"
        ):
            failures.append((endpoint, method, response.status_code))
    assert failures == []


def test_a_signed_out_cookie_opens_nothing(
    matrix_app: Flask, sign_in: Callable[..., FlaskClient]
) -> None:
    client = sign_in(Role.ADMIN)
    assert client.get("/manage/").status_code == 200  # signed in, the cookie opens the area
    cookie = client.get_cookie("session")
    assert cookie is not None
    client.post("/logout")
    failures = []
    for endpoint, url, method in _staff_rules(matrix_app):
        replay = matrix_app.test_client()
        replay.set_cookie("session", cookie.value)
        response = _call(replay, url, method)
        if not _is_sent_to(response, "/login"):
            failures.append((endpoint, method, response.status_code))
    assert failures == []
