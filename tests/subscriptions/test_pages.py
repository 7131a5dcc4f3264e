"""Following a case in the browser: its own page (the case page is cached and shared), the
same answer for every address, links that confirm and leave, RFC 8058's one-click POST, and
the whole way through the outbox to a real SMTP server and back."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from campaign.extensions import db
from campaign.models import Case, Event, OutboxMail, Subscription
from campaign.subscriptions import services
from tests.conftest import SMTPInbox
from tests.subscriptions.conftest import SITE

ADDRESS = "anna@example.org"


def subscriptions(app: Flask) -> list[Subscription]:
    with app.app_context():
        found = list(db.session.scalars(sa.select(Subscription).order_by(Subscription.id)))
        db.session.expunge_all()
        return found


def outbox_count(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail)) or 0)


def follow(client: FlaskClient, address: str = ADDRESS, frequency: str = "each") -> Any:
    return client.post("/cases/ainur/follow", data={"email": address, "frequency": frequency})


def confirm_token(app: Flask) -> str:
    with app.app_context():
        body = db.session.scalars(
            sa.select(OutboxMail.body_text).order_by(OutboxMail.id.desc())
        ).first()
    found = re.search(r"/subscriptions/confirm/(\S+)", str(body))
    assert found
    return found.group(1)


class TestFollowPage:
    def test_the_case_page_links_to_a_page_of_its_own(
        self, client: FlaskClient, case: Case
    ) -> None:
        page = client.get("/cases/ainur").get_data(as_text=True)
        assert 'href="/cases/ainur/follow"' in page
        assert 'name="email"' not in page  # no form, no token, on the shared page
        response = client.get("/cases/ainur/follow")
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        html = response.get_data(as_text=True)
        assert 'name="email"' in html
        assert 'value="weekly"' in html

    def test_every_address_gets_the_same_answer(
        self, client: FlaskClient, app: Flask, case: Case
    ) -> None:
        first = follow(client)
        assert first.status_code == 302
        assert first.headers["Location"] == "/cases/ainur/follow/sent"
        with app.app_context():
            services.confirm(confirm_token(app))
            db.session.commit()
        again = follow(client)  # already following: nobody can tell from the answer
        assert (again.status_code, again.headers["Location"]) == (302, first.headers["Location"])
        page = client.get("/cases/ainur/follow/sent").get_data(as_text=True)
        assert "Check your e-mail" in page
        assert ADDRESS not in page

    @pytest.mark.parametrize("address", ["", "not-an-address", "anna@example", "a\x00@example.org"])
    def test_a_malformed_address_is_refused_with_a_clear_message(
        self, client: FlaskClient, app: Flask, case: Case, address: str
    ) -> None:
        response = follow(client, address)
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert "e-mail address" in html
        assert subscriptions(app) == []
        assert outbox_count(app) == 0

    def test_an_unknown_frequency_is_refused(
        self, client: FlaskClient, app: Flask, case: Case
    ) -> None:
        assert follow(client, frequency="hourly").status_code == 400
        assert subscriptions(app) == []

    def test_without_a_mail_server_a_case_cannot_be_followed(
        self, client: FlaskClient, app: Flask, case: Case
    ) -> None:
        app.config["MAIL_SERVER"] = None
        assert 'href="/cases/ainur/follow"' not in client.get("/cases/ainur").get_data(as_text=True)
        assert client.get("/cases/ainur/follow").status_code == 404

    def test_an_unpublished_case_cannot_be_followed(
        self, client: FlaskClient, make_case: Any
    ) -> None:
        make_case(slug="hidden", published=False)
        assert client.get("/cases/hidden/follow").status_code == 404


class TestLinkPages:
    def test_confirming_takes_a_button_and_works_once(
        self, client: FlaskClient, app: Flask, case: Case
    ) -> None:
        follow(client)
        token = confirm_token(app)
        page = client.get(f"/subscriptions/confirm/{token}")
        assert page.status_code == 200
        assert subscriptions(app)[0].confirmed_at is None  # a link checker's GET changes nothing
        response = client.post(f"/subscriptions/confirm/{token}")
        assert response.status_code == 302
        assert subscriptions(app)[0].confirmed_at is not None
        twice = client.post(f"/subscriptions/confirm/{token}")
        assert twice.status_code == 410
        assert "already used" in twice.get_data(as_text=True)

    def test_an_altered_confirmation_link_says_so(
        self, client: FlaskClient, app: Flask, case: Case
    ) -> None:
        follow(client)
        token = confirm_token(app)
        response = client.post(f"/subscriptions/confirm/{token[:-4]}")
        assert response.status_code == 400
        assert "not valid" in response.get_data(as_text=True)
        assert subscriptions(app)[0].confirmed_at is None

    def test_the_unsubscribe_page_asks_first(
        self, client: FlaskClient, app: Flask, case: Case
    ) -> None:
        follow(client)
        with app.app_context():
            subscription = services.confirm(confirm_token(app))
            token = services.unsubscribe_token(subscription)
            db.session.commit()
        page = client.get(f"/unsubscribe/{token}")
        assert page.status_code == 200
        assert "Unsubscribe" in page.get_data(as_text=True)
        assert len(subscriptions(app)) == 1
        assert client.get("/unsubscribe/forged-token").status_code == 400


class TestOneClick:
    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        app_config["WTF_CSRF_ENABLED"] = True
        return app_config

    def test_a_post_without_token_or_cookie_unsubscribes(self, app: Flask, case: Case) -> None:
        with app.app_context():
            subscription = services.subscribe(db.session.get(Case, case.id), ADDRESS, "each", "en")
            assert subscription is not None
            subscription.confirmed_at = subscription.created_at
            token = services.unsubscribe_token(subscription)
            db.session.commit()
        mail_client = app.test_client(use_cookies=False)
        response = mail_client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
        assert subscriptions(app) == []
        again = mail_client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
        assert again.status_code == 200  # leaving twice is no error
        assert "not subscribed" in again.get_data(as_text=True)

    def test_the_other_forms_still_need_their_csrf_token(self, app: Flask, case: Case) -> None:
        client = app.test_client()
        assert follow(client).status_code == 400
        assert subscriptions(app) == []


class TestEndToEnd:
    def test_ask_confirm_hear_and_leave_through_a_real_smtp_server(
        self,
        client: FlaskClient,
        app: Flask,
        runner: FlaskCliRunner,
        case: Case,
        smtp_server: SMTPInbox,
    ) -> None:
        follow(client)
        assert smtp_server.received == []  # queued, not sent inside the request
        assert "Sent 1" in runner.invoke(args=["outbox", "run", "--once"]).output
        [(recipients, confirmation)] = smtp_server.received
        assert recipients == [ADDRESS]
        link = re.search(
            re.escape(SITE) + r"(/subscriptions/confirm/\S+)", confirmation.get_content()
        )
        assert link
        assert client.post(link.group(1)).status_code == 302

        with app.app_context():
            event = Event(
                type="picket",
                title="Picket at the Temir Bank",
                date=db.func.current_date(),
                cases=[db.session.get(Case, case.id)],
            )
            db.session.add(event)
            db.session.commit()
        assert "Queued 1 update" in runner.invoke(args=["subscriptions", "send"]).output
        assert "Queued 0 update" in runner.invoke(args=["subscriptions", "send"]).output
        runner.invoke(args=["outbox", "run", "--once"])
        update = smtp_server.messages[-1]
        assert "Picket at the Temir Bank" in update.get_content()
        assert update["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        leave = re.fullmatch(
            r"<" + re.escape(SITE) + r"(/unsubscribe/\S+)>", update["List-Unsubscribe"]
        )
        assert leave
        assert leave.group(1) in update.get_content()

        # The mail program's one-click POST: no cookie, no CSRF token.
        app.config["WTF_CSRF_ENABLED"] = True
        response = app.test_client(use_cookies=False).post(
            leave.group(1), data={"List-Unsubscribe": "One-Click"}
        )
        assert response.status_code == 200
        assert subscriptions(app) == []
        with app.app_context():  # sent e-mails keep no address
            assert db.session.scalars(sa.select(OutboxMail.recipient)).all() == [None, None]


def test_staff_see_how_many_follow_never_who(app: Flask, case: Case, staff_client: Any) -> None:
    with app.app_context():
        loaded = db.session.get(Case, case.id)
        for address in ("anna@example.org", "boris@example.org"):
            services.subscribe(loaded, address, "each", "en")
        db.session.commit()
    token = confirm_token(app)
    with app.app_context():
        services.confirm(token)
        db.session.commit()
    html = staff_client().get(f"/manage/cases/{case.id}").get_data(as_text=True)
    assert "1 person follows this case by e-mail" in html
    assert "1 has not confirmed yet" in html
    assert "@example.org" not in html
