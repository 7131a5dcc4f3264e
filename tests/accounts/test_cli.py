"""Scripted user creation: ``flask user create EMAIL --role ROLE`` with the password on stdin."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from campaign.accounts.passwords import verify_password
from campaign.extensions import db
from campaign.models import AuditEntry, Role, User


def test_user_create_reads_the_password_from_stdin(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["user", "create", "Org@Example.org", "--role", "organiser", "--name", "Org"],
        input="a long enough passphrase\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "org@example.org"))
        assert user is not None
        assert user.role == Role.ORGANISER
        assert user.display_name == "Org"
        assert verify_password(user.password_hash, "a long enough passphrase")
        assert not verify_password(user.password_hash, "something else entirely")
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.object_type == "user"))
        assert entry is not None
        assert entry.changes["password_hash"] == [None, "(hidden)"]
        assert "org@example.org" not in str(entry.changes)


def test_user_create_refuses_a_short_password_and_saves_nothing(
    app: Flask, runner: FlaskCliRunner
) -> None:
    result = runner.invoke(args=["user", "create", "a@example.org"], input="short\n")
    assert result.exit_code != 0
    assert "at least" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_user_create_refuses_an_existing_email_without_touching_it(
    app: Flask, runner: FlaskCliRunner, make_user
) -> None:
    existing = make_user(email="taken@example.org", password="the original password")
    result = runner.invoke(
        args=["user", "create", "taken@example.org"], input="a different passphrase\n"
    )
    assert result.exit_code != 0
    assert "already exists" in result.output
    with app.app_context():
        user = db.session.get(User, existing.id)
        assert user is not None
        assert verify_password(user.password_hash, "the original password")


def test_user_create_refuses_an_unknown_role(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["user", "create", "a@example.org", "--role", "emperor"], input="long password here\n"
    )
    assert result.exit_code != 0
    assert "emperor" in result.output
