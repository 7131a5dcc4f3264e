"""HTML and script typed into any field come back as text on every page that shows a message."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient

from campaign.extensions import db
from campaign.models import Case, MessageState, Role
from tests.conftest import aged_token, stored
from tests.messages.conftest import MAIL, FakeSMTP


@pytest.fixture
def app_config(app_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """With a mail server (a fake one), so the form has its e-mail field too."""
    monkeypatch.setattr("smtplib.SMTP", FakeSMTP)
    app_config.update(MAIL)
    return app_config


SCRIPT = '<script>alert("x")</script>'
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
PAYLOAD = SCRIPT + ATTRIBUTE
ESCAPED = "&lt;script&gt;alert("


def assert_escaped(html: str, where: str, expect_text: bool = True) -> None:
    assert SCRIPT not in html, where
    assert "<img src=x" not in html, where
    if expect_text:
        assert ESCAPED in html, where


def test_every_field_is_escaped_when_the_form_comes_back(
    client: FlaskClient, app: Flask, make_case: Callable[..., Case]
) -> None:
    make_case(slug="ainur")
    data = {
        "body": PAYLOAD,
        "display_name": PAYLOAD,
        "organisation": PAYLOAD,
        "email": PAYLOAD,
        "country": PAYLOAD,
        "language": PAYLOAD,
        "website": "",
        "consent": "y",
        "form_token": aged_token(app),
    }
    response = client.post("/cases/ainur/support", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert_escaped(html, "form re-display")
    for name in ("display_name", "organisation", "email"):
        value = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)
        assert value, name
        assert "&lt;script&gt;" in value.group(1), name
    # The body comes back inside the textarea, escaped.
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


@pytest.fixture
def hostile(
    app: Flask, client: FlaskClient, make_case: Callable[..., Case]
) -> tuple[Case, FlaskClient]:
    """A case with one message carrying HTML in every free-text field, sent through the form."""
    case = make_case(slug="ainur", detention_address="Almaty")
    data = {
        "body": PAYLOAD,
        "display_name": PAYLOAD,
        "organisation": PAYLOAD,
        "email": "someone@example.org",
        "country": "AT",
        "language": "de",
        "consent": "y",
        "form_token": aged_token(app),
    }
    assert client.post("/cases/ainur/support", data=data).status_code == 302
    [message] = stored(app)
    assert message.body == PAYLOAD
    assert message.display_name == PAYLOAD
    return case, client


def test_the_message_is_escaped_for_the_public_on_every_page(
    app: Flask,
    hostile: tuple[Case, FlaskClient],
    staff_client: Callable[..., FlaskClient],
) -> None:
    case, supporter = hostile
    sent = supporter.get("/cases/ainur/support/sent").get_data(as_text=True)
    assert_escaped(sent, "confirmation")
    link = re.search(r'href="http://localhost(/support/withdraw/[^"]+)"', sent)
    assert link
    assert_escaped(supporter.get(link.group(1)).get_data(as_text=True), "withdraw page")

    organiser = staff_client(Role.ORGANISER)
    [message] = stored(app)
    organiser.post(f"/manage/messages/{message.id}/decide", data={"action": "publish"})
    assert stored(app)[0].state == MessageState.PUBLISHED

    public = app.test_client()
    assert_escaped(public.get("/cases/ainur/messages").get_data(as_text=True), "wall")
    case_page = public.get("/cases/ainur").get_data(as_text=True)
    assert_escaped(case_page, "case page", expect_text="support-panel" in case_page)
    with app.test_request_context():
        panel = render_template_string(
            '{% include "messages/_case_panel.html" %}', case=db.session.get(Case, case.id)
        )
    assert_escaped(panel, "case panel")


def test_the_message_is_escaped_for_staff_on_every_page(
    app: Flask,
    hostile: tuple[Case, FlaskClient],
    staff_client: Callable[..., FlaskClient],
) -> None:
    case, _supporter = hostile
    organiser = staff_client(Role.ORGANISER)
    [message] = stored(app)
    assert_escaped(organiser.get("/manage/messages/").get_data(as_text=True), "queue")
    edit = organiser.get(f"/manage/messages/{message.id}/edit").get_data(as_text=True)
    assert_escaped(edit, "safety edit")
    organiser.post(f"/manage/messages/{message.id}/decide", data={"action": "publish"})
    built = organiser.post("/manage/messages/packs/new", data={"case_id": case.id})
    pack = organiser.get(built.headers["Location"]).get_data(as_text=True)
    assert_escaped(pack, "delivery pack")
    assert_escaped(organiser.get("/manage/messages/?state=all").get_data(as_text=True), "queue")
    assert "someone@example.org" not in pack
