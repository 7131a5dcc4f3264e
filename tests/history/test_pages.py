"""The audit trail pages: who changed what and when, read-only, for organisers."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import Flask

from campaign.extensions import db
from campaign.models import (
    AuditAction,
    AuditEntry,
    CaseStatus,
    DeliveryPack,
    Event,
    MessageState,
    Role,
)
from tests.conftest import event_form, fetch


def test_the_case_history_shows_who_changed_which_field_from_what_to_what(
    app: Flask, staff_client, make_case
):
    client = staff_client(Role.ORGANISER, display_name="Olga Organiser")
    client.post(
        "/manage/cases/new",
        data={"person_name": "Ainur Kurmanov", "status": "detained", "city": "Almaty"},
    )
    page = client.get("/manage/cases/").get_data(as_text=True)
    assert "Ainur Kurmanov" in page
    from campaign.extensions import db
    from campaign.models import Case

    with app.app_context():
        case = db.session.scalars(sa.select(Case)).one()
        case_id, version = case.id, case.version
    client.post(
        f"/manage/cases/{case_id}/edit",
        data={
            "person_name": "Ainur Kurmanov",
            "slug": "ainur-kurmanov",
            "status": "detained",
            "city": "Astana",
            "version": str(version),
        },
    )
    html = client.get(f"/manage/history/cases/{case_id}").get_data(as_text=True)
    assert "Olga Organiser" in html
    assert "Created" in html
    assert "Changed" in html
    at = html.find('<th scope="row">City</th>')  # the field as its form labels it
    assert at > 0
    row = html[at:]
    assert "Almaty" in row[:200]
    assert "Astana" in row[:200]


def test_the_event_history_lists_its_changes(app: Flask, staff_client, make_case, make_event):
    case = make_case()
    event = make_event([case.id], title="Vienna picket")
    client = staff_client(Role.ORGANISER)
    client.post(f"/manage/events/{event.id}/verify")
    html = client.get(f"/manage/history/events/{event.id}").get_data(as_text=True)
    assert "History of Vienna picket" in html
    assert '<th scope="row">Verification</th>' in html
    assert "Verified" in html


def test_the_full_history_filters_by_kind(staff_client, make_case, make_event):
    case = make_case()
    event = make_event([case.id], title="Vienna picket")
    client = staff_client(Role.ORGANISER)
    client.post(f"/manage/events/{event.id}/verify")
    client.post(f"/manage/cases/{case.id}/unpublish")
    everything = client.get("/manage/history/").get_data(as_text=True)
    assert "Vienna picket" in everything
    assert case.person_name in everything
    cases_only = client.get("/manage/history/?kind=case").get_data(as_text=True)
    assert "Vienna picket" not in cases_only
    assert case.person_name in cases_only


def test_missing_objects_have_no_history_page(staff_client):
    client = staff_client(Role.ORGANISER)
    assert client.get("/manage/history/cases/999").status_code == 404
    assert client.get("/manage/history/events/999").status_code == 404


@pytest.mark.parametrize("url", ["/manage/history/", "/manage/history/cases/1"])
def test_activists_do_not_see_the_history(staff_client, make_case, url):
    make_case()
    assert staff_client(Role.ACTIVIST).get(url).status_code == 403


def test_nothing_in_the_trail_can_be_edited_from_the_app(app: Flask):
    audit_rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("history.")]
    assert audit_rules
    for rule in audit_rules:
        assert (rule.methods or set()) <= {"GET", "HEAD", "OPTIONS"}, rule


def test_a_case_history_still_lists_its_deleted_events(staff_client, make_case, make_event):
    case = make_case()
    other = make_case()
    event = make_event([case.id], title="Mistaken picket")
    make_event([other.id], title="Unrelated")
    client = staff_client(Role.ORGANISER)
    client.post(f"/manage/events/{event.id}/delete")
    html = client.get(f"/manage/history/cases/{case.id}").get_data(as_text=True)
    assert "Deleted events" in html
    assert "Mistaken picket" in html
    assert f'href="/manage/history/events/{event.id}"' in html
    assert "Mistaken picket" not in client.get(f"/manage/history/cases/{other.id}").get_data(
        as_text=True
    )


def test_a_long_case_history_lists_its_events_histories_a_page_at_a_time(
    app: Flask, staff_client, make_case
):
    """A case of thousands of events has a history page a person can read and the server can
    afford: fifty event links a page, the latest first, the case's own changes on the first."""
    from tests.conftest import add_long_history

    case = make_case(person_name="Long Case")
    with app.app_context():
        add_long_history(case.id, events=60, messages=0)
        ids = {
            title: event_id
            for event_id, title in db.session.execute(sa.select(Event.id, Event.title))
        }
    client = staff_client(Role.ORGANISER)
    first = client.get(f"/manage/history/cases/{case.id}").get_data(as_text=True)
    linked = re.findall(r'href="/manage/history/events/(\d+)"', first)
    assert linked == [str(ids[f"Event {i}"]) for i in range(59, 9, -1)]
    assert "Events 1\u201350 of 60, the latest first." in first
    assert "Created" in first  # the case's own entry
    assert f'href="/manage/history/cases/{case.id}?page=2">Older</a>' in first

    second = client.get(f"/manage/history/cases/{case.id}?page=2").get_data(as_text=True)
    linked = re.findall(r'href="/manage/history/events/(\d+)"', second)
    assert linked == [str(ids[f"Event {i}"]) for i in range(9, -1, -1)]
    assert f'href="/manage/history/cases/{case.id}?page=1">Newer</a>' in second
    assert f'href="/manage/history/cases/{case.id}?page=1">The case' in second
    assert 'class="audit-list"' not in second
    # A page past the end is empty, not an error.
    assert client.get(f"/manage/history/cases/{case.id}?page=9").status_code == 200


def test_history_values_read_as_people_write_them(app: Flask, staff_client, make_case, make_event):
    """Labels, Yes/No, vocabulary labels, country names, dates and names instead of ids."""
    case = make_case(status=CaseStatus.SENTENCED)
    client = staff_client(Role.ORGANISER, display_name="Olga Organiser")
    data = event_form([case.id], type="hunger_strike_start", title="Hunger strike")
    data["organisations-0"] = "CWI Russia"
    client.post("/manage/events/new", data=data)
    with app.app_context():
        event_id = db.session.scalars(sa.select(Event.id)).one()
    client.post(f"/manage/cases/{case.id}/publish")  # published already: no entry
    client.post(f"/manage/cases/{case.id}/unpublish")
    client.post(f"/manage/events/{event_id}/verify")
    version = str(fetch(app, Event, event_id).version)
    saved = client.post(
        f"/manage/events/{event_id}/edit",
        data=data | {"venue": "OSCE building", "city": "Vienna", "version": version},
    )
    assert saved.status_code == 302
    html = client.get(f"/manage/history/events/{event_id}").get_data(as_text=True)
    assert "OSCE building, Vienna" in html
    assert "UnboundField" not in html
    assert '<th scope="row">Organisations</th>' in html
    assert "hunger_strike_start" not in html
    assert "Hunger strike started" in html or "Hunger strike" in html
    assert "4 May 2010" in html
    assert "2010-05-04" not in html
    assert "Russia" in html
    assert ">RU<" not in html
    assert "Olga Organiser" in html
    assert "Embassy of Kazakhstan, Moscow" in html
    assert re.search(r">\s*\d{4}-\d{2}-\d{2}T\d{2}", html) is None
    case_html = client.get(f"/manage/history/cases/{case.id}").get_data(as_text=True)
    assert "True" not in case_html
    assert "False" not in case_html
    assert "Yes" in case_html


def test_a_field_list_is_named_by_its_own_label(app: Flask) -> None:
    from campaign.history.labels import field_label

    with app.test_request_context():
        assert field_label("organisations") == "Organisations"
        assert field_label("sources") == "Sources"
        assert field_label("created_by_id") == "Created by"


def test_every_precision_and_approximation_is_named_for_people(app: Flask) -> None:
    """A case's history wrote "Released on precision": the release's fields have no form."""
    from campaign.history.labels import field_label
    from campaign.models import Case, Event

    names = [
        column.name
        for model in (Case, Event)
        for column in model.__table__.columns
        if column.name.endswith(("_precision", "_approximate"))
    ]
    assert "released_on_precision" in names
    with app.test_request_context():
        for name in names:
            assert field_label(name) != name.replace("_", " ").capitalize(), name
        assert field_label("released_on_precision") == "How much of the release date is known"


def test_a_deleted_event_shows_each_field_once(app: Flask, staff_client, make_case):
    case = make_case()
    client = staff_client(Role.ORGANISER)
    client.post("/manage/events/new", data=event_form([case.id]))
    with app.app_context():
        event_id = db.session.scalars(sa.select(Event.id)).one()
    client.post(f"/manage/events/{event_id}/delete")
    html = client.get(f"/manage/history/events/{event_id}").get_data(as_text=True)
    deleted = html[html.find("audit-delete") :]
    deleted = deleted[: deleted.find("</table>")]
    assert deleted.count('<th scope="row">Cases</th>') == 1
    assert deleted.count('<th scope="row">Venue</th>') == 1


def test_the_full_history_names_each_kind_for_people_and_links_to_its_own_history(
    app: Flask, staff_client, make_case, make_event, make_message
):
    case = make_case(person_name="Ainur Kurmanov")
    event = make_event([case.id], title="Vienna picket")
    make_message(case.id, state=MessageState.PUBLISHED)
    client = staff_client(Role.ORGANISER)
    client.post(f"/manage/events/{event.id}/verify")
    client.post(f"/manage/cases/{case.id}/unpublish")
    assert client.post("/manage/messages/packs/new", data={"case_id": case.id}).status_code == 302
    with app.app_context():
        pack_id = db.session.scalars(sa.select(DeliveryPack.id)).one()
    html = " ".join(client.get("/manage/history/").get_data(as_text=True).split())
    assert f'Case <a href="/manage/history/cases/{case.id}">Ainur Kurmanov</a>' in html
    assert f'Event <a href="/manage/history/events/{event.id}">Vienna picket</a>' in html
    assert "· Delivery pack " in html
    assert f"#{pack_id} for Ainur Kurmanov" in html  # the label recorded with it
    assert "deliverypack" not in html.replace('value="deliverypack"', "")
    assert re.search(r"\bcase #\d", html) is None

    assert '<option value="deliverypack">Delivery packs</option>' in html
    assert '<option value="case">Cases</option>' in html
    assert 'value="invitation"' not in html  # only the kinds the trail holds
    packs_only = client.get("/manage/history/?kind=deliverypack").get_data(as_text=True)
    assert f"#{pack_id} for Ainur Kurmanov" in packs_only
    assert "Vienna picket" not in packs_only
    assert '<option value="deliverypack" selected>' in packs_only


def test_the_kind_filter_keeps_a_known_kind_with_no_entries(staff_client, make_case):
    case = make_case()
    client = staff_client(Role.ORGANISER)
    client.post(f"/manage/cases/{case.id}/unpublish")
    html = client.get("/manage/history/?kind=invitation").get_data(as_text=True)
    assert '<option value="invitation" selected>Invitations</option>' in html
    assert "Nothing recorded yet." in html


def test_an_unknown_kind_is_still_offered_and_named(app: Flask, staff_client):
    with app.app_context():
        db.session.add(
            AuditEntry(
                actor="command line",
                action=AuditAction.CREATE,
                object_type="source",
                object_id=7,
                object_label="",
            )
        )
        db.session.commit()
    html = staff_client(Role.ORGANISER).get("/manage/history/").get_data(as_text=True)
    assert '<option value="source">Source</option>' in html
    assert "Source no. 7" in " ".join(html.split())


def test_a_case_edited_for_years_has_its_own_changes_a_page_at_a_time(
    app: Flask, staff_client, make_case
):
    """Fifty changes a page, the newest first: a case edited hundreds of times keeps a history
    page a person can read and the server can afford (it listed every change)."""
    from campaign.models import Case

    case = make_case(person_name="Edited Often")
    with app.app_context():
        for number in range(1, 61):
            db.session.get(Case, case.id).summary = f"Summary number {number}."
            db.session.commit()
    client = staff_client(Role.ORGANISER)
    first = client.get(f"/manage/history/cases/{case.id}").get_data(as_text=True)
    assert "Changes 1\u201350 of 61, the newest first." in first
    assert "Summary number 60." in first
    assert "Summary number 9." not in first
    assert first.count('class="audit-entry') == 50
    older = f'href="/manage/history/cases/{case.id}?changes=2">Older</a>'
    assert older in first
    second = client.get(f"/manage/history/cases/{case.id}?changes=2").get_data(as_text=True)
    assert second.count('class="audit-entry') == 11
    assert "Summary number 9." in second
    assert "Created" in second  # the oldest entry comes last
    assert f'href="/manage/history/cases/{case.id}?changes=1">Newer</a>' in second
    assert client.get(f"/manage/history/cases/{case.id}?changes=99").status_code == 200


def test_an_event_edited_often_has_its_changes_a_page_at_a_time(
    app: Flask, staff_client, make_case, make_event
):
    case = make_case()
    event = make_event([case.id], title="Picket 0")
    with app.app_context():
        for number in range(1, 55):
            db.session.get(Event, event.id).title = f"Picket {number}"
            db.session.commit()
    client = staff_client(Role.ORGANISER)
    first = client.get(f"/manage/history/events/{event.id}").get_data(as_text=True)
    assert first.count('class="audit-entry') == 50
    assert f'href="/manage/history/events/{event.id}?changes=2">Older</a>' in first
    second = client.get(f"/manage/history/events/{event.id}?changes=2").get_data(as_text=True)
    assert second.count('class="audit-entry') == 5


def test_a_long_text_changed_shows_the_words_taken_out_and_put_in(
    app: Flask, staff_client, make_case
):
    """One date changed in a long summary: the history marks it, so a reader finds it among
    fifty entries of whole paragraphs (QA pass)."""
    from campaign.models import Case

    start = "Arrested at a picket outside the bank, where he was reporting; "
    case = make_case(person_name="Marked", summary=start + "released on 12 May <2010>.")
    with app.app_context():
        db.session.get(Case, case.id).summary = start + "released on 14 May <2010>."
        db.session.commit()
    html = (
        staff_client(Role.ORGANISER).get(f"/manage/history/cases/{case.id}").get_data(as_text=True)
    )
    assert "<del>12</del>" in html
    assert "<ins>14</ins>" in html
    assert "&lt;2010&gt;." in html  # the texts stay escaped around the marks
    assert "<2010>" not in html


def test_text_changes_marks_long_texts_only() -> None:
    from campaign.history.labels import text_changes

    assert text_changes("Journalist", "Journalist and poet") is None  # read at a glance
    assert text_changes("2010-05-12", "2010-05-14") is None
    assert text_changes(None, "a long text " * 10) is None
    marked = text_changes("one two three " * 5, "one two four " * 5)
    assert marked is not None
    before, after = marked
    assert before.count("<del>three</del>") == 5
    assert after.count("<ins>four</ins>") == 5
    assert "<del>" not in after
