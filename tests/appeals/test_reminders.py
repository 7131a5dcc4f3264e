"""The organisers' daily e-mail of the appeals that are due, through the outbox to an SMTP
server: only when something is due, only to active organisers and admins, once a day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from campaign.appeals import reminders
from campaign.extensions import db
from campaign.models import OutboxMail, Role, User
from campaign.util.dates import today_utc
from tests.conftest import SMTPInbox

BASE = "https://campaign.example.org"


@pytest.fixture
def app_config(app_config: dict[str, Any], smtp_server: SMTPInbox) -> dict[str, Any]:
    app_config.update(smtp_server.config())
    app_config.update(APPEAL_REMINDERS=True, PUBLIC_BASE_URL=BASE)
    return app_config


def _remind(runner: FlaskCliRunner) -> str:
    result = runner.invoke(args=["appeals", "remind"])
    assert result.exit_code == 0, result.output
    return result.output


def _send(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["outbox", "run", "--once"])
    assert result.exit_code == 0, result.output


def test_the_due_appeals_reach_organisers_and_admins_once_a_day(
    app: Flask,
    runner: FlaskCliRunner,
    smtp_server: SMTPInbox,
    make_user: Callable[..., User],
    make_case: Callable[..., Any],
    make_appeal: Callable[..., int],
) -> None:
    today = today_utc()
    organiser = make_user(Role.ORGANISER, email="organiser@example.org")
    admin = make_user(Role.ADMIN, email="admin@example.org")
    make_user(Role.ACTIVIST, email="activist@example.org")
    make_user(Role.ORGANISER, email="gone@example.org", active=False)
    case = make_case(person_name="Ainur Kurmanov")
    overdue = make_appeal([case.id], title="Past its deadline", deadline=today - timedelta(days=2))
    follow_up = make_appeal([case.id], title="Time to ask again", follow_up_on=today)
    make_appeal([case.id], title="Not yet", deadline=today + timedelta(days=9))
    make_appeal([case.id], title="A draft", state="draft", deadline=today - timedelta(days=2))

    assert "Queued 2 reminder(s)" in _remind(runner)
    _send(runner)
    assert sorted(r for rcpts, _m in smtp_server.received for r in rcpts) == [
        admin.email,
        organiser.email,
    ]
    message = smtp_server.messages[0]
    assert message["Subject"] == "2 appeals are due"
    text = message.get_content()
    assert "Past its deadline" in text
    assert "no reply by the deadline" in text
    assert "Time to ask again" in text
    assert "follow-up due" in text
    assert "Ainur Kurmanov" in text
    assert f"{BASE}/manage/appeals/{overdue}" in text
    assert f"{BASE}/manage/appeals/{follow_up}" in text
    assert "Not yet" not in text
    assert "A draft" not in text

    # Cron runs it again the same day: nobody gets a second one, though the sent e-mails'
    # addresses are already erased.
    assert "Queued 0 reminder(s)" in _remind(runner)
    _send(runner)
    assert len(smtp_server.received) == 2


def test_nothing_is_sent_when_nothing_is_due(
    app: Flask,
    runner: FlaskCliRunner,
    smtp_server: SMTPInbox,
    make_user: Callable[..., User],
    make_case: Callable[..., Any],
    make_appeal: Callable[..., int],
) -> None:
    make_user(Role.ORGANISER)
    make_appeal([make_case().id], deadline=today_utc() + timedelta(days=5))
    assert "Queued 0 reminder(s)" in _remind(runner)
    _send(runner)
    assert smtp_server.received == []


def test_off_unless_the_site_turns_it_on(
    app: Flask, runner: FlaskCliRunner, make_user: Callable[..., User], make_case, make_appeal
) -> None:
    app.config["APPEAL_REMINDERS"] = False
    make_user(Role.ORGANISER)
    make_appeal([make_case().id], deadline=today_utc() - timedelta(days=1))
    assert "APPEAL_REMINDERS is off" in _remind(runner)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail)) == 0


def test_without_a_public_address_the_command_says_what_to_set(
    app: Flask, runner: FlaskCliRunner, make_user: Callable[..., User], make_case, make_appeal
) -> None:
    app.config["PUBLIC_BASE_URL"] = None
    make_user(Role.ORGANISER)
    make_appeal([make_case().id], deadline=today_utc() - timedelta(days=1))
    result = runner.invoke(args=["appeals", "remind"])
    assert result.exit_code != 0
    assert "PUBLIC_BASE_URL" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail)) == 0


def test_in_the_sites_language_when_accounts_have_none(app: Flask, make_user) -> None:
    app.config["BABEL_DEFAULT_LOCALE"] = "ru"
    user = make_user(Role.ORGANISER)
    with app.app_context():
        assert reminders.locale_of(user) == "ru"
