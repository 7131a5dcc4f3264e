"""A right-to-left language needs no template or stylesheet of its own.

Arabic is switched on in the test configuration with no catalogue (the text falls back to
English, which is fine here): the pages must say ``dir="rtl"``, mirror (the timeline's line and
dates on the right, labels and fields from the right) and never scroll sideways, on a 360-px
phone and a 1280-px screen, public pages and the staff area alike.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from campaign import demo
from campaign.extensions import db
from campaign.models import Case, Role, User
from tests.browser.conftest import ARTIFACTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.parametrize("backend", ["sqlite"]),
]

PASSWORD = "correct horse battery staple"
WIDTHS = (360, 1280)


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """The test app also speaks Arabic, a right-to-left language with no catalogue."""
    return {**app_config, "LANGUAGES": ("en", "ru", "kk", "ar")}


def _load_demo(app: Flask) -> str:
    """The Kazakhstan 2010 campaign: a full timeline, messages, organisations."""
    with app.app_context():
        demo.load()
        db.session.commit()
    return demo.KURMANOV


def _check(context: Any, url: str, width: int, shot: str) -> None:
    page = context.new_page()
    page.goto(url)
    assert page.title(), url
    page.screenshot(path=str(ARTIFACTS / f"rtl-{shot}-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.dir") == "rtl", url
    assert page.evaluate("document.documentElement.lang") == "ar", url
    wide, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert wide <= client, (url, width, wide, client)
    page.close()


def _sign_in(context: Any, live_server: str, user: User) -> None:
    page = context.new_page()
    page.goto(live_server + "/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit], main form input[type=submit]").last.click()
    page.wait_for_load_state()
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_public_and_staff_pages_mirror_without_scrolling_sideways(
    app: Flask, live_server: str, make_user: Any, width: int, request: pytest.FixtureRequest
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    slug = _load_demo(app)
    context = request.getfixturevalue("_browser").new_context(
        java_script_enabled=False, viewport={"width": width, "height": 900}
    )
    try:
        for shot, path in {
            "home": "/ar/",
            "case": f"/ar/cases/{slug}",
            "wall": f"/ar/cases/{slug}/messages",
            "support": f"/ar/cases/{slug}/support",
            "search": "/ar/search?q=Almaty",
            "sign-in": "/ar/login",
            "not-found": "/ar/nowhere",
        }.items():
            _check(context, live_server + path, width, shot)

        # The timeline mirrors: its dates sit to the right of the items.
        page = context.new_page()
        page.goto(f"{live_server}/ar/cases/{slug}")
        item = page.locator(".timeline-items .item-body").first.bounding_box()
        date = page.locator(".timeline-items .item-date").first.bounding_box()
        assert item is not None
        assert date is not None
        if width > 600:
            assert date["x"] > item["x"], (date, item)
        # The solidarity chart's bars grow from the right, where their numbers start.
        bars = page.locator(".reach-chart .bar").evaluate_all(
            """bars => bars.map(bar => {
                const track = bar.getBoundingClientRect();
                const drawn = bar.querySelector("rect").getBoundingClientRect();
                return [drawn.left - track.left, track.right - drawn.right];
            })"""
        )
        short = [(left, right) for left, right in bars if left > 1]
        assert short, bars  # the demo has bars shorter than their cell
        assert all(abs(right) <= 1 for _left, right in short), short
        page.close()

        # Staff follow their account's language, with no prefix in the address.
        admin = make_user(Role.ADMIN, email="admin@example.org", language="ar")
        _sign_in(context, live_server, admin)
        with app.app_context():
            case_id = db.session.scalar(db.select(Case.id).where(Case.slug == slug))
        for shot, path in {
            "dashboard": "/manage/",
            "cases": "/manage/cases/",
            "case-detail": f"/manage/cases/{case_id}",
            "case-edit": f"/manage/cases/{case_id}/edit",
            "events": "/manage/events/",
            "picket": "/manage/events/picket",
            "queue": "/manage/messages/",
            "account": "/account/password",
        }.items():
            _check(context, live_server + path, width, f"staff-{shot}")
    finally:
        context.close()
