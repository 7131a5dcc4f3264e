"""In a browser: the "write a letter" page at 360 and 1280 px (and on paper), "I sent a
letter" without JavaScript, and an organiser's appeal from draft to response."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner
from playwright.sync_api import expect

from campaign.extensions import db
from campaign.models import Appeal, Role, User
from tests.browser.conftest import ARTIFACTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.parametrize("backend", ["sqlite"]),
]


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def _demo_appeal(app: Flask, runner: FlaskCliRunner) -> int:
    runner.invoke(args=["demo"])
    with app.app_context():
        appeal_id = db.session.scalar(sa.select(Appeal.id))
        assert appeal_id is not None
        return int(appeal_id)


@pytest.mark.parametrize("width", [360, 1280])
def test_the_letter_page_fits_the_screen_and_prints_the_letter(
    app: Flask, runner: FlaskCliRunner, live_server: str, page: Any, width: int
) -> None:
    appeal_id = _demo_appeal(app, runner)
    ARTIFACTS.mkdir(exist_ok=True)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server + "/cases/ainur-kurmanov")
    page.get_by_role("link", name="Release Ainur Kurmanov and Yesenbek Ukteshbaev").first.click()
    assert page.url == f"{live_server}/cases/ainur-kurmanov/appeals/{appeal_id}"
    page.screenshot(path=str(ARTIFACTS / f"appeal-letter-{width}.png"), full_page=True)
    expect(page.get_by_role("heading", name="What we ask, and why")).to_be_visible()
    expect(page.get_by_text("Wallnerstrasse 6")).to_be_visible()
    expect(page.get_by_text("Dear Sir or Madam")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert all(url.startswith(live_server) for url in requested)

    page.emulate_media(media="print")
    expect(page.get_by_text("Dear Sir or Madam")).to_be_visible()
    expect(page.get_by_role("navigation", name="Site")).not_to_be_visible()
    expect(page.get_by_text("supporter reported sending a letter").first).not_to_be_visible()
    page.emulate_media(media="screen")


def test_a_supporter_reports_a_letter_once_without_javascript(
    app: Flask, runner: FlaskCliRunner, live_server: str, phone: Any, page: Any
) -> None:
    appeal_id = _demo_appeal(app, runner)
    with app.app_context():
        appeal = db.session.get(Appeal, appeal_id)
        appeal.state = "open"  # type: ignore[assignment]
        db.session.commit()
    # Both browsers come from the same address: the second is thanked, not counted again.
    for screen, said in (
        (phone, "Thank you: your letter is counted."),
        (page, "Thank you: your letter was already counted today."),
    ):
        screen.goto(f"{live_server}/cases/ainur-kurmanov/appeals/{appeal_id}")
        screen.get_by_role("link", name="I sent a letter").click()
        # The click only starts the navigation: wait for the page it leads to before measuring.
        confirm = screen.get_by_role("button", name="Yes, I sent a letter")
        expect(confirm).to_be_visible()
        assert screen.evaluate("document.documentElement.scrollWidth") <= (
            360 if screen is phone else 1280
        )
        screen.wait_for_timeout(1100)  # a person takes longer than the page's one second
        confirm.click()
        expect(screen.get_by_text(said)).to_be_visible()
    expect(page.get_by_text("1 supporter reported sending a letter.")).to_be_visible()
    with app.app_context():
        from campaign.appeals.queries import letters_reported

        assert letters_reported([appeal_id]) == {appeal_id: 1}


def test_an_organiser_writes_opens_and_records_a_response(
    app: Flask,
    runner: FlaskCliRunner,
    live_server: str,
    page: Any,
    make_user: Callable[..., User],
) -> None:
    runner.invoke(args=["demo"])
    organiser = make_user(Role.ORGANISER, email="organiser@example.org")
    page.goto(live_server + "/login")
    page.fill("input[name=email]", organiser.email)
    page.fill("input[name=password]", "correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server + "/manage/")
    page.get_by_role("link", name="Appeals").first.click()
    page.get_by_role("link", name="New appeal").click()
    page.get_by_label("Title").fill("Visit rights for Ainur Kurmanov")
    page.get_by_label("Ainur Kurmanov").check()
    page.get_by_label("What is asked, and why").fill("Let his lawyer visit him.")
    page.get_by_label("Deadline").fill("2099-01-01")
    page.screenshot(path=str(ARTIFACTS / "appeal-form-error.png"), full_page=True)
    page.get_by_label("Authority").first.fill("Almaty City Court")
    page.get_by_role("button", name="Save the appeal").click()
    # The deadline is beyond what a form accepts: said next to the field, nothing saved.
    assert page.locator(".field-error").count() >= 1
    page.get_by_label("Deadline").fill("2030-01-01")
    page.get_by_role("button", name="Save the appeal").click()
    expect(page.get_by_text("saved as a draft")).to_be_visible()
    page.get_by_role("button", name="Open it").click()
    expect(page.get_by_text("The appeal is now: Open.")).to_be_visible()
    page.get_by_label("Response", exact=True).select_option("acknowledged")
    page.get_by_label("Show this response on the public pages").check()
    page.get_by_role("button", name="Record the response").click()
    expect(page.get_by_text("The response was recorded.")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "appeal-staff.png"), full_page=True)

    phone_width = 360
    page.set_viewport_size({"width": phone_width, "height": 800})
    page.goto(live_server + "/manage/appeals/")
    assert page.evaluate("document.documentElement.scrollWidth") <= phone_width + 1
