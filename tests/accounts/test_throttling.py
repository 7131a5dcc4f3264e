"""Login throttling: per account and per client, in the database, with one generic message."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from campaign.database import utcnow
from campaign.extensions import db
from campaign.models import LoginAttempt, User
from tests.conftest import count_rows

PASSWORD = "correct horse battery staple"
GENERIC = "That e-mail and password do not match an active account."


def _attempt(client: FlaskClient, email: str, password: str = "wrong password here", **kw):
    return client.post("/login", data={"email": email, "password": password}, **kw)


def _age_attempts(app: Flask, by: timedelta) -> None:
    with app.app_context():
        for attempt in db.session.scalars(sa.select(LoginAttempt)):
            attempt.created_at -= by
        db.session.commit()


def test_five_failures_lock_the_account_even_against_the_right_password(
    app: Flask, client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    for _ in range(5):
        assert GENERIC in _attempt(client, user.email).get_data(as_text=True)
    response = _attempt(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many sign-in attempts. Try again in 15 minutes." in response.get_data(as_text=True)
    # Another browser (another client address) is refused too: the limit is on the account.
    elsewhere = app.test_client()
    response = _attempt(elsewhere, user.email, PASSWORD, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert response.status_code == 429


def test_the_lock_lifts_when_the_failures_leave_the_window(
    app: Flask, client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    for _ in range(5):
        _attempt(client, user.email)
    _age_attempts(app, timedelta(minutes=11))
    response = _attempt(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "Try again in 4 minutes." in response.get_data(as_text=True)
    _age_attempts(app, timedelta(minutes=5))
    assert _attempt(client, user.email, PASSWORD).status_code == 302


def test_an_unknown_e_mail_gets_the_same_answer_and_the_same_lock(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    known = _attempt(client, user.email)
    unknown = _attempt(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert GENERIC in unknown.get_data(as_text=True)
    for _ in range(4):
        _attempt(client, "nobody@example.org")
    locked = _attempt(client, "nobody@example.org")
    assert locked.status_code == 429  # locking does not reveal that the account does not exist


def test_one_client_trying_many_accounts_is_stopped_after_twenty_failures(
    app: Flask, make_user: Callable[..., User]
) -> None:
    user = make_user()
    attacker = app.test_client()
    for n in range(20):
        assert _attempt(attacker, f"guess{n}@example.org").status_code == 200
    assert _attempt(attacker, user.email, PASSWORD).status_code == 429
    # The account itself is not locked: its owner, from elsewhere, still gets in.
    owner = app.test_client()
    response = _attempt(owner, user.email, PASSWORD, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code == 302


def test_a_success_is_recorded_and_does_not_wipe_earlier_failures(
    app: Flask, client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    for _ in range(4):
        _attempt(client, user.email)
    assert _attempt(client, user.email, PASSWORD).status_code == 302
    client.post("/logout")
    with app.app_context():
        outcomes = db.session.scalars(
            sa.select(LoginAttempt.succeeded).where(LoginAttempt.scope == "account")
        ).all()
    assert sorted(outcomes) == [False] * 4 + [True]
    _attempt(client, user.email)
    assert _attempt(client, user.email, PASSWORD).status_code == 429


def test_attempts_keep_neither_the_e_mail_nor_the_address(
    app: Flask, client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    _attempt(client, user.email, environ_base={"REMOTE_ADDR": "192.0.2.44"})
    with app.app_context():
        rows = db.session.scalars(sa.select(LoginAttempt)).all()
    assert {r.scope for r in rows} == {"account", "client"}
    for row in rows:
        assert user.email not in row.key_hash
        assert "192.0.2.44" not in row.key_hash
        assert len(row.key_hash) == 64


def test_old_attempts_are_pruned(
    app: Flask, client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    _attempt(client, user.email)
    _age_attempts(app, timedelta(days=2))
    _attempt(client, user.email)
    with app.app_context():
        assert count_rows(LoginAttempt) == 2  # the new account and client rows only
        oldest = db.session.scalar(sa.select(sa.func.min(LoginAttempt.created_at)))
        assert oldest is not None
        assert utcnow() - oldest < timedelta(hours=1)


def test_a_deactivated_account_gets_the_generic_message(
    app: Flask, client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user(active=False)
    response = _attempt(client, user.email, PASSWORD)
    assert response.status_code == 200
    assert GENERIC in response.get_data(as_text=True)


def test_the_lock_holds_across_worker_processes(
    app: Flask, app_config: dict, make_user: Callable[..., User]
) -> None:
    from campaign import create_app

    user = make_user()
    other_worker = create_app(app_config)  # a second app on the same database, like gunicorn's
    try:
        for _ in range(5):
            _attempt(app.test_client(), user.email)
        assert _attempt(other_worker.test_client(), user.email, PASSWORD).status_code == 429
    finally:
        with other_worker.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_lock_message_says_an_admin_can_unlock_the_account(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    for _ in range(5):
        _attempt(client, user.email)
    page = _attempt(client, user.email, PASSWORD).get_data(as_text=True)
    assert "If this is your account, an admin can unlock sign-in for it sooner." in page


def test_a_client_lock_alone_does_not_send_people_to_an_admin(
    app: Flask, make_user: Callable[..., User]
) -> None:
    user = make_user()
    attacker = app.test_client()
    for n in range(20):
        _attempt(attacker, f"guess{n}@example.org")
    response = _attempt(attacker, user.email, PASSWORD)
    assert response.status_code == 429
    assert "an admin can unlock" not in response.get_data(as_text=True)


def test_locked_accounts_says_who_is_locked_until_when(
    app: Flask, client: FlaskClient, make_user: Callable[..., User]
) -> None:
    from campaign.accounts import throttle

    locked, tried, calm = make_user(), make_user(), make_user()
    for _ in range(5):
        _attempt(client, locked.email)
    for _ in range(3):
        _attempt(client, tried.email)
    _age_attempts(app, timedelta(minutes=3))
    with app.app_context():
        now = utcnow()
        until = throttle.locked_accounts([locked.email.upper(), tried.email, calm.email], now=now)
        assert set(until) == {locked.email}
        assert timedelta(minutes=11) < until[locked.email] - now <= timedelta(minutes=12)
        assert throttle.unlock(locked.email) == 5
        assert throttle.locked_accounts([locked.email]) == {}
        # The client's own failures stay counted: unlocking one account lifts no client limit.
        assert count_rows(LoginAttempt) == 5 + 3 + 3
