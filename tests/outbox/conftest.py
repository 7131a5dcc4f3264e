"""Fixtures for the outbox's tests: the app sending to the local SMTP server."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import SMTPInbox


@pytest.fixture
def app_config(app_config: dict[str, Any], smtp_server: SMTPInbox) -> dict[str, Any]:
    app_config.update(smtp_server.config())
    app_config.update(OUTBOX_RETRY_SECONDS=60, OUTBOX_MAX_ATTEMPTS=3)
    return app_config
