"""Solidarity reach: the numbers per case and the chart that draws them."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask

from campaign.models import Case, EventType, Visibility
from campaign.timeline.reach import CountryReach, Reach, load_reach, reach_svg


def test_reach_counts_public_actions_cities_countries_organisations_and_messages(
    app: Flask,
    make_case: Callable[..., Case],
    make_event,
    make_published_message,
) -> None:
    case = make_case()
    other = make_case()
    make_event([case.id], type=EventType.PICKET, city="Vienna", country="AT")
    make_event([case.id], type=EventType.VIGIL, city="Vienna", country="AT")
    make_event([case.id], type=EventType.DEMONSTRATION, city="Moscow", country="RU")
    make_event(
        [case.id], type=EventType.HEARING, city="Almaty", country="KZ"
    )  # legal: not an action
    make_event(
        [case.id], type=EventType.PICKET, city="Paris", country="FR", visibility=Visibility.INTERNAL
    )
    make_event([other.id], type=EventType.PICKET, city="Berlin", country="DE")
    for country in ("GB", "GB", "NG"):
        make_published_message(case.id, country=country)
    make_published_message(case.id, country="US", state="pending")
    with app.app_context():
        reach = load_reach(case.id)
    assert (reach.actions, reach.cities, reach.countries) == (3, 2, 2)
    assert (reach.messages, reach.message_countries) == (3, 2)


def test_chart_escapes_names_and_describes_itself() -> None:
    reach = Reach(actions=2, messages=1, by_country=[CountryReach("AT", 2, 1)])
    svg = str(reach_svg(reach, lambda code: "<Austria>"))
    assert svg.startswith("<svg")
    assert "&lt;Austria&gt;" in svg
    assert "<Austria>" not in svg
    assert 'role="img"' in svg
    assert "<desc" in svg
    assert str(reach_svg(Reach(), lambda code: "")) == ""


def test_chart_writes_a_long_name_cut_at_a_word_and_makes_room_for_it() -> None:
    """Russian "South Africa" (27 letters) was cut mid-word and ran off the chart's left edge."""
    reach = Reach(
        actions=2,
        messages=2,
        by_country=[CountryReach("ZA", 1, 1), CountryReach("AT", 1, 1)],
    )
    names = {"ZA": "Южно-Африканская Республика", "AT": "Австрия"}
    svg = str(reach_svg(reach, lambda code: names[code or ""]))
    assert ">Южно-Африканская…</text>" in svg
    assert ">Австрия</text>" in svg
    assert "Южно-Африканская Республика: " in svg  # the text alternative keeps it whole
    # The names end where the bars begin, and the longest fits left of that at 10 units a letter.
    bars = re.search(r'<rect x="(\d+)" y="\d+" width="\d+" height="9"', svg)
    assert bars is not None
    assert int(bars.group(1)) >= 10 * len("Южно-Африканская…")
