"""Fixtures for the messages' tests: a fake mail server that records what it was given."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Any

import pytest


class FakeSMTP:
    """Stands in for smtplib.SMTP: records the connection and every message handed to it."""

    instances: list[FakeSMTP] = []
    fail_with: Exception | None = None

    def __init__(self, host: str, port: int, timeout: float | None = None) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self.tls = False
        self.login_as: tuple[str, str] | None = None
        self.sent: list[tuple[EmailMessage, list[str]]] = []
        FakeSMTP.instances.append(self)

    def __enter__(self) -> FakeSMTP:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def starttls(self, context: Any = None) -> None:
        self.tls = True

    def login(self, user: str, password: str) -> None:
        self.login_as = (user, password)

    def send_message(self, msg: EmailMessage, to_addrs: list[str] | None = None) -> None:
        if FakeSMTP.fail_with is not None:
            raise FakeSMTP.fail_with
        self.sent.append((msg, list(to_addrs or [])))


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> type[FakeSMTP]:
    FakeSMTP.instances = []
    FakeSMTP.fail_with = None
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    return FakeSMTP


MAIL = {
    "MAIL_SERVER": "smtp.example.org",
    "MAIL_USERNAME": "campaign",
    "MAIL_PASSWORD": "app-password",
    "MAIL_FROM": "Campaign <campaign@example.org>",
}
