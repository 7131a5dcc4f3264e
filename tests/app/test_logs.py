"""Logging: the app's INFO records reach the server's log, and nothing personal reaches it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.logging import default_handler

from campaign import create_app
from campaign.logs import REDACTED, RedactPersonalData, redact
from tests.conftest import base_config, post_message


class Collect(logging.Handler):
    """A handler that keeps what it is given, formatted as a log file would hold it."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def gunicorn_log() -> Iterator[Collect]:
    """gunicorn's error log, as gunicorn sets it up in a worker."""
    handler = Collect()
    gunicorn = logging.getLogger("gunicorn.error")
    app_logger = logging.getLogger("campaign")
    gunicorn.addHandler(handler)
    try:
        yield handler
    finally:
        gunicorn.removeHandler(handler)
        app_logger.removeHandler(handler)


def test_info_from_the_app_reaches_gunicorns_error_log(
    tmp_path: Path, gunicorn_log: Collect
) -> None:
    create_app(base_config(tmp_path))
    logging.getLogger("campaign.messages.views").info("message 12 received for case 3")
    logging.getLogger("campaign.cases.views").debug("not at INFO: not kept")
    assert gunicorn_log.lines == ["message 12 received for case 3"]


def test_without_gunicorn_the_app_logs_to_standard_error(tmp_path: Path) -> None:
    create_app(base_config(tmp_path))
    assert default_handler in logging.getLogger("campaign").handlers
    assert any(isinstance(f, RedactPersonalData) for f in default_handler.filters)


def test_a_record_quoting_an_address_or_an_email_is_redacted(
    tmp_path: Path, gunicorn_log: Collect
) -> None:
    create_app(base_config(tmp_path))
    log = logging.getLogger("campaign.messages.mail")
    log.warning("SMTP refused %s from %s", "<anna@example.org>", "203.0.113.9")
    try:
        raise ValueError("cannot decode the field: marat@example.org typed at 2001:db8::7")
    except ValueError:
        log.exception("a form failed")
    text = "\n".join(gunicorn_log.lines)
    assert "anna@example.org" not in text
    assert "203.0.113.9" not in text
    assert "marat@example.org" not in text
    assert "2001:db8::7" not in text
    assert gunicorn_log.lines[0] == f"SMTP refused <{REDACTED}> from {REDACTED}"
    assert f"ValueError: cannot decode the field: {REDACTED} typed at {REDACTED}" in text
    assert "a form failed" in text  # what happened is still said


def test_redaction_leaves_times_and_ids_alone() -> None:
    assert redact("case 12 at 23:08:58, message 7") == "case 12 at 23:08:58, message 7"
    assert redact("Running on http://127.0.0.1:5000") == "Running on http://127.0.0.1:5000"


def test_a_supporters_email_and_text_never_reach_the_log(
    app_config: dict,
    caplog: pytest.LogCaptureFixture,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import smtplib

    from campaign.outbox import worker

    def refusing(*_args: object, **_kwargs: object) -> None:
        # What a real server says: it quotes the address back.
        raise smtplib.SMTPRecipientsRefused({"s@example.net": (550, b"no user s@example.net")})

    monkeypatch.setattr("campaign.outbox.sending.smtplib.SMTP", refusing)
    app_config["MAIL_SERVER"] = "smtp.example.org"
    app = request.getfixturevalue("app")
    case = request.getfixturevalue("make_case")(slug="ainur")
    caplog.set_level(logging.INFO, logger="campaign")
    response = post_message(
        app.test_client(), app, case.slug, body="A very private sentence", email="s@example.net"
    )
    assert response.status_code == 302
    with app.app_context():  # the outbox worker sends the confirmation
        worker.run_once()
    assert "received for case" in caplog.text  # the app did log, by ids
    assert "(SMTPRecipientsRefused)" in caplog.text
    assert "s@example.net" not in caplog.text
    assert "A very private sentence" not in caplog.text


def test_gunicorns_config_keeps_no_access_log_and_no_address() -> None:
    from campaign import gunicorn_config

    assert gunicorn_config.accesslog is None
    for field in ("%(h)s", "%(r)s", "%(U)s", "%(q)s", "%(f)s", "%(a)s", "{x-forwarded-for}"):
        assert field not in gunicorn_config.access_log_format


def test_a_database_error_is_logged_without_the_values_it_was_given() -> None:
    text = (
        "(psycopg.errors.StringDataRightTruncation) value too long\n"
        "[SQL: INSERT INTO messages (body, email) VALUES (%(body)s, %(email)s)]\n"
        "[parameters: {'body': 'Free Ainur', 'email': 'x@example.org'}]\n"
        "(Background on this error at: https://sqlalche.me/e/20/9h9h)"
    )
    cleaned = redact(text)
    assert "Free Ainur" not in cleaned
    assert f"[parameters: {REDACTED}]" in cleaned
    assert "INSERT INTO messages" in cleaned  # what failed is still said
    assert redact("Exception on /support/withdraw/abcDEF123_-x [POST]") == (
        f"Exception on /support/withdraw/{REDACTED} [POST]"
    )


def test_signing_in_sending_a_message_and_an_error_leave_nothing_personal_in_the_log(
    app_config: dict,
    request: pytest.FixtureRequest,
    gunicorn_log: Collect,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The whole path of personal data through a request, down to an unexpected error."""
    import sqlalchemy as sa

    app = request.getfixturevalue("app")
    app.config["PROPAGATE_EXCEPTIONS"] = False  # log and answer 500, as in production
    logging.getLogger("campaign").setLevel(logging.DEBUG)
    user = request.getfixturevalue("make_user")(email="dana.organiser@example.org")
    request.getfixturevalue("make_case")(slug="ainur")
    staff = app.test_client()
    staff.environ_base["REMOTE_ADDR"] = "198.51.100.23"
    request.getfixturevalue("login")(staff, user)
    supporter = app.test_client()
    supporter.environ_base["REMOTE_ADDR"] = "203.0.113.77"
    personal = {
        "body": "Hold on, Ainur: the dockers of Antwerp are with you",
        "display_name": "Marta Kowalczyk",
        "organisation": "Dockers Antwerpen",
        "email": "marta.k@example.net",
    }
    app.config["MAIL_SERVER"] = None
    sent = post_message(supporter, app, "ainur", **personal)
    assert sent.status_code == 302

    def failing(*_args: object, **_kwargs: object) -> None:
        raise sa.exc.DataError(
            "INSERT INTO messages (body, display_name) VALUES (?, ?)",
            (personal["body"], personal["display_name"]),
            ValueError(f"cannot store {personal['organisation']} for {personal['email']}"),
        )

    monkeypatch.setattr("campaign.messages.services.submit", failing)
    broken = post_message(supporter, app, "ainur", **{**personal, "body": personal["body"] + "!"})
    assert broken.status_code == 500
    text = "\n".join(gunicorn_log.lines)
    assert "Exception on /cases/ainur/support [POST]" in text  # the error is in the log
    assert "received for case" in text
    for value in (*personal.values(), user.email, "198.51.100.23", "203.0.113.77"):
        assert value not in text, value
