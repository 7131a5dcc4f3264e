"""Numbers no database holds, in addresses, query strings and forms: a 404 or ignored, never a
500 (SQLite and PostgreSQL integers end long before Python's)."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from campaign.models import Case, Role

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
