"""Forms work over HTTPS, where browsers send no Referer (every page says no-referrer)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """CSRF on, behind one proxy that terminates TLS (as README's nginx layout)."""
    app_config.update(WTF_CSRF_ENABLED=True, PROXY_FIX_X_FOR=1)
    return app_config


def _token(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match
    return match.group(1)


@pytest.mark.parametrize(
    ("base_url", "headers"),
    [
        ("https://campaign.example.org", {}),  # TLS in gunicorn itself
        ("http://campaign.example.org", {"X-Forwarded-Proto": "https"}),  # TLS at the proxy
    ],
)
def test_a_form_posted_over_https_without_a_referer_is_accepted(
    client: FlaskClient, make_user, base_url: str, headers: dict[str, str]
) -> None:
    user = make_user(password="correct horse battery staple")
    page = client.get("/login", base_url=base_url, headers=headers)
    assert page.headers["Referrer-Policy"] == "no-referrer"

    answer = client.post(
        "/login",
        base_url=base_url,
        headers=headers,
        data={
            "csrf_token": _token(page.text),
            "email": user.email,
            "password": "correct horse battery staple",
        },
    )

    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/manage")
