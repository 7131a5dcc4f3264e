"""Organisers decide every message: the queue, its filters, bulk decisions, safety edits."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, render_template_string
from flask.testing import FlaskClient, FlaskCliRunner

from campaign.extensions import db
from campaign.models import Case, Message, MessageState, Role
from tests.conftest import audit_entries, fetch


@pytest.fixture
def organiser(staff_client: Callable[..., FlaskClient]) -> FlaskClient:
    return staff_client(Role.ORGANISER)


def test_the_queue_shows_pending_messages_first_with_their_context_and_never_the_email(
    organiser: FlaskClient,
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
) -> None:
    case = make_case(person_name="Ainur Kurmanov")
    make_message(case.id, body="Already out", state=MessageState.PUBLISHED)
    make_message(case.id, body="Please review me", email="secret@example.org", language="de")
    html = organiser.get("/manage/messages/").get_data(as_text=True)
    assert "Please review me" in html
    assert "Already out" not in html  # the queue opens on what is waiting
    assert "Ainur Kurmanov" in html
    assert "Given (never shown)" in html
    assert "secret@example.org" not in html
    everything = organiser.get("/manage/messages/?state=all").get_data(as_text=True)
    assert everything.index("Please review me") < everything.index("Already out")


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("case={other}", "to the other", "from Berlin"),
        ("language=ru", "по-русски", "from Berlin"),
        ("country=AT", "from Vienna", "from Berlin"),
        ("state=spam", "buy watches", "from Berlin"),
    ],
)
def test_the_queue_filters_by_case_language_country_and_state(
    organiser: FlaskClient,
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
    query: str,
    shown: str,
    hidden: str,
) -> None:
    case = make_case()
    other = make_case()
    make_message(case.id, body="Greetings from Berlin", language="de", country="DE")
    make_message(case.id, body="Greetings from Vienna", language="de", country="AT")
    make_message(case.id, body="Привет по-русски", language="ru", country="RU")
    make_message(other.id, body="Words to the other case")
    make_message(case.id, body="buy watches", state=MessageState.SPAM)
    url = "/manage/messages/?" + query.format(other=other.id)
    html = organiser.get(url).get_data(as_text=True)
    assert shown in html
    assert hidden not in html


def test_an_organiser_publishes_one_message_and_the_decision_is_audited(
    app: Flask,
    organiser: FlaskClient,
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
) -> None:
    case = make_case()
    message_id = make_message(case.id)
    response = organiser.post(
        f"/manage/messages/{message_id}/decide",
        data={"action": "publish", "next": "/manage/messages/?state=all"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/manage/messages/?state=all"
    message = fetch(app, Message, message_id)
    assert message.state == MessageState.PUBLISHED
    assert message.decided_at is not None
    assert message.decided_by_id == organiser.user.id  # type: ignore[attr-defined]
    [entry] = audit_entries(app, "message", message_id, "update")
    assert entry.changes["state"] == ["pending", "published"]
    assert entry.user_id == organiser.user.id  # type: ignore[attr-defined]


def test_the_return_address_is_always_the_queue(
    organiser: FlaskClient, make_case: Callable[..., Case], make_message: Callable[..., int]
) -> None:
    message_id = make_message(make_case().id)
    for evil in ("https://evil.example/", "//evil.example/manage/messages/", "/manage/users/"):
        response = organiser.post(
            f"/manage/messages/{message_id}/decide", data={"action": "reject", "next": evil}
        )
        assert response.headers["Location"] == "/manage/messages/"


def test_a_message_without_consent_is_approved_for_delivery_only(
    app: Flask,
    organiser: FlaskClient,
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
) -> None:
    message_id = make_message(make_case().id, consent_to_publish=False, display_name="Masha")
    queue = organiser.get("/manage/messages/").get_data(as_text=True)
    assert "Private: delivery only" in queue
    assert 'name="action" value="publish">Approve</button>' in queue.split("moderation-actions")[1]
    response = organiser.post(f"/manage/messages/{message_id}/decide", data={"action": "publish"})
    assert fetch(app, Message, message_id).state == MessageState.PUBLISHED
    html = organiser.get(response.headers["Location"]).get_data(as_text=True)
    assert "“Stay strong” from Masha: Approved (private: delivery only)." in html
    everything = organiser.get("/manage/messages/?state=all").get_data(as_text=True)
    assert "Approved (private: delivery only)" in everything


def test_bulk_decisions_apply_to_the_ticked_messages_only(
    app: Flask,
    organiser: FlaskClient,
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
) -> None:
    case = make_case()
    ids = [make_message(case.id, body=f"spam {i}") for i in range(3)]
    keep = make_message(case.id, body="a real one")
    response = organiser.post(
        "/manage/messages/bulk", data={"action": "spam", "ids": [str(i) for i in ids]}
    )
    assert response.status_code == 302
    assert [fetch(app, Message, i).state for i in ids] == [MessageState.SPAM] * 3
    assert fetch(app, Message, keep).state == MessageState.PENDING
    assert all(len(audit_entries(app, "message", i, "update")) == 1 for i in ids)
    assert audit_entries(app, "message", keep, "update") == []


def test_bulk_without_ticks_or_with_an_unknown_action_changes_nothing(
    app: Flask,
    organiser: FlaskClient,
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
) -> None:
    message_id = make_message(make_case().id)
    assert organiser.post("/manage/messages/bulk", data={"action": "spam"}).status_code == 302
    bad = organiser.post("/manage/messages/bulk", data={"action": "delete", "ids": [message_id]})
    assert bad.status_code == 400
    assert fetch(app, Message, message_id).state == MessageState.PENDING


def test_a_withdrawn_message_cannot_be_published_again(
    app: Flask,
    organiser: FlaskClient,
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
) -> None:
    message_id = make_message(
        make_case().id, state=MessageState.WITHDRAWN, body="", display_name=None
    )
    organiser.post(f"/manage/messages/{message_id}/decide", data={"action": "publish"})
    message = fetch(app, Message, message_id)
    assert message.state == MessageState.WITHDRAWN
    # Its words are erased: the organiser is told which message by when it came, not “”.
    received = message.created_at.strftime("%Y-%m-%d %H:%M")
    page = organiser.get("/manage/messages/?state=withdrawn").get_data(as_text=True)
    assert f"The message received {received} UTC was not changed: its sender withdrew it" in page
    assert "“”" not in page
    assert f'name="ids" value="{message_id}"' not in page  # nothing to tick
    assert "No: withdrawn by its sender." in page


def test_a_safety_edit_keeps_the_text_as_sent_on_the_message_not_in_the_trail(
    app: Flask,
    organiser: FlaskClient,
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
) -> None:
    message_id = make_message(make_case().id, body="Stay strong. The judge Ivanov is corrupt!")
    page = organiser.get(f"/manage/messages/{message_id}/edit")
    assert "The judge Ivanov is corrupt" in page.get_data(as_text=True)
    response = organiser.post(f"/manage/messages/{message_id}/edit", data={"body": "Stay strong."})
    assert response.status_code == 302
    message = fetch(app, Message, message_id)
    assert message.body == "Stay strong."
    assert message.edited_at is not None
    assert message.original_body == "Stay strong. The judge Ivanov is corrupt!"
    [entry] = audit_entries(app, "message", message_id, "update")
    # The trail says the text changed, never what it said (a withdrawal must erase it).
    assert entry.changes["body"] == ["(hidden)", "(hidden)"]
    again = organiser.get(f"/manage/messages/{message_id}/edit").get_data(as_text=True)
    assert "The text as sent" in again
    assert "The judge Ivanov is corrupt" in again  # until delivery: the organisers may compare
    empty = organiser.post(f"/manage/messages/{message_id}/edit", data={"body": "  "})
    assert empty.status_code == 400
    assert "reject it instead" in empty.get_data(as_text=True)
    assert fetch(app, Message, message_id).body == "Stay strong."


def test_activists_do_not_moderate(
    staff_client: Callable[..., FlaskClient],
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
) -> None:
    activist = staff_client(Role.ACTIVIST)
    message_id = make_message(make_case().id)
    assert activist.get("/manage/messages/").status_code == 403
    decide = activist.post(f"/manage/messages/{message_id}/decide", data={"action": "publish"})
    assert decide.status_code == 403


def test_the_dashboard_partial_counts_what_is_waiting_by_case(
    app: Flask,
    organiser: FlaskClient,
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
) -> None:
    busy = make_case(person_name="Ainur Kurmanov")
    quiet = make_case(person_name="Yesenbek Ukteshbaev")
    for _ in range(3):
        make_message(busy.id)
    make_message(quiet.id)
    make_message(quiet.id, state=MessageState.PUBLISHED)
    with app.test_request_context():
        from flask_login import login_user

        from campaign.models import User

        user = db.session.get(User, organiser.user.id)  # type: ignore[attr-defined]
        login_user(user)
        html = render_template_string('{% include "messages/_dashboard.html" %}')
    assert "Ainur Kurmanov</a>: 3 messages waiting" in html
    assert "Yesenbek Ukteshbaev</a>: 1 message waiting" in html
    assert html.index("Ainur") < html.index("Yesenbek")
    assert "/manage/messages/" in html


def test_deciding_erases_emails_past_their_retention(
    app: Flask,
    organiser: FlaskClient,
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
) -> None:
    case = make_case()
    old = datetime.now(UTC) - timedelta(days=31)
    expired = make_message(
        case.id, email="old@example.org", state=MessageState.PUBLISHED, decided_at=old
    )
    recent = make_message(
        case.id,
        email="new@example.org",
        state=MessageState.PUBLISHED,
        decided_at=datetime.now(UTC) - timedelta(days=2),
    )
    waiting = make_message(case.id, email="wait@example.org", created_at=old)
    target = make_message(case.id)
    organiser.post(f"/manage/messages/{target}/decide", data={"action": "reject"})
    assert fetch(app, Message, expired).email is None
    assert fetch(app, Message, expired).email_erased_at is not None
    assert fetch(app, Message, recent).email == "new@example.org"
    assert fetch(app, Message, waiting).email == "wait@example.org"  # undecided: kept to confirm


def test_the_purge_command_erases_expired_emails_for_cron(
    app: Flask,
    runner: FlaskCliRunner,
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
) -> None:
    case = make_case()
    app.config["SUPPORTER_EMAIL_RETENTION_DAYS"] = 10
    expired = make_message(
        case.id,
        email="old@example.org",
        state=MessageState.SPAM,
        decided_at=datetime.now(UTC) - timedelta(days=11),
    )
    kept = make_message(
        case.id,
        email="new@example.org",
        state=MessageState.REJECTED,
        decided_at=datetime.now(UTC) - timedelta(days=9),
    )
    result = runner.invoke(args=["messages", "purge-emails"])
    assert result.exit_code == 0, result.output
    assert "Erased 1 " in result.output
    assert fetch(app, Message, expired).email is None
    assert fetch(app, Message, kept).email == "new@example.org"
    assert "Erased 0 " in runner.invoke(args=["messages", "purge-emails"]).output


def test_the_purge_command_erases_everything_due_for_cron(
    app: Flask,
    runner: FlaskCliRunner,
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
) -> None:
    case = make_case()
    long_ago = datetime.now(UTC) - timedelta(days=40)
    old = make_message(
        case.id,
        email="old@example.org",
        state=MessageState.REJECTED,
        decided_at=long_ago,
        client_hash="a" * 64,
        created_at=long_ago,
        original_body="as sent",
        edited_at=long_ago,
    )
    fresh = make_message(case.id, client_hash="b" * 64)
    result = runner.invoke(args=["messages", "purge"])
    assert result.exit_code == 0, result.output
    assert "Erased 1 supporter e-mail address(es), 1 client hash(es)" in result.output
    assert "1 text(s) as sent" in result.output
    gone = fetch(app, Message, old)
    assert (gone.email, gone.client_hash, gone.original_body) == (None, None, None)
    assert fetch(app, Message, fresh).client_hash == "b" * 64


class TestWithCsrf:
    """CSRF on: decisions need the token the queue page carries."""

    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        app_config["WTF_CSRF_ENABLED"] = True
        return app_config

    def test_a_decision_without_the_token_is_refused(
        self,
        app: Flask,
        make_user: Callable[..., Any],
        make_case: Callable[..., Case],
        make_message: Callable[..., int],
    ) -> None:
        import re

        user = make_user(Role.ORGANISER)
        organiser = app.test_client()
        login_page = organiser.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page)
        assert token
        organiser.post(
            "/login",
            data={
                "email": user.email,
                "password": "correct horse battery staple",
                "csrf_token": token.group(1),
            },
        )
        message_id = make_message(make_case().id)
        refused = organiser.post(f"/manage/messages/{message_id}/decide", data={"action": "spam"})
        assert refused.status_code == 400
        assert fetch(app, Message, message_id).state == MessageState.PENDING
        queue = organiser.get("/manage/messages/").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', queue)
        assert token
        accepted = organiser.post(
            f"/manage/messages/{message_id}/decide",
            data={"action": "spam", "csrf_token": token.group(1)},
        )
        assert accepted.status_code == 302
        assert fetch(app, Message, message_id).state == MessageState.SPAM


def test_bulk_approve_says_which_are_private_and_which_were_not_approved_and_why(
    app: Flask,
    organiser: FlaskClient,
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
) -> None:
    case = make_case()
    ok = [make_message(case.id, body=f"Solidarity from city {i}") for i in range(2)]
    private = make_message(
        case.id,
        body="Only for you, do not put this on the site please dear friend",
        display_name="Masha",
        consent_to_publish=False,
        email="masha@example.org",
    )
    gone = make_message(case.id, body="Changed my mind", state=MessageState.WITHDRAWN)
    ids = [*ok, private, gone]
    response = organiser.post(
        "/manage/messages/bulk", data={"ids": [str(i) for i in ids], "action": "publish"}
    )
    assert response.status_code == 302
    html = organiser.get(response.headers["Location"]).get_data(as_text=True)
    flashes = " ".join(html.split("flash-warning", 1)[1].split("</p>", 1)[0].split())
    assert (
        "3 approved (1 of them private: delivery only, never shown on the site); 1 not approved:"
        in flashes
    )
    assert "“Changed my mind” from a supporter: its sender withdrew it" in flashes
    assert "masha@example.org" not in html
    for message_id in ids:
        assert f"Message {message_id}" not in html
    assert fetch(app, Message, private).state == MessageState.PUBLISHED
    assert all(fetch(app, Message, i).state == MessageState.PUBLISHED for i in ok)
    assert fetch(app, Message, gone).state == MessageState.WITHDRAWN


def test_a_single_decision_names_the_message_by_sender_and_first_words(
    organiser: FlaskClient, make_case: Callable[..., Case], make_message: Callable[..., int]
) -> None:
    case = make_case()
    message_id = make_message(case.id, body="Stay strong", display_name="Anna")
    response = organiser.post(f"/manage/messages/{message_id}/decide", data={"action": "reject"})
    html = organiser.get(response.headers["Location"]).get_data(as_text=True)
    assert "“Stay strong” from Anna: Rejected." in html
    assert f"Message {message_id}" not in html
    again = organiser.post(f"/manage/messages/{message_id}/decide", data={"action": "reject"})
    html = organiser.get(again.headers["Location"]).get_data(as_text=True)
    assert "“Stay strong” from Anna was not changed: it already had that decision." in html


def test_the_dashboard_partial_puts_the_total_waiting_first_and_prominent(
    staff_client: Callable[..., FlaskClient],
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
) -> None:
    first = make_case(person_name="Ainur Kurmanov")
    second = make_case(person_name="Yesenbek Ukteshbaev")
    for case in (first, first, second):
        make_message(case.id)
    make_message(first.id, state=MessageState.PUBLISHED)
    page = staff_client(Role.ORGANISER).get("/manage/").get_data(as_text=True)
    section = page[page.index('class="moderation-dashboard"') :]
    total = section.index('<span class="moderation-total-number">3</span>')
    assert "messages waiting for a decision" in section
    assert total < section.index("Ainur Kurmanov")  # the total before the list by case
    empty = staff_client(Role.ORGANISER)
    with empty.application.app_context():
        db.session.execute(sa.delete(Message))
        db.session.commit()
    quiet = empty.get("/manage/").get_data(as_text=True)
    assert "moderation-total-zero" in quiet
    assert '<span class="moderation-total-number">0</span>' in quiet


def test_every_message_has_a_history_page_reachable_from_the_queue(
    organiser: FlaskClient, make_case: Callable[..., Case], make_message: Callable[..., int]
) -> None:
    message_id = make_message(make_case().id, display_name="Masha", email="masha@example.org")
    organiser.post(f"/manage/messages/{message_id}/decide", data={"action": "reject"})
    queue = organiser.get("/manage/messages/?state=all").get_data(as_text=True)
    link = f"/manage/history/messages/{message_id}"
    assert f'href="{link}"' in queue
    page = organiser.get(link)
    assert page.status_code == 200
    html = " ".join(page.get_data(as_text=True).split())
    assert f"History of Message #{message_id} (DE)" in html
    assert "Masha" not in html.split("History of", 1)[1].split("</h1>", 1)[0]
    assert "Awaiting review" in html
    assert "Rejected" in html
    assert "masha@example.org" not in html
    assert "Back to the messages" in html


def test_an_unknown_object_has_no_history_page(organiser: FlaskClient) -> None:
    assert organiser.get("/manage/history/messages/999999").status_code == 404
    assert organiser.get("/manage/history/cabbages/1").status_code == 404


def test_the_queue_says_when_no_email_was_given(
    organiser: FlaskClient, make_case: Callable[..., Case], make_message: Callable[..., int]
) -> None:
    make_message(make_case().id)  # no e-mail
    html = " ".join(organiser.get("/manage/messages/").get_data(as_text=True).split())
    assert "<dt>E-mail</dt><dd>Not given</dd>" in html


def test_a_decision_from_an_out_of_date_page_does_not_override_a_colleagues(
    app: Flask,
    organiser: FlaskClient,
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
) -> None:
    """Two organisers open the queue; one marks a message as spam, then the other, still on the
    older page, presses Approve on it (and Reject on two in bulk): the first decisions stand,
    and the second organiser is told why."""
    case = make_case()
    spam = make_message(case.id, body="buy watches now")
    page = organiser.get("/manage/messages/").get_data(as_text=True)
    assert f'name="seen-{spam}" value="pending"' in page
    first, second = (make_message(case.id, body=f"real one {n}") for n in (1, 2))
    with app.app_context():
        db.session.get_one(Message, spam).state = MessageState.SPAM
        db.session.get_one(Message, first).state = MessageState.PUBLISHED
        db.session.commit()
    stale = organiser.post(
        f"/manage/messages/{spam}/decide", data={"action": "publish", f"seen-{spam}": "pending"}
    )
    assert stale.status_code == 302
    assert fetch(app, Message, spam).state == MessageState.SPAM
    flashed = organiser.get("/manage/messages/").get_data(as_text=True)
    assert "someone decided it after you opened the page (now: Spam)" in flashed
    organiser.post(
        "/manage/messages/bulk",
        data={
            "action": "reject",
            "ids": [str(first), str(second)],
            f"seen-{first}": "pending",
            f"seen-{second}": "pending",
        },
    )
    assert fetch(app, Message, first).state == MessageState.PUBLISHED
    assert fetch(app, Message, second).state == MessageState.REJECTED
    # What the page saw is what counts: seen as spam, it may be approved.
    organiser.post(
        f"/manage/messages/{spam}/decide", data={"action": "publish", f"seen-{spam}": "spam"}
    )
    assert fetch(app, Message, spam).state == MessageState.PUBLISHED


def _bodies(html: str) -> list[str]:
    import re

    return re.findall(r'<blockquote class="support-body"[^>]*>([^<]*)</blockquote>', html)


def _next_page(html: str) -> str:
    import re

    found = re.search(r'<a href="(/manage/messages/\?[^"]*after=[^"]+)">Next page</a>', html)
    assert found, "the page links to the next one"
    return found.group(1).replace("&amp;", "&")


def test_the_queue_reads_the_longest_waiting_first_and_arrivals_move_no_page(
    monkeypatch: pytest.MonkeyPatch,
    organiser: FlaskClient,
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
) -> None:
    """Two organisers work through the queue while messages keep arriving (a verdict day)."""
    from campaign.messages import queries

    monkeypatch.setattr(queries, "QUEUE_PAGE_SIZE", 3)
    case = make_case()
    start = datetime(2026, 12, 5, 9, tzinfo=UTC)
    made = [
        make_message(case.id, body=f"waiting {i}", created_at=start + timedelta(minutes=i))
        for i in range(8)
    ]
    first = organiser.get("/manage/messages/").get_data(as_text=True)
    assert _bodies(first) == ["waiting 0", "waiting 1", "waiting 2"]
    assert "Messages 1\u20133 of 8" in first
    second_url = _next_page(first)

    make_message(case.id, body="arrived now", created_at=start + timedelta(hours=1))
    second = organiser.get(second_url).get_data(as_text=True)
    assert _bodies(second) == ["waiting 3", "waiting 4", "waiting 5"]  # nothing pushed along
    assert "Messages 4\u20136 of 9" in second
    assert "First page" in second

    # A colleague approves the first page meanwhile: this page still holds what it held.
    colleague = {"ids": [str(i) for i in made[:3]], "action": "publish"}
    organiser.post("/manage/messages/bulk", data=colleague)
    again = organiser.get(second_url).get_data(as_text=True)
    assert _bodies(again) == ["waiting 3", "waiting 4", "waiting 5"]
    last = organiser.get(_next_page(again)).get_data(as_text=True)
    assert _bodies(last) == ["waiting 6", "waiting 7", "arrived now"]
    assert "Next page" not in last

    # Decided messages read newest first: the latest decisions on top.
    approved = organiser.get("/manage/messages/?state=published").get_data(as_text=True)
    assert _bodies(approved) == ["waiting 2", "waiting 1", "waiting 0"]


def test_a_page_past_the_end_or_a_forged_cursor_leads_back_to_the_first_page(
    app: Flask,
    organiser: FlaskClient,
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
) -> None:
    case = make_case()
    only = make_message(case.id, body="the only one")
    with app.app_context():
        from campaign.messages.queries import queue_cursor

        cursor = queue_cursor(db.session.get(Message, only))
    past = organiser.get(f"/manage/messages/?after={cursor}").get_data(as_text=True)
    assert "1 message matches these filters; none after the page you were on." in past
    assert 'href="/manage/messages/?state=pending">First page</a>' in past
    for forged in ("x", "0.2026.1", "2.20261205090000000000.1", "0.99999999999999999999.1"):
        page = organiser.get(f"/manage/messages/?after={forged}")
        assert page.status_code == 200
        assert _bodies(page.get_data(as_text=True)) == ["the only one"]
        assert "First page" not in page.get_data(as_text=True)  # it is the first page


def test_a_bulk_decision_sent_twice_or_for_unknown_messages_says_so_briefly(
    app: Flask,
    organiser: FlaskClient,
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
) -> None:
    case = make_case()
    ids = [make_message(case.id, body=f"message number {i}") for i in range(7)]
    data = {"ids": [str(i) for i in ids], "action": "publish"}
    organiser.post("/manage/messages/bulk", data=data)
    twice = organiser.post("/manage/messages/bulk", data=data)
    html = organiser.get(twice.headers["Location"]).get_data(as_text=True)
    assert "7 already had that decision." in html
    assert "flash-warning" in html
    assert "message number" not in html.split("<main", 1)[1].split("moderation-filters")[0]

    unknown = organiser.post("/manage/messages/bulk", data={"ids": ["999999"], "action": "reject"})
    html = organiser.get(unknown.headers["Location"]).get_data(as_text=True)
    assert "1 not found (deleted with its case)." in html
    assert "0 rejected" not in html
    assert "flash-success" not in html


def test_a_single_decision_returns_to_the_message_after_it(
    organiser: FlaskClient, make_case: Callable[..., Case], make_message: Callable[..., int]
) -> None:
    case = make_case()
    first, second = (make_message(case.id, body=f"m{i}") for i in range(2))
    page = organiser.get("/manage/messages/").get_data(as_text=True)
    action = f"/manage/messages/{first}/decide?then={second}"
    assert f'formaction="{action}"' in page
    assert f'id="message-{second}"' in page
    decided = organiser.post(
        action, data={"action": "publish", "next": "/manage/messages/?state=pending"}
    )
    assert decided.headers["Location"].endswith("/manage/messages/?state=pending#decided")
    # What the decision did is said where the page opens, at that message, not at the top.
    html = organiser.get(decided.headers["Location"].split("#")[0]).get_data(as_text=True)
    outcome = html.split('id="decided">', 1)[1].split("</li>", 1)[0]
    assert "“m0” from a supporter: Approved (shown on the site)." in outcome
    assert html.index('id="decided"') < html.index(f'id="message-{second}"')
    assert html.count('class="flashes"') == 1
    assert "Approved (shown on the site)." not in organiser.get("/manage/messages/").get_data(
        as_text=True
    )  # said once

    # The page's last message: the page opens at its end, and says it there.
    last = f"/manage/messages/{second}/decide?then=end"
    decided = organiser.post(last, data={"action": "reject", "next": "/manage/messages/"})
    assert decided.headers["Location"].endswith("/manage/messages/#decided")
    make_message(case.id, body="m2")  # the page is not empty afterwards
    html = organiser.get("/manage/messages/").get_data(as_text=True)
    assert html.index('id="message-') < html.index('id="decided"')
    assert "“m1” from a supporter: Rejected." in html.split('id="decided">', 1)[1]


def test_a_decision_in_russian_returns_to_the_same_russian_page(
    organiser: FlaskClient, make_case: Callable[..., Case], make_message: Callable[..., int]
) -> None:
    """The page's address came back without its /ru prefix: the queue reopened in English,
    unfiltered, at the top."""
    case = make_case()
    first, second = (make_message(case.id, body=f"m{i}") for i in range(2))
    page = organiser.get(f"/ru/manage/messages/?case={case.id}").get_data(as_text=True)
    back = f"/ru/manage/messages/?case={case.id}"
    assert f'name="next" value="{back}"' in page
    decided = organiser.post(
        f"/ru/manage/messages/{first}/decide?then={second}",
        data={"action": "reject", "next": back},
    )
    assert decided.headers["Location"].endswith(f"{back}#decided")


def test_the_staff_case_page_counts_its_messages_and_leads_to_them(
    staff_client: Callable[..., FlaskClient],
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
) -> None:
    case = make_case()
    other = make_case()
    for body in ("one", "two"):
        make_message(case.id, body=body)
    make_message(case.id, body="approved", state=MessageState.PUBLISHED)
    make_message(
        case.id,
        body="delivered",
        state=MessageState.PUBLISHED,
        delivered_on=datetime(2010, 5, 1).date(),
    )
    make_message(other.id, body="elsewhere")
    organiser = staff_client(Role.ORGANISER)
    assert (
        organiser.post("/manage/messages/packs/new", data={"case_id": case.id}).status_code == 302
    )
    make_message(case.id, body="approved later", state=MessageState.PUBLISHED)
    page = organiser.get(f"/manage/cases/{case.id}").get_data(as_text=True)
    counts = " ".join(page.split('class="case-messages">', 1)[1].split("</p>", 1)[0].split())
    assert f'<a href="/manage/messages/?case={case.id}">2 waiting for review</a>' in counts
    assert (
        f'<a href="/manage/messages/?case={case.id}&amp;state=published">3 approved</a>' in counts
    )
    assert "1 delivered · 1 in a pack not delivered yet" in counts
    assert '<a href="/manage/messages/packs">Delivery packs</a>' in counts
    seen = staff_client(Role.ACTIVIST).get(f"/manage/cases/{case.id}").get_data(as_text=True)
    assert "2 waiting for review" in seen
    assert "/manage/messages/" not in seen  # activists do not moderate


def _link(html: str, pattern: str) -> str:
    import re
    from html import unescape

    found = re.search(pattern, html)
    assert found, pattern
    return unescape(found.group(1))


@pytest.mark.parametrize("prefix", ["", "/ru"])
def test_a_safety_edit_returns_to_the_queue_page_it_came_from_at_the_message(
    monkeypatch: pytest.MonkeyPatch,
    app: Flask,
    organiser: FlaskClient,
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
    prefix: str,
) -> None:
    """From page 2 of the English messages, a safety edit led to every state of the case, on
    its first page: the filter, the page and the message were lost."""
    from urllib.parse import parse_qs, urlsplit

    from campaign.messages import queries

    monkeypatch.setattr(queries, "QUEUE_PAGE_SIZE", 2)
    case = make_case()
    start = datetime(2026, 12, 5, 9, tzinfo=UTC)
    ids = [
        make_message(
            case.id, body=f"english {i}", language="en", created_at=start + timedelta(minutes=i)
        )
        for i in range(4)
    ]
    make_message(case.id, body="deutsch", language="de")
    first = organiser.get(f"{prefix}/manage/messages/?language=en").get_data(as_text=True)
    second_url = _link(first, rf'<a href="({prefix}/manage/messages/\?[^"]*after=[^"]+)">')
    second = organiser.get(second_url).get_data(as_text=True)
    assert _bodies(second) == ["english 2", "english 3"]
    edit_url = _link(second, rf'href="({prefix}/manage/messages/{ids[2]}/edit\?next=[^"]+)"')
    assert parse_qs(urlsplit(edit_url).query)["next"] == [second_url]

    form = organiser.get(edit_url).get_data(as_text=True)
    assert _link(form, r'name="next" value="([^"]+)"') == second_url
    assert _link(form, r'<a href="([^"]+)">[^<]+</a></p>\s*</form>') == (
        f"{second_url}#message-{ids[2]}"
    )  # Cancel
    edit = f"{prefix}/manage/messages/{ids[2]}/edit"
    saved = organiser.post(edit, data={"body": "english, edited", "next": second_url})
    assert saved.headers["Location"] == f"{second_url}#message-{ids[2]}"
    assert fetch(app, Message, ids[2]).body == "english, edited"
    back = organiser.get(second_url).get_data(as_text=True)
    assert _bodies(back) == ["english, edited", "english 3"]

    unchanged = organiser.post(edit, data={"body": "english, edited", "next": second_url})
    assert unchanged.headers["Location"] == f"{second_url}#message-{ids[2]}"
    said = organiser.get(second_url).get_data(as_text=True)
    assert ("Ничего не изменилось." if prefix else "Nothing changed.") in said


def test_a_safety_edit_returns_to_no_page_but_the_queue(
    organiser: FlaskClient, make_case: Callable[..., Case], make_message: Callable[..., int]
) -> None:
    case = make_case()
    message_id = make_message(case.id)
    own = f"/manage/messages/?state=all&case={case.id}#message-{message_id}"
    for evil in ("https://evil.example/", "//evil.example/manage/messages/", "/manage/users/", ""):
        page = organiser.get(f"/manage/messages/{message_id}/edit", query_string={"next": evil})
        assert 'name="next" value="/manage/messages/?state=all&amp;case=' in page.get_data(
            as_text=True
        )
        saved = organiser.post(
            f"/manage/messages/{message_id}/edit", data={"body": f"edited {evil}", "next": evil}
        )
        assert saved.headers["Location"] == own


def _many_messages(app: Flask, case_id: int, count: int, **values: Any) -> None:
    """*count* messages of a case in one statement (a verdict day's, without 1,000 commits)."""
    with app.app_context():
        db.session.execute(
            sa.insert(Message),
            [
                {"case_id": case_id, "body": f"Solidarity {i}", "key": f"many-{case_id}-{i}"}
                | values
                for i in range(count)
            ],
        )
        db.session.commit()


def test_the_staff_home_and_the_queue_write_counts_as_the_readers_language_does(
    app: Flask, organiser: FlaskClient, make_case: Callable[..., Case]
) -> None:
    """A verdict day's staff home said "1200 messages waiting for a decision" in every
    language; Russian and Kazakh readers write 1 200."""
    case = make_case(person_name="Ainur Kurmanov")
    _many_messages(app, case.id, 1200, client_hash="same-connection")
    home = " ".join(organiser.get("/manage/").get_data(as_text=True).split())
    assert '<span class="dashboard-count">1,200 waiting</span>' in home
    assert '<span class="moderation-total-number">1,200</span>' in home
    assert "Ainur Kurmanov</a>: 1,200 messages waiting" in home
    # Not str.split: it takes the no-break space of "1 200" for a space too.
    russian = re.sub(r"[ \n]+", " ", organiser.get("/ru/manage/").get_data(as_text=True))
    assert '<span class="moderation-total-number">1\xa0200</span>' in russian
    assert "1\xa0200 сообщений ожидают" in russian
    queue = organiser.get("/manage/messages/").get_data(as_text=True)
    assert "1,200 messages from this connection that day" in queue
    assert "1200" not in re.sub(r"<[^>]+>", " ", home + queue)


def test_the_staff_counts_do_without_the_kept_reach_of_a_case(
    app: Flask, make_case: Callable[..., Case], make_message: Callable[..., int]
) -> None:
    """The approved count reads the case's kept reach for the messages on the site; a case
    whose reach was never counted (or was deleted) is counted from its messages."""
    from campaign.messages.queries import case_messages
    from campaign.models import CaseReach

    case = make_case()
    make_message(case.id, body="public", state=MessageState.PUBLISHED, consent_to_publish=True)
    make_message(case.id, body="private", state=MessageState.PUBLISHED, consent_to_publish=False)
    with app.app_context():
        assert case_messages(case.id).approved == 2
        db.session.execute(sa.delete(CaseReach))
        db.session.commit()
        assert case_messages(case.id).approved == 2
