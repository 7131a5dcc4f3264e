"""Login throttling: an attacker is slowed, the owner still gets in; in the database, atomic."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
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


def test_five_failures_hold_back_that_client_and_not_the_owner_elsewhere(
    app: Flask, client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    for _ in range(5):
        assert GENERIC in _attempt(client, user.email).get_data(as_text=True)
    response = _attempt(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many sign-in attempts. Try again in 15 minutes." in response.get_data(as_text=True)
    # The owner, from another address, is not locked out by a stranger's guesses.
    owner = app.test_client()
    response = _attempt(owner, user.email, PASSWORD, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert response.status_code == 302


def test_many_addresses_guessing_one_account_are_slowed_not_locking_it(
    app: Flask, make_user: Callable[..., User]
) -> None:
    user = make_user()
    slow_after = app.config["LOGIN_ACCOUNT_SLOW_AFTER"]
    for n in range(slow_after):
        guesser = app.test_client()
        response = _attempt(guesser, user.email, environ_base={"REMOTE_ADDR": f"10.9.0.{n}"})
        assert response.status_code == 200
    # Now one attempt a minute from any address the account has not signed in from.
    stranger = app.test_client()
    response = _attempt(stranger, user.email, PASSWORD, environ_base={"REMOTE_ADDR": "10.9.1.1"})
    assert response.status_code == 429
    assert "Try again in 1 minute." in response.get_data(as_text=True)
    _age_attempts(app, timedelta(minutes=1))
    response = _attempt(stranger, user.email, PASSWORD, environ_base={"REMOTE_ADDR": "10.9.1.1"})
    assert response.status_code == 302


def test_a_browser_that_signed_in_before_is_not_held_back_by_strangers(
    app: Flask, make_user: Callable[..., User]
) -> None:
    """Behind a proxy without PROXY_FIX_X_FOR everybody shares one address: the owner's
    browser still gets in, by the device cookie its last sign-in left."""
    user = make_user()
    owner = app.test_client()
    assert _attempt(owner, user.email, PASSWORD).status_code == 302
    owner.post("/logout")
    attacker = app.test_client()  # the same address, as behind an unconfigured proxy
    for n in range(30):
        _attempt(attacker, user.email if n % 2 else f"guess{n}@example.org")
    assert _attempt(attacker, user.email, PASSWORD).status_code == 429
    assert _attempt(owner, user.email, PASSWORD).status_code == 302
    owner.post("/logout")
    # A device cookie is for its own account only, and a forged one counts for nothing.
    other = make_user()
    assert _attempt(owner, other.email, PASSWORD).status_code == 429
    attacker.set_cookie("campaign_device", "forged")
    assert _attempt(attacker, user.email, PASSWORD).status_code == 429


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
    client.delete_cookie("campaign_device")  # the same address, but not the browser that got in
    _attempt(client, user.email)
    assert _attempt(client, user.email, PASSWORD).status_code == 429


def test_attempts_keep_neither_the_e_mail_nor_the_address(
    app: Flask, client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    _attempt(client, user.email, environ_base={"REMOTE_ADDR": "192.0.2.44"})
    with app.app_context():
        rows = db.session.scalars(sa.select(LoginAttempt)).all()
    assert {r.scope for r in rows} == {"account", "client", "pair"}
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
        assert count_rows(LoginAttempt) == 3  # the new account, client and pair rows only
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
    assert "If this is your account, an admin can clear its failed sign-ins." in page


def test_a_client_lock_alone_does_not_send_people_to_an_admin(
    app: Flask, make_user: Callable[..., User]
) -> None:
    user = make_user()
    attacker = app.test_client()
    for n in range(20):
        _attempt(attacker, f"guess{n}@example.org")
    response = _attempt(attacker, user.email, PASSWORD)
    assert response.status_code == 429
    assert "an admin can clear" not in response.get_data(as_text=True)


def test_failed_sign_ins_are_counted_per_account_and_cleared_by_unlock(
    app: Flask, client: FlaskClient, make_user: Callable[..., User]
) -> None:
    from campaign.accounts import throttle

    slowed, tried, calm = make_user(), make_user(), make_user()
    for _ in range(5):
        _attempt(client, slowed.email)
    for _ in range(3):
        _attempt(client, tried.email)
    with app.app_context():
        counts = throttle.failed_sign_ins([slowed.email.upper(), tried.email, calm.email])
        assert counts == {slowed.email: 5, tried.email: 3}
        assert throttle.unlock(slowed.email) == 5
        db.session.commit()
        assert throttle.failed_sign_ins([slowed.email]) == {}
        # The client's own failures stay counted: unlocking one account lifts no client limit.
        assert count_rows(LoginAttempt) == 5 + 3 * 3
    assert _attempt(client, slowed.email, PASSWORD).status_code == 302


def _in_parallel(app: Flask, count: int, attempt: Callable[[], None]) -> list[str]:
    """Run *attempt* in *count* threads at once, each with its own session; their outcomes."""
    from campaign.accounts import services

    start = threading.Barrier(count)
    outcomes: list[str] = []

    def run() -> None:
        with app.app_context():
            start.wait()
            try:
                attempt()
                outcomes.append("accepted")
            except services.SignInThrottled:
                outcomes.append("throttled")
            except (services.SignInRefused, services.WrongCode):
                outcomes.append("checked")
            finally:
                db.session.commit()
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_parallel_guesses_get_no_more_checks_than_the_limit(
    app: Flask, make_user: Callable[..., User]
) -> None:
    """Checking the limit and recording the attempt are one step: 32 guesses at once from one
    client get exactly LOGIN_ACCOUNT_LIMIT password checks, on SQLite and PostgreSQL alike."""
    from campaign.accounts import services

    user = make_user()
    stale = app.test_client()
    for n in range(10):  # old attempts that every one of the parallel sign-ins prunes
        _attempt(stale, f"someone{n}@example.org")
    _age_attempts(app, timedelta(days=2))
    outcomes = _in_parallel(
        app, 32, lambda: services.sign_in(user.email, "wrong password here", "203.0.113.7")
    )
    assert outcomes.count("checked") == app.config["LOGIN_ACCOUNT_LIMIT"]
    assert outcomes.count("throttled") == 32 - app.config["LOGIN_ACCOUNT_LIMIT"]


def test_the_same_code_sent_many_times_at_once_is_accepted_once(
    app: Flask, make_user: Callable[..., User]
) -> None:
    import pyotp

    from campaign.accounts import services

    user = make_user()
    with app.app_context():
        row = db.session.get(User, user.id)
        secret = services.start_two_factor(row)
        services.confirm_two_factor(row, pyotp.TOTP(secret).at(utcnow() - timedelta(seconds=30)))
        db.session.commit()
    code = pyotp.TOTP(secret).at(utcnow())

    def use_code() -> None:
        services.verify_second_factor(db.session.get(User, user.id), code)

    outcomes = _in_parallel(app, 8, use_code)
    assert outcomes.count("accepted") == 1
    assert outcomes.count("checked") + outcomes.count("throttled") == 7


@pytest.mark.parametrize("proxies", [0, 1])
def test_a_forwarded_for_header_without_a_trusted_proxy_is_reported_once(
    app_config: dict, caplog: pytest.LogCaptureFixture, proxies: int
) -> None:
    from tests.conftest import make_app

    app = make_app({**app_config, "PROXY_FIX_X_FOR": proxies})
    client = app.test_client()
    with caplog.at_level(logging.WARNING, logger="campaign.web.clients"):
        client.get("/login")
        for _ in range(3):
            client.get("/login", headers={"X-Forwarded-For": "198.51.100.23"})
    warnings = [r.getMessage() for r in caplog.records if r.name == "campaign.web.clients"]
    if proxies:
        assert warnings == []
    else:
        assert len(warnings) == 1
        assert "PROXY_FIX_X_FOR" in warnings[0]
        assert "198.51.100.23" not in warnings[0]
    with app.app_context():
        db.engine.dispose()
