"""The staff screens in a real browser: logging a picket from a 360-px phone, the full form."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner
from playwright.sync_api import expect

from campaign.extensions import db
from campaign.models import Event, Role
from tests.browser.conftest import ARTIFACTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.parametrize("backend", ["sqlite"]),
]

PASSWORD = "correct horse battery staple"


def _sign_in(page, live_server: str, email: str) -> None:
    page.goto(live_server + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_load_state()


def test_an_activist_logs_a_picket_from_a_phone(
    app: Flask, runner: FlaskCliRunner, live_server: str, phone, make_user
) -> None:
    runner.invoke(args=["demo"])
    user = make_user(Role.ACTIVIST)
    _sign_in(phone, live_server, user.email)
    phone.goto(live_server + "/manage/events/picket")
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "picket-phone-empty.png"), full_page=True)

    # Nothing spills sideways at 360 px.
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    # Touch targets are at least 44 CSS px high.
    for selector in ("input[name=organisation]", "input[name=date]", "[type=submit]"):
        box = phone.locator(f"main {selector}").first.bounding_box()
        assert box is not None
        assert box["height"] >= 44, selector
    checkbox_label = phone.locator(".check-list label").first.bounding_box()
    assert checkbox_label is not None
    assert checkbox_label["height"] >= 44

    phone.get_by_label("Ainur Kurmanov").check()
    phone.get_by_label("Organised by").fill("CWI Austria (SLP)")
    phone.get_by_label("Where (venue)").fill("OSCE building")
    phone.get_by_label("City").fill("Vienna")
    phone.get_by_label("How many people came").fill("30")
    phone.screenshot(path=str(ARTIFACTS / "picket-phone-filled.png"), full_page=True)
    phone.get_by_role("button", name="Log it").click()
    phone.wait_for_load_state()
    expect(phone.get_by_text("the picket was logged")).to_be_visible()

    for name, path in (("events", "/manage/events/"), ("cases", "/manage/cases/")):
        phone.goto(live_server + path)
        phone.screenshot(path=str(ARTIFACTS / f"{name}-phone.png"))
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360, path

    with app.app_context():
        event = db.session.scalars(sa.select(Event).where(Event.created_by_id == user.id)).one()
        assert event.participants == 30
        assert event.venue is not None
        assert event.venue.name == "OSCE building"


def test_the_full_event_form_shows_errors_next_to_fields_without_javascript(
    runner: FlaskCliRunner, live_server: str, page, make_user
) -> None:
    runner.invoke(args=["demo"])
    user = make_user(Role.ORGANISER)
    _sign_in(page, live_server, user.email)
    page.goto(live_server + "/manage/events/new")
    page.get_by_label("Title", exact=True).fill("Vienna picket")
    page.get_by_label("Date", exact=True).fill("31.04.2010")
    page.get_by_label("How much of the date is known").select_option("month")
    page.get_by_role("button", name="Save the event").click()
    page.wait_for_load_state()
    expect(page.locator("p.error", has_text="Choose at least one case.")).to_be_visible()
    expect(page.locator("p.error", has_text="This date does not exist.")).to_be_visible()
    # The summary at the top links to each field in error.
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    assert summary.get_by_role("link", name="Cases").get_attribute("href") == "#cases"
    assert page.get_by_label("Title", exact=True).input_value() == "Vienna picket"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "event-form-errors.png"), full_page=True)


def test_an_organiser_reads_the_demo_case_its_events_and_its_history(
    runner: FlaskCliRunner, live_server: str, page, make_user
) -> None:
    runner.invoke(args=["demo"])
    user = make_user(Role.ORGANISER)
    _sign_in(page, live_server, user.email)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_server + "/manage/cases/")
    # At 1280 px the work links take one row; the account's sit on the site name's row.
    tops = page.eval_on_selector_all(
        ".nav-wide li", "items => items.map(item => Math.round(item.getBoundingClientRect().top))"
    )
    assert len(tops) >= 10
    assert len(set(tops)) == 1, tops
    account = page.get_by_role("navigation", name="Account")
    expect(account.get_by_role("button", name="Sign out")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "staff-cases.png"), full_page=True)
    page.get_by_role("link", name="Ainur Kurmanov").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ainur Kurmanov")
    expect(page.get_by_role("heading", name="Events")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "staff-case.png"), full_page=True)
    page.get_by_role("link", name="Edit", exact=True).first.click()
    page.get_by_label("Occupation").fill("Journalist and socialist activist")
    page.get_by_role("button", name="Save the case").click()
    expect(page.get_by_text("The case was saved.")).to_be_visible()
    page.get_by_role("link", name="History", exact=True).last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^History of"))
    expect(
        page.get_by_role("cell", name="Journalist and socialist activist", exact=True)
    ).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "staff-case-history.png"), full_page=True)
    assert all(url.startswith(live_server) for url in requested), requested
