"""Searching: any word order, either script, ranked and paged; the public never finds what it
may not see, and no input reaches the database's query language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask import Flask

from campaign.models import Case, Event, EventType, Role, User, Visibility
from campaign.search.queries import PAGE_SIZE, search, search_terms


@pytest.fixture
def kurmanov(make_case: Callable[..., Case], make_event: Callable[..., Event]) -> Case:
    """The demo's person, with a public event and a summary that names a place."""
    case = make_case(
        person_name="Ainur Kurmanov",
        person_name_original="Айнур Курманов",
        charges="Organising a picket",
        summary="Held in the special detention centre in Almaty.",
    )
    make_event([case.id], title="Picket at Temir Bank", city="Almaty")
    return case


def _found(app: Flask, text: str, *, staff: bool = False) -> list[tuple[str, int]]:
    with app.app_context():
        results = search(text, staff=staff)
        return [(h.kind, (h.case or h.event).id) for h in results.hits]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "text",
    [
        "Ainur Kurmanov",
        "Kurmanov Ainur",
        "kurmanov, AINUR",
        "Айнур Курманов",
        "Курманов",
        "ainu kurm",
    ],
)
def test_a_name_is_found_in_any_order_and_either_script(
    app: Flask, kurmanov: Case, text: str
) -> None:
    assert _found(app, text)[0] == ("case", kurmanov.id)


def test_a_cyrillic_name_is_found_from_its_latin_spelling(
    app: Flask, make_case: Callable[..., Case]
) -> None:
    case = make_case(person_name="Есенбек Ұқтешбаев")
    assert _found(app, "Esenbek") == [("case", case.id)]
    assert _found(app, "uktesh") == [("case", case.id)]


def test_summaries_places_and_event_titles_are_searched(app: Flask, kurmanov: Case) -> None:
    assert ("case", kurmanov.id) in _found(app, "detention centre")
    kinds = [kind for kind, _ in _found(app, "temir bank")]
    assert kinds == ["event"]
    assert len(_found(app, "almaty")) == 2


def test_a_case_outranks_an_event_that_names_the_person(
    app: Flask, make_case: Callable[..., Case], make_event: Callable[..., Event]
) -> None:
    case = make_case(person_name="Ainur Kurmanov")
    make_event([case.id], title="Ainur Kurmanov arrested")
    make_event([case.id], title="Ainur Kurmanov released")
    assert _found(app, "Ainur Kurmanov")[0] == ("case", case.id)


def test_the_public_never_finds_what_it_may_not_see(
    app: Flask,
    make_case: Callable[..., Case],
    make_event: Callable[..., Event],
    make_user: Callable[..., User],
) -> None:
    shown = make_case(person_name="Shown Person")
    hidden = make_case(person_name="Secret Person", published=False)
    archived = make_case(person_name="Archived Person", archived_at=datetime.now(UTC))
    activist = make_user(Role.ACTIVIST)
    internal = make_event([shown.id], title="Secret plan", visibility=Visibility.INTERNAL)
    unchecked = make_event(
        [shown.id], title="Secret arrest", type=EventType.ARREST, created_by_id=activist.id
    )
    of_hidden = make_event([hidden.id], title="Secret picket")
    public = make_event([shown.id, hidden.id], title="Open picket")

    assert _found(app, "secret") == []
    assert _found(app, "archived") == []
    with app.app_context():
        results = search("open picket", staff=False)
        assert [h.event.id for h in results.hits if h.event] == [public.id]
        # The public hit names only the case the public may open.
        assert [c.id for c in results.hits[0].cases] == [shown.id]

    staff = _found(app, "secret", staff=True)
    assert sorted(staff) == sorted(
        [
            ("case", hidden.id),
            ("event", internal.id),
            ("event", unchecked.id),
            ("event", of_hidden.id),
        ]
    )
    assert _found(app, "archived", staff=True) == [("case", archived.id)]


def test_results_come_in_pages_and_a_page_past_the_end_shows_the_last(
    app: Flask, make_case: Callable[..., Case], make_event: Callable[..., Event]
) -> None:
    case = make_case(person_name="Ainur Kurmanov")
    for n in range(PAGE_SIZE + 5):
        make_event([case.id], title=f"Picket number {n}")
    with app.app_context():
        first = search("picket", staff=False, page=1)
        last = search("picket", staff=False, page=10**9)
    assert (first.total, first.pages, len(first.hits)) == (PAGE_SIZE + 5, 2, PAGE_SIZE)
    assert (last.page, len(last.hits), last.first) == (2, 5, PAGE_SIZE + 1)
    assert {h.event.id for h in first.hits if h.event}.isdisjoint(
        {h.event.id for h in last.hits if h.event}
    )


@pytest.mark.parametrize(
    "text",
    [
        '"',
        "'",
        "Kurmanov OR",
        "NEAR(ainur kurmanov)",
        "heading:ainur",
        "ainur*",
        "-kurmanov",
        "ainur & | ! : * ( )",
        "kurmanov\x00",
        "kurmanov'\"",
        "\x00",
        "a" * 10_000,
        " ".join(["ainur"] * 1000),
        "%_\\",
        "😀",
    ],
)
def test_no_input_breaks_the_search(app: Flask, kurmanov: Case, text: str) -> None:
    with app.app_context():
        results = search(text, staff=False)
    assert results.total >= 0
    if text.startswith(("kurmanov", "-kurmanov", "ainur*")):
        assert [(h.kind, h.case.id) for h in results.hits if h.case] == [("case", kurmanov.id)]


def test_the_terms_are_bounded_folded_words() -> None:
    assert search_terms('Kurmanov "OR" NEAR(Ainur)*') == ["kurmanov", "or", "near", "ainur"]
    assert len(search_terms(" ".join(f"w{n}" for n in range(100)))) == 8
    assert all(len(t) <= 40 for t in search_terms("x" * 500))
    assert search_terms("\x00 ") == []


@pytest.mark.parametrize("trigrams", [True, False], ids=["as-installed", "without-pg-trgm"])
def test_a_misspelt_name_is_corrected_from_what_one_may_find(
    app: Flask,
    kurmanov: Case,
    make_case: Callable[..., Case],
    monkeypatch: pytest.MonkeyPatch,
    trigrams: bool,
) -> None:
    """pg_trgm where PostgreSQL has it, difflib elsewhere: the closest word of a heading."""
    from campaign.search import queries

    if not trigrams:
        monkeypatch.setattr(queries, "_trigram_schema", lambda: None)
    make_case(person_name="Kurmanova Secret", published=False)
    with app.app_context():
        results = search("Kurmanof", staff=False)
        nothing = search("Zzyzx", staff=False)
    assert results.corrected
    assert results.terms == ["kurmanov"]  # never the unpublished "kurmanova"
    assert [(h.kind, h.case.id) for h in results.hits if h.case] == [("case", kurmanov.id)]
    assert (nothing.total, nothing.corrected) == (0, False)
