"""Every response tells the browser to load nothing from elsewhere and to leak nothing."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


@pytest.mark.parametrize("path", ["/", "/login", "/healthz", "/nowhere", "/static/css/site.css"])
def test_security_headers_on_every_response(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    response.close()  # static files are streamed from disk
    headers = response.headers
    policy = headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "style-src 'self'" in policy
    assert "script-src" not in policy  # no script may run at all
    assert "frame-ancestors 'none'" in policy
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in headers  # only in production, behind HTTPS


def test_the_policy_is_sent_in_debug_mode_too(app, client: FlaskClient) -> None:
    app.debug = True
    assert "default-src 'none'" in client.get("/").headers["Content-Security-Policy"]
