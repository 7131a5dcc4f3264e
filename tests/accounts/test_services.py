"""The accounts' domain actions as plain functions: no client, no request, named errors."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask

from campaign.accounts import services
from campaign.accounts.passwords import verify_password
from campaign.extensions import db
from campaign.models import AuditEntry, Invitation, Role, User, UserSession

PASSWORD = "correct horse battery staple"


@pytest.fixture
def ids(make_user: Callable[..., User]) -> dict[str, int]:
    return {
        "admin": make_user(Role.ADMIN, display_name="Dana Admin").id,
        "activist": make_user(Role.ACTIVIST, email="asel@example.org").id,
    }


def _user(ids: dict[str, int], key: str) -> User:
    return db.session.get(User, ids[key])


def test_signing_in_is_one_refusal_for_every_failure_and_then_throttled(
    app_ctx: Flask, ids: dict[str, int]
) -> None:
    assert services.sign_in(" ASEL@example.org ", PASSWORD, "198.51.100.1").id == ids["activist"]
    for wrong in ("nobody@example.org", "asel@example.org"):
        with pytest.raises(services.SignInRefused):
            services.sign_in(wrong, "wrong password here", "198.51.100.1")
    for _ in range(app_ctx.config["LOGIN_ACCOUNT_LIMIT"] - 1):  # one failed above already
        with pytest.raises(services.SignInRefused):
            services.sign_in("asel@example.org", "wrong password here", "198.51.100.1")
    with pytest.raises(services.SignInThrottled) as throttled:
        services.sign_in("asel@example.org", PASSWORD, "198.51.100.1")
    assert throttled.value.account_locked
    # The guesses held back that client only: the owner elsewhere gets in at once.
    assert services.sign_in("asel@example.org", PASSWORD, "198.51.100.2").id == ids["activist"]
    assert services.unlock(_user(ids, "activist")) > 0
    assert services.sign_in("asel@example.org", PASSWORD, "198.51.100.1").id == ids["activist"]


def test_a_password_change_checks_the_old_one_and_signs_out_the_rest(
    app_ctx: Flask, ids: dict[str, int]
) -> None:
    user = _user(ids, "activist")
    db.session.add(UserSession(token_hash="x" * 64, user_id=user.id))
    with pytest.raises(services.WrongPassword):
        services.change_password(user, "not it at all", "a new long passphrase")
    with pytest.raises(services.SamePassword):
        services.change_password(user, PASSWORD, PASSWORD)
    with pytest.raises(services.PasswordRefused):
        services.change_password(user, PASSWORD, "password1234")
    services.change_password(user, PASSWORD, "violet granite under snow")
    assert verify_password(user.password_hash, "violet granite under snow")
    session = db.session.scalars(sa.select(UserSession)).one()
    assert session.revoked_at is not None


def test_an_invitation_makes_one_account_named_as_its_own_author(
    app_ctx: Flask, ids: dict[str, int]
) -> None:
    with pytest.raises(services.EmailTaken):
        services.invite("asel@example.org", "", Role.ACTIVIST, _user(ids, "admin"))
    made = services.invite("Marat@Example.org ", "Marat", Role.ORGANISER, _user(ids, "admin"))
    invitation = services.invitation_by_token(made.token)
    assert invitation is made.invitation
    assert services.is_usable(invitation)
    user = services.accept_invitation(invitation, "Marat", "violet granite under snow")
    assert (user.email, user.role) == ("marat@example.org", Role.ORGANISER)
    created = db.session.scalars(
        sa.select(AuditEntry).where(
            AuditEntry.object_type == "user", AuditEntry.object_id == user.id
        )
    ).one()
    assert created.actor == "Marat"
    db.session.expire(invitation)
    assert not services.is_usable(db.session.get(Invitation, invitation.id))
    with pytest.raises(services.EmailTaken):
        services.accept_invitation(invitation, "Marat", "violet granite under snow")


def test_the_last_admin_keeps_the_role_and_nobody_deactivates_themselves(
    app_ctx: Flask, ids: dict[str, int]
) -> None:
    admin, activist = _user(ids, "admin"), _user(ids, "activist")
    with pytest.raises(services.LastAdmin):
        services.change_role(admin, Role.ORGANISER)
    with pytest.raises(services.OwnAccount):
        services.deactivate(admin, admin)
    assert services.change_role(activist, Role.ADMIN) is True
    assert services.change_role(activist, Role.ADMIN) is False
    assert services.deactivate(activist, admin) is True
    assert services.deactivate(activist, admin) is False
    assert services.reactivate(activist) is True


def test_the_first_admin_is_made_once(app_ctx: Flask) -> None:
    password = services.create_first_admin("admin@example.org")
    assert password
    assert services.create_first_admin("other@example.org") is None
    admin = db.session.scalars(sa.select(User)).one()
    assert admin.must_change_password
    assert verify_password(admin.password_hash, password)
