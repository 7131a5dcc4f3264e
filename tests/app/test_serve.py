"""make run's commands: the first admin's password in a box, the debugger on loopback only."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from campaign import cli
from campaign.extensions import db
from campaign.models import User

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


def test_the_first_password_comes_last_in_a_box_with_the_sign_in_url(
    app: Flask, runner: FlaskCliRunner, backend: str
) -> None:
    result = runner.invoke(args=["init", "--sign-in-url", "http://127.0.0.1:5000/login"])
    assert result.exit_code == 0, result.output
    lines = result.output.rstrip().splitlines()
    assert lines[-1].startswith("+---")  # nothing after the box
    box = lines[lines.index(lines[-1]) :]
    text = "\n".join(box)
    assert "http://127.0.0.1:5000/login" in text
    assert "password: " in text
    assert "user reset-password admin@example.org" in text
    assert len({len(line) for line in box}) == 1  # a closed box: every line as wide


def test_a_lost_admin_password_is_replaced_by_a_new_one_time_password(
    app: Flask, runner: FlaskCliRunner, backend: str
) -> None:
    runner.invoke(args=["init", "--no-demo"])
    with app.app_context():
        old_hash = db.session.scalar(sa.select(User.password_hash))
    again = app.test_cli_runner().invoke(args=["init", "--no-demo"])
    assert "user reset-password admin@example.org" in again.output  # said on every run
    result = app.test_cli_runner().invoke(args=["user", "reset-password", "Admin@Example.org"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        admin = db.session.scalar(sa.select(User))
        assert admin.password_hash != old_hash
        assert admin.must_change_password
    missing = app.test_cli_runner().invoke(args=["user", "reset-password", "nobody@example.org"])
    assert missing.exit_code == 1
    assert "nothing changed" in missing.output


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "example.org"])  # noqa: S104
def test_the_debugger_never_listens_on_the_network(
    app: Flask, runner: FlaskCliRunner, monkeypatch: pytest.MonkeyPatch, backend: str, host: str
) -> None:
    started: list[Any] = []
    monkeypatch.setattr(cli, "run_simple", lambda *a, **kw: started.append((a, kw)))
    result = runner.invoke(args=["serve", "--host", host])
    assert result.exit_code != 0
    assert started == []
    assert "Refusing to start the debugger" in result.output
    assert "gunicorn" in result.output
    # make run asks first, before it sets anything up.
    assert runner.invoke(args=["serve", "--check", "--host", host]).exit_code != 0


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_the_debugger_serves_this_machine(
    app: Flask, runner: FlaskCliRunner, monkeypatch: pytest.MonkeyPatch, backend: str, host: str
) -> None:
    started: list[Any] = []
    monkeypatch.setattr(cli, "run_simple", lambda *a, **kw: started.append((a, kw)))
    result = runner.invoke(args=["serve", "--host", host, "--port", "5123"])
    assert result.exit_code == 0, result.output
    ((args, kwargs),) = started
    assert args[:2] == (host, 5123)
    assert kwargs["use_debugger"] is True
