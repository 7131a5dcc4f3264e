"""Delivery-pack pages and the moderation dashboard tell two cases of one person apart."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from flask.testing import FlaskClient

from campaign.models import Case, MessageState, Role


@pytest.fixture
def organiser(staff_client: Callable[..., FlaskClient]) -> FlaskClient:
    return staff_client(Role.ORGANISER)


@pytest.fixture
def two_cases(make_case: Callable[..., Case]) -> tuple[Case, Case]:
    """One person arrested twice: a case for each arrest."""
    return (
        make_case(person_name="Ainur Kurmanov", arrest_date=date(2010, 5, 4)),
        make_case(person_name="Ainur Kurmanov", arrest_date=date(2014, 9, 1)),
    )


def squeeze(html: str) -> str:
    return " ".join(html.split())


def test_the_packs_page_tells_two_cases_of_one_person_apart(
    organiser: FlaskClient, two_cases: tuple[Case, Case], make_message: Callable[..., int]
) -> None:
    first, second = two_cases
    make_message(first.id, state=MessageState.PUBLISHED)
    make_message(second.id, state=MessageState.PUBLISHED)
    make_message(second.id, state=MessageState.PUBLISHED)
    html = squeeze(organiser.get("/manage/messages/packs").get_data(as_text=True))
    assert "Ainur Kurmanov (2010): 1 " in html
    assert "Ainur Kurmanov (2014): 2 " in html

    # Two packs for the first case, one for the second: the packs list names each case
    # by its own label, and a case with several packs is not mistaken for two people.
    assert (
        organiser.post("/manage/messages/packs/new", data={"case_id": first.id}).status_code == 302
    )
    make_message(first.id, state=MessageState.PUBLISHED)
    for case in (first, second):
        organiser.post("/manage/messages/packs/new", data={"case_id": case.id})
    html = squeeze(organiser.get("/manage/messages/packs").get_data(as_text=True))
    packs = html[html.index("<table") :]
    assert packs.count("Ainur Kurmanov (2010)</td>") == 2
    assert packs.count("Ainur Kurmanov (2014)</td>") == 1


def test_the_packs_page_names_a_case_alone_by_the_name(
    organiser: FlaskClient, make_case: Callable[..., Case], make_message: Callable[..., int]
) -> None:
    case = make_case(person_name="Ainur Kurmanov", arrest_date=date(2010, 5, 4))
    for _ in range(2):  # two packs of one case: still one person, named plainly
        make_message(case.id, state=MessageState.PUBLISHED)
        organiser.post("/manage/messages/packs/new", data={"case_id": case.id})
    make_message(case.id, state=MessageState.PUBLISHED)
    html = squeeze(organiser.get("/manage/messages/packs").get_data(as_text=True))
    assert "Ainur Kurmanov: 1 " in html
    assert html.count("Ainur Kurmanov</td>") == 2
    assert "(2010)" not in html


def test_the_moderation_dashboard_tells_two_cases_of_one_person_apart(
    organiser: FlaskClient, two_cases: tuple[Case, Case], make_message: Callable[..., int]
) -> None:
    first, second = two_cases
    make_message(first.id)
    make_message(second.id)
    make_message(second.id)
    page = organiser.get("/manage/").get_data(as_text=True)
    section = squeeze(page[page.index('class="moderation-dashboard"') :])
    assert "Ainur Kurmanov (2014)</a>: 2 messages waiting" in section
    assert "Ainur Kurmanov (2010)</a>: 1 message waiting" in section
