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


def test_a_supporters_email_and_text_never_reach_the_log(
    app_config: dict,
    caplog: pytest.LogCaptureFixture,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import smtplib

    def refusing(*_args: object, **_kwargs: object) -> None:
        # What a real server says: it quotes the address back.
        raise smtplib.SMTPRecipientsRefused({"s@example.net": (550, b"no user s@example.net")})

    monkeypatch.setattr("campaign.messages.mail.smtplib.SMTP", refusing)
    app_config["MAIL_SERVER"] = "smtp.example.org"
    app = request.getfixturevalue("app")
    case = request.getfixturevalue("make_case")(slug="ainur")
    caplog.set_level(logging.INFO, logger="campaign")
    response = post_message(
        app.test_client(), app, case.slug, body="A very private sentence", email="s@example.net"
    )
    assert response.status_code == 302
    assert "received for case" in caplog.text  # the app did log, by ids
    assert "could not be sent (SMTPRecipientsRefused)" in caplog.text
    assert "s@example.net" not in caplog.text
    assert "A very private sentence" not in caplog.text
