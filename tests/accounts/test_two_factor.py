"""Two-factor sign-in: enrolment by QR code, codes that work once, recovery codes, throttling,
sessions ended when a factor changes, the admins' requirement and their reset."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from campaign.accounts import services, twofactor
from campaign.database import utcnow
from campaign.extensions import db
from campaign.models import RecoveryCode, Role, User, UserSession
from tests.conftest import audit_entries, fetch

PASSWORD = "correct horse battery staple"


def _code(secret: str, *, steps_ago: int = 0) -> str:
    """The code an authenticator app shows (now, or *steps_ago* steps earlier)."""
    moment = utcnow() - timedelta(seconds=30 * steps_ago)
    return pyotp.TOTP(secret).at(moment)


def _enrol(client: FlaskClient) -> tuple[str, list[str]]:
    """Enrol the client's user through the pages: returns the secret and the recovery codes."""
    assert client.post("/account/two-factor/start").status_code == 302
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'<code class="totp-secret">([A-Z2-7 ]+)</code>', page)
    assert secret, page
    key = secret.group(1).replace(" ", "")
    response = client.post("/account/two-factor/confirm", data={"code": _code(key)})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<li><code>([a-z2-9-]+)</code></li>", response.get_data(as_text=True))
    return key, codes


@pytest.fixture
def enrolled(
    app: Flask, make_user: Callable[..., User]
) -> Callable[..., tuple[User, str, list[str]]]:
    """A user with a confirmed second factor: (user, secret, recovery codes)."""

    def factory(role: Role = Role.ORGANISER, **overrides: object) -> tuple[User, str, list[str]]:
        user = make_user(role, **overrides)
        with app.app_context():
            row = db.session.get(User, user.id)
            secret = services.start_two_factor(row)
            codes = services.confirm_two_factor(row, _code(secret, steps_ago=1))
            db.session.commit()
        return fetch(app, User, user.id), secret, codes

    return factory


def _password(client: FlaskClient, user: User) -> None:
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/code"


def test_enrolment_shows_a_server_drawn_qr_code_and_ten_recovery_codes_once(
    app: Flask, staff_client: Callable[..., FlaskClient]
) -> None:
    client = staff_client(Role.ACTIVIST)
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "Set up two-factor sign-in" in page
    client.post("/account/two-factor/start")
    page = client.get("/account/two-factor").get_data(as_text=True)
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "<path" in svg
    assert "style" not in svg
    assert "<script" not in svg
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")  # nothing from elsewhere
    secret, codes = _enrol(client)
    assert len(codes) == len(set(codes)) == 10
    user_id = client.user.id  # type: ignore[attr-defined]
    user = fetch(app, User, user_id)
    assert user.has_two_factor
    assert user.totp_secret == secret
    with app.app_context():
        hashes = db.session.scalars(sa.select(RecoveryCode.code_hash)).all()
    assert len(hashes) == 10
    assert not set(codes) & set(hashes)
    assert {twofactor.recovery_code_digest(c) for c in codes} == set(hashes)
    # Shown once: the page now offers new codes, never the old ones.
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "Two-factor sign-in is on" in page
    assert codes[0] not in page
    # The trail says a secret was set and how many codes, never which.
    confirmed = audit_entries(app, "user", user_id, "update")[-1]
    assert confirmed.changes["recovery_codes"] == [0, 10]
    assert "totp_confirmed_at" in confirmed.changes
    changes = str([e.changes for e in audit_entries(app, "user", user_id)])
    assert "(hidden)" in changes
    assert secret not in changes


def test_a_wrong_first_code_does_not_turn_it_on(staff_client: Callable[..., FlaskClient]) -> None:
    client = staff_client()
    client.post("/account/two-factor/start")
    response = client.post(
        "/account/two-factor/confirm", data={"code": "000000"}, follow_redirects=True
    )
    assert "This code is not right" in response.get_data(as_text=True)
    assert "<svg" in response.get_data(as_text=True)  # still enrolling


def test_sign_in_asks_for_a_code_that_works_only_once(
    app: Flask, enrolled: Callable[..., tuple[User, str, list[str]]]
) -> None:
    user, secret, _codes = enrolled()
    client = app.test_client()
    _password(client, user)
    assert client.get("/manage/").status_code == 302  # the password alone opens nothing
    response = client.post("/login/code", data={"code": _code(secret)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/manage/"
    assert client.get("/manage/").status_code == 200
    # The same code, seen over a shoulder and typed at once elsewhere, is refused.
    thief = app.test_client()
    _password(thief, user)
    page = thief.post("/login/code", data={"code": _code(secret)}).get_data(as_text=True)
    assert "This code is not right, or was used already." in page
    assert thief.get("/manage/").status_code == 302


def test_a_recovery_code_signs_in_once_and_the_trail_counts_what_is_left(
    app: Flask, enrolled: Callable[..., tuple[User, str, list[str]]]
) -> None:
    user, _secret, codes = enrolled()
    client = app.test_client()
    _password(client, user)
    typed = codes[3].upper().replace("-", " ")  # as people type them
    assert client.post("/login/code", data={"code": typed}).status_code == 302
    again = app.test_client()
    _password(again, user)
    assert again.post("/login/code", data={"code": codes[3]}).status_code == 200
    entries = audit_entries(app, "user", user.id, "update")
    assert any(e.changes.get("recovery_codes") == [10, 9] for e in entries)


def test_wrong_codes_are_throttled_and_the_sign_in_starts_again(
    app: Flask, enrolled: Callable[..., tuple[User, str, list[str]]]
) -> None:
    user, secret, _codes = enrolled()
    client = app.test_client()
    _password(client, user)
    for _ in range(app.config["LOGIN_CODE_LIMIT"]):
        assert client.post("/login/code", data={"code": "123456"}).status_code == 200
    response = client.post("/login/code", data={"code": _code(secret)})
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.get_data(as_text=True)
    assert client.post("/login/code", data={"code": _code(secret)}).headers["Location"] == "/login"


def test_a_waiting_sign_in_expires(
    app: Flask, enrolled: Callable[..., tuple[User, str, list[str]]]
) -> None:
    user, secret, _codes = enrolled()
    client = app.test_client()
    _password(client, user)
    with client.session_transaction() as session:
        held = session["_held"]
        session["_held"] = {**held, "at": held["at"] - 6 * 60}
    assert client.post("/login/code", data={"code": _code(secret)}).status_code == 302
    assert client.get("/manage/").status_code == 302


def test_turning_it_on_signs_out_the_other_browsers(
    app: Flask, make_user: Callable[..., User], login: Callable[..., FlaskClient]
) -> None:
    user = make_user()
    here, there = login(app.test_client(), user), login(app.test_client(), user)
    _enrol(here)
    assert here.get("/manage/").status_code == 200
    assert there.get("/manage/").status_code == 302


def test_new_recovery_codes_replace_the_old_ones(
    app: Flask, make_user: Callable[..., User], login: Callable[..., FlaskClient]
) -> None:
    user = make_user()
    client = login(app.test_client(), user)
    _secret, old = _enrol(client)
    response = client.post("/account/two-factor/recovery-codes", data={"renew-password": PASSWORD})
    new = re.findall(r"<li><code>([a-z2-9-]+)</code></li>", response.get_data(as_text=True))
    assert len(new) == 10
    assert not set(new) & set(old)
    with app.app_context():
        row = db.session.get(User, user.id)
        with pytest.raises(services.WrongCode):
            services.verify_second_factor(row, old[0])
        services.verify_second_factor(row, new[0])


def test_admins_require_it_and_staff_without_it_enrol_before_anything_else(
    app: Flask, staff_client: Callable[..., FlaskClient]
) -> None:
    admin = staff_client(Role.ADMIN, display_name="Dana Admin")
    activist = staff_client(Role.ACTIVIST)
    assert (
        activist.post(
            "/manage/users/two-factor-policy", data={"require_two_factor": "y"}
        ).status_code
        == 403
    )
    response = admin.post("/manage/users/two-factor-policy", data={"require_two_factor": "y"})
    assert response.status_code == 302
    (entry,) = audit_entries(app, "securitypolicy", 1)
    assert entry.actor == "Dana Admin"
    assert entry.changes["require_two_factor"][1] is True
    for path in ("/manage/", "/manage/events/picket", "/manage/users/"):
        response = activist.get(path)
        assert response.status_code == 302
        assert response.headers["Location"] == "/account/two-factor"
    page = activist.get("/account/two-factor").get_data(as_text=True)
    assert "The admins require two-factor sign-in" in page
    _enrol(activist)
    assert activist.get("/manage/").status_code == 200
    # Required: it cannot be turned off.
    response = activist.post(
        "/account/two-factor/off", data={"off-password": PASSWORD}, follow_redirects=True
    )
    assert "cannot be turned off" in response.get_data(as_text=True)
    assert fetch(app, User, activist.user.id).has_two_factor  # type: ignore[attr-defined]
    # The admins too: turning it off again needs an admin who has it.
    assert admin.post("/manage/users/two-factor-policy", data={}).status_code == 302
    with app.app_context():
        assert services.two_factor_required()
    _enrol(admin)
    admin.post("/manage/users/two-factor-policy", data={})
    with app.app_context():
        assert not services.two_factor_required()


def test_an_admin_resets_a_lost_second_factor_audited_and_everywhere_signed_out(
    app: Flask,
    staff_client: Callable[..., FlaskClient],
    enrolled: Callable[..., tuple[User, str, list[str]]],
) -> None:
    user, secret, _codes = enrolled(display_name="Olga Organiser")
    member = app.test_client()
    _password(member, user)
    member.post("/login/code", data={"code": _code(secret)})
    assert member.get("/manage/").status_code == 200
    admin = staff_client(Role.ADMIN, display_name="Dana Admin")
    page = admin.get("/manage/users/").get_data(as_text=True)
    assert f'action="/manage/users/{user.id}/two-factor/reset"' in page
    response = admin.post(f"/manage/users/{user.id}/two-factor/reset", follow_redirects=True)
    assert "two-factor sign-in is reset" in response.get_data(as_text=True)
    assert member.get("/manage/").status_code == 302  # signed out
    assert not fetch(app, User, user.id).has_two_factor
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(RecoveryCode.id))) == 0
        live = db.session.scalars(
            sa.select(UserSession).where(
                UserSession.user_id == user.id, UserSession.revoked_at.is_(None)
            )
        ).all()
        assert live == []
    reset = audit_entries(app, "user", user.id, "update")[-1]
    assert reset.actor == "Dana Admin"
    assert reset.changes["totp_secret"] == ["(hidden)", None]
    assert reset.changes["recovery_codes"] == [10, 0]
    assert secret not in str([e.changes for e in audit_entries(app, "user", user.id)])
    # The password alone signs in again, and the member can enrol anew.
    again = app.test_client()
    assert (
        again.post("/login", data={"email": user.email, "password": PASSWORD}).headers["Location"]
        == "/manage/"
    )
    assert admin.post(f"/manage/users/{user.id}/two-factor/reset").status_code == 302


def test_only_admins_reset_a_second_factor(
    app: Flask,
    staff_client: Callable[..., FlaskClient],
    enrolled: Callable[..., tuple[User, str, list[str]]],
) -> None:
    user, _secret, _codes = enrolled()
    organiser = staff_client(Role.ORGANISER)
    assert organiser.post(f"/manage/users/{user.id}/two-factor/reset").status_code == 403
    assert organiser.get(f"/manage/users/{user.id}/two-factor/reset").status_code == 405
    assert fetch(app, User, user.id).has_two_factor


def test_a_code_is_accepted_once_within_the_drift_and_never_from_an_older_step(
    app_ctx: Flask, make_user: Callable[..., User]
) -> None:
    user = db.session.get(User, make_user().id)
    secret = services.start_two_factor(user)
    services.confirm_two_factor(user, _code(secret, steps_ago=1))
    with pytest.raises(services.WrongCode):
        services.verify_second_factor(user, _code(secret, steps_ago=1))  # the same step
    with pytest.raises(services.WrongCode):
        services.verify_second_factor(user, _code(secret, steps_ago=3))  # too old
    services.verify_second_factor(user, _code(secret))
    with pytest.raises(services.WrongCode):
        services.verify_second_factor(user, _code(secret))
