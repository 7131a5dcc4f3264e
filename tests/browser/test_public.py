"""The public case page in a real browser: filters without JavaScript, messages, phone, print."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from playwright.sync_api import expect

from campaign.models import Case, CaseStatus, EventType
from tests.browser.conftest import ARTIFACTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.parametrize("backend", ["sqlite"]),
]

# Masha's message in the demo, in Russian ("Ainur, we are with you").
MASHA = "Айнур, мы с тобой"  # noqa: RUF001


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_demo_timeline_filters_and_message_summary_without_javascript(
    runner: FlaskCliRunner, live_server: str, page
) -> None:
    runner.invoke(args=["demo"])
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_server + "/cases/ainur-kurmanov")
    timeline = page.locator("#timeline")
    expect(timeline.get_by_text("Appeal rejected")).to_be_visible()
    expect(timeline.get_by_text("Picket at the Kazakhstan embassy in Moscow")).to_be_visible()
    assert page.locator(".item-internal").count() == 0  # the organisers' note stays internal

    # A daily summary of messages opens without JavaScript (a <details> element).
    summary = timeline.locator(".item-messages summary").first
    expect(summary).to_contain_text("message")
    expect(timeline.get_by_text(MASHA)).not_to_be_visible()
    summary.click()
    expect(timeline.get_by_text(MASHA)).to_be_visible()
    _shot(page, "public-case-desktop.png")

    # Only legal events: untick the others and apply the GET form.
    page.get_by_role("checkbox", name="Solidarity actions").uncheck()
    page.get_by_role("checkbox", name="Messages of support").uncheck()
    page.get_by_role("button", name="Apply").click()
    assert "show=legal" in page.url
    expect(timeline.get_by_text("Appeal rejected")).to_be_visible()
    assert timeline.get_by_text("Picket at the Kazakhstan embassy in Moscow").count() == 0
    assert timeline.locator(".item-messages").count() == 0
    assert page.get_by_role("checkbox", name="Legal and custody").is_checked()
    assert all(url.startswith(live_server) for url in requested), requested


def test_print_layout_is_a_clean_case_sheet(runner: FlaskCliRunner, live_server: str, page) -> None:
    runner.invoke(args=["demo"])
    page.goto(live_server + "/cases/ainur-kurmanov")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).not_to_be_visible()
    expect(page.locator(".timeline-filters")).not_to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("#timeline").get_by_text("Appeal rejected")).to_be_visible()
    _shot(page, "public-case-print.png")
    page.pdf(path=str(ARTIFACTS / "public-case-sheet.pdf"), format="A4")


def test_detained_case_on_a_phone(
    app: Flask,
    live_server: str,
    phone,
    make_case: Callable[..., Case],
    make_event,
    make_published_message,
) -> None:
    today = datetime.now(UTC).date()
    case = make_case(
        slug="dana",
        person_name="Dana Detained",
        status=CaseStatus.DETAINED,
        country="BY",
        city="Minsk",
        charges="Gross violation of public order (Article 342)",
        court="Minsk City Court",
        detention_place="Pre-trial detention centre No. 1, Minsk",
        detention_address="Dana Detained\nul. Volodarskogo 2\n220030 Minsk\nBelarus",
        detention_address_public=True,
        arrest_date=today - timedelta(days=120),
    )
    make_event(
        [case.id], type=EventType.ARREST, title="Detained at home", date=today - timedelta(days=120)
    )
    make_event(
        [case.id],
        type=EventType.HUNGER_STRIKE_START,
        title="Hunger strike",
        date=today - timedelta(days=6),
    )
    make_event(
        [case.id],
        type=EventType.HEARING,
        title="Trial opens at the City Court",
        date=today + timedelta(days=12),
        start_time=time(10, 0),
    )
    make_event(
        [case.id],
        type=EventType.PICKET,
        title="Picket at the embassy in Vilnius",
        city="Vilnius",
        country="LT",
        date=today - timedelta(days=20),
    )
    for country in ("LT", "PL", "DE", "LT"):
        make_published_message(
            case.id,
            country=country,
            display_name="Ona",
            created_at=datetime.now(UTC) - timedelta(days=2),
        )
    phone.goto(live_server + "/cases/dana")
    expect(phone.locator(".counter-detention .counter-number")).to_have_text("121")
    expect(phone.locator(".counter-strike .counter-number")).to_have_text("7")
    expect(phone.locator(".counter-hearing .counter-number")).to_have_text("12")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width  # nothing overflows sideways
    _shot(phone, "public-case-phone.png")
    phone.goto(live_server + "/")
    _shot(phone, "public-home-phone.png")
    # The case sheet for a letter-writing evening carries the address for letters.
    phone.goto(live_server + "/cases/dana")
    phone.emulate_media(media="print")
    expect(phone.get_by_text("ul. Volodarskogo 2")).to_be_visible()
    expect(phone.get_by_role("button", name="Apply")).not_to_be_visible()
    _shot(phone, "public-case-print-detained.png")


def test_the_printed_sheet_shows_each_source_address_after_its_title(
    app: Flask, live_server: str, page, make_case: Callable[..., Case]
) -> None:
    from campaign.extensions import db
    from campaign.models import Event, Source

    case = make_case(slug="x", person_name="Daria Volkova")
    with app.app_context():
        db.session.add(
            Event(
                type=EventType.PICKET,
                title="Picket at the embassy",
                date=datetime(2010, 5, 4, tzinfo=UTC).date(),
                sources=[Source(title="Report", url="https://example.org/report")],
                cases=[db.session.get(Case, case.id)],
            )
        )
        db.session.commit()
    page.goto(live_server + "/cases/x/sheet")
    after = "(el) => getComputedStyle(el, '::after').content"
    source = page.locator(".item-sources a").first
    assert "example.org" not in source.evaluate(after)  # on screen the link is enough
    page.emulate_media(media="print")
    assert source.evaluate(after) == '" (https://example.org/report)"'
    back = page.locator(".case-header, .related, .case-facts").locator("a").all()
    assert all("http" not in link.evaluate(after) for link in back)


def test_the_reach_chart_reads_on_a_phone_in_russian(
    live_server: str,
    phone,
    make_case: Callable[..., Case],
    make_event,
    make_published_message,
) -> None:
    """The chart was one picture scaled to the screen: on a 360-px phone its names were 9 px
    high and "Южно-Африканская Республика" was cut. Its names and numbers are text now."""
    case = make_case(slug="dana", person_name="Dana Detained")
    make_event([case.id], type=EventType.PICKET, city="Vienna", country="AT")
    for country in ("ZA", "ZA", "GB", "GB", "AT"):
        make_published_message(case.id, country=country)
    phone.goto(live_server + "/ru/cases/dana")
    chart = phone.locator(".reach-chart")
    expect(chart.get_by_role("rowheader", name="Южно-Африканская Республика")).to_be_visible()
    expect(chart.get_by_role("columnheader", name="Сообщения")).to_be_attached()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width
    sizes = chart.locator("tbody th").evaluate_all(
        "cells => cells.map(cell => parseFloat(getComputedStyle(cell).fontSize))"
    )
    assert len(sizes) == 3
    assert min(sizes) >= 15, sizes
    # Two messages from South Africa draw a bar twice as long as Austria's one.
    bars = chart.locator(".bar-messages").evaluate_all(
        "bars => bars.map(bar => bar.querySelector('rect').getBoundingClientRect().width)"
    )
    assert len(bars) == 3
    assert abs(max(bars) - 2 * min(bars)) <= 1, bars
    chart.screenshot(path=str(ARTIFACTS / "reach-chart-phone-ru.png"))
