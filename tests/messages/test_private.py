"""Private messages: sent without consent to publish, approved, delivered, and never public."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from campaign.extensions import db
from campaign.messages import delivery, mail
from campaign.messages.queries import message_publicly_shown
from campaign.models import Case, Event, EventType, Message, MessageState, Role
from campaign.timeline import build as timeline
from campaign.timeline import reach
from tests.conftest import fetch, post_message, stored

PRIVATE = "Only for you, Ainur: my mother sends her love and a warm scarf"
PRIVATE_NAME = "Sveta Quietly"
PRIVATE_ORG = "Hidden Reading Circle"
PUBLIC = "Solidarity from the dockers of Hamburg, you are not alone"


@pytest.fixture
def case(make_case: Callable[..., Case], make_event: Callable[..., Event]) -> Case:
    case = make_case(
        slug="ainur",
        person_name="Ainur Kurmanov",
        arrest_date=date.today() - timedelta(days=10),
        detention_address="ul. Example 1\nAlmaty 050000",
    )
    # An upcoming public action, so that every calendar and feed has something in it.
    make_event(
        [case.id], type=EventType.VIGIL, title="Vigil", date=date.today() + timedelta(days=2)
    )
    return case


@pytest.fixture
def organiser(staff_client: Callable[..., FlaskClient]) -> FlaskClient:
    return staff_client(Role.ORGANISER)


PUBLIC_URLS = (
    "/",
    "/cases/ainur",
    "/cases/ainur?show=messages",
    "/cases/ainur/sheet",
    "/cases/ainur/messages",
    "/cases/ainur/timeline.json",
    "/cases/ainur/timeline.csv",
    "/cases/ainur/calendar.ics",
    "/cases/ainur/feed.atom",
    "/calendar.ics",
    "/feed.atom",
)


def public_pages(app: Flask) -> dict[str, str]:
    """Every public page, feed and export of the case, as an anonymous visitor gets it."""
    visitor = app.test_client()
    pages = {}
    for url in PUBLIC_URLS:
        response = visitor.get(url)
        assert response.status_code == 200, url
        pages[url] = response.get_data(as_text=True)
    return pages


def assert_private_nowhere(app: Flask) -> dict[str, str]:
    pages = public_pages(app)
    for url, body in pages.items():
        for secret in (PRIVATE, PRIVATE_NAME, PRIVATE_ORG, "New Zealand"):
            assert secret not in body, (url, secret)
    return pages


def send_both(client: FlaskClient, app: Flask) -> tuple[int, int]:
    """A private message (consent unticked) and a public one, sent through the real form."""
    private = post_message(
        client,
        app,
        "ainur",
        body=PRIVATE,
        display_name=PRIVATE_NAME,
        organisation=PRIVATE_ORG,
        country="NZ",
        consent=None,
    )
    assert private.status_code == 302
    public = post_message(client, app, "ainur", body=PUBLIC, display_name="Jens", country="DE")
    assert public.status_code == 302
    first, second = stored(app)
    return first.id, second.id


def test_a_private_message_is_approved_delivered_and_appears_on_no_public_page(
    app: Flask, client: FlaskClient, organiser: FlaskClient, case: Case
) -> None:
    private_id, public_id = send_both(client, app)
    assert fetch(app, Message, private_id).consent_to_publish is False
    assert fetch(app, Message, public_id).consent_to_publish is True

    approved = organiser.post(
        "/manage/messages/bulk",
        data={"action": "publish", "ids": [str(private_id), str(public_id)]},
    )
    notice = organiser.get(approved.headers["Location"]).get_data(as_text=True)
    assert "2 approved (1 of them private: delivery only, never shown on the site)." in notice
    assert fetch(app, Message, private_id).state == MessageState.PUBLISHED

    pages = assert_private_nowhere(app)
    # The consenting message is public everywhere messages are shown, and counted alone.
    for url in ("/cases/ainur", "/cases/ainur?show=messages", "/cases/ainur/messages"):
        assert PUBLIC in pages[url], url
    case_page = " ".join(pages["/cases/ainur"].split())
    assert "1 message on the wall of solidarity" in case_page
    assert "1 message of support from 1 country" in case_page  # the timeline's daily summary
    assert "Germany" in case_page  # the reach chart counts the public message's country
    assert "1 message published" in pages["/cases/ainur/messages"]
    items = json.loads(pages["/cases/ainur/timeline.json"])["items"]
    [day] = [i for i in items if i["kind"] == "messages"]
    assert (day["messages"], day["countries"]) == (1, 1)
    assert "1 message of support from 1 country" in pages["/cases/ainur/timeline.csv"]
    assert "1 message of support from 1 country" in pages["/cases/ainur/sheet"]

    # Both are in the next delivery pack: private messages are for the person.
    built = organiser.post("/manage/messages/packs/new", data={"case_id": case.id})
    match = re.search(r"/packs/(\d+)$", built.headers["Location"])
    assert match
    pack = organiser.get(built.headers["Location"]).get_data(as_text=True)
    assert PRIVATE in pack
    assert PRIVATE_NAME in pack
    assert PUBLIC in pack
    assert "Private: delivery only" in pack  # on screen for the organiser, not in print
    delivered = organiser.post(
        f"/manage/messages/packs/{match.group(1)}/delivered",
        data={"method": "post", "delivered_on": date.today().isoformat(), "note": ""},
    )
    assert delivered.status_code == 302
    assert fetch(app, Message, private_id).delivered_on == date.today()

    # Delivered, the public count includes it (a number, not its content); the text stays off.
    pages = assert_private_nowhere(app)
    assert "2 messages delivered" in pages["/cases/ainur"]
    assert "1 message on the wall of solidarity" in " ".join(pages["/cases/ainur"].split())

    # The staff export keeps it, with the sender's choice.
    export = organiser.get(f"/manage/cases/{case.id}/export.json").get_json()
    flags = {m["body"]: m["consent_to_publish"] for m in export["messages"]}
    assert flags == {PRIVATE: False, PUBLIC: True}
    messages_csv = organiser.get(f"/manage/cases/{case.id}/messages.csv").get_data(as_text=True)
    assert PRIVATE in messages_csv


def test_the_form_explains_the_choice_and_the_sender_is_told_which_applies(
    app: Flask, client: FlaskClient, case: Case
) -> None:
    form = client.get("/cases/ainur/support").get_data(as_text=True)
    assert "You may publish my message on this site, after review" in form
    assert "Ticked: once an organiser has approved it, your message may appear" in form
    assert "Not ticked: your message is private" in form
    assert "never shown on this site" in form
    checkbox = re.search(r'<input[^>]*name="consent"[^>]*>', form)
    assert checkbox
    assert "required" not in checkbox.group(0)
    assert 'aria-describedby="consent-hint"' in checkbox.group(0)

    post_message(client, app, "ainur", body=PRIVATE, consent=None)
    private = client.get("/cases/ainur/support/sent").get_data(as_text=True)
    assert "You chose to keep your message private" in private
    assert "it appears on the page of" not in private

    post_message(client, app, "ainur", body=PUBLIC)
    public = client.get("/cases/ainur/support/sent").get_data(as_text=True)
    assert "You allowed publication" in public
    assert "keep your message private" not in public


@pytest.mark.parametrize(("consent", "expected"), [(False, "private"), (True, "public")])
def test_the_confirmation_email_says_whether_the_message_may_be_shown(
    app_ctx: Flask, case: Case, consent: bool, expected: str
) -> None:
    app_ctx.config["MAIL_SERVER"] = "smtp.example.org"
    loaded = db.session.get(Case, case.id)
    assert loaded is not None
    message = Message(case=loaded, body="Hello", email="s@example.org", consent_to_publish=consent)
    _subject, text = mail.confirmation_text(message, loaded, "http://localhost/w")
    text = " ".join(text.split())
    private = "You chose to keep your message private: it will never be shown on the site"
    public = "You allowed publication: once approved, your message may appear on the site"
    assert (private in text) == (expected == "private")
    assert (public in text) == (expected == "public")
    assert "Ainur Kurmanov" in text


def test_public_counts_leave_private_messages_out_and_delivery_takes_them(
    app_ctx: Flask, case: Case
) -> None:
    created = datetime(2010, 5, 1, 12, tzinfo=UTC)
    for i, consent in enumerate((True, False, False)):
        db.session.add(
            Message(
                case_id=case.id,
                body=f"m{i}",
                country=("DE", "NZ", "NZ")[i],
                state=MessageState.PUBLISHED,
                consent_to_publish=consent,
                created_at=created + timedelta(hours=i),
            )
        )
    db.session.commit()
    loaded = db.session.get(Case, case.id)
    assert loaded is not None
    days, _more = timeline.load_message_days(case.id, after=None, until=None, limit=None)
    assert [(d.count, d.countries) for d in days] == [(1, 1)]
    timeline.fill_messages(case.id, days)
    assert [m.body for m in days[0].messages] == ["m0"]
    numbers = reach.load_reach(case.id)
    assert numbers.messages == 1
    assert [c.country for c in numbers.by_country if c.messages] == ["DE"]
    ready = [db.session.get(Message, i).body for i in delivery.ready_ids(case.id, 10)]
    assert ready == ["m0", "m1", "m2"]
    assert delivery.ready_counts() == {case.id: 3}
    private_count = db.session.scalar(
        sa.select(sa.func.count(Message.id)).where(sa.not_(message_publicly_shown()))
    )
    assert private_count == 2


def test_html_in_a_private_message_stays_escaped_for_staff(
    organiser: FlaskClient, case: Case, make_message: Callable[..., int]
) -> None:
    script = "<script>alert(1)</script>"
    make_message(
        case.id,
        body=f"Private {script}",
        display_name=f"<b>{script}</b>",
        organisation=script,
        consent_to_publish=False,
        state=MessageState.PUBLISHED,
    )
    queue = organiser.get("/manage/messages/?state=all").get_data(as_text=True)
    built = organiser.post("/manage/messages/packs/new", data={"case_id": case.id})
    pack = organiser.get(built.headers["Location"]).get_data(as_text=True)
    for html in (queue, pack):
        assert script not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "Private: delivery only" in html


def test_an_approved_private_message_is_on_no_public_page_feed_or_export(
    app: Flask, case: Case, make_message: Callable[..., int]
) -> None:
    """The public surfaces alone, with the messages made directly (not through the form)."""
    for body, name, org, country, consent in (
        (PRIVATE, PRIVATE_NAME, PRIVATE_ORG, "NZ", False),
        (PUBLIC, "Jens", None, "DE", True),
    ):
        make_message(
            case.id,
            body=body,
            display_name=name,
            organisation=org,
            country=country,
            consent_to_publish=consent,
            state=MessageState.PUBLISHED,
        )
    pages = assert_private_nowhere(app)
    assert PUBLIC in pages["/cases/ainur"]
    assert PUBLIC in pages["/cases/ainur/messages"]
    items = json.loads(pages["/cases/ainur/timeline.json"])["items"]
    assert [(i["messages"], i["countries"]) for i in items if i["kind"] == "messages"] == [(1, 1)]
    assert "1 message of support from 1 country" in pages["/cases/ainur/timeline.csv"]
