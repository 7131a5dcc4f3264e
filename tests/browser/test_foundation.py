"""A new user's first look, in a real browser: the demo campaign from the home page."""

from __future__ import annotations

import pytest
from flask.testing import FlaskCliRunner
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.parametrize("backend", ["sqlite"]),
]


def test_a_new_user_finds_the_demo_case_and_its_linked_case(
    runner: FlaskCliRunner, live_server: str, page
) -> None:
    runner.invoke(args=["demo"])
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_server + "/")
    assert page.title().startswith("Cases")
    # The stylesheet loads under the Content-Security-Policy (the header bar is dark, not default).
    header = page.locator(".site-header")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(29, 29, 31)"
    page.get_by_role("link", name="Ainur Kurmanov").click()
    assert page.url == live_server + "/cases/ainur-kurmanov"
    expect(page.get_by_role("heading", level=1)).to_have_text("Ainur Kurmanov")
    expect(page.get_by_text("about 27 April 2010").first).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "demo-case.png"), full_page=True)
    linked = page.get_by_role("region", name="Linked cases")
    linked.get_by_role("link", name="Yesenbek Ukteshbaev").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Yesenbek Ukteshbaev")
    # Nothing the pages asked for came from another host.
    assert requested
    assert all(url.startswith(live_server) for url in requested), requested
