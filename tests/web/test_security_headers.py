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


@pytest.mark.parametrize("path", ["/manage/", "/login", "/manage/cases/"])
def test_staff_pages_are_never_stored_or_indexed(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"


def test_signed_in_staff_pages_are_never_stored_or_indexed(staff_client) -> None:
    client = staff_client()
    for path in ("/manage/", "/manage/messages/", "/"):
        response = client.get(path)
        assert "no-store" in response.headers["Cache-Control"], path
        assert response.headers["X-Robots-Tag"] == "noindex, nofollow", path


def test_public_pages_may_be_indexed(client: FlaskClient) -> None:
    assert "X-Robots-Tag" not in client.get("/").headers


@pytest.fixture
def site_config(app_config: dict) -> dict:
    """An installation with its public address, an onion service and a security contact."""
    app_config.update(
        PUBLIC_BASE_URL="https://campaign.example.org",
        ONION_ADDRESS="http://campaignexampleonionaddress.onion",
        SECURITY_CONTACT="mailto:security@campaign.example.org",
        SECURITY_TXT_EXPIRES="2027-06-30",
        MAIL_SERVER="smtp.example.org",
    )
    return app_config


def test_the_withdraw_link_never_comes_from_the_host_header(
    site_config: dict, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import post_message

    mailed: list[str] = []
    monkeypatch.setattr(
        "campaign.messages.mail.queue_confirmation",
        lambda _message, _case, url: mailed.append(url) or True,
    )
    app = request.getfixturevalue("app")
    request.getfixturevalue("make_case")(slug="ainur")
    client = app.test_client()
    forged = {"Host": "evil.example"}  # what any request may claim
    response = post_message(client, app, "ainur", email="anna@example.org", headers=forged)
    assert response.status_code == 302
    # The cookie went to the test client's own host; the page is asked for with a forged one.
    cookie = client.get_cookie("session")
    assert cookie is not None
    client.set_cookie("session", cookie.value, domain="evil.example")
    sent = client.get("/cases/ainur/support/sent", headers=forged).get_data(as_text=True)
    assert "evil.example" not in sent
    assert 'href="https://campaign.example.org/support/withdraw/' in sent
    assert mailed[0].startswith("https://campaign.example.org/support/withdraw/")


def test_only_trusted_hosts_are_answered(site_config: dict, request: pytest.FixtureRequest) -> None:
    site_config["TRUSTED_HOSTS"] = ["campaign.example.org"]
    client = request.getfixturevalue("app").test_client()
    assert client.get("/", headers={"Host": "campaign.example.org"}).status_code == 200
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400


def test_the_onion_service_is_announced(site_config: dict, request: pytest.FixtureRequest) -> None:
    client = request.getfixturevalue("app").test_client()
    response = client.get("/cases?page=2", headers={"Host": "campaign.example.org"})
    assert response.headers["Onion-Location"] == (
        "http://campaignexampleonionaddress.onion/cases?page=2"
    )
    over_tor = client.get("/", headers={"Host": "campaignexampleonionaddress.onion"})
    assert "Onion-Location" not in over_tor.headers


def test_security_txt_follows_rfc_9116(site_config: dict, request: pytest.FixtureRequest) -> None:
    client = request.getfixturevalue("app").test_client()
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert "Contact: mailto:security@campaign.example.org" in lines
    assert "Expires: 2027-06-30T00:00:00Z" in lines
    assert "Canonical: https://campaign.example.org/.well-known/security.txt" in lines


def test_without_a_contact_there_is_no_security_txt(client: FlaskClient) -> None:
    assert client.get("/.well-known/security.txt").status_code == 404
