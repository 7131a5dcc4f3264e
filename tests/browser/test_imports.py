"""Spreadsheets in, in a real browser without JavaScript: upload, map, preview, confirm, on a
360-px phone and on a 1280-px screen."""

from __future__ import annotations

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
SHEET = (
    "Date;Type;Title;Participants;Country\n"
    "about 2.5.2010;picket;Picket at the embassy in Berlin;12;Germany\n"
    "May 2010;statement;Statement of the union;;\n"
    "someday;picket;Undated;;\n"
)


def _sign_in(page, live_server: str, email: str) -> None:
    page.goto(live_server + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("screen", ["phone", "page"])
def test_an_organiser_imports_a_sheet(
    app: Flask,
    runner: FlaskCliRunner,
    live_server: str,
    make_user,
    tmp_path,
    request: pytest.FixtureRequest,
    screen: str,
) -> None:
    browser = request.getfixturevalue(screen)
    width = 360 if screen == "phone" else 1280
    runner.invoke(args=["demo"])
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Event))
    user = make_user(Role.ORGANISER)
    _sign_in(browser, live_server, user.email)
    browser.goto(live_server + "/manage/events/")
    browser.get_by_role("link", name="Import a spreadsheet").click()
    browser.wait_for_load_state()
    sheet = tmp_path / "actions.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    browser.set_input_files("input[name=sheet]", str(sheet))
    browser.select_option("select[name=case]", label="Ainur Kurmanov")
    browser.get_by_role("button", name="Upload and choose columns").click()
    browser.wait_for_load_state()
    assert browser.evaluate("document.documentElement.scrollWidth") <= width
    ARTIFACTS.mkdir(exist_ok=True)
    browser.screenshot(path=str(ARTIFACTS / f"import-map-{width}.png"), full_page=True)
    browser.get_by_role("button", name="Preview the import").click()
    browser.wait_for_load_state()
    expect(browser.get_by_text("is not a date this tracker can read")).to_be_visible()
    assert browser.evaluate("document.documentElement.scrollWidth") <= width
    browser.screenshot(path=str(ARTIFACTS / f"import-preview-{width}.png"), full_page=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == before
    browser.get_by_label("Leave out the rows with problems and import the rest").check()
    browser.get_by_role("button", name="Confirm the import").click()
    browser.wait_for_load_state()
    expect(browser.get_by_text("2 created")).to_be_visible()
    with app.app_context():
        picket = db.session.scalars(
            sa.select(Event).where(Event.title == "Picket at the embassy in Berlin")
        ).one()
        assert (picket.country, picket.participants, picket.date_approximate) == ("DE", 12, True)
        assert [c.person_name for c in picket.cases] == ["Ainur Kurmanov"]
