"""Delivery packs: published messages printed for a case, then marked delivered with a date."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, render_template_string
from flask.testing import FlaskClient

from campaign.extensions import db
from campaign.messages import delivery, services
from campaign.models import Case, DeliveryMethod, DeliveryPack, Message, MessageState, Role
from tests.conftest import audit_entries, fetch


@pytest.fixture
def organiser(staff_client: Callable[..., FlaskClient]) -> FlaskClient:
    return staff_client(Role.ORGANISER)


@pytest.fixture
def case(make_case: Callable[..., Case]) -> Case:
    return make_case(
        person_name="Ainur Kurmanov",
        detention_place="Special detention centre, Almaty",
        detention_address="ul. Example 1\nAlmaty 050000\nKazakhstan",
    )


def build(organiser: FlaskClient, case: Case) -> int:
    response = organiser.post("/manage/messages/packs/new", data={"case_id": case.id})
    assert response.status_code == 302
    match = re.search(r"/packs/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def backdate(
    app: Flask, pack_id: int, when: datetime = datetime(2010, 5, 11, 18, tzinfo=UTC)
) -> None:
    """Date the pack's creation back, as if it had been built in 2010."""
    with app.app_context():
        pack = db.session.get(DeliveryPack, pack_id)
        assert pack is not None
        pack.created_at = when
        db.session.commit()


def deliver(organiser: FlaskClient, pack_id: int, **data: str) -> Any:
    fields = {"method": "post", "delivered_on": date.today().isoformat(), "note": ""}
    return organiser.post(f"/manage/messages/packs/{pack_id}/delivered", data={**fields, **data})


def test_a_pack_holds_the_published_undelivered_messages_laid_out_for_printing(
    app: Flask, organiser: FlaskClient, case: Case, make_message: Callable[..., int]
) -> None:
    published = MessageState.PUBLISHED
    first = make_message(case.id, body="First from Vienna", state=published, country="AT")
    second = make_message(case.id, body="Second from Moscow", state=published, country="RU")
    make_message(case.id, body="Still pending")
    make_message(case.id, body="Spam text", state=MessageState.SPAM)
    make_message(case.id, body="Delivered before", state=published, delivered_on=date(2010, 5, 1))
    pack_id = build(organiser, case)
    html = organiser.get(f"/manage/messages/packs/{pack_id}").get_data(as_text=True)
    assert "Ainur Kurmanov" in html
    assert "ul. Example 1" in html  # the address for letters on the cover
    assert "First from Vienna" in html
    assert "Second from Moscow" in html
    for absent in ("Still pending", "Spam text", "Delivered before"):
        assert absent not in html
    assert html.count('class="pack-message"') == 2
    assert html.index("First from Vienna") < html.index("Second from Moscow")
    assert fetch(app, Message, first).delivery_pack_id == pack_id
    assert fetch(app, Message, second).delivery_pack_id == pack_id


def test_marking_a_pack_delivered_dates_its_messages_and_the_case_page_counts_them(
    app: Flask, organiser: FlaskClient, case: Case, make_message: Callable[..., int]
) -> None:
    ids = [make_message(case.id, body=f"m{i}", state=MessageState.PUBLISHED) for i in range(3)]
    pack_id = build(organiser, case)
    backdate(app, pack_id)
    response = organiser.post(
        f"/manage/messages/packs/{pack_id}/delivered",
        data={"method": "lawyer", "delivered_on": "2010-05-12", "note": "Handed over at release"},
    )
    assert response.status_code == 302
    assert all(fetch(app, Message, i).delivered_on == date(2010, 5, 12) for i in ids)
    with app.app_context():
        pack = db.session.get(DeliveryPack, pack_id)
        assert pack is not None
        assert pack.method == DeliveryMethod.LAWYER
        with app.test_request_context():
            html = render_template_string(
                '{% include "messages/_case_panel.html" %}', case=db.session.get(Case, case.id)
            )
    assert "3 messages delivered" in html
    page = organiser.get(f"/manage/messages/packs/{pack_id}").get_data(as_text=True)
    assert "Delivered on 12 May 2010" in page
    # Nothing is left for a new pack.
    again = organiser.post("/manage/messages/packs/new", data={"case_id": case.id})
    assert again.headers["Location"].endswith("/manage/messages/packs")


def test_a_delivery_needs_a_date_and_a_known_method(
    app: Flask, organiser: FlaskClient, case: Case, make_message: Callable[..., int]
) -> None:
    message_id = make_message(case.id, state=MessageState.PUBLISHED)
    pack_id = build(organiser, case)
    bad = organiser.post(
        f"/manage/messages/packs/{pack_id}/delivered", data={"method": "pigeon", "delivered_on": ""}
    )
    assert bad.status_code == 400
    assert "Give the date of delivery" in bad.get_data(as_text=True)
    assert fetch(app, Message, message_id).delivered_on is None


def test_a_message_withdrawn_or_unpublished_leaves_an_open_pack(
    app: Flask,
    organiser: FlaskClient,
    client: FlaskClient,
    case: Case,
    make_message: Callable[..., int],
) -> None:
    kept = make_message(case.id, body="kept", state=MessageState.PUBLISHED)
    rejected = make_message(case.id, body="changed my mind", state=MessageState.PUBLISHED)
    pack_id = build(organiser, case)
    organiser.post(f"/manage/messages/{rejected}/decide", data={"action": "reject"})
    organiser.get("/manage/messages/")  # shows (and so clears) the decision's notice
    assert fetch(app, Message, rejected).delivery_pack_id is None
    html = organiser.get(f"/manage/messages/packs/{pack_id}").get_data(as_text=True)
    assert "changed my mind" not in html
    assert "kept" in html
    assert fetch(app, Message, kept).delivery_pack_id == pack_id


def test_the_packs_page_lists_cases_with_messages_ready(
    organiser: FlaskClient, case: Case, make_message: Callable[..., int]
) -> None:
    make_message(case.id, state=MessageState.PUBLISHED)
    make_message(case.id, state=MessageState.PUBLISHED)
    html = organiser.get("/manage/messages/packs").get_data(as_text=True)
    assert "Ainur Kurmanov: 2 approved messages not yet delivered" in " ".join(html.split())


def test_build_pack_does_nothing_without_ready_messages(app_ctx: Flask, case: Case) -> None:
    loaded = db.session.get(Case, case.id)
    assert loaded is not None
    with pytest.raises(services.NothingToDeliver):
        services.build_pack(loaded, None, size=500)
    assert db.session.scalar(sa.select(sa.func.count(DeliveryPack.id))) == 0


def test_mark_delivered_skips_messages_withdrawn_after_packing(app_ctx: Flask, case: Case) -> None:
    loaded = db.session.get(Case, case.id)
    assert loaded is not None
    messages = [
        Message(case_id=case.id, body=str(i), state=MessageState.PUBLISHED) for i in range(2)
    ]
    db.session.add_all(messages)
    db.session.flush()
    pack = services.build_pack(loaded, None, size=500).pack
    messages[1].state = MessageState.WITHDRAWN
    done = services.mark_delivered(pack, DeliveryMethod.VISIT, date(2010, 5, 12), None)
    assert done == services.Delivery(delivered=1, changed=True)
    assert messages[0].delivered_on == date(2010, 5, 12)
    assert messages[1].delivered_on is None


def test_a_delivery_cannot_be_dated_in_the_future(
    app: Flask, organiser: FlaskClient, case: Case, make_message: Callable[..., int]
) -> None:
    message_id = make_message(case.id, state=MessageState.PUBLISHED)
    pack_id = build(organiser, case)
    page = organiser.get(f"/manage/messages/packs/{pack_id}").get_data(as_text=True)
    assert f'max="{delivery.latest_delivery_date().isoformat()}"' in page
    future = (date.today() + timedelta(days=2)).isoformat()
    refused = deliver(organiser, pack_id, delivered_on=future)
    assert refused.status_code == 400
    assert "cannot be dated in the future" in refused.get_data(as_text=True)
    assert fetch(app, DeliveryPack, pack_id).delivered_on is None
    assert fetch(app, Message, message_id).delivered_on is None
    assert deliver(organiser, pack_id).status_code == 302  # today is fine
    assert fetch(app, Message, message_id).delivered_on == date.today()


def test_a_delivery_cannot_be_dated_long_before_the_pack_was_built(
    app: Flask, organiser: FlaskClient, case: Case, make_message: Callable[..., int]
) -> None:
    make_message(case.id, state=MessageState.PUBLISHED)
    pack_id = build(organiser, case)
    backdate(app, pack_id, datetime(2011, 3, 1, 12, tzinfo=UTC))
    refused = deliver(organiser, pack_id, delivered_on="2010-02-28")
    assert refused.status_code == 400
    assert "more than a year before the pack was built" in refused.get_data(as_text=True)
    assert fetch(app, DeliveryPack, pack_id).delivered_on is None
    assert deliver(organiser, pack_id, delivered_on="2010-03-01").status_code == 302


def test_the_earliest_date_handles_a_pack_built_on_29_february(app_ctx: Flask) -> None:
    pack = DeliveryPack(created_at=datetime(2012, 2, 29, tzinfo=UTC))
    assert delivery.earliest_delivery_date(pack) == date(2011, 2, 28)
    assert delivery.latest_delivery_date(datetime(2026, 1, 1, 9, tzinfo=UTC)) == date(2026, 1, 1)
    assert delivery.latest_delivery_date(datetime(2026, 1, 1, 11, tzinfo=UTC)) == date(2026, 1, 2)


def test_an_organiser_corrects_a_delivered_pack_with_an_audit_entry(
    app: Flask, organiser: FlaskClient, case: Case, make_message: Callable[..., int]
) -> None:
    ids = [make_message(case.id, body=f"m{i}", state=MessageState.PUBLISHED) for i in range(2)]
    pack_id = build(organiser, case)
    backdate(app, pack_id)
    assert deliver(organiser, pack_id, delivered_on="2010-05-12").status_code == 302
    page = organiser.get(f"/manage/messages/packs/{pack_id}").get_data(as_text=True)
    assert "Correct the delivery" in page
    assert 'value="2010-05-12"' in page
    corrected = deliver(organiser, pack_id, method="lawyer", delivered_on="2010-05-14")
    assert corrected.status_code == 302
    pack = fetch(app, DeliveryPack, pack_id)
    assert pack.method == DeliveryMethod.LAWYER
    assert pack.delivered_on == date(2010, 5, 14)
    assert all(fetch(app, Message, i).delivered_on == date(2010, 5, 14) for i in ids)
    *_, first, last = audit_entries(app, "deliverypack", pack_id)
    assert first.changes["delivered_on"] == [None, "2010-05-12"]  # not emptied by an autoflush
    assert last.changes["delivered_on"] == ["2010-05-12", "2010-05-14"]
    assert last.changes["method"] == ["post", "lawyer"]
    followed = organiser.get(f"/manage/messages/packs/{pack_id}").get_data(as_text=True)
    assert "The delivery record was corrected." in followed
    refused = deliver(
        organiser, pack_id, delivered_on=(date.today() + timedelta(days=2)).isoformat()
    )
    assert refused.status_code == 400
    assert fetch(app, DeliveryPack, pack_id).delivered_on == date(2010, 5, 14)


def test_a_pack_marked_delivered_by_mistake_can_be_marked_not_delivered(
    app: Flask, organiser: FlaskClient, case: Case, make_message: Callable[..., int]
) -> None:
    kept = make_message(case.id, body="kept", state=MessageState.PUBLISHED)
    later_rejected = make_message(case.id, body="rejected later", state=MessageState.PUBLISHED)
    pack_id = build(organiser, case)
    assert deliver(organiser, pack_id, method="visit").status_code == 302
    organiser.post(f"/manage/messages/{later_rejected}/decide", data={"action": "reject"})
    assert fetch(app, Message, later_rejected).delivery_pack_id == pack_id  # delivered: stays
    response = organiser.post(f"/manage/messages/packs/{pack_id}/not-delivered")
    assert response.status_code == 302
    pack = fetch(app, DeliveryPack, pack_id)
    assert pack.delivered_on is None
    assert pack.method is None
    assert fetch(app, Message, kept).delivered_on is None
    assert fetch(app, Message, kept).delivery_pack_id == pack_id  # waits in the open pack
    assert fetch(app, Message, later_rejected).delivered_on is None
    assert fetch(app, Message, later_rejected).delivery_pack_id is None
    last = audit_entries(app, "deliverypack", pack_id)[-1]
    assert last.changes["delivered_on"][1] is None
    assert last.changes["method"] == ["visit", None]
    page = organiser.get(f"/manage/messages/packs/{pack_id}").get_data(as_text=True)
    assert "Mark this pack delivered" in page
    assert "1 message waits for delivery again" in page
    again = organiser.post(f"/manage/messages/packs/{pack_id}/not-delivered")
    assert again.status_code == 302
    assert "not marked delivered" in organiser.get(again.headers["Location"]).get_data(as_text=True)


def test_marking_not_delivered_needs_a_post_with_csrf(
    app: Flask, organiser: FlaskClient, case: Case, make_message: Callable[..., int]
) -> None:
    make_message(case.id, state=MessageState.PUBLISHED)
    pack_id = build(organiser, case)
    assert deliver(organiser, pack_id).status_code == 302
    not_delivered = f"/manage/messages/packs/{pack_id}/not-delivered"
    assert organiser.get(not_delivered).status_code == 405  # POST only
    app.config["WTF_CSRF_ENABLED"] = True
    assert organiser.post(not_delivered).status_code == 400
    assert fetch(app, DeliveryPack, pack_id).delivered_on == date.today()


def test_the_cover_of_a_released_persons_pack_names_no_prison(
    app: Flask, organiser: FlaskClient, make_case: Callable[..., Case], make_published_message
) -> None:
    freed = make_case(
        person_name="Yesenbek Ukteshbaev",
        status="released",
        detention_place="Special detention centre, Almaty",
        detention_address="ul. Example 1",
    )
    make_published_message(freed.id)
    html = organiser.get(f"/manage/messages/packs/{build(organiser, freed)}").get_data(as_text=True)
    assert "Special detention centre" not in html
    assert "ul. Example 1" not in html
    assert "is no longer held" in html


def test_a_verdict_days_messages_make_several_packs_of_the_set_size_oldest_first(
    app: Flask, organiser: FlaskClient, case: Case, make_message: Callable[..., int]
) -> None:
    app.config["DELIVERY_PACK_SIZE"] = 2
    start = datetime(2010, 5, 1, 12, tzinfo=UTC)
    ids = [
        make_message(
            case.id, body=f"m{i}", state=MessageState.PUBLISHED, created_at=start + timedelta(i)
        )
        for i in (3, 0, 4, 1, 2)
    ]
    oldest, second, third = ids[1], ids[3], ids[4]
    response = organiser.post("/manage/messages/packs/new", data={"case_id": case.id})
    first_pack = int(response.headers["Location"].rsplit("/", 1)[1])
    page = organiser.get(response.headers["Location"]).get_data(as_text=True)
    assert "the 2 oldest messages. 3 more wait for the next pack" in page
    assert page.count('class="pack-message"') == 2
    assert {fetch(app, Message, i).delivery_pack_id for i in (oldest, second)} == {first_pack}
    assert fetch(app, Message, third).delivery_pack_id is None

    overview = organiser.get("/manage/messages/packs").get_data(as_text=True)
    assert "3 approved messages not yet delivered" in overview
    build(organiser, case)
    last = build(organiser, case)
    assert "The pack is ready to print." in organiser.get(
        f"/manage/messages/packs/{last}"
    ).get_data(as_text=True)
    assert fetch(app, Message, ids[2]).delivery_pack_id == last  # the newest, alone
    assert "Every approved message is already in a pack." in organiser.get(
        "/manage/messages/packs"
    ).get_data(as_text=True)


def test_a_pack_is_one_history_entry_when_built_delivered_and_taken_back(
    app: Flask, organiser: FlaskClient, case: Case, make_message: Callable[..., int]
) -> None:
    """Hundreds of messages packed and delivered are told once, by the pack, not by each."""
    ids = [make_message(case.id, body=f"m{i}", state=MessageState.PUBLISHED) for i in range(3)]
    before = sum(len(audit_entries(app, "message", i)) for i in ids)
    pack_id = build(organiser, case)
    assert deliver(organiser, pack_id).status_code == 302
    assert organiser.post(f"/manage/messages/packs/{pack_id}/not-delivered").status_code == 302
    assert sum(len(audit_entries(app, "message", i)) for i in ids) == before
    created, built, delivered, undone = audit_entries(app, "deliverypack", pack_id)
    assert created.action == "create"
    assert built.changes == {"messages": [None, 3]}
    assert delivered.changes["messages_delivered"] == [None, 3]
    assert delivered.changes["delivered_on"][1] == date.today().isoformat()
    assert undone.changes["messages_delivered"] == [3, None]
    history = organiser.get(f"/manage/history/packs/{pack_id}").get_data(as_text=True)
    assert "Messages in the pack" in history
    assert "Messages delivered" in history
    overview = organiser.get("/manage/messages/packs").get_data(as_text=True)
    assert re.search(r"Messages: </span>3</td>", overview)


def test_a_second_build_at_the_same_moment_takes_nothing_the_first_took(
    app_ctx: Flask, case: Case
) -> None:
    """A double click on "Build a pack": the second read the same messages as ready."""
    loaded = db.session.get(Case, case.id)
    assert loaded is not None
    db.session.add_all(
        Message(case_id=case.id, body=str(i), state=MessageState.PUBLISHED) for i in range(3)
    )
    db.session.flush()
    seen_ready = delivery.ready_ids(case.id, 500)
    first = services.build_pack(loaded, None, size=500)
    assert first.packed == 3
    late = DeliveryPack(case=loaded)
    db.session.add(late)
    db.session.flush()
    assert delivery.pack_ids(late, seen_ready) == 0
    assert {m.delivery_pack_id for m in db.session.scalars(sa.select(Message))} == {first.pack.id}
    with pytest.raises(services.NothingToDeliver):
        services.build_pack(loaded, None, size=500)


def test_the_packs_come_first_each_with_its_number_then_the_cases_ready_for_one(
    app: Flask,
    organiser: FlaskClient,
    case: Case,
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
) -> None:
    """A verdict day: a case's messages make several packs of one day and one size, and some
    two hundred cases have messages ready; the packs were below every "Build a pack" row, and
    one pack could not be told from another."""
    app.config["DELIVERY_PACK_SIZE"] = 2
    for i in range(5):
        make_message(case.id, body=f"m{i}", state=MessageState.PUBLISHED)
    other = make_case(person_name="Yesenbek Ukteshbaev")
    make_message(other.id, state=MessageState.PUBLISHED)
    first, second = build(organiser, case), build(organiser, case)
    assert deliver(organiser, first).status_code == 302
    page = " ".join(organiser.get("/manage/messages/packs").get_data(as_text=True).split())
    packs = page.index("<h2>Packs</h2>")
    ready = page.index('<h2 id="ready">Ready for a new pack</h2>')
    assert packs < ready
    table = page[packs:ready]
    # Undelivered first, each named by its number, as the history names it.
    assert table.index(f">Pack #{second}</a>") < table.index(f">Pack #{first}</a>")
    assert f'<a href="/manage/messages/packs/{second}">Pack #{second}</a>' in table
    assert "Ainur Kurmanov: 1 approved message not yet delivered" in page[ready:]
    assert "Yesenbek Ukteshbaev: 1 approved message not yet delivered" in page[ready:]
    assert 'href="#ready"' in page

    html = organiser.get(f"/manage/messages/packs/{second}").get_data(as_text=True)
    assert f"<title>Pack #{second}: messages for Ainur Kurmanov" in html
    heading = html.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert heading.startswith("Ainur Kurmanov")
    assert f'class="pack-number pack-screen-only"> Pack #{second}</span>' in heading
    russian = organiser.get(f"/ru/manage/messages/packs/{second}").get_data(as_text=True)
    assert f"№ {second}" in russian.split("<h1>", 1)[1].split("</h1>", 1)[0]


def test_delivered_packs_come_a_page_at_a_time_under_those_still_to_deliver(
    app: Flask,
    organiser: FlaskClient,
    case: Case,
    make_message: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Years of packs: the page lists every pack still to deliver, then the delivered ones a
    page at a time, newest first, each "Build a pack" button named by its case."""
    from campaign.messages import queries

    monkeypatch.setattr(queries, "DELIVERED_PACKS_PAGE", 2)
    app.config["DELIVERY_PACK_SIZE"] = 1
    for i in range(6):
        make_message(case.id, body=f"m{i}", state=MessageState.PUBLISHED)
    packs = [build(organiser, case) for _ in range(5)]
    for number, pack_id in enumerate(packs[:4]):
        backdate(app, pack_id, datetime(2010, 5, 1 + number, 18, tzinfo=UTC))
        assert deliver(organiser, pack_id, delivered_on="2010-06-01").status_code == 302

    def listed(path: str) -> tuple[list[int], str]:
        page = organiser.get(path).get_data(as_text=True)
        return [int(n) for n in re.findall(r'href="/manage/messages/packs/(\d+)"', page)], page

    first, page = listed("/manage/messages/packs")
    assert first == [packs[4], packs[3], packs[2]]  # to deliver, then the newest delivered
    assert 'href="/manage/messages/packs?page=2">Older delivered packs</a>' in page
    assert "Newer delivered packs" not in page
    assert 'Build a pack<span class="visually-hidden">: Ainur Kurmanov</span>' in page
    second, page = listed("/manage/messages/packs?page=2")
    assert second == [packs[4], packs[1], packs[0]]
    assert 'href="/manage/messages/packs">Newer delivered packs</a>' in page
    assert "Older delivered packs" not in page
    beyond, page = listed("/manage/messages/packs?page=9")
    assert beyond == [packs[4]]
    assert "No delivered packs on this page." in page
    assert listed("/manage/messages/packs?page=nine")[0] == first  # not a page: the first


def test_the_pack_page_links_to_its_history_and_keeps_the_note_after_an_undone_delivery(
    app: Flask, organiser: FlaskClient, case: Case, make_message: Callable[..., int]
) -> None:
    """The note survived "Mark as not delivered", but the next "Mark delivered" form started
    blank and, sent, erased it."""
    make_message(case.id, state=MessageState.PUBLISHED)
    pack_id = build(organiser, case)
    history = f'<a href="/manage/history/packs/{pack_id}">History of this pack</a>'
    assert history in organiser.get(f"/manage/messages/packs/{pack_id}").get_data(as_text=True)
    note = "Handed to the lawyer, receipt 17"
    assert deliver(organiser, pack_id, method="lawyer", note=note).status_code == 302
    delivered = " ".join(
        organiser.get(f"/manage/messages/packs/{pack_id}").get_data(as_text=True).split()
    )
    assert f"The change is kept in the history. {history}" in delivered
    assert organiser.get(f"/manage/history/packs/{pack_id}").status_code == 200

    organiser.post(f"/manage/messages/packs/{pack_id}/not-delivered")
    assert fetch(app, DeliveryPack, pack_id).note == note
    page = organiser.get(f"/manage/messages/packs/{pack_id}").get_data(as_text=True)
    assert "Mark this pack delivered" in page
    assert re.search(r"<textarea[^>]*>\s*" + re.escape(note) + r"</textarea>", page)
    assert history in page


def test_the_packs_counts_are_written_as_the_readers_language_does(
    app: Flask, organiser: FlaskClient, case: Case
) -> None:
    """A verdict day's packs page said "1200 approved messages not yet delivered"."""
    app.config["DELIVERY_PACK_SIZE"] = 1100
    with app.app_context():
        db.session.execute(
            sa.insert(Message),
            [
                {
                    "case_id": case.id,
                    "body": f"Solidarity {i}",
                    "key": f"many-{i}",
                    "state": MessageState.PUBLISHED,
                }
                for i in range(2300)
            ],
        )
        db.session.commit()
    pack_id = build(organiser, case)
    html = organiser.get(f"/manage/messages/packs/{pack_id}").get_data(as_text=True)
    assert "the 1,100 oldest messages. 1,200 more wait for the next pack" in html
    assert '<p class="pack-count">1,100 messages</p>' in html
    overview = " ".join(organiser.get("/manage/messages/packs").get_data(as_text=True).split())
    assert "Ainur Kurmanov: 1,200 approved messages not yet delivered" in overview
    assert "Messages: </span>1,100</td>" in overview
    russian = organiser.get("/ru/manage/messages/packs").get_data(as_text=True)
    assert "1\xa0200 одобренных сообщений" in russian
    delivered = deliver(organiser, pack_id)
    said = organiser.get(delivered.headers["Location"]).get_data(as_text=True)
    assert "1,100 messages marked delivered." in said
    undone = organiser.post(f"/manage/messages/packs/{pack_id}/not-delivered")
    said = organiser.get(undone.headers["Location"]).get_data(as_text=True)
    assert "its 1,100 messages wait for delivery again." in said
