"""The confirmation e-mail: queued in the outbox with the message only when a mail server is set,
sent by the outbox worker, only to the sender, never lost."""

from __future__ import annotations

import logging
import re
import smtplib
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from campaign.extensions import db
from campaign.models import Case, MessageState, OutboxMail, OutboxState
from campaign.outbox import worker
from tests.conftest import aged_token, post_message, stored
from tests.messages.conftest import MAIL, FakeSMTP


@pytest.fixture
def case(make_case: Callable[..., Case]) -> Case:
    return make_case(slug="ainur", person_name="Ainur Kurmanov")


def sent_messages(smtp: type[FakeSMTP]) -> list[tuple[EmailMessage, list[str]]]:
    return [item for connection in smtp.instances for item in connection.sent]


def deliver(app: Flask) -> worker.Tally:
    """What the outbox worker does next (``flask outbox run --once``)."""
    with app.app_context():
        return worker.run_once()


def outbox(app: Flask) -> list[OutboxMail]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id)))
        db.session.expunge_all()
        return rows


class TestWithoutMailServer:
    def test_the_form_asks_for_no_email_and_stores_none(
        self, client: FlaskClient, app: Flask, case: Case, smtp: type[FakeSMTP]
    ) -> None:
        html = client.get("/cases/ainur/support").get_data(as_text=True)
        assert 'name="email"' not in html
        assert "E-mail" not in html
        assert post_message(client, app, "ainur", email="anna@example.org").status_code == 302
        [message] = stored(app)
        assert message.email is None
        assert smtp.instances == []
        sent = client.get("/cases/ainur/support/sent").get_data(as_text=True)
        assert "confirmation" not in sent


class TestWithMailServer:
    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        app_config.update(MAIL)
        return app_config

    def test_the_form_asks_for_the_email(self, client: FlaskClient, case: Case) -> None:
        html = client.get("/cases/ainur/support").get_data(as_text=True)
        assert 'name="email"' in html
        assert "link to withdraw" in html

    def test_the_sender_alone_gets_a_plain_text_confirmation_with_the_withdraw_link(
        self,
        client: FlaskClient,
        app: Flask,
        runner: FlaskCliRunner,
        case: Case,
        smtp: type[FakeSMTP],
    ) -> None:
        assert post_message(client, app, "ainur").status_code == 302
        [message] = stored(app)
        assert message.state == MessageState.PENDING
        assert smtp.instances == []  # nothing is sent inside the request: it waits in the outbox
        [queued] = outbox(app)
        assert (queued.kind, queued.state) == ("support-confirmation", OutboxState.PENDING)
        result = runner.invoke(args=["outbox", "run", "--once"])
        assert "Sent 1 e-mail(s)" in result.output
        [connection] = smtp.instances
        assert (connection.host, connection.port) == ("smtp.example.org", 587)
        assert connection.tls
        assert connection.login_as == ("campaign", "app-password")
        [(email, recipients)] = connection.sent
        assert recipients == ["anna@example.org"]
        assert email["To"] == "anna@example.org"
        assert email["From"] == "Campaign <campaign@example.org>"
        for header in ("Cc", "Bcc", "Reply-To"):
            assert email[header] is None
        assert email.get_content_type() == "text/plain"
        assert not email.is_multipart()
        text = email.get_content()
        assert "Ainur Kurmanov" in email["Subject"]
        assert "was received" in text
        assert "waits for review" in text
        link = re.search(r"http://localhost/support/withdraw/\S+", text)
        assert link
        page = client.get("/cases/ainur/support/sent").get_data(as_text=True)
        assert link.group(0) in page  # the same link as on the page
        assert "We sent a confirmation" in page
        assert "anna@example.org" not in page
        withdraw = client.get(link.group(0).removeprefix("http://localhost"))
        assert withdraw.status_code == 200
        [done] = outbox(app)  # the row stays; the address and the text with the link go
        assert done.state == OutboxState.SENT
        assert done.sent_at is not None
        assert (done.recipient, done.body_text) == (None, None)

    def test_without_an_email_nothing_is_sent(
        self, client: FlaskClient, app: Flask, case: Case, smtp: type[FakeSMTP]
    ) -> None:
        assert post_message(client, app, "ainur", email="").status_code == 302
        assert outbox(app) == []
        deliver(app)
        assert smtp.instances == []
        assert "confirmation" not in client.get("/cases/ainur/support/sent").get_data(as_text=True)

    def test_a_double_click_sends_one_email(
        self, client: FlaskClient, app: Flask, case: Case, smtp: type[FakeSMTP]
    ) -> None:
        token = aged_token(app)
        post_message(client, app, "ainur", token=token)
        post_message(client, app, "ainur", token=token)
        deliver(app)
        deliver(app)
        assert len(sent_messages(smtp)) == 1
        assert "We sent a confirmation" in client.get("/cases/ainur/support/sent").get_data(
            as_text=True
        )

    @pytest.mark.parametrize(
        "error",
        [
            smtplib.SMTPRecipientsRefused({"anna@example.org": (550, b"no such user")}),
            ConnectionRefusedError("connection refused"),
        ],
    )
    def test_a_sending_failure_keeps_the_message_says_so_and_logs_no_address(
        self,
        client: FlaskClient,
        app: Flask,
        case: Case,
        smtp: type[FakeSMTP],
        caplog: pytest.LogCaptureFixture,
        error: Exception,
    ) -> None:
        smtp.fail_with = error
        with caplog.at_level(logging.INFO):
            assert post_message(client, app, "ainur").status_code == 302
            deliver(app)
        [message] = stored(app)
        assert message.state == MessageState.PENDING
        assert "could not be sent" in caplog.text or "failed for good" in caplog.text
        assert "anna@example.org" not in caplog.text
        [row] = outbox(app)  # kept, with its address, to try again or to tell what happened
        assert row.recipient == "anna@example.org"
        assert row.state in {OutboxState.PENDING, OutboxState.FAILED}
        assert row.last_error == type(error).__name__
        page = client.get("/cases/ainur/support/sent").get_data(as_text=True)
        assert "/support/withdraw/" in page

    def test_tls_and_login_follow_the_settings(
        self, client: FlaskClient, app: Flask, case: Case, smtp: type[FakeSMTP]
    ) -> None:
        app.config.update(MAIL_USE_TLS=False, MAIL_USERNAME=None, MAIL_PORT=25, MAIL_FROM=None)
        post_message(client, app, "ainur")
        deliver(app)
        [connection] = smtp.instances
        assert connection.port == 25
        assert not connection.tls
        assert connection.login_as is None
        [(email, _)] = connection.sent
        assert email["From"] == "no-reply@smtp.example.org"

    def test_a_malformed_sender_setting_is_logged_and_the_message_kept(
        self,
        client: FlaskClient,
        app: Flask,
        case: Case,
        smtp: type[FakeSMTP],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        app.config["MAIL_FROM"] = "Campaign\n<bad@example.org>"
        assert post_message(client, app, "ainur").status_code == 302
        with caplog.at_level(logging.INFO):
            deliver(app)
        assert len(stored(app)) == 1
        assert "could not be sent" in caplog.text
        [row] = outbox(app)
        assert (row.state, row.last_error) == (OutboxState.PENDING, "ValueError")

    def test_a_bad_address_is_refused_with_the_field_marked(
        self, client: FlaskClient, app: Flask, case: Case, smtp: type[FakeSMTP]
    ) -> None:
        response = post_message(client, app, "ainur", email="not-an-address")
        assert response.status_code == 400
        assert "e-mail address like" in response.get_data(as_text=True)
        assert stored(app) == []
        assert smtp.instances == []

    def test_withdrawing_erases_the_email(
        self, client: FlaskClient, app: Flask, case: Case, smtp: type[FakeSMTP]
    ) -> None:
        post_message(client, app, "ainur")
        assert stored(app)[0].email == "anna@example.org"
        deliver(app)
        [(email, _)] = sent_messages(smtp)
        link = re.search(r"http://localhost(/support/withdraw/\S+)", email.get_content())
        assert link
        assert client.post(link.group(1)).status_code == 302
        [message] = stored(app)
        assert message.state == MessageState.WITHDRAWN
        assert message.email is None
        assert message.email_erased_at is not None
