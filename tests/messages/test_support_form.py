"""The public message form: it stores a message exactly once, or says clearly why it did not."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from campaign.extensions import db
from campaign.messages import spam
from campaign.models import Case, Message, MessageState
from campaign.settings import Defaults
from tests.conftest import SUPPORT_FORM, aged_token, post_message, stored


def form_token_in(html: str) -> str:
    match = re.search(r'name="form_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="form_token"[^>]*value="([^"]+)"', html
    )
    assert match, "the form carries a signed token"
    return match.group(1)


@pytest.fixture
def case(make_case: Callable[..., Case]) -> Case:
    return make_case(slug="ainur", person_name="Ainur Kurmanov")


def test_the_form_shows_the_limit_the_guidance_and_a_country_list(
    client: FlaskClient, case: Case
) -> None:
    html = client.get("/cases/ainur/support").get_data(as_text=True)
    assert 'maxlength="2000"' in html
    assert "Up to 2000 characters" in html
    assert "What not to write" in html
    assert "insults" in html
    assert "coded text" in html
    assert "details of the case" in html
    assert '<option value="AT">Austria</option>' in html
    assert "Sign with my country only" in html
    assert 'name="website"' in html  # the honeypot is there, hidden from people


def test_a_message_is_stored_once_pending_and_the_sender_sees_what_happens_next(
    client: FlaskClient, app: Flask, case: Case
) -> None:
    response = post_message(client, app, "ainur")
    assert response.status_code == 302
    assert response.headers["Location"] == "/cases/ainur/support/sent"
    [message] = stored(app)
    assert message.state == MessageState.PENDING
    assert message.body == SUPPORT_FORM["body"]
    assert message.country == "AT"
    assert message.display_name == "Anna"
    assert message.consent_to_publish
    assert message.client_hash
    assert "127.0.0.1" not in message.client_hash
    assert message.body_fingerprint
    assert message.withdraw_token_hash
    page = client.get("/cases/ainur/support/sent")
    html = page.get_data(as_text=True)
    assert "What happens next" in html
    assert "Greetings from the workers of Vienna" in html
    assert "/support/withdraw/" in html
    assert "anna@example.org" not in html
    assert page.headers["Cache-Control"] == "no-store"
    assert page.mimetype == "text/html"


def test_signing_with_the_country_only_drops_the_name(
    client: FlaskClient, app: Flask, case: Case
) -> None:
    post_message(client, app, "ainur", country_only="y")
    [message] = stored(app)
    assert message.display_name is None
    assert message.country == "AT"


def test_a_double_click_stores_one_message_and_both_clicks_see_the_confirmation(
    client: FlaskClient, app: Flask, case: Case
) -> None:
    token = aged_token(app)
    first = post_message(client, app, "ainur", token=token)
    second = post_message(client, app, "ainur", token=token)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == "/cases/ainur/support/sent"
    assert len(stored(app)) == 1
    assert "/support/withdraw/" in client.get("/cases/ainur/support/sent").get_data(as_text=True)


def test_one_form_cannot_carry_two_different_messages(
    client: FlaskClient, app: Flask, case: Case
) -> None:
    token = aged_token(app)
    post_message(client, app, "ainur", token=token)
    response = post_message(client, app, "ainur", token=token, body="A different text")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "already used" in html
    assert "A different text" in html
    assert form_token_in(html) != token
    assert len(stored(app)) == 1


def test_the_same_text_sent_again_is_refused_as_a_duplicate(
    client: FlaskClient, app: Flask, case: Case
) -> None:
    post_message(client, app, "ainur")
    again = post_message(client, app, "ainur", body=SUPPORT_FORM["body"].upper() + "  ")
    assert again.status_code == 400
    assert "already received" in again.get_data(as_text=True)
    assert len(stored(app)) == 1


def test_the_honeypot_stops_the_message_and_says_so(
    client: FlaskClient, app: Flask, case: Case
) -> None:
    response = post_message(client, app, "ainur", website="http://cheap.example")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "not sent" in html
    assert SUPPORT_FORM["body"] in html
    assert stored(app) == []


def test_a_form_sent_faster_than_a_person_types_is_refused_and_kept(
    client: FlaskClient, app: Flask, case: Case
) -> None:
    token = form_token_in(client.get("/cases/ainur/support").get_data(as_text=True))
    response = post_message(client, app, "ainur", token=token)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "too quickly" in html
    assert SUPPORT_FORM["body"] in html
    assert stored(app) == []


def test_an_empty_form_sent_quickly_shows_the_field_errors_with_the_timing_message(
    client: FlaskClient, app: Flask, case: Case
) -> None:
    token = form_token_in(client.get("/cases/ainur/support").get_data(as_text=True))
    response = client.post(
        "/cases/ainur/support", data={"form_token": token, "body": "", "country": ""}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "too quickly" in html
    assert "correct the marked fields" in html
    assert "cannot be empty" in html
    assert "Choose your country" in html
    assert "Tick this box" not in html  # publication is optional: unticked means private
    assert stored(app) == []


@pytest.mark.parametrize("token", ["", "forged.token", "expired"])
def test_a_missing_forged_or_expired_form_token_keeps_the_text_and_issues_a_new_one(
    client: FlaskClient, app: Flask, case: Case, token: str
) -> None:
    if token == "expired":
        token = aged_token(app, seconds=9 * 3600)
    data = {**SUPPORT_FORM, "form_token": token}
    response = client.post("/cases/ainur/support", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "expired" in html
    assert SUPPORT_FORM["body"] in html
    assert 'value="Anna"' in html
    assert stored(app) == []
    # The fresh token in the page lets the supporter send the same text once a person would have.
    fresh = form_token_in(html)
    with app.app_context():
        assert spam.check_form_token(fresh, min_seconds=0).ok


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"body": ""}, "cannot be empty"),
        ({"body": "   \n\t  "}, "cannot be empty"),
        ({"body": "x" * 2001}, "under 2000 characters"),
        ({"body": "hello\x00world"}, "cannot be saved"),
        ({"country": "XX"}, "Choose a country from the list"),
        ({"country": ""}, "Choose your country"),
        ({"display_name": "n" * 121}, "longer than 120"),
        ({"language": "zz"}, "language from the list"),
    ],
)
def test_bad_input_gets_a_clear_answer_and_the_valid_parts_are_kept(
    client: FlaskClient, app: Flask, case: Case, fields: dict[str, Any], error: str
) -> None:
    response = post_message(client, app, "ainur", **fields)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert error in html
    assert "was not sent" in html
    for name in ("organisation", "display_name", "body"):
        if name not in fields:
            assert SUPPORT_FORM[name] in html
    assert stored(app) == []


def test_a_message_with_only_line_breaks_from_windows_fits_the_limit(
    client: FlaskClient, app: Flask, case: Case
) -> None:
    body = ("a" * 99 + "\r\n") * 20  # 2000 characters as the browser counts them
    assert post_message(client, app, "ainur", body=body).status_code == 302
    assert len(stored(app)[0].body) <= 2000


def test_html_is_stored_as_text_exactly_as_typed(
    client: FlaskClient, app: Flask, case: Case
) -> None:
    body = "I <3 you & <b>all</b> of you"
    post_message(client, app, "ainur", body=body)
    assert stored(app)[0].body == body


def test_an_unpublished_case_takes_no_messages(
    client: FlaskClient, app: Flask, make_case: Callable[..., Case]
) -> None:
    make_case(slug="hidden", published=False)
    assert client.get("/cases/hidden/support").status_code == 404
    assert post_message(client, app, "hidden").status_code == 404
    assert stored(app) == []


class TestBodySizeCap:
    """The form's own body-size cap, far below the site-wide one."""

    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        app_config["SUPPORT_MAX_BODY_BYTES"] = 4096
        return app_config

    def test_a_body_over_the_cap_gets_a_friendly_413(
        self, client: FlaskClient, app: Flask, case: Case
    ) -> None:
        response = post_message(client, app, "ainur", body="x" * 10_000)
        assert response.status_code == 413
        html = response.get_data(as_text=True)
        assert "too large" in html
        assert "2000 characters" in html
        assert stored(app) == []
        # A normal message still goes through.
        assert post_message(client, app, "ainur").status_code == 302


class TestWithCsrf:
    """CSRF on: the form carries a token, and an expired session does not lose the text."""

    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        app_config["WTF_CSRF_ENABLED"] = True
        app_config["SUPPORT_FORM_MIN_SECONDS"] = 0
        return app_config

    def test_a_post_without_a_valid_session_shows_the_form_again_with_the_text(
        self, client: FlaskClient, app: Flask, case: Case
    ) -> None:
        response = post_message(client, app, "ainur")  # no CSRF token: as if the session expired
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert "page had expired" in html
        assert SUPPORT_FORM["body"] in html
        assert 'value="Anna"' in html
        assert stored(app) == []
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
        assert csrf
        again = post_message(client, app, "ainur", csrf_token=csrf.group(1))
        assert again.status_code == 302
        assert len(stored(app)) == 1

    def test_the_withdraw_button_needs_the_token(
        self, client: FlaskClient, app: Flask, case: Case
    ) -> None:
        html = client.get("/cases/ainur/support").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
        assert csrf
        post_message(client, app, "ainur", csrf_token=csrf.group(1))
        sent = client.get("/cases/ainur/support/sent").get_data(as_text=True)
        link = re.search(r'href="http://localhost(/support/withdraw/[^"]+)"', sent)
        assert link
        refused = client.post(link.group(1), data={})
        assert refused.status_code == 400
        assert stored(app)[0].state == MessageState.PENDING


def _limited(app_config: dict[str, Any], storage: str) -> dict[str, Any]:
    app_config.update(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=storage,
        RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}",
        SUPPORT_SEND_LIMIT="2 per 10 minutes",
        SUPPORT_ATTEMPT_LIMIT="4 per 10 minutes",
    )
    return app_config


def _check_send_limit(client: FlaskClient, app: Flask) -> None:
    assert post_message(client, app, "ainur", body="First message").status_code == 302
    assert post_message(client, app, "ainur", body="Second message").status_code == 302
    third = post_message(client, app, "ainur", body="Third message")
    assert third.status_code == 429
    html = third.get_data(as_text=True)
    assert "was not sent" in html
    assert "Third message" in html
    assert third.headers.get("Retry-After")
    assert third.mimetype == "text/html"
    assert [m.body for m in stored(app)] == ["First message", "Second message"]


class TestRateLimitInMemory:
    """The per-client limit in the in-memory store (per process: see test_rate_limits.py)."""

    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        return _limited(app_config, "memory://")

    def test_a_client_is_limited_after_sending_a_few_messages(
        self, client: FlaskClient, app: Flask, case: Case
    ) -> None:
        _check_send_limit(client, app)

    def test_failed_attempts_count_towards_a_looser_limit_only(
        self, client: FlaskClient, app: Flask, case: Case
    ) -> None:
        for _ in range(4):
            assert post_message(client, app, "ainur", country="XX").status_code == 400
        assert post_message(client, app, "ainur").status_code == 429
        assert stored(app) == []

    def test_posts_refused_by_the_sending_limit_count_as_attempts(
        self, client: FlaskClient, app: Flask, case: Case
    ) -> None:
        assert post_message(client, app, "ainur", body="one").status_code == 302
        assert post_message(client, app, "ainur", body="two").status_code == 302
        assert post_message(client, app, "ainur", body="three").status_code == 429  # sending
        assert post_message(client, app, "ainur", body="four").status_code == 429  # sending
        refused = post_message(client, app, "ainur", body="five")  # the fifth attempt
        assert refused.status_code == 429
        assert refused.headers["X-RateLimit-Limit"] == "4"
        assert [m.body for m in stored(app)] == ["one", "two"]

    def test_the_limit_is_per_client(self, app: Flask, case: Case) -> None:
        here = app.test_client()
        there = app.test_client()
        there.environ_base["REMOTE_ADDR"] = "203.0.113.7"
        assert post_message(here, app, "ainur", body="one").status_code == 302
        assert post_message(here, app, "ainur", body="two").status_code == 302
        assert post_message(here, app, "ainur", body="three").status_code == 429
        assert post_message(there, app, "ainur", body="four").status_code == 302


class TestDefaultSendLimit:
    """A letter-writing evening on one Wi-Fi (or Tor users) shares one address: 20 must pass."""

    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        _limited(app_config, "memory://")
        app_config["SUPPORT_SEND_LIMIT"] = Defaults.SUPPORT_SEND_LIMIT
        app_config["SUPPORT_ATTEMPT_LIMIT"] = "100 per 10 minutes"
        return app_config

    def test_twenty_messages_from_one_connection_pass_and_the_next_waits(
        self, client: FlaskClient, app: Flask, case: Case
    ) -> None:
        assert Defaults.SUPPORT_SEND_LIMIT == "20 per 10 minutes;200 per day"
        for i in range(20):
            response = post_message(client, app, "ainur", body=f"Greetings number {i}")
            assert response.status_code == 302, i
        assert post_message(client, app, "ainur", body="One more").status_code == 429
        assert len(stored(app)) == 20


REDIS_URL = __import__("os").environ.get("TEST_REDIS_URL")


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL is not set: the Redis limit is skipped")
class TestRateLimitInRedis:
    """The same limit in Redis, which several worker processes share."""

    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        return _limited(app_config, str(REDIS_URL))

    def test_the_limit_is_kept_in_redis(self, client: FlaskClient, app: Flask, case: Case) -> None:
        import redis

        server = redis.Redis.from_url(str(REDIS_URL))
        # Only this module's tests count on the support form: start from no counters at all.
        for key in server.keys("*support.new*"):
            server.delete(key)
        try:
            _check_send_limit(client, app)
            keys = set(server.keys("*support.new*"))
            assert keys, "the counters live in Redis, where every worker sees them"
            assert not any(b"127.0.0.1" in key for key in keys)
        finally:
            for key in server.keys("*support.new*"):
                server.delete(key)


def test_the_wall_shows_published_messages_newest_first_and_nothing_else(
    client: FlaskClient, app: Flask, case: Case
) -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    with app.app_context():
        for i, (state, consent) in enumerate(
            [
                (MessageState.PUBLISHED, True),
                (MessageState.PUBLISHED, True),
                (MessageState.PENDING, True),
                (MessageState.REJECTED, True),
                (MessageState.SPAM, True),
                (MessageState.WITHDRAWN, True),
                (MessageState.PUBLISHED, False),
            ]
        ):
            db.session.add(
                Message(
                    case_id=case.id,
                    body=f"message {i} {state.value}",
                    state=state,
                    consent_to_publish=consent,
                    display_name=None if i == 1 else f"Name {i}",
                    country="DE",
                    organisation="IG Metall" if i == 0 else None,
                    email=f"secret{i}@example.org",
                    created_at=now - timedelta(days=10 - i),
                )
            )
        db.session.commit()
    html = client.get("/cases/ainur/messages").get_data(as_text=True)
    assert "message 0 published" in html
    assert "message 1 published" in html
    assert html.index("message 1 published") < html.index("message 0 published")
    for hidden in ("2 pending", "3 rejected", "4 spam", "5 withdrawn", "6 published"):
        assert f"message {hidden}" not in html
    assert "@example.org" not in html
    assert "A supporter" in html
    assert "Germany" in html
    assert "IG Metall" in html


def test_a_supporter_can_withdraw_their_message_with_the_link(
    client: FlaskClient, app: Flask, case: Case
) -> None:
    post_message(client, app, "ainur")
    sent = client.get("/cases/ainur/support/sent").get_data(as_text=True)
    link = re.search(r'href="http://localhost(/support/withdraw/[^"]+)"', sent)
    assert link
    confirm = client.get(link.group(1))
    assert confirm.status_code == 200
    assert confirm.mimetype == "text/html"
    assert "Withdraw my message" in confirm.get_data(as_text=True)
    assert stored(app)[0].state == MessageState.PENDING  # GET changes nothing
    done = client.post(link.group(1))
    assert done.status_code == 302
    [message] = stored(app)
    assert message.state == MessageState.WITHDRAWN  # erasing the e-mail: test_support_mail.py
    assert "has been withdrawn" in client.get(link.group(1)).get_data(as_text=True)
    assert client.get("/support/withdraw/not-a-real-token").status_code == 404
    assert client.post("/support/withdraw/not-a-real-token").status_code == 404


@pytest.mark.parametrize(
    "raw_body",
    [b"Gr%FC%DFe%20aus%20Berlin", b"Gr\xfc\xdfe aus Berlin"],
    ids=["percent-escaped-latin1", "raw-latin1"],
)
def test_text_in_another_encoding_is_refused_with_the_rest_kept_either_way(
    client: FlaskClient, app: Flask, case: Case, raw_body: bytes
) -> None:
    token = aged_token(app).encode()
    raw = b"body=" + raw_body + b"&display_name=Anna&country=DE&consent=y&form_token=" + token
    response = client.post(
        "/cases/ainur/support", data=raw, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "could not be read" in html
    assert 'value="Anna"' in html
    assert stored(app) == []


def test_multipart_text_in_another_encoding_is_refused(
    client: FlaskClient, app: Flask, case: Case
) -> None:
    token = aged_token(app)
    parts = {"display_name": b"Anna", "country": b"DE", "consent": b"y", "body": b"Gr\xfc\xdfe"}
    body = b"".join(
        b'--XX\r\nContent-Disposition: form-data; name="' + k.encode() + b'"\r\n\r\n' + v + b"\r\n"
        for k, v in {**parts, "form_token": token.encode()}.items()
    )
    response = client.post(
        "/cases/ainur/support",
        data=body + b"--XX--\r\n",
        content_type="multipart/form-data; boundary=XX",
    )
    assert response.status_code == 400
    assert "could not be read" in response.get_data(as_text=True)
    assert stored(app) == []


def test_the_case_panel_is_the_same_for_every_anonymous_visitor(
    client: FlaskClient, app: Flask, case: Case
) -> None:
    with app.app_context():
        db.session.add(
            Message(
                case_id=case.id,
                body="Published words",
                state=MessageState.PUBLISHED,
                consent_to_publish=True,
                country="AT",
            )
        )
        db.session.commit()
    post_message(client, app, "ainur")  # this visitor now has a session with a sent message
    panel = re.compile(r'<section class="support-panel".*?</section>', re.DOTALL)
    mine = panel.search(client.get("/cases/ainur").get_data(as_text=True))
    theirs = panel.search(app.test_client().get("/cases/ainur").get_data(as_text=True))
    if mine is None or theirs is None:
        pytest.skip("the case page does not include the support panel yet")
    assert mine.group(0) == theirs.group(0)
    assert "Published words" in mine.group(0)
    assert "Send a message of support" in mine.group(0)


def test_no_public_page_or_export_carries_a_supporters_email(
    client: FlaskClient, app: Flask, case: Case
) -> None:
    with app.app_context():
        db.session.add(
            Message(
                case_id=case.id,
                body="Published words",
                state=MessageState.PUBLISHED,
                consent_to_publish=True,
                country="AT",
                email="hidden.supporter@example.org",
            )
        )
        db.session.commit()
    paths = ["/cases/ainur", "/cases/ainur/messages", "/cases/ainur/sheet"]
    paths += ["/cases/ainur/timeline.csv", "/cases/ainur/timeline.json", "/cases/ainur/feed.atom"]
    paths += ["/feed.atom", "/"]
    checked = 0
    for path in paths:
        response = client.get(path)
        if response.status_code == 200:
            checked += 1
            assert "hidden.supporter" not in response.get_data(as_text=True), path
    assert checked >= 2


def test_a_database_failure_says_the_message_was_not_sent_and_keeps_it(
    client: FlaskClient, app: Flask, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unavailable() -> None:
        raise sa.exc.OperationalError("COMMIT", {}, Exception("database is locked"))

    with app.app_context():
        monkeypatch.setattr(db.session, "commit", unavailable)
        response = post_message(client, app, "ainur")
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "could not be saved" in html
    assert SUPPORT_FORM["body"] in html
    monkeypatch.undo()
    assert stored(app) == []
    # Sent again once the database is back, the same form stores it exactly once.
    token = form_token_in(html)
    assert post_message(client, app, "ainur", token=token).status_code == 302
    assert len(stored(app)) == 1


def test_link_previews_and_uptime_checks_may_ask_for_the_form_with_head(
    client: FlaskClient, make_case
) -> None:
    case = make_case()
    assert client.head(f"/cases/{case.slug}/support").status_code == 200


def test_the_withdraw_token_is_not_in_the_cookie_and_a_reload_shows_the_same_link(
    client: FlaskClient, app: Flask, case: Case
) -> None:
    import base64

    post_message(client, app, "ainur")
    cookie = client.get_cookie("session")
    assert cookie is not None
    payload = cookie.value.split(".")[0]
    readable = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    assert '"support_sent"' in readable  # plain JSON that anyone holding the cookie can read
    first = client.get("/cases/ainur/support/sent").get_data(as_text=True)
    link = re.search(r'href="http://localhost/support/withdraw/([^"]+)"', first)
    assert link
    assert link.group(1) not in readable  # whoever reads the cookie cannot withdraw
    # For a while after sending (tests/messages/test_supporter_pages.py), made again each time.
    again = client.get("/cases/ainur/support/sent").get_data(as_text=True)
    assert f"/support/withdraw/{link.group(1)}" in again
    assert "Stay strong, Ainur" in again


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_supporter_facing_a_locked_database_gets_the_form_back_with_the_text(
    app_config: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    """Another process holds SQLite's write lock past the busy timeout: not sent, text kept."""
    app_config["SQLITE_BUSY_TIMEOUT_MS"] = 50
    app: Flask = request.getfixturevalue("app")  # built with the short timeout
    request.getfixturevalue("case")
    client = app.test_client()
    token = aged_token(app)
    with app.app_context():
        holder = db.engine.raw_connection()  # another writer, outside the request
    try:
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("UPDATE cases SET city = city")
        response = post_message(client, app, "ainur", token=token)
    finally:
        holder.rollback()
        holder.close()
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "could not be saved" in html
    assert SUPPORT_FORM["body"] in html
    assert stored(app) == []


def test_the_support_page_speaks_of_prison_only_while_the_person_is_held(
    client: FlaskClient, make_case: Callable[..., Case]
) -> None:
    make_case(slug="held", status="detained")
    make_case(slug="freed", person_name="Freed Person", status="released")
    assert "prison" in client.get("/cases/held/support").get_data(as_text=True)
    freed = client.get("/cases/freed/support").get_data(as_text=True)
    assert "prison" not in freed
    assert "hand them over" in freed


def test_a_wall_page_past_the_last_says_so_and_leads_to_the_first(
    client: FlaskClient, app: Flask, case: Case, make_case: Callable[..., Case]
) -> None:
    """Page 350 of a case with 17,433 messages said "17,433 messages published", then "No
    messages have been published yet. Be the first to write.", with no way back."""
    with app.app_context():
        db.session.execute(
            sa.insert(Message),
            [
                {
                    "case_id": case.id,
                    "body": f"Solidarity {i}",
                    "key": f"wall-{i}",
                    "state": MessageState.PUBLISHED,
                    "consent_to_publish": True,
                    "language": "ru" if i % 2 else "de",
                }
                for i in range(60)
            ],
        )
        db.session.commit()
    second = client.get("/cases/ainur/messages?page=2").get_data(as_text=True)
    assert second.count('class="support-message"') == 10
    past = client.get("/cases/ainur/messages?page=350").get_data(as_text=True)
    assert "60 messages published" in past
    assert "There are no messages on this page: the wall has fewer pages." in past
    assert '<a href="/cases/ainur/messages">First page</a>' in past
    assert "Be the first to write" not in past
    russian = client.get("/ru/cases/ainur/messages?page=9&lang=ru").get_data(as_text=True)
    assert "этой странице нет сообщений" in russian  # not "none is written in Russian"
    assert '<a href="/ru/cases/ainur/messages?lang=ru">Первая страница</a>' in russian

    make_case(slug="quiet")
    quiet = client.get("/cases/quiet/messages?page=3").get_data(as_text=True)
    assert "No messages have been published yet. Be the first to write." in quiet
    assert "There are no messages on this page" not in quiet
