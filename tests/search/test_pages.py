"""The search pages: highlighted and escaped, paged, never a 500 whatever is typed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from campaign.models import Case, Event, Role, Visibility
from campaign.search import queries


def test_hits_are_highlighted_and_what_people_typed_is_escaped(
    client: FlaskClient, make_case: Callable[..., Case]
) -> None:
    make_case(person_name="Ainur <script>alert(1)</script> Kurmanov", slug="ainur")
    html = client.get("/search", query_string={"q": "kurmanov <ainur>"}).get_data(as_text=True)
    assert "<mark>Ainur</mark> &lt;script&gt;alert(1)&lt;/script&gt; <mark>Kurmanov</mark>" in html
    assert "<script>alert" not in html
    assert 'value="kurmanov &lt;ainur&gt;"' in html
    assert 'href="/cases/ainur"' in html


def test_an_event_links_to_its_place_on_the_case_page(
    client: FlaskClient, make_case: Callable[..., Case], make_event: Callable[..., Event]
) -> None:
    case = make_case(slug="ainur-kurmanov")
    event = make_event([case.id], title="Picket at the OSCE", city="Vienna")
    html = client.get("/search?q=osce vienna").get_data(as_text=True)
    assert f'href="/cases/ainur-kurmanov#event-{event.id}"' in html
    assert "1 result" in html


def test_results_are_in_the_readers_language_where_translated(
    app: Flask,
    client: FlaskClient,
    make_case: Callable[..., Case],
    make_event: Callable[..., Event],
) -> None:
    """A Russian reader who finds an event by its Russian translation reads the Russian
    title; an English one, marked as such, where there is no translation."""
    from campaign.content import services as content
    from campaign.extensions import db

    case = make_case(slug="ainur-kurmanov", charges="Organising an unsanctioned picket")
    event = make_event([case.id], title="Protest outside Temir Bank", city="Almaty")
    with app.app_context():
        content.save_translation(
            db.session.get(Event, event.id), "ru", {"title": "Протест возле Темирбанка"}
        )
        content.save_translation(
            db.session.get(Case, case.id), "ru", {"charges": "Организация пикета"}
        )
        db.session.commit()
    russian = client.get("/ru/search?q=Темирбанка").get_data(as_text=True)
    assert "Протест возле <mark>Темирбанка</mark>" in russian
    assert "Protest outside Temir Bank" not in russian
    english = client.get("/ru/search?q=Temir").get_data(as_text=True)
    # Found by the original, shown translated (the search reads either script).
    assert "Протест возле <mark>Темирбанка</mark>" in english
    assert "<mark>Organising</mark>" not in client.get("/ru/search?q=organising").get_data(
        as_text=True
    )
    assert "Организация <mark>пикета</mark>" in client.get("/ru/search?q=пикета").text
    kazakh = client.get("/kk/search?q=Temir").get_data(as_text=True)
    assert '<span dir="auto" lang="en">Protest outside <mark>Temir</mark> Bank</span>' in kazakh
    assert 'class="language-note"' in kazakh


@pytest.mark.parametrize(
    "query",
    [
        "q=%00",
        "q=kurmanov%00",
        "q=%22%27%28NEAR",
        "q=" + "x" * 5000,
        "q=kurmanov&page=99999999999999999999999",
        "q=kurmanov&page=-3",
        "q=kurmanov&page=abc",
        "q=kurmanov&page=%00",
        "q=%E2%80%AE%F0%9F%98%80",
        "q=%FF%FE",
        "",
    ],
)
def test_no_input_gives_an_error_page(
    client: FlaskClient, make_case: Callable[..., Case], query: str
) -> None:
    """Anything typed is searched; NUL bytes and undecodable text are refused with a 400 by
    the request guard (campaign.web.inputs), never stored or sent to the database."""
    make_case(person_name="Ainur Kurmanov")
    response = client.get(f"/search?{query}")
    if "%00" in query or "%FF" in query:
        assert response.status_code == 400
        return
    assert response.status_code == 200
    if query.startswith("q=kurmanov"):
        assert "<mark>Kurmanov</mark>" in response.get_data(as_text=True)


def test_no_input_breaks_the_case_list_or_the_staff_search(
    client: FlaskClient, staff_client: Callable[..., FlaskClient], make_case: Callable[..., Case]
) -> None:
    make_case(person_name="Ainur Kurmanov")
    staff = staff_client(Role.ACTIVIST)
    for query in ("q=%00", "q=kurmanov%00%22", "q=NEAR(%22a%22", "q=" + "y" * 5000):
        expected = 400 if "%00" in query else 200  # the request guard refuses NUL bytes
        assert client.get(f"/?{query}").status_code == expected, query
        response = staff.get(f"/manage/search/?{query}&page=99999999999999999999")
        assert response.status_code == expected, query
    assert "Ainur Kurmanov" in client.get("/?q=kurmanov%22").get_data(as_text=True)


def test_pages_link_to_each_other(
    client: FlaskClient, make_case: Callable[..., Case], make_event: Callable[..., Event]
) -> None:
    case = make_case()
    for n in range(queries.PAGE_SIZE + 1):
        make_event([case.id], title=f"Picket {n}")
    first = client.get("/search?q=picket").get_data(as_text=True)
    assert "Page 1 of 2" in first
    assert 'href="/search?q=picket&amp;page=2"' in first
    second = client.get("/search?q=picket&page=2").get_data(as_text=True)
    assert 'href="/search?q=picket&amp;page=1"' in second
    assert '<ol class="search-results" start="21">' in second


def test_staff_search_finds_unpublished_cases_and_internal_events(
    client: FlaskClient,
    staff_client: Callable[..., FlaskClient],
    make_case: Callable[..., Case],
    make_event: Callable[..., Event],
) -> None:
    hidden = make_case(person_name="Quiet Person", published=False)
    event = make_event([hidden.id], title="Quiet meeting", visibility=Visibility.INTERNAL)
    assert "No result" not in client.get("/search?q=quiet").get_data(as_text=True)
    assert "0 results" in client.get("/search?q=quiet").get_data(as_text=True)
    html = staff_client(Role.ACTIVIST).get("/manage/search/?q=quiet").get_data(as_text=True)
    assert "2 results" in html
    assert f'href="/manage/cases/{hidden.id}"' in html
    assert f'href="/manage/events/{event.id}"' in html
    assert "Unpublished" in html
    assert "Internal" in html


def test_the_case_list_search_ignores_word_order(
    client: FlaskClient, make_case: Callable[..., Case]
) -> None:
    make_case(person_name="Ainur Kurmanov", person_name_original="Айнур Курманов")
    make_case(person_name="Yesenbek Ukteshbaev")
    for query in ("Kurmanov Ainur", "Айнур", "ainur"):
        html = client.get("/", query_string={"q": query}).get_data(as_text=True)
        assert "Ainur Kurmanov" in html, query
        assert "Yesenbek Ukteshbaev" not in html, query
        assert "/search?q=" in html  # and the events too, one click away


def test_the_public_search_is_in_the_header(client: FlaskClient, app: Flask) -> None:
    html = client.get("/").get_data(as_text=True)
    assert 'href="/search"' in html


def test_on_a_phone_the_staff_links_fold_into_a_menu_beside_log_a_picket(
    staff_client: Callable[..., FlaskClient],
) -> None:
    """No JavaScript: a <details> menu; the quick picket form is outside it, one tap away."""
    html = staff_client(Role.ACTIVIST).get("/manage/").get_data(as_text=True)
    phone = html[html.index('<div class="nav-phone">') :]
    phone = phone[: phone.index("</nav>")]
    picket, menu = phone.index('class="nav-picket"'), phone.index('<details class="nav-menu">')
    assert picket < menu
    assert "<summary>Menu</summary>" in phone
    folded = phone[menu:]
    assert "Sign out" in folded
    assert "Log a picket" not in folded  # it is already beside the menu
    assert "Users" not in phone  # links follow the role, as in the wide row


def test_a_visitor_has_no_folded_menu(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "nav-menu" not in html
