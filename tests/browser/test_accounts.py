"""In a real browser without JavaScript: sign in, invite a colleague, and they join."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from campaign.models import Role, User
from tests.browser.conftest import ARTIFACTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.parametrize("backend", ["sqlite"]),
]

PASSWORD = "correct horse battery staple"


def _sign_in(page, live_server: str, user: User, password: str = PASSWORD) -> None:
    page.goto(live_server + "/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_an_admin_invites_a_colleague_who_sets_a_password_and_joins(
    live_server: str, page, make_user: Callable[..., User]
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    admin = make_user(Role.ADMIN, display_name="Dana Admin")
    _sign_in(page, live_server, admin)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Dana Admin")
    page.screenshot(path=str(ARTIFACTS / "staff-dashboard.png"), full_page=True)

    page.get_by_role("link", name="Users").first.click()
    page.get_by_role("link", name="Invite someone").click()
    page.get_by_label("E-mail").fill("aliya@example.org")
    page.get_by_label("Name").fill("Aliya")
    page.get_by_label("Role").select_option("activist")
    page.get_by_role("button", name="Create the invitation link").click()
    link = page.get_by_label("Invitation link").input_value()
    assert "/invite/" in link
    page.screenshot(path=str(ARTIFACTS / "invitation-link.png"), full_page=True)

    context = page.context.browser.new_context(java_script_enabled=False)
    newcomer = context.new_page()
    try:
        newcomer.goto(link)
        newcomer.get_by_label("New password", exact=True).fill("plum kettle umbrella sonnet")
        newcomer.get_by_label("New password again").fill("plum kettle umbrella sonnet")
        newcomer.screenshot(path=str(ARTIFACTS / "invitation-accept.png"), full_page=True)
        newcomer.get_by_role("button", name="Create my account").click()
        expect(newcomer.get_by_role("heading", level=1)).to_have_text("Hello, Aliya")
        # Activists see no user admin in their navigation.
        assert newcomer.get_by_role("link", name="Users").count() == 0
        newcomer.goto(link)
        expect(newcomer.get_by_role("heading", level=1)).to_contain_text("already been used")
    finally:
        context.close()

    page.goto(live_server + "/manage/users/")
    assert page.get_by_role("cell", name="Active").count() == 2
    page.screenshot(path=str(ARTIFACTS / "users-list.png"), full_page=True)


def test_the_dashboard_and_sign_out_work_on_a_phone(
    live_server: str, phone, make_user: Callable[..., User]
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    user = make_user(Role.ORGANISER, display_name="Olga Organiser")
    _sign_in(phone, live_server, user)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Hello, Olga Organiser")
    phone.screenshot(path=str(ARTIFACTS / "staff-dashboard-phone.png"), full_page=True)
    # The staff links fold into one header row: "Log a picket" and a menu, without JavaScript.
    header = phone.locator(".site-header").bounding_box()
    assert header is not None
    assert header["height"] <= 70
    expect(phone.locator(".nav-picket")).to_be_visible()
    expect(phone.get_by_role("button", name="Sign out")).not_to_be_visible()
    phone.locator(".nav-menu summary").click()
    phone.screenshot(path=str(ARTIFACTS / "staff-menu-phone.png"))
    phone.get_by_role("button", name="Sign out").click()
    phone.wait_for_url(live_server + "/")
    phone.goto(live_server + "/manage/")
    assert phone.url.startswith(live_server + "/login")


def test_the_first_admin_replaces_the_one_time_password(
    live_server: str, page, make_user: Callable[..., User]
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    admin = make_user(Role.ADMIN, display_name="Admin", must_change_password=True)
    _sign_in(page, live_server, admin)
    page.wait_for_url(live_server + "/account/password")
    page.goto(live_server + "/manage/users/")
    page.wait_for_url(live_server + "/account/password")
    assert page.get_by_role("link", name="Users").count() == 0  # no links that lead nowhere
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("password123456")
    page.get_by_label("New password again").fill("password123456")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("too common")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "change-password-refused.png"), full_page=True)
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("lantern orchard basalt tuesday")
    page.get_by_label("New password again").fill("lantern orchard basalt tuesday")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Admin")


def test_the_dashboard_and_the_users_page_on_a_phone(
    app, live_server: str, phone, make_user: Callable[..., User], make_case, make_message
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    case = make_case(person_name="Ainur Kurmanov")
    for _ in range(3):
        make_message(case.id)
    locked = make_user(Role.ORGANISER, display_name="Olga Organiser")
    guesser = app.test_client()
    for _ in range(5):
        guesser.post("/login", data={"email": locked.email, "password": "wrong password here"})
    admin = make_user(Role.ADMIN, display_name="Dana Admin")
    _sign_in(phone, live_server, admin)

    tile = phone.locator(".dashboard-links li", has_text="Messages to review")
    expect(tile.locator(".dashboard-count")).to_have_text("3 waiting")
    box = tile.bounding_box()
    assert box is not None
    assert box["y"] < 740 * 2  # near the top, not below the per-case lists
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(ARTIFACTS / "staff-dashboard-admin-phone.png"), full_page=True)

    phone.goto(live_server + "/manage/users/")
    assert phone.get_by_text("5 failed sign-ins in the last 15 minutes").count() == 1
    unlock = phone.get_by_role("button", name="Clear failed sign-ins")
    button = unlock.bounding_box()
    assert button is not None
    assert button["height"] >= 38  # .button-small: 2.4rem
    # On screen, not hidden to the right of a table that scrolls sideways.
    assert button["x"] + button["width"] <= 360
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(ARTIFACTS / "users-phone-locked.png"), full_page=True)
    unlock.click()
    phone.wait_for_load_state()
    expect(phone.get_by_text("Olga Organiser's failed sign-ins are cleared.")).to_be_visible()
    assert phone.get_by_text("failed sign-ins in the last 15 minutes").count() == 0
    phone.screenshot(path=str(ARTIFACTS / "users-phone-unlocked.png"), full_page=True)
