"""What a supporter sees around their message: the confirmation with its withdraw link (kept
for a while in the sending browser, in every language), the withdraw pages (which name the
case and say only what is true of that message) and the form's language."""

from __future__ import annotations

import base64
import re
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, template_rendered
from flask.testing import FlaskClient

from campaign.extensions import db
from campaign.models import Case, Message, MessageState
from tests.conftest import SUPPORT_FORM, aged_token, make_app, post_message, stored
from tests.messages.conftest import MAIL

LINK = re.compile(r'href="http://localhost(?:/(?:ru|kk))?/support/withdraw/([^"]+)"')


@pytest.fixture
def case(make_case: Callable[..., Case]) -> Case:
    return make_case(slug="ainur", person_name="Ainur Kurmanov")


def send_from(client: FlaskClient, app: Flask, prefix: str, **fields: Any) -> Any:
    """Send the support form from the page in one language (``/kk``, ``/ru`` or ``""``)."""
    data = {**SUPPORT_FORM, "form_token": aged_token(app), **fields}
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(f"{prefix}/cases/ainur/support", data=data)


def withdraw_token(html: str) -> str | None:
    found = LINK.search(html)
    return found.group(1) if found else None


def session_json(client: FlaskClient) -> str:
    """The session cookie's payload, as anyone holding the cookie can read it."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    compressed = cookie.value.startswith(".")  # itsdangerous zips a long payload
    payload = cookie.value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return (zlib.decompress(raw) if compressed else raw).decode()


def sent_minutes_ago(app: Flask, minutes: float) -> None:
    """Date the one stored message *minutes* in the past."""
    with app.app_context():
        db.session.execute(
            sa.update(Message).values(created_at=datetime.now(UTC) - timedelta(minutes=minutes))
        )
        db.session.commit()


# -- the confirmation ---------------------------------------------------------------------------


def test_the_link_survives_a_reload_and_a_change_of_language(
    client: FlaskClient, app: Flask, case: Case
) -> None:
    sent = send_from(client, app, "/kk")
    assert sent.headers["Location"] == "/kk/cases/ainur/support/sent"
    first = client.get("/kk/cases/ainur/support/sent")
    token = withdraw_token(first.get_data(as_text=True))
    assert token
    assert token not in session_json(client)  # the cookie is signed, not encrypted
    reload = client.get("/kk/cases/ainur/support/sent")
    assert withdraw_token(reload.get_data(as_text=True)) == token
    # The language switcher's "Русский": through /language/ru, back to the same page.
    switched = client.get(
        "/language/ru", query_string={"next": "/ru/cases/ainur/support/sent"}, follow_redirects=True
    )
    assert switched.request.path == "/ru/cases/ainur/support/sent"
    html = switched.get_data(as_text=True)
    assert withdraw_token(html) == token
    assert "Stay strong, Ainur" in html
    english = client.get("/cases/ainur/support/sent").get_data(as_text=True)
    assert withdraw_token(english) == token
    assert "30 minutes" in english  # the page says how long it shows the link
    assert "Keep this link" in english
    for page in (first, reload, switched):
        assert page.headers["Cache-Control"] == "no-store"


def test_the_link_is_shown_for_thirty_minutes_after_sending_then_never_again(
    client: FlaskClient, app: Flask, case: Case
) -> None:
    post_message(client, app, "ainur")
    assert '"nonce"' in session_json(client)
    sent_minutes_ago(app, 29)
    for _reload in range(2):
        assert withdraw_token(client.get("/cases/ainur/support/sent").get_data(as_text=True))
    sent_minutes_ago(app, 31)
    late = client.get("/cases/ainur/support/sent")
    html = late.get_data(as_text=True)
    assert "/support/withdraw/" not in html
    assert "Stay strong, Ainur" in html  # the confirmation itself stays
    assert late.headers["Cache-Control"] == "no-store"
    assert '"nonce"' not in session_json(client)  # the session forgets what made the link
    sent_minutes_ago(app, 0)  # even if the clock went back, nothing can make the link again
    assert "/support/withdraw/" not in client.get("/cases/ainur/support/sent").get_data(
        as_text=True
    )


def test_another_browser_never_sees_the_link(client: FlaskClient, app: Flask, case: Case) -> None:
    post_message(client, app, "ainur")
    other = app.test_client().get("/cases/ainur/support/sent").get_data(as_text=True)
    assert "/support/withdraw/" not in other
    assert "Stay strong, Ainur" not in other


def test_a_withdrawn_message_is_no_longer_confirmed(
    client: FlaskClient, app: Flask, case: Case
) -> None:
    post_message(client, app, "ainur")
    token = withdraw_token(client.get("/cases/ainur/support/sent").get_data(as_text=True))
    assert token
    assert client.post(f"/support/withdraw/{token}").status_code == 302
    html = client.get("/cases/ainur/support/sent").get_data(as_text=True)
    assert "/support/withdraw/" not in html
    assert "Stay strong, Ainur" not in html


# -- the withdraw pages -------------------------------------------------------------------------


def _sent_token(client: FlaskClient, app: Flask, **fields: Any) -> str:
    assert post_message(client, app, "ainur", **fields).status_code == 302
    token = withdraw_token(client.get("/cases/ainur/support/sent").get_data(as_text=True))
    assert token
    return token


def test_the_withdraw_pages_name_the_case_and_lead_back_to_it(
    client: FlaskClient, app: Flask, case: Case
) -> None:
    token = _sent_token(client, app)
    asking = client.get(f"/support/withdraw/{token}").get_data(as_text=True)
    assert "Ainur Kurmanov" in asking
    assert 'href="/cases/ainur"' in asking
    done = client.post(f"/support/withdraw/{token}")
    assert done.status_code == 302
    after = client.get(done.headers["Location"])
    html = after.get_data(as_text=True)
    assert "has been withdrawn" in html
    assert "Ainur Kurmanov" in html
    assert 'href="/cases/ainur"' in html
    assert after.headers["Cache-Control"] == "no-store"
    # In the reader's language, the way back keeps it.
    russian = client.get(f"/ru/support/withdraw/{token}").get_data(as_text=True)
    assert 'href="/ru/cases/ainur"' in russian


def test_a_case_no_longer_public_is_named_but_not_linked(
    client: FlaskClient, app: Flask, case: Case
) -> None:
    token = _sent_token(client, app)
    with app.app_context():
        db.session.execute(sa.update(Case).values(published=False))
        db.session.commit()
    asking = client.get(f"/support/withdraw/{token}").get_data(as_text=True)
    assert "Ainur Kurmanov" in asking
    assert 'href="/cases/ainur"' not in asking  # it would be a 404
    client.post(f"/support/withdraw/{token}")
    after = client.get(f"/support/withdraw/{token}").get_data(as_text=True)
    assert "has been withdrawn" in after
    assert 'href="/cases/ainur"' not in after


def test_without_a_mail_server_the_withdrawn_page_speaks_of_no_email(
    client: FlaskClient, app: Flask, case: Case
) -> None:
    token = _sent_token(client, app)
    client.post(f"/support/withdraw/{token}")
    html = client.get(f"/support/withdraw/{token}").get_data(as_text=True)
    assert "has been withdrawn" in html
    assert "e-mail" not in html.lower()


class TestWithMailServer:
    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        app_config.update(MAIL)
        return app_config

    def test_the_withdrawn_page_says_the_email_was_deleted(
        self, client: FlaskClient, app: Flask, case: Case
    ) -> None:
        token = _sent_token(client, app)
        client.post(f"/support/withdraw/{token}")
        html = client.get(f"/support/withdraw/{token}").get_data(as_text=True)
        assert "Your e-mail address has been deleted" in html
        assert "if you gave one" not in html

    def test_a_sender_who_gave_no_email_is_not_told_of_one(
        self, client: FlaskClient, app: Flask, case: Case
    ) -> None:
        token = _sent_token(client, app, email="")
        client.post(f"/support/withdraw/{token}")
        html = client.get(f"/support/withdraw/{token}").get_data(as_text=True)
        assert "has been withdrawn" in html
        assert "e-mail" not in html.lower()


# -- the form's language ------------------------------------------------------------------------


def chosen_language(html: str) -> str | None:
    select = re.search(r'<select[^>]*name="language".*?</select>', html, re.DOTALL)
    assert select, "the form asks for the message's language"
    found = re.search(r'<option selected value="([^"]*)"', select.group(0))
    return found.group(1) if found else None


@pytest.mark.parametrize(("prefix", "language"), [("", "en"), ("/ru", "ru"), ("/kk", "kk")])
def test_the_language_starts_at_the_pages_language(
    client: FlaskClient, case: Case, prefix: str, language: str
) -> None:
    html = client.get(f"{prefix}/cases/ainur/support").get_data(as_text=True)
    assert chosen_language(html) == language


def test_the_kept_empty_form_starts_at_each_pages_language(
    app_config: dict[str, Any], case: Case
) -> None:
    app = make_app({**app_config, "PAGE_CACHE_ENABLED": True})
    rendered: list[str] = []

    def record(sender: Flask, template: Any, context: Any, **extra: Any) -> None:
        rendered.append(str(template.name))

    rounds = [("/kk", "kk"), ("/kk", "kk"), ("", "en"), ("/ru", "ru"), ("", "en"), ("/kk", "kk")]
    with template_rendered.connected_to(record, app):
        for prefix, language in rounds:
            page = app.test_client().get(f"{prefix}/cases/ainur/support")
            assert chosen_language(page.get_data(as_text=True)) == language, prefix
            assert page.headers["Cache-Control"] == "no-store"
    assert rendered.count("messages/new.html") == 3  # once per language, then kept


def test_the_sender_may_change_the_language_and_a_refused_form_keeps_their_choice(
    client: FlaskClient, app: Flask, case: Case
) -> None:
    refused = send_from(client, app, "/kk", language="", body="")
    assert refused.status_code == 400
    assert chosen_language(refused.get_data(as_text=True)) == ""  # "not sure", as chosen
    assert send_from(client, app, "/kk", language="").status_code == 302
    assert send_from(client, app, "/kk", language="de", body="Solidarität!").status_code == 302
    assert send_from(client, app, "/kk", language="kk", body="Ынтымақ!").status_code == 302
    # A client that sends no language field at all is not taken to mean the page's.
    assert send_from(client, app, "/kk", language=None, body="Жоқ тіл").status_code == 302
    assert [m.language for m in stored(app)] == [None, "de", "kk", None]
    assert all(m.state == MessageState.PENDING for m in stored(app))
