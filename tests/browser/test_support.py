"""With JavaScript off: a supporter writes, an organiser approves, the wall shows it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskCliRunner
from playwright.sync_api import expect

from campaign.models import Role, User
from tests.browser.conftest import ARTIFACTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.parametrize("backend", ["sqlite"]),
]

TEXT = "Solidarity from the dockers of Hamburg. You are not alone, Ainur!"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    # The real minimum is three seconds; one keeps the test quick while still being enforced.
    app_config["SUPPORT_FORM_MIN_SECONDS"] = 1
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def test_a_supporter_sends_a_message_an_organiser_approves_it_and_it_is_on_the_wall(
    runner: FlaskCliRunner,
    live_server: str,
    page: Any,
    make_user: Callable[..., User],
) -> None:
    runner.invoke(args=["demo"])
    ARTIFACTS.mkdir(exist_ok=True)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(live_server + "/cases/ainur-kurmanov")
    page.get_by_role("link", name="Send a message of support").first.click()
    assert page.url == live_server + "/cases/ainur-kurmanov/support"
    page.screenshot(path=str(ARTIFACTS / "support-form.png"), full_page=True)
    page.get_by_label("Your message", exact=True).fill(TEXT)
    page.get_by_label("Your name, as it should appear").fill("Jens")
    page.get_by_label("Your country").select_option("DE")
    page.get_by_label("Organisation (optional)").fill("ver.di Hamburg")
    # Publication is a choice, and the form says what each answer means.
    expect(page.get_by_text("Not ticked: your message is private")).to_be_visible()
    page.get_by_label("You may publish my message on this site").check()
    page.wait_for_timeout(1200)  # a person takes longer than the form's minimum
    page.get_by_role("button", name="Send my message").click()
    page.screenshot(path=str(ARTIFACTS / "support-sent.png"), full_page=True)
    assert page.url == live_server + "/cases/ainur-kurmanov/support/sent"
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
    expect(page.get_by_text(TEXT)).to_be_visible()
    expect(page.get_by_text("You allowed publication")).to_be_visible()

    # Not on the wall before an organiser decides.
    page.goto(live_server + "/cases/ainur-kurmanov/messages")
    assert page.get_by_text(TEXT).count() == 0

    organiser = make_user(Role.ORGANISER, email="organiser@example.org")
    staff = page.context.browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    try:
        desk = staff.new_page()
        desk.goto(live_server + "/login")
        desk.fill("input[name=email]", organiser.email)
        desk.fill("input[name=password]", "correct horse battery staple")
        desk.get_by_role("button", name="Sign in").click()
        desk.goto(live_server + "/manage/")
        desk.screenshot(path=str(ARTIFACTS / "moderation-dashboard.png"), full_page=True)
        desk.get_by_role("link", name="Review messages", exact=True).click()
        item = desk.locator(".moderation-item", has_text=TEXT)
        assert item.count() == 1
        desk.screenshot(path=str(ARTIFACTS / "moderation-queue.png"), full_page=True)
        item.get_by_role("button", name="Approve").click()
        expect(desk.get_by_text("Approved (shown on the site)").first).to_be_visible()
    finally:
        staff.close()

    page.goto(live_server + "/cases/ainur-kurmanov/messages")
    entry = page.locator(".support-message", has_text=TEXT)
    assert entry.count() == 1
    expect(entry).to_contain_text("Jens")
    expect(entry).to_contain_text("Germany")
    expect(entry).to_contain_text("ver.di Hamburg")
    page.screenshot(path=str(ARTIFACTS / "support-wall.png"), full_page=True)
    page.goto(live_server + "/cases/ainur-kurmanov")
    panel = page.locator(".support-panel")
    assert "1 message delivered" not in panel.inner_text()  # the count is of delivered ones
    assert TEXT in panel.inner_text()
    panel.screenshot(path=str(ARTIFACTS / "support-case-panel.png"))
    assert all(url.startswith(live_server) for url in requested), requested


def test_an_organiser_prints_a_delivery_pack_and_marks_it_delivered(
    runner: FlaskCliRunner,
    live_server: str,
    page: Any,
    make_user: Callable[..., User],
) -> None:
    runner.invoke(args=["demo"])
    ARTIFACTS.mkdir(exist_ok=True)
    organiser = make_user(Role.ORGANISER, email="organiser@example.org")
    page.goto(live_server + "/login")
    page.fill("input[name=email]", organiser.email)
    page.fill("input[name=password]", "correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server + "/manage/messages/packs")
    page.screenshot(path=str(ARTIFACTS / "delivery-packs.png"), full_page=True)
    page.locator("form", has_text="Ainur Kurmanov").get_by_role(
        "button", name="Build a pack"
    ).click()
    assert "/manage/messages/packs/" in page.url
    blocks = page.locator(".pack-message")
    assert blocks.count() >= 1
    page.screenshot(path=str(ARTIFACTS / "delivery-pack-screen.png"), full_page=True)
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).not_to_be_visible()
    expect(page.get_by_role("button", name="Mark delivered")).not_to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "delivery-pack-print.png"), full_page=True)
    page.emulate_media(media="screen")
    page.get_by_label("Delivered").select_option("lawyer")
    # A pack built today cannot be dated in the future, nor more than a year back.
    today = date.today()
    page.get_by_label("On", exact=True).fill(today.isoformat())
    page.get_by_role("button", name="Mark delivered").click()
    # The pack page comes back after a redirect: wait for it rather than race it.
    expect(page.get_by_text(f"Delivered on {today.day} {today:%B %Y}")).to_be_visible()
    expect(page.get_by_role("heading", name="Correct the delivery")).to_be_visible()
    page.get_by_role("button", name="Mark as not delivered").click()
    expect(page.get_by_role("heading", name="Mark this pack delivered")).to_be_visible()


def test_the_form_fits_a_phone(runner: FlaskCliRunner, live_server: str, phone: Any) -> None:
    runner.invoke(args=["demo"])
    ARTIFACTS.mkdir(exist_ok=True)
    phone.goto(live_server + "/cases/ainur-kurmanov/support")
    box = phone.get_by_label("Your message", exact=True).bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 360
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(ARTIFACTS / "support-form-phone.png"), full_page=True)
