"""Numbers no database holds, in addresses, query strings and forms: a 404 or ignored, never a
500 (SQLite and PostgreSQL integers end long before Python's)."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from campaign.models import Case, Role
from tests.conftest import case_form, event_form, picket_form

HUGE = "99999999999999999999"


NOT_FOUND = [
    f"/manage/events/{HUGE}",
    f"/manage/cases/{HUGE}",
    f"/manage/cases/{HUGE}/edit",
    f"/manage/history/events/{HUGE}",
    f"/manage/history/messages/{HUGE}",
    f"/manage/messages/{HUGE}/edit",
    f"/manage/messages/packs/{HUGE}",
    f"/manage/organisations/{HUGE}",
    f"/manage/users/invitations/{HUGE}/link",
    "/manage/events/0",  # ids start at 1
]
IGNORED = [
    f"/manage/history/?page={HUGE}",
    f"/manage/events/?page={HUGE}&case={HUGE}",
    f"/manage/messages/?page={HUGE}&case={HUGE}",
    f"/manage/events/new?case={HUGE}",
    f"/manage/events/picket?case={HUGE}&logged={HUGE}",
    "/manage/events/?page=-3",
]


def test_an_id_no_database_holds_is_not_found_and_a_query_number_is_ignored(
    staff_client: Callable[..., FlaskClient],
) -> None:
    admin = staff_client(Role.ADMIN)
    answers = {url: admin.get(url).status_code for url in NOT_FOUND + IGNORED}
    expected = dict.fromkeys(NOT_FOUND, 404) | dict.fromkeys(IGNORED, 200)
    assert answers == expected


def test_the_public_wall_ignores_an_absurd_page(
    client: FlaskClient, make_case: Callable[..., Case]
) -> None:
    make_case(slug="ainur")
    assert client.get(f"/cases/ainur/messages?page={HUGE}").status_code == 200


def test_posted_ids_no_database_holds_change_nothing(
    staff_client: Callable[..., FlaskClient],
) -> None:
    organiser = staff_client(Role.ORGANISER)
    bulk = organiser.post("/manage/messages/bulk", data={"ids": HUGE, "action": "spam"})
    assert bulk.status_code == 302  # "tick at least one message first"
    assert organiser.post("/manage/messages/packs/new", data={"case_id": HUGE}).status_code == 404


def test_a_number_of_hundreds_of_digits_or_an_absurd_version_is_refused_next_to_the_field(
    staff_client: Callable[..., FlaskClient], make_case: Callable[..., Case]
) -> None:
    case = make_case()
    organiser = staff_client(Role.ORGANISER)
    long_number = "9" * 400
    event = organiser.post(
        "/manage/events/new", data=event_form([case.id], participants=long_number)
    )
    assert event.status_code == 200
    assert "This number is too large" in event.get_data(as_text=True)
    picket = organiser.post(
        "/manage/events/picket", data=picket_form([case.id], participants=long_number)
    )
    assert picket.status_code == 200
    edit = organiser.post(
        f"/manage/cases/{case.id}/edit",
        data=case_form(slug=case.slug, version="-9223372036854775809"),
    )
    assert edit.status_code < 500
