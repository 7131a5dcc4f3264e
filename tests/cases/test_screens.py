"""Staff case screens: create, edit, publish, archive, links, list, status and conflicts."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from campaign.extensions import db
from campaign.models import Case, CaseStatus, CaseStatusChange, Role
from tests.conftest import audit_entries, case_form, fetch, loaded_of, version_of


def test_an_organiser_creates_an_unpublished_case_with_a_slug_and_a_trail(app, staff_client):
    client = staff_client(Role.ORGANISER)
    response = client.post("/manage/cases/new", data=case_form())
    assert response.status_code == 302
    with app.app_context():
        case = db.session.scalars(sa.select(Case)).one()
        assert (case.slug, case.published, case.country) == ("ainur-kurmanov", False, "KZ")
        assert case.arrest_date == date(2010, 4, 27)
        case_id = case.id
    entry = audit_entries(app, "case", case_id)[0]
    assert entry.action == "create"
    assert entry.actor == client.user.display_name
    assert entry.changes["person_name"] == [None, "Ainur Kurmanov"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"person_name": ""}, "person_name", "This field is required"),
        ({"person_name": "x" * 201}, "person_name", "longer than 200"),
        ({"country": "XX"}, "country", "Choose a country from the list"),
        ({"arrest_date": "27 of April"}, "arrest_date", "Enter a date such as 12.05.2010"),
        ({"arrest_date": "2010-02-30"}, "arrest_date", "This date does not exist"),
        ({"arrest_date": "30.02.2010"}, "arrest_date", "This date does not exist"),
        ({"released_on": "2010-04-01"}, "released_on", "before the arrest date"),
        ({"slug": "Not A Slug"}, "slug", "lower-case Latin letters"),
        ({"person_name": "!!!"}, "slug", "The name gives no web address"),
        ({"summary": "bad\x07byte"}, "summary", "cannot be saved"),  # NUL: refused earlier
    ],
)
def test_bad_case_input_is_refused_next_to_the_field_and_kept(
    app, staff_client, overrides, field, message
):
    client = staff_client(Role.ORGANISER)
    data = case_form(**overrides)
    response = client.post("/manage/cases/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    # The message sits inside the field's block, right after the input.
    block = re.search(
        rf'<div class="field field-error">\s*<label for="{field}".*?</div>', html, re.S
    )
    assert block, f"{field} is marked as wrong"
    assert message in block.group(0)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0
    if field == "person_name" and overrides["person_name"]:
        assert overrides["person_name"] in html  # what was typed is kept


def test_a_month_only_arrest_date_is_stored_as_the_first_of_the_month(app, staff_client):
    client = staff_client(Role.ORGANISER)
    client.post(
        "/manage/cases/new",
        data=case_form(arrest_date="2010-04", arrest_date_precision="month"),
    )
    with app.app_context():
        case = db.session.scalars(sa.select(Case)).one()
        assert (case.arrest_date, case.arrest_date_precision) == (date(2010, 4, 1), "month")
        case_id = case.id
    html = client.get(f"/manage/cases/{case_id}/edit").get_data(as_text=True)
    assert 'value="2010-04"' in html  # shown as typed, not with an invented day


def test_a_taken_slug_is_refused(app, staff_client, make_case):
    make_case(slug="ainur-kurmanov")
    response = staff_client(Role.ORGANISER).post(
        "/manage/cases/new", data=case_form(slug="ainur-kurmanov")
    )
    assert "Another case already uses this web address" in response.get_data(as_text=True)


def test_editing_records_which_fields_changed_from_what_to_what(app, staff_client, make_case):
    case = make_case(person_name="Ainur Kurmanov", slug="ainur-kurmanov", city="Almaty")
    client = staff_client(Role.ORGANISER)
    form = client.get(f"/manage/cases/{case.id}/edit").get_data(as_text=True)
    data = case_form(slug="ainur-kurmanov", city="Astana", version=version_of(form))
    assert client.post(f"/manage/cases/{case.id}/edit", data=data).status_code == 302
    update = audit_entries(app, "case", case.id)[-1]
    assert update.action == "update"
    assert update.changes["city"] == ["Almaty", "Astana"]
    assert "version" not in update.changes


def test_the_organisers_status_wins_and_is_recorded(app, staff_client, make_case):
    case = make_case(status=CaseStatus.RELEASED, slug="ainur-kurmanov")
    client = staff_client(Role.ORGANISER)
    form = client.get(f"/manage/cases/{case.id}/edit").get_data(as_text=True)
    data = case_form(slug="ainur-kurmanov", status="detained", version=version_of(form))
    client.post(f"/manage/cases/{case.id}/edit", data=data)
    assert fetch(app, Case, case.id).status == CaseStatus.DETAINED
    with app.app_context():
        change = db.session.scalars(sa.select(CaseStatusChange)).one()
        assert (change.old_status, change.new_status) == (CaseStatus.RELEASED, CaseStatus.DETAINED)
        assert change.event_id is None
        assert change.changed_by_id == client.user.id
    assert audit_entries(app, "case", case.id)[-1].changes["status"] == ["released", "detained"]


def test_two_organisers_editing_at_once_do_not_overwrite_each_other(app, staff_client, make_case):
    case = make_case(slug="ainur-kurmanov", city="Almaty", person_name="Ainur Kurmanov")
    first, second = staff_client(Role.ORGANISER), staff_client(Role.ORGANISER)
    loaded = version_of(first.get(f"/manage/cases/{case.id}/edit").get_data(as_text=True))
    assert loaded == version_of(second.get(f"/manage/cases/{case.id}/edit").get_data(as_text=True))

    ok = first.post(
        f"/manage/cases/{case.id}/edit",
        data=case_form(slug="ainur-kurmanov", city="Astana", version=loaded),
    )
    assert ok.status_code == 302
    clash = second.post(
        f"/manage/cases/{case.id}/edit",
        data=case_form(slug="ainur-kurmanov", city="Karaganda", version=loaded),
    )
    html = clash.get_data(as_text=True)
    assert clash.status_code == 409
    assert "Someone else changed this case after you opened it" in html
    assert 'value="Karaganda"' in html  # the second organiser's input is kept
    assert "Astana" in html  # and they see what the first one changed
    assert fetch(app, Case, case.id).city == "Astana"

    # Saving again, knowingly, keeps the second version.
    again = second.post(
        f"/manage/cases/{case.id}/edit",
        data=case_form(slug="ainur-kurmanov", city="Karaganda", version=version_of(html)),
    )
    assert again.status_code == 302
    assert fetch(app, Case, case.id).city == "Karaganda"


def _loaded(client, case_id: int) -> dict[str, str]:
    html = client.get(f"/manage/cases/{case_id}/edit").get_data(as_text=True)
    return {"version": version_of(html), "loaded": loaded_of(html)}


def test_a_save_from_an_older_page_undoes_nothing_a_colleague_saved_meanwhile(
    app, staff_client, make_case
):
    """A writes the verdict into the summary; B, on a page opened before, fixes the city."""
    case = make_case(slug="ainur-kurmanov")
    first, second = staff_client(Role.ORGANISER), staff_client(Role.ORGANISER)
    as_typed = case_form(slug="ainur-kurmanov", summary="Detained in Almaty.")
    first.post(f"/manage/cases/{case.id}/edit", data={**as_typed, **_loaded(first, case.id)})
    a_page, b_page = _loaded(first, case.id), _loaded(second, case.id)

    verdict = {**as_typed, "summary": "Sentenced to 15 days.", "status": "sentenced"}
    assert (
        first.post(f"/manage/cases/{case.id}/edit", data={**verdict, **a_page}).status_code == 302
    )
    saved = second.post(
        f"/manage/cases/{case.id}/edit",
        data={**as_typed, "city": "Astana", **b_page},
        follow_redirects=True,
    )
    stored = fetch(app, Case, case.id)
    assert (stored.city, stored.summary) == ("Astana", "Sentenced to 15 days.")
    assert stored.status == CaseStatus.SENTENCED
    html = saved.get_data(as_text=True)
    assert "their changes to Status, Summary (public) are kept with yours" in html


def test_a_field_both_changed_is_shown_with_the_colleagues_other_changes_in_the_form(
    app, staff_client, make_case
):
    case = make_case(slug="ainur-kurmanov")
    first, second = staff_client(Role.ORGANISER), staff_client(Role.ORGANISER)
    as_typed = case_form(slug="ainur-kurmanov")
    first.post(f"/manage/cases/{case.id}/edit", data={**as_typed, **_loaded(first, case.id)})
    a_page, b_page = _loaded(first, case.id), _loaded(second, case.id)
    theirs = {**as_typed, "city": "Karaganda", "summary": "Sentenced to 15 days."}
    first.post(f"/manage/cases/{case.id}/edit", data={**theirs, **a_page})

    clash = second.post(
        f"/manage/cases/{case.id}/edit", data={**as_typed, "city": "Astana", **b_page}
    )
    html = clash.get_data(as_text=True)
    assert clash.status_code == 409
    assert "changed some of the same fields as you: City" in html
    assert 'value="Astana"' in html  # B's city, marked
    assert "Someone else changed this too" in html
    assert "Sentenced to 15 days.</textarea>" in html  # A's summary is in the form now
    assert fetch(app, Case, case.id).city == "Karaganda"

    # Saving the form as shown keeps B's city and A's summary.
    again = {**as_typed, "city": "Astana", "summary": "Sentenced to 15 days."}
    shown = {"version": version_of(html), "loaded": loaded_of(html)}
    assert second.post(f"/manage/cases/{case.id}/edit", data={**again, **shown}).status_code == 302
    stored = fetch(app, Case, case.id)
    assert (stored.city, stored.summary) == ("Astana", "Sentenced to 15 days.")


def test_related_cases_are_linked_both_ways_and_unlinked_both_ways(app, staff_client, make_case):
    kurmanov = make_case(person_name="Ainur Kurmanov", slug="ainur-kurmanov")
    other = make_case(person_name="Yesenbek Ukteshbaev")
    client = staff_client(Role.ORGANISER)
    form = client.get(f"/manage/cases/{kurmanov.id}/edit").get_data(as_text=True)
    data = case_form(slug="ainur-kurmanov", related=[other.id], version=version_of(form))
    client.post(f"/manage/cases/{kurmanov.id}/edit", data=data)
    page = client.get(f"/manage/cases/{other.id}").get_data(as_text=True)
    assert "Related cases" in page
    assert f'href="/manage/cases/{kurmanov.id}"' in page
    assert audit_entries(app, "case", other.id)[-1].changes["related_cases"] == [
        [],
        ["Ainur Kurmanov"],
    ]

    form = client.get(f"/manage/cases/{kurmanov.id}/edit").get_data(as_text=True)
    client.post(
        f"/manage/cases/{kurmanov.id}/edit",
        data=case_form(slug="ainur-kurmanov", version=version_of(form)),
    )
    with app.app_context():
        assert db.session.get(Case, other.id).related_cases == []


def test_publish_unpublish_and_archive_are_recorded(app, staff_client, make_case):
    case = make_case(published=False)
    client = staff_client(Role.ORGANISER)
    client.post(f"/manage/cases/{case.id}/publish")
    assert fetch(app, Case, case.id).published is True
    client.post(f"/manage/cases/{case.id}/unpublish")
    assert fetch(app, Case, case.id).published is False
    client.post(f"/manage/cases/{case.id}/publish")
    client.post(f"/manage/cases/{case.id}/archive")
    archived = fetch(app, Case, case.id)
    assert archived.archived_at is not None
    assert archived.published is False  # archiving takes it off the public site
    response = client.post(f"/manage/cases/{case.id}/publish", follow_redirects=True)
    assert "An archived case cannot be published" in response.get_data(as_text=True)
    assert fetch(app, Case, case.id).published is False
    changed = [sorted(e.changes) for e in audit_entries(app, "case", case.id, "update")]
    assert changed == [["published"]] * 3 + [["archived_at", "published"]]


def test_cases_have_no_delete_route(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("cases.")]
    assert not [r for r in rules if "delete" in r.rule or "DELETE" in (r.methods or set())]


@pytest.mark.parametrize("action", ["publish", "unpublish", "archive", "unarchive"])
def test_activists_cannot_publish_or_archive(app, staff_client, make_case, action):
    case = make_case(published=False)
    response = staff_client(Role.ACTIVIST).post(f"/manage/cases/{case.id}/{action}")
    assert response.status_code == 403
    assert fetch(app, Case, case.id).published is False


def test_activists_read_cases_but_cannot_edit_them(staff_client, make_case):
    case = make_case(internal_notes="Lawyer visits on Tuesdays")
    client = staff_client(Role.ACTIVIST)
    page = client.get(f"/manage/cases/{case.id}").get_data(as_text=True)
    assert "Lawyer visits on Tuesdays" in page  # staff see internal notes
    assert f"/manage/cases/{case.id}/edit" not in page
    assert client.get(f"/manage/cases/{case.id}/edit").status_code == 403


def test_the_list_filters_by_status_and_country_and_sorts(staff_client, make_case):
    make_case(person_name="Zhanna Detained", status=CaseStatus.DETAINED, country="KZ")
    make_case(person_name="Anna Released", status=CaseStatus.RELEASED, country="RU")
    make_case(person_name="Boris Detained", status=CaseStatus.DETAINED, country="RU")
    client = staff_client(Role.ACTIVIST)

    def names(query: str) -> list[str]:
        html = client.get(f"/manage/cases/{query}").get_data(as_text=True)
        return re.findall(r'<a href="/manage/cases/\d+">([^<]+)</a>', html)

    assert names("") == ["Anna Released", "Boris Detained", "Zhanna Detained"]
    assert names("?status=detained") == ["Boris Detained", "Zhanna Detained"]
    assert names("?country=RU") == ["Anna Released", "Boris Detained"]
    assert names("?status=detained&country=RU") == ["Boris Detained"]
    assert names("?sort=status") == ["Boris Detained", "Zhanna Detained", "Anna Released"]


def test_the_list_shows_fifty_cases_a_page_keeping_its_filters(app, staff_client, make_case):
    """A campaign of hundreds of cases gets a list a phone can load: pages of fifty, each
    page's links keeping the chosen filters and order."""
    from campaign.cases.queries import PAGE_SIZE

    for number in range(PAGE_SIZE + 5):
        make_case(person_name=f"Person {number:03d}", status=CaseStatus.DETAINED, country="KZ")
    make_case(person_name="Released Person", status=CaseStatus.RELEASED, country="KZ")
    client = staff_client(Role.ACTIVIST)

    def names(query: str) -> tuple[list[str], str]:
        html = client.get(f"/manage/cases/{query}").get_data(as_text=True)
        return re.findall(r'<a href="/manage/cases/\d+">([^<]+)</a>', html), html

    first, html = names("?status=detained&sort=status")
    assert first == [f"Person {n:03d}" for n in range(PAGE_SIZE)]
    assert "Cases 1\u201350 of 55." in html
    assert 'href="/manage/cases/?page=2&amp;status=detained&amp;sort=status"' in html
    second, html = names("?status=detained&sort=status&page=2")
    assert second == [f"Person {n:03d}" for n in range(PAGE_SIZE, PAGE_SIZE + 5)]
    assert 'href="/manage/cases/?page=1&amp;status=detained&amp;sort=status">Previous' in html
    # The defaults stay out of the links; a page past the end is empty, not an error.
    assert 'href="/manage/cases/?page=2">More cases' in names("")[1]
    assert names("?page=99")[0] == []


def test_archived_cases_leave_the_list_but_can_be_shown(app, staff_client, make_case):
    from datetime import UTC, datetime

    make_case(person_name="Open Case")
    make_case(person_name="Old Case", archived_at=datetime(2012, 1, 1, tzinfo=UTC))
    client = staff_client(Role.ORGANISER)
    assert "Old Case" not in client.get("/manage/cases/").get_data(as_text=True)
    archived = client.get("/manage/cases/?show=archived").get_data(as_text=True)
    assert "Old Case" in archived
    assert "Open Case" not in archived


def test_the_case_page_shows_the_days_in_detention_and_the_hunger_strike(
    staff_client, make_case, make_event
):
    from datetime import timedelta

    from campaign.models import EventType

    today = date.today()
    case = make_case(arrest_date=today - timedelta(days=9))
    make_event([case.id], type=EventType.HUNGER_STRIKE_START, date=today - timedelta(days=2))
    html = staff_client(Role.ACTIVIST).get(f"/manage/cases/{case.id}").get_data(as_text=True)
    assert "Day 10 in detention" in html
    assert "On hunger strike" in html
    assert "Day 3 of hunger strike" in html


def test_the_hunger_strike_indicator_goes_when_the_strike_ends(staff_client, make_case, make_event):
    from datetime import timedelta

    from campaign.models import EventType

    today = date.today()
    case = make_case()
    make_event([case.id], type=EventType.HUNGER_STRIKE_START, date=today - timedelta(days=5))
    make_event([case.id], type=EventType.HUNGER_STRIKE_END, date=today - timedelta(days=1))
    html = staff_client(Role.ORGANISER).get(f"/manage/cases/{case.id}").get_data(as_text=True)
    assert "On hunger strike" not in html


def test_case_forms_refuse_a_post_without_the_csrf_token(app_config, request):
    app_config["WTF_CSRF_ENABLED"] = True
    app = request.getfixturevalue("app")  # built after CSRF was switched on
    user = request.getfixturevalue("make_user")(Role.ORGANISER)
    client = app.test_client()

    def token(url: str) -> str:
        html = client.get(url).get_data(as_text=True)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
        assert match, url
        return match.group(1)

    signed_in = client.post(
        "/login",
        data={
            "email": user.email,
            "password": "correct horse battery staple",
            "csrf_token": token("/login"),
        },
    )
    assert signed_in.status_code == 302
    refused = client.post("/manage/cases/new", data=case_form())
    assert refused.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0
    accepted = client.post(
        "/manage/cases/new", data=case_form(csrf_token=token("/manage/cases/new"))
    )
    assert accepted.status_code == 302


def test_the_list_and_dashboard_mark_who_is_on_hunger_strike(staff_client, make_case, make_event):
    from datetime import timedelta

    from campaign.models import EventType

    today = date.today()
    striking = make_case(person_name="Anna Striking", arrest_date=today - timedelta(days=3))
    ended = make_case(person_name="Boris Ended", arrest_date=today - timedelta(days=3))
    make_event([striking.id], type=EventType.HUNGER_STRIKE_START, date=today)
    make_event([ended.id], type=EventType.HUNGER_STRIKE_START, date=today - timedelta(days=2))
    make_event([ended.id], type=EventType.HUNGER_STRIKE_END, date=today)
    client = staff_client(Role.ORGANISER)
    for url in ("/manage/cases/", "/manage/"):
        html = client.get(url).get_data(as_text=True)
        assert html.count("On hunger strike") == 1, url
        striking_at = html.find("Anna Striking")
        assert 0 < striking_at < html.find("On hunger strike") < html.find("Boris Ended"), url


def test_a_strike_with_no_logged_end_does_not_outlive_the_detention(
    staff_client, make_case, make_event
):
    from datetime import timedelta

    from campaign.models import EventType

    case = make_case(status=CaseStatus.RELEASED)
    make_event([case.id], type=EventType.HUNGER_STRIKE_START, date=date.today() - timedelta(9))
    client = staff_client(Role.ORGANISER)
    assert "On hunger strike" not in client.get(f"/manage/cases/{case.id}").get_data(as_text=True)
    assert "On hunger strike" not in client.get("/manage/cases/").get_data(as_text=True)


def test_staff_case_page_counts_the_hunger_strike_like_the_public_page(
    staff_client, make_case, make_event
) -> None:
    from datetime import timedelta

    from campaign.models import EventType

    today = date.today()
    case = make_case(status=CaseStatus.DETAINED, arrest_date=today - timedelta(days=10))
    make_event([case.id], type=EventType.HUNGER_STRIKE_START, date=today - timedelta(days=3))
    organiser = staff_client(Role.ORGANISER)
    assert "Day 4 of hunger strike" in organiser.get(f"/manage/cases/{case.id}").get_data(
        as_text=True
    )
    # A release logged after the strike began ends the count, even before the status is updated.
    make_event([case.id], type=EventType.RELEASE, date=today - timedelta(days=1))
    html = organiser.get(f"/manage/cases/{case.id}").get_data(as_text=True)
    assert "of hunger strike" not in html


def test_a_link_made_from_the_other_case_survives_an_older_edit_of_this_one(
    app, staff_client, make_case
):
    """B links case 20 to case 10 from case 20's form; A, on case 10's older form, fixes the
    city: the link stayed on neither case, and nobody was told."""
    ten = make_case(slug="ten", person_name="Ainur Kurmanov")
    twenty = make_case(slug="twenty", person_name="Yesenbek Ukteshbaev")
    first, second = staff_client(Role.ORGANISER), staff_client(Role.ORGANISER)
    as_typed = case_form(slug="ten")
    first.post(f"/manage/cases/{ten.id}/edit", data={**as_typed, **_loaded(first, ten.id)})
    a_page = _loaded(first, ten.id)

    b_page = _loaded(second, twenty.id)
    linked = case_form(slug="twenty", person_name="Yesenbek Ukteshbaev", related=[ten.id])
    assert (
        second.post(f"/manage/cases/{twenty.id}/edit", data={**linked, **b_page}).status_code == 302
    )

    saved = first.post(
        f"/manage/cases/{ten.id}/edit",
        data={**as_typed, "city": "Astana", **a_page},
        follow_redirects=True,
    )
    assert "their changes to Related cases are kept with yours" in saved.get_data(as_text=True)
    with app.app_context():
        assert [c.slug for c in db.session.get(Case, ten.id).related_cases] == ["twenty"]
        assert [c.slug for c in db.session.get(Case, twenty.id).related_cases] == ["ten"]
        assert db.session.get(Case, ten.id).city == "Astana"


def test_dates_that_must_agree_merge_as_one_and_the_form_checks_them_together(
    app, staff_client, make_case
):
    """B moved the arrest to June; A, on an older page, dated the release in April: merged
    field by field, the case read 'arrested 1 June 2019, released 1 April 2019'."""
    case = make_case(slug="ainur-kurmanov")
    first, second = staff_client(Role.ORGANISER), staff_client(Role.ORGANISER)
    as_typed = case_form(
        slug="ainur-kurmanov", arrest_date="2019-03-01", arrest_date_approximate=""
    )
    first.post(f"/manage/cases/{case.id}/edit", data={**as_typed, **_loaded(first, case.id)})
    a_page, b_page = _loaded(first, case.id), _loaded(second, case.id)
    second.post(
        f"/manage/cases/{case.id}/edit", data={**as_typed, "arrest_date": "2019-06-01", **b_page}
    )
    clash = first.post(
        f"/manage/cases/{case.id}/edit",
        data={**as_typed, "released_on": "2019-04-01", "status": "released", **a_page},
    )
    html = clash.get_data(as_text=True)
    assert clash.status_code == 409
    assert "changed some of the same fields as you: Arrest date, Released on" in html
    assert 'value="2019-06-01"' in html  # the colleague's arrest, beside the release typed
    assert 'value="2019-04-01"' in html
    assert fetch(app, Case, case.id).released_on is None

    shown = {"version": version_of(html), "loaded": loaded_of(html)}
    again = first.post(
        f"/manage/cases/{case.id}/edit",
        data={
            **as_typed,
            "arrest_date": "2019-06-01",
            "released_on": "2019-04-01",
            "status": "released",
            **shown,
        },
    )
    assert again.status_code == 200  # refused by the form: a release before the arrest
    assert "This date is before the arrest date." in again.get_data(as_text=True)
    assert fetch(app, Case, case.id).released_on is None
