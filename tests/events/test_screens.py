"""Staff event screens: the full form, the quick picket form, verification, deletion, conflicts."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from campaign.extensions import db
from campaign.models import (
    AuditEntry,
    Case,
    CaseStatus,
    CaseStatusChange,
    Event,
    EventType,
    Organisation,
    Role,
    Source,
    Venue,
    Verification,
    Visibility,
)
from tests.conftest import event_form, loaded_of, picket_form, version_of


def only(app: Flask, model: type[Any]) -> Any:
    with app.app_context():
        obj = db.session.scalars(sa.select(model)).one()
        db.session.expunge(obj)
        return obj


def count(app: Flask, model: type[Any]) -> int:
    with app.app_context():
        return int(db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def entries(app: Flask, object_type: str) -> list[AuditEntry]:
    with app.app_context():
        found = list(
            db.session.scalars(
                sa.select(AuditEntry)
                .where(AuditEntry.object_type == object_type)
                .order_by(AuditEntry.id)
            )
        )
        db.session.expunge_all()
        return found


def test_the_full_form_saves_several_cases_organisations_and_sources(app, staff_client, make_case):
    one, two = make_case(person_name="Ainur Kurmanov"), make_case(person_name="Yesenbek U")
    client = staff_client(Role.ORGANISER)
    response = client.post("/manage/events/new", data=event_form([one.id, two.id]))
    assert response.status_code == 302
    with app.app_context():
        event = db.session.scalars(sa.select(Event)).one()
        assert sorted(c.person_name for c in event.cases) == ["Ainur Kurmanov", "Yesenbek U"]
        assert [o.name for o in event.organisations] == ["CWI Russia", "Vpered"]
        assert [(s.url, s.title) for s in event.sources] == [
            ("https://example.org/report", "Report of the picket")
        ]
        assert event.venue is not None
        assert (event.venue.name, event.venue.city) == ("Embassy of Kazakhstan", "Moscow")
        assert event.participants == 40
        assert event.created_by_id == client.user.id
        assert event.verification == Verification.REPORTED
        slugs = sorted(db.session.scalars(sa.select(Organisation.slug)))
    assert slugs == ["cwi-russia", "vpered"]
    created = entries(app, "event")[0]
    assert created.action == "create"
    assert created.changes["cases"] == [None, ["Ainur Kurmanov", "Yesenbek U"]]
    assert [e.object_label for e in entries(app, "organisation")] == ["CWI Russia", "Vpered"]


def test_names_used_before_are_reused_and_offered(app, staff_client, make_case):
    case = make_case()
    client = staff_client(Role.ORGANISER)
    client.post("/manage/events/new", data=event_form([case.id]))
    client.post(
        "/manage/events/new",
        data=event_form([case.id], **{"organisations-0": "cwi russia", "organisations-1": ""}),
    )
    assert count(app, Organisation) == 2
    assert count(app, Venue) == 1
    page = client.get("/manage/events/picket").get_data(as_text=True)
    assert '<datalist id="organisation-names">' in page
    assert '<option value="CWI Russia">' in page
    assert '<option value="Embassy of Kazakhstan, Moscow">' in page


@pytest.mark.parametrize(
    ("typed", "chosen", "stored", "precision", "approximate", "shown"),
    [
        ("15.07.2010", "day", date(2010, 7, 15), "day", "", "15 July 2010"),
        ("15/07/2010", "day", date(2010, 7, 15), "day", "", "15 July 2010"),
        ("15 июля 2010", "day", date(2010, 7, 15), "day", "", "15 July 2010"),
        # The text says only a month or a year: the precision follows it, no error.
        ("July 2010", "day", date(2010, 7, 1), "month", "", "July 2010"),
        ("2010-07", "day", date(2010, 7, 1), "month", "", "July 2010"),
        ("2010", "day", date(2010, 1, 1), "year", "", "2010"),
        # A full date saved as "Month only" keeps its month: no retyping.
        ("2010-07-15", "month", date(2010, 7, 1), "month", "", "July 2010"),
        ("2010-07-15", "year", date(2010, 1, 1), "year", "", "2010"),
        # Approximate combines with any precision.
        ("August 2010", "month", date(2010, 8, 1), "month", "y", "about August 2010"),
        ("2010", "year", date(2010, 1, 1), "year", "y", "about 2010"),
        ("27.04.2010", "day", date(2010, 4, 27), "day", "y", "about 27 April 2010"),
    ],
)
def test_dates_are_saved_as_typed_with_the_precision_the_text_allows(
    app, staff_client, make_case, typed, chosen, stored, precision, approximate, shown
):
    case = make_case()
    client = staff_client(Role.ORGANISER)
    response = client.post(
        "/manage/events/new",
        data=event_form([case.id], date=typed, date_precision=chosen, date_approximate=approximate),
        follow_redirects=True,
    )
    event = only(app, Event)
    assert (event.date, event.date_precision) == (stored, precision)
    assert event.date_approximate is bool(approximate)
    assert shown in response.get_data(as_text=True)


def test_a_month_only_date_is_stored_as_the_first_of_the_month(app, staff_client, make_case):
    case = make_case()
    client = staff_client(Role.ORGANISER)
    client.post(
        "/manage/events/new",
        data=event_form([case.id], date="2010-05", date_precision="month"),
    )
    event = only(app, Event)
    assert (event.date, event.date_precision) == (date(2010, 5, 1), "month")
    html = client.get(f"/manage/events/{event.id}/edit").get_data(as_text=True)
    assert 'value="2010-05"' in html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"date": "2010-05-04", "end_date": "2010-05-01"}, "end_date", "before the start date"),
        ({"date": ""}, "date", "This field is required"),
        ({"date": "soon"}, "date", "Enter a date such as"),
        ({"date": "31.04.2010"}, "date", "does not exist"),
        ({"country": "XX"}, "country", "Choose a country from the list"),
        ({"sources-0-url": "javascript:alert(1)"}, "sources-0-url", "http:// or https://"),
        ({"sources-0-url": "ftp://example.org/x"}, "sources-0-url", "http:// or https://"),
        ({"participants": "-3"}, "participants", "between 0 and 1,000,000"),
        ({"participants": "5000000"}, "participants", "between 0 and 1,000,000"),
        ({"participants": "many"}, "participants", "integer"),
        ({"cases": []}, "cases", "Choose at least one case"),
        ({"title": "t" * 201}, "title", "longer than 200"),
        ({"organisations-0": "o" * 201}, "organisations-0", "longer than 200"),
        ({"description": "bad\x07bell"}, "description", "cannot be saved"),
    ],
)
def test_bad_event_input_is_refused_next_to_the_field_and_kept(
    app, staff_client, make_case, overrides, field, message
):
    case = make_case()
    data = event_form([case.id], **overrides)
    response = staff_client(Role.ORGANISER).post("/manage/events/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert count(app, Event) == 0
    error_at = html.find(message, html.find('class="stacked records-form"'))  # past the summary
    assert error_at > 0, message
    controls = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html[:error_at])
    assert controls[-1].startswith(field), "the message follows its own field"
    assert 'value="Embassy of Kazakhstan"' in html  # what the user typed is kept


def test_an_unknown_case_id_is_refused(app, staff_client, make_case):
    make_case()
    response = staff_client(Role.ORGANISER).post("/manage/events/new", data=event_form([99999]))
    assert response.status_code == 200
    assert count(app, Event) == 0


def test_the_quick_form_defaults_to_today_and_logs_a_picket(app, staff_client, make_case):
    case = make_case()
    client = staff_client(Role.ACTIVIST)
    form = client.get("/manage/events/picket").get_data(as_text=True)
    assert f'value="{date.today().isoformat()}"' in form
    assert "checked" in form  # the only open case is preselected
    response = client.post(
        "/manage/events/picket",
        data=picket_form(
            [case.id], participants="25", link="https://example.org/photo", note="Cold"
        ),
    )
    assert response.status_code == 302
    event = only(app, Event)
    assert (event.type, event.date, event.participants) == (
        EventType.PICKET,
        date(2010, 5, 6),
        25,
    )
    assert event.title == "Picket at OSCE building"
    assert event.description == "Cold"
    assert event.created_by_id == client.user.id
    source = only(app, Source)
    assert source.url == "https://example.org/photo"
    with app.app_context():
        stored = db.session.get(Event, event.id)
        assert [o.name for o in stored.organisations] == ["CWI Austria (SLP)"]
        assert stored.place == "OSCE building, Vienna"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"cases": []}, "Choose at least one case"),
        ({"organisation": ""}, "Say who organised it"),
        ({"venue": "", "city": ""}, "Give the venue or at least the city"),
        ({"date": ""}, "This field is required"),
        ({"participants": "-1"}, "between 0 and 1,000,000"),
        ({"link": "javascript:alert(1)"}, "http:// or https://"),
    ],
)
def test_the_quick_form_refuses_what_is_missing_or_wrong(
    app, staff_client, make_case, overrides, message
):
    case = make_case()
    data = picket_form([case.id], **overrides)
    response = staff_client(Role.ACTIVIST).post("/manage/events/picket", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(app, Event) == 0


def test_a_city_alone_places_a_picket(app, staff_client, make_case):
    case = make_case()
    staff_client(Role.ACTIVIST).post(
        "/manage/events/picket", data=picket_form([case.id], venue="", city="Berlin")
    )
    event = only(app, Event)
    # A title made from a city alone reads "in Berlin", not "at Berlin".
    assert (event.city, event.venue_id, event.title) == ("Berlin", None, "Picket in Berlin")


def test_a_vigil_at_a_venue_is_at_the_venue_and_one_in_a_city_is_in_the_city(
    app, staff_client, make_case
):
    case = make_case()
    client = staff_client(Role.ACTIVIST)
    client.post(
        "/manage/events/picket",
        data=picket_form([case.id], type="vigil", venue="", city="Vienna"),
    )
    client.post(
        "/manage/events/picket",
        data=picket_form([case.id], type="vigil", venue="OSCE building", city="Vienna"),
    )
    with app.app_context():
        titles = sorted(db.session.scalars(sa.select(Event.title)))
    assert titles == ["Vigil at OSCE building", "Vigil in Vienna"]


def test_an_activist_edits_the_events_they_logged_and_no_others(
    app, staff_client, make_case, make_event
):
    case = make_case()
    activist = staff_client(Role.ACTIVIST)
    mine = make_event([case.id], created_by_id=activist.user.id)
    theirs = make_event([case.id])
    assert activist.get(f"/manage/events/{mine.id}/edit").status_code == 200
    assert activist.get(f"/manage/events/{theirs.id}/edit").status_code == 403
    refused = activist.post(f"/manage/events/{theirs.id}/edit", data=event_form([case.id]))
    assert refused.status_code == 403
    assert activist.get("/manage/events/99999/edit").status_code == 404


@pytest.mark.parametrize("url", ["/manage/events/{id}/verify", "/manage/events/{id}/delete"])
def test_activists_cannot_verify_or_delete(app, staff_client, make_case, make_event, url):
    case = make_case()
    activist = staff_client(Role.ACTIVIST)
    event = make_event([case.id], created_by_id=activist.user.id)
    assert activist.post(url.format(id=event.id)).status_code == 403
    stored = only(app, Event)
    assert stored.verification == Verification.REPORTED


def test_verification_is_one_click_and_recorded(app, staff_client, make_case, make_event):
    case = make_case()
    event = make_event([case.id])
    client = staff_client(Role.ORGANISER)
    listing = client.get("/manage/events/").get_data(as_text=True)
    assert f'action="/manage/events/{event.id}/verify' in listing
    response = client.post(f"/manage/events/{event.id}/verify")
    assert response.status_code == 302
    stored = only(app, Event)
    assert stored.verification == Verification.VERIFIED
    assert stored.verified_by_id == client.user.id
    assert entries(app, "event")[-1].changes["verification"] == ["reported", "verified"]


def test_deleting_asks_first_and_keeps_the_event_in_the_history(
    app, staff_client, make_case, make_event
):
    case = make_case()
    event = make_event([case.id], title="Picket to forget")
    client = staff_client(Role.ORGANISER)
    confirm = client.get(f"/manage/events/{event.id}/delete")
    assert confirm.status_code == 200
    assert "Delete this event?" in confirm.get_data(as_text=True)
    assert count(app, Event) == 1  # looking at the confirmation deletes nothing
    assert client.post(f"/manage/events/{event.id}/delete").status_code == 302
    assert count(app, Event) == 0
    deleted = entries(app, "event")[-1]
    assert (deleted.action, deleted.object_label) == ("delete", "Picket to forget")
    assert deleted.changes["title"] == ["Picket to forget", None]
    history = client.get(f"/manage/history/events/{event.id}").get_data(as_text=True)
    assert "Picket to forget" in history


def test_internal_events_are_marked_wherever_staff_see_them(
    app, staff_client, make_case, make_event
):
    case = make_case()
    make_event([case.id], title="Lawyer meeting", visibility=Visibility.INTERNAL)
    client = staff_client(Role.ACTIVIST)
    for url in ("/manage/events/", f"/manage/cases/{case.id}", "/manage/"):
        html = client.get(url).get_data(as_text=True)
        row = html[html.find("Lawyer meeting") :]
        assert 'class="badge badge-internal">Internal<' in row[:2000], url


def test_logging_a_release_sets_the_case_released(app, staff_client, make_case):
    case = make_case(status=CaseStatus.SENTENCED)
    client = staff_client(Role.ORGANISER)
    client.post(
        "/manage/events/new",
        data=event_form([case.id], type="release", title="Released", date="2010-05-12"),
    )
    with app.app_context():
        stored = db.session.get(Case, case.id)
        assert (stored.status, stored.released_on) == (CaseStatus.RELEASED, date(2010, 5, 12))
        change = db.session.scalars(sa.select(CaseStatusChange)).one()
        assert change.event_id == db.session.scalars(sa.select(Event.id)).one()
    assert entries(app, "case")[-1].changes["status"] == ["sentenced", "released"]


def test_logging_an_arrest_fills_the_arrest_date(app, staff_client, make_case):
    case = make_case(status=CaseStatus.AT_RISK)
    staff_client(Role.ORGANISER).post(
        "/manage/events/new",
        data=event_form(
            [case.id], type="arrest", title="Arrested", date="2010-04", date_precision="month"
        ),
    )
    with app.app_context():
        stored = db.session.get(Case, case.id)
        assert stored.status == CaseStatus.DETAINED
        assert (stored.arrest_date, stored.arrest_date_precision) == (date(2010, 4, 1), "month")


def test_two_people_editing_an_event_at_once_are_told(app, staff_client, make_case, make_event):
    case = make_case()
    event = make_event([case.id], title="Picket")
    first, second = staff_client(Role.ORGANISER), staff_client(Role.ORGANISER)
    loaded = version_of(first.get(f"/manage/events/{event.id}/edit").get_data(as_text=True))
    version_of(second.get(f"/manage/events/{event.id}/edit").get_data(as_text=True))
    first.post(
        f"/manage/events/{event.id}/edit",
        data=event_form([case.id], title="Picket, 40 people", version=loaded),
    )
    clash = second.post(
        f"/manage/events/{event.id}/edit",
        data=event_form([case.id], title="Picket, 50 people", version=loaded),
    )
    html = clash.get_data(as_text=True)
    assert clash.status_code == 409
    assert "Someone else changed this event after you opened it" in html
    assert 'value="Picket, 50 people"' in html
    assert "Picket, 40 people" in html  # what the other person saved
    assert only(app, Event).title == "Picket, 40 people"


def test_an_edit_from_an_older_page_keeps_a_colleagues_newer_changes(
    app, staff_client, make_case, make_event
):
    case = make_case()
    event = make_event([case.id], title="Picket")
    first, second = staff_client(Role.ORGANISER), staff_client(Role.ORGANISER)
    page = first.get(f"/manage/events/{event.id}/edit").get_data(as_text=True)
    as_typed = event_form([case.id], title="Picket")
    first.post(
        f"/manage/events/{event.id}/edit",
        data={**as_typed, "version": version_of(page), "loaded": loaded_of(page)},
    )
    a_page = first.get(f"/manage/events/{event.id}/edit").get_data(as_text=True)
    b_page = second.get(f"/manage/events/{event.id}/edit").get_data(as_text=True)
    first.post(
        f"/manage/events/{event.id}/edit",
        data={
            **as_typed,
            "participants": "55",
            "version": version_of(a_page),
            "loaded": loaded_of(a_page),
        },
    )
    saved = second.post(
        f"/manage/events/{event.id}/edit",
        data={
            **as_typed,
            "outcome": "The embassy took the letter.",
            "version": version_of(b_page),
            "loaded": loaded_of(b_page),
        },
        follow_redirects=True,
    )
    stored = only(app, Event)
    assert (stored.participants, stored.outcome) == (55, "The embassy took the letter.")
    assert "their changes to Participants are kept with yours" in saved.get_data(as_text=True)

    clash = second.post(
        f"/manage/events/{event.id}/edit",
        data={
            **as_typed,
            "participants": "60",
            "title": "Picket at the embassy",
            "version": version_of(b_page),
            "loaded": loaded_of(b_page),
        },
    )
    html = clash.get_data(as_text=True)
    assert clash.status_code == 409
    assert "changed some of the same fields as you: Participants" in html
    assert "The embassy took the letter.</textarea>" in html  # the other save, in the form
    assert 'value="Picket at the embassy"' in html  # and the sender's own change
    assert only(app, Event).participants == 55


def test_editing_records_the_changed_fields(app, staff_client, make_case, make_event):
    case = make_case()
    event = make_event([case.id], title="Picket")
    client = staff_client(Role.ORGANISER)
    loaded = version_of(client.get(f"/manage/events/{event.id}/edit").get_data(as_text=True))
    client.post(
        f"/manage/events/{event.id}/edit",
        data=event_form([case.id], title="Picket at the embassy", version=loaded),
    )
    change = entries(app, "event")[-1]
    assert change.action == "update"
    assert change.changes["title"] == ["Picket", "Picket at the embassy"]
    assert change.actor == client.user.display_name


def test_event_forms_refuse_a_post_without_the_csrf_token(app_config, request):
    app_config["WTF_CSRF_ENABLED"] = True
    app = request.getfixturevalue("app")  # built after CSRF was switched on
    user = request.getfixturevalue("make_user")(Role.ACTIVIST)
    case = request.getfixturevalue("make_case")()
    client = app.test_client()

    def token(url: str) -> str:
        html = client.get(url).get_data(as_text=True)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
        assert match, url
        return match.group(1)

    client.post(
        "/login",
        data={
            "email": user.email,
            "password": "correct horse battery staple",
            "csrf_token": token("/login"),
        },
    )
    client.post("/manage/events/picket", data=picket_form([case.id]))
    assert count(app, Event) == 0
    client.post(
        "/manage/events/picket",
        data=picket_form([case.id], csrf_token=token("/manage/events/picket")),
    )
    assert count(app, Event) == 1


def test_the_list_filters_by_case_and_verification(app, staff_client, make_case, make_event):
    one, two = make_case(), make_case()
    make_event([one.id], title="First picket")
    make_event([two.id], title="Second picket", verification=Verification.VERIFIED)
    client = staff_client(Role.ACTIVIST)
    by_case = client.get(f"/manage/events/?case={one.id}").get_data(as_text=True)
    assert "First picket" in by_case
    assert "Second picket" not in by_case
    reported = client.get("/manage/events/?verification=reported").get_data(as_text=True)
    assert "First picket" in reported
    assert "Second picket" not in reported


def test_the_dashboard_lists_events_to_verify_and_cases_in_custody(
    staff_client, make_case, make_event
):
    case = make_case(person_name="Held Person", arrest_date=date.today() - timedelta(days=4))
    make_event([case.id], title="Unchecked picket")
    html = staff_client(Role.ORGANISER).get("/manage/").get_data(as_text=True)
    assert "Events awaiting verification" in html
    assert "Unchecked picket" in html
    assert "Held Person" in html
    assert "day 5" in html


def test_an_activists_change_to_a_verified_event_needs_checking_again(
    app, staff_client, make_case, make_event
):
    case = make_case()
    activist = staff_client(Role.ACTIVIST)
    event = make_event(
        [case.id],
        title="Picket",
        created_by_id=activist.user.id,
        verification=Verification.VERIFIED,
    )
    loaded = version_of(activist.get(f"/manage/events/{event.id}/edit").get_data(as_text=True))
    activist.post(
        f"/manage/events/{event.id}/edit",
        data=event_form([case.id], title="Picket, corrected", version=loaded),
    )
    stored = only(app, Event)
    assert stored.title == "Picket, corrected"
    assert stored.verification == Verification.REPORTED
    assert entries(app, "event")[-1].changes["verification"] == ["verified", "reported"]


def test_the_event_page_names_the_checker_only_while_the_event_is_verified(
    app, staff_client, make_case, make_event
):
    case = make_case()
    organiser = staff_client(Role.ORGANISER, display_name="Organiser Person")
    activist = staff_client(Role.ACTIVIST)
    event = make_event([case.id], title="Picket", created_by_id=activist.user.id)
    organiser.post(f"/manage/events/{event.id}/verify", data={})
    assert "Organiser Person" in organiser.get(f"/manage/events/{event.id}").get_data(as_text=True)
    loaded = version_of(activist.get(f"/manage/events/{event.id}/edit").get_data(as_text=True))
    activist.post(
        f"/manage/events/{event.id}/edit",
        data=event_form([case.id], title="Picket, corrected", version=loaded),
    )
    assert only(app, Event).verification == Verification.REPORTED
    html = organiser.get(f"/manage/events/{event.id}").get_data(as_text=True)
    assert "Verified by" not in html
    assert "Organiser Person" not in html.split("<main", 1)[-1].split("</main>", 1)[0]


def test_more_lines_are_added_without_javascript_and_without_saving(app, staff_client, make_case):
    case = make_case()
    response = staff_client(Role.ORGANISER).post(
        "/manage/events/new", data=event_form([case.id], add_lines="1")
    )
    html = response.get_data(as_text=True)
    assert count(app, Event) == 0
    assert 'name="organisations-4"' in html
    assert 'name="sources-3-url"' in html
    assert 'value="CWI Russia"' in html  # nothing typed is lost


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/manage/", "/manage/"),
        ("https://evil.example/", "/manage/events/"),
        ("//evil.example/", "/manage/events/"),
        ("/\\evil.example/", "/manage/events/"),
    ],
)
def test_verify_returns_only_to_pages_of_this_site(
    staff_client, make_case, make_event, next_url, expected
):
    case = make_case()
    event = make_event([case.id])
    response = staff_client(Role.ORGANISER).post(
        f"/manage/events/{event.id}/verify", query_string={"next": next_url}
    )
    assert response.headers["Location"] == expected


def test_every_staff_member_reads_an_event_with_its_sources(
    app, staff_client, make_case, make_event
):
    case = make_case()
    organiser = staff_client(Role.ORGANISER)
    organiser.post(
        "/manage/events/new",
        data=event_form([case.id], visibility="internal", description="Forty people came"),
    )
    event = only(app, Event)
    activist = staff_client(Role.ACTIVIST)
    html = activist.get(f"/manage/events/{event.id}").get_data(as_text=True)
    assert "Forty people came" in html
    assert 'href="https://example.org/report"' in html
    assert 'class="badge badge-internal">Internal<' in html
    assert f"/manage/events/{event.id}/edit" not in html  # not theirs to edit
    assert f"/manage/events/{event.id}/verify" not in html
    assert activist.get("/manage/events/99999").status_code == 404


def test_sources_no_event_cites_any_more_are_removed_and_shared_ones_kept(
    app, staff_client, make_case, make_event
):
    case = make_case()
    client = staff_client(Role.ORGANISER)
    client.post("/manage/events/new", data=event_form([case.id]))
    event = only(app, Event)
    other = make_event([case.id], title="Other")
    with app.app_context():
        shared = Source(title="The statement on his release")
        citing = [db.session.get(Event, event.id), db.session.get(Event, other.id)]
        for citer in citing:
            citer.sources.append(shared)
        db.session.commit()
        version = db.session.get(Event, event.id).version
    # Save the event with neither of its sources.
    client.post(
        f"/manage/events/{event.id}/edit",
        data=event_form(
            [case.id], version=str(version), **{"sources-0-url": "", "sources-0-title": ""}
        ),
    )
    with app.app_context():
        titles = sorted(db.session.scalars(sa.select(Source.title)))
        assert titles == ["The statement on his release"]  # still cited by the other event
    client.post(f"/manage/events/{other.id}/delete")
    assert count(app, Source) == 0


def test_an_organiser_saves_as_verified_only_with_a_source(app, staff_client, make_case):
    case = make_case()
    client = staff_client(Role.ORGANISER)
    form = client.get("/manage/events/new").get_data(as_text=True)
    assert 'name="verified"' in form
    unsourced = event_form([case.id], verified="y", **{"sources-0-url": "", "sources-0-title": ""})
    html = client.post("/manage/events/new", data=unsourced).get_data(as_text=True)
    assert "Add the source you checked it against" in html
    assert count(app, Event) == 0
    client.post("/manage/events/new", data=event_form([case.id], verified="y"))
    assert only(app, Event).verification == Verification.VERIFIED
    activist_form = staff_client(Role.ACTIVIST).get("/manage/events/new").get_data(as_text=True)
    assert 'name="verified"' not in activist_form


def test_an_organiser_verifies_several_events_from_the_case_page(app, staff_client, make_case):
    case = make_case()
    activist = staff_client(Role.ACTIVIST)
    for n in range(3):
        activist.post("/manage/events/picket", data=picket_form([case.id], venue=f"Place {n}"))
    with app.app_context():
        ids = sorted(db.session.scalars(sa.select(Event.id)))
    organiser = staff_client(Role.ORGANISER)
    page = organiser.get(f"/manage/cases/{case.id}").get_data(as_text=True)
    assert page.count('form="verify-chosen"') == 3
    assert 'id="verify-chosen"' in page
    response = organiser.post(
        f"/manage/events/verify?next=/manage/cases/{case.id}",
        data={"event_ids": ids[:2]},
        follow_redirects=True,
    )
    assert response.request.path == f"/manage/cases/{case.id}"
    assert "2 events are marked as verified." in response.get_data(as_text=True)
    with app.app_context():
        states = dict(db.session.execute(sa.select(Event.id, Event.verification)).all())
    assert [states[i] for i in ids] == [Verification.VERIFIED] * 2 + [Verification.REPORTED]
    assert staff_client(Role.ACTIVIST).post("/manage/events/verify").status_code == 403


def test_the_quick_form_says_what_it_logged(app, staff_client, make_case):
    case = make_case()
    client = staff_client(Role.ACTIVIST)
    response = client.post(
        "/manage/events/picket", data=picket_form([case.id], type="vigil"), follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert "Thank you: the vigil was logged." in html
    assert "the picket was logged" not in html


def test_two_people_adding_organisations_to_one_event_keep_both(
    app, staff_client, make_case, make_event
):
    case = make_case()
    event = make_event([case.id], title="Picket")
    first, second = staff_client(Role.ORGANISER), staff_client(Role.ORGANISER)
    page = first.get(f"/manage/events/{event.id}/edit").get_data(as_text=True)
    as_typed = event_form([case.id], title="Picket")
    first.post(
        f"/manage/events/{event.id}/edit",
        data={**as_typed, "version": version_of(page), "loaded": loaded_of(page)},
    )
    pages = [
        client.get(f"/manage/events/{event.id}/edit").get_data(as_text=True)
        for client in (first, second)
    ]
    for client, loaded, name in zip((first, second), pages, ("PEN Russia", "Amnesty"), strict=True):
        saved = client.post(
            f"/manage/events/{event.id}/edit",
            data={
                **as_typed,
                "organisations-2": name,
                "version": version_of(loaded),
                "loaded": loaded_of(loaded),
            },
        )
        assert saved.status_code == 302
    with app.app_context():
        names = [o.name for o in db.session.scalars(sa.select(Event)).one().organisations]
    assert sorted(names) == ["Amnesty", "CWI Russia", "PEN Russia", "Vpered"]


def test_the_event_page_says_who_sees_the_event(app, staff_client, make_case, make_event):
    """An organiser (and the activist who logged it) can tell from the event's page whether
    the public reads it: what the public pages filter on, said in words."""
    case = make_case()
    organiser = staff_client(Role.ORGANISER)
    activist = staff_client(Role.ACTIVIST)
    picket = make_event([case.id], title="Picket", created_by_id=activist.user.id)
    internal = make_event([case.id], title="Plan", visibility=Visibility.INTERNAL)
    hearing = make_event(
        [case.id], type=EventType.HEARING, title="Hearing", created_by_id=activist.user.id
    )

    def audience(event_id: int) -> str:
        html = organiser.get(f"/manage/events/{event_id}").get_data(as_text=True)
        return html.split('<dd class="event-audience">', 1)[1].split("</dd>", 1)[0]

    assert audience(picket.id).startswith("Everyone: it is on the public pages")
    assert "marked “Reported” until an organiser checks it" in audience(picket.id)
    assert audience(internal.id).startswith("The campaign's staff only")
    assert "until an organiser verifies it" in audience(hearing.id)
    page = organiser.get(f"/manage/events/{picket.id}").get_data(as_text=True)
    assert "No source yet: this event is only reported." in page
    organiser.post(f"/manage/events/{picket.id}/verify", data={})
    organiser.post(f"/manage/events/{hearing.id}/verify", data={})
    assert audience(picket.id) == "Everyone: it is on the public pages of its published cases."
    assert audience(hearing.id) == audience(picket.id)
    page = organiser.get(f"/manage/events/{picket.id}").get_data(as_text=True)
    assert "No source given: an organiser verified it." in page
    assert "only reported" not in page


def test_the_quick_form_says_a_report_is_public_at_once(app, staff_client, make_case):
    make_case()
    page = staff_client(Role.ACTIVIST).get("/manage/events/picket").get_data(as_text=True)
    assert "on the public page of each published case at once" in page
    assert 'aria-describedby="picket-public"' in page
    assert "write nothing that must stay among the campaign" in page


def test_a_quick_reports_title_reads_in_each_readers_language(app, staff_client, make_case):
    """The title is the app's words around the place: an activist logging in Russian gives
    English readers "Picket in Almaty", not "Пикет в Almaty (in Russian)"; the note stays as
    written, in the activist's language."""
    case = make_case(slug="ainur")
    client = staff_client(Role.ACTIVIST)
    sent = picket_form([case.id], venue="", city="Almaty", note="Полиция не вмешивалась.")
    assert client.post("/ru/manage/events/picket", data=sent).status_code == 302
    event = only(app, Event)
    with app.app_context():
        stored = db.session.get(Event, event.id)
        assert stored.original_language == "ru"
        titles = {t.language: t.title for t in stored.translations}
    assert set(titles) == {"en", "kk"}
    assert titles["en"] == "Picket in Almaty"
    anonymous = app.test_client()
    english = anonymous.get("/cases/ainur").get_data(as_text=True)
    assert "Picket in Almaty" in english
    assert event.title not in english  # the Russian title
    assert "Полиция не вмешивалась." in english  # the note, marked as Russian
    russian = anonymous.get("/ru/cases/ainur").get_data(as_text=True)
    assert event.title in russian
    assert titles["kk"] in anonymous.get("/kk/cases/ainur").get_data(as_text=True)
    # An organiser who corrects the title: readers of the other languages read the new
    # original (marked) rather than the old translation.
    with app.app_context():
        stored = db.session.get(Event, event.id)
        stored.title = "Пикет возле акимата"
        db.session.commit()
    assert "Picket in Almaty" not in anonymous.get("/cases/ainur").get_data(as_text=True)
