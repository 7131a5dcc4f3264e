"""Solidarity reach: the numbers per case and the chart that draws them."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask

from campaign.models import Case, EventType, Visibility
from campaign.timeline.reach import CountryReach, Reach, load_reach, reach_table


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


def test_chart_is_a_table_a_screen_reader_reads_with_names_escaped() -> None:
    reach = Reach(actions=2, messages=1, by_country=[CountryReach("AT", 2, 1)])
    table = str(reach_table(reach, lambda code: "<Austria>"))
    assert table.startswith('<table class="reach-chart">')
    assert "Solidarity by country" in re.search(r"<caption>.*</caption>", table).group(0)
    headers = re.findall(r'<th scope="col">([^<]*)</th>', table)
    assert headers == ["Country", "Actions", "Messages"]
    assert '<th scope="row">&lt;Austria&gt;</th>' in table
    assert "<Austria>" not in table
    # The bars are drawing only: the numbers are the table's text.
    assert re.findall(r'<span class="value">(\d+)</span>', table) == ["2", "1"]
    assert table.count('aria-hidden="true"') == 2
    assert str(reach_table(Reach(), lambda code: "")) == ""


def test_chart_draws_both_columns_to_one_scale_and_names_whole() -> None:
    """Russian "South Africa" (27 letters) was cut and, before that, ran off the chart: a name
    is text in its cell now, whole, and wraps on a phone."""
    reach = Reach(
        actions=40,
        messages=10,
        by_country=[CountryReach("ZA", 10, 40), CountryReach("AT", 30, 0)],
    )
    names = {"ZA": "Южно-Африканская Республика", "AT": "Австрия"}
    table = str(reach_table(reach, lambda code: names[code or ""]))
    assert '<th scope="row">Южно-Африканская Республика</th>' in table
    # Every bar's scale is the largest number of either column; a zero has no bar.
    bars = re.findall(
        r'<svg class="bar bar-(\w+)" viewBox="0 0 (\d+) 1"[^>]*><rect width="(\d+)"', table
    )
    assert bars == [("actions", "40", "10"), ("messages", "40", "40"), ("actions", "40", "30")]


def test_chart_speaks_the_readers_language(app: Flask) -> None:
    """Its texts were once inside f-strings, where Babel extracts nothing: they stayed English."""
    from flask_babel import force_locale

    reach = Reach(actions=1, messages=1, by_country=[CountryReach("AT", 1, 1)])
    with app.test_request_context("/ru/"), force_locale("ru"):
        table = str(reach_table(reach, lambda code: "Австрия"))
    assert "Солидарность по странам" in table
    assert re.findall(r'<th scope="col">([^<]*)</th>', table) == ["Страна", "Действия", "Сообщения"]
