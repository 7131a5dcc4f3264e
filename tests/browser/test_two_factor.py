"""In a real browser: set up two-factor sign-in from the QR code page, then sign in with a code
from the app (computed here with pyotp: a camera is not available), at 1280 and 360 px."""

from __future__ import annotations

from collections.abc import Callable

import pyotp
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


def _sign_in(page, live_server: str, user: User) -> None:
    page.goto(live_server + "/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("width", [1280, 360])
def test_a_member_enrols_with_the_qr_code_and_signs_in_with_a_code(
    live_server: str, page, make_user: Callable[..., User], width: int
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    user = make_user(Role.ACTIVIST, display_name="Aliya Activist")
    _sign_in(page, live_server, user)
    page.get_by_role("link", name="Two-factor sign-in").click()
    page.get_by_role("button", name="Set up two-factor sign-in").click()

    qr = page.get_by_role("img", name="QR code for your authenticator app")
    assert qr.locator("svg path").count() >= 1
    box = qr.bounding_box()
    assert box is not None
    assert box["width"] >= 150  # big enough to scan
    assert box["x"] + box["width"] <= width  # and on the screen
    page.screenshot(path=str(ARTIFACTS / f"two-factor-enrol-{width}.png"), full_page=True)
    secret = page.locator(".totp-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.get_by_label("Code from the app").fill(totp.now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.screenshot(path=str(ARTIFACTS / f"two-factor-recovery-codes-{width}.png"), full_page=True)

    if width < 640:  # on a phone, "Sign out" is in the folded staff menu
        page.locator(".nav-menu summary").click()
    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, live_server, user)
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in")
    page.screenshot(path=str(ARTIFACTS / f"two-factor-code-{width}.png"), full_page=True)
    # The code used to enrol was spent: a recovery code signs in this time.
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Aliya Activist")
