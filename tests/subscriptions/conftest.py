"""Fixtures for following a case: the app sending to the local SMTP server, on a public address."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from campaign.extensions import db
from campaign.models import Case, OutboxMail
from tests.conftest import SMTPInbox

SITE = "https://campaign.example.org"


@pytest.fixture
def app_config(app_config: dict[str, Any], smtp_server: SMTPInbox) -> dict[str, Any]:
    app_config.update(smtp_server.config())
    app_config["PUBLIC_BASE_URL"] = SITE
    return app_config


@pytest.fixture
def case(make_case: Callable[..., Case]) -> Case:
    return make_case(slug="ainur", person_name="Ainur Kurmanov")


@pytest.fixture
def queued(app: Flask) -> Callable[[], list[OutboxMail]]:
    """The outbox's e-mails, oldest first, detached from the session."""

    def read() -> list[OutboxMail]:
        with app.app_context():
            rows = list(db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id)))
            db.session.expunge_all()
            return rows

    return read
