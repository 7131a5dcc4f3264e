"""Translated content in Chromium: the Translations section is filled in without JavaScript,
mixed right-to-left text comes back exactly, and the pages it touches stay accessible and
within a phone's width in Russian."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from campaign.extensions import db
from campaign.models import Case, Event, Role, User
from tests.conftest import ROOT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.parametrize("backend", ["sqlite"]),
]

AXE = ROOT / ".axe" / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "correct horse battery staple"
SEVERE = {"serious", "critical"}
MIXED = "تضامن مع Ainur Kurmanov و\u200fYesenbek Ukteshbaev\u200e في Almaty"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """A site in English, Russian and Kazakh."""
    return {**app_config, "LANGUAGES": ("en", "ru", "kk")}


@pytest.fixture
def contexts(_browser: Any) -> Iterator[Callable[..., Any]]:
    """Pages of a given width and language; *scripts* lets axe-core run (CSP bypassed)."""
    opened = []

    def open_page(width: int, language: str, *, scripts: bool = False) -> Any:
        context = _browser.new_context(
            viewport={"width": width, "height": 900},
            extra_http_headers={"Accept-Language": language},
            java_script_enabled=scripts,
            bypass_csp=scripts,
        )
        opened.append(context)
        return context.new_page()

    yield open_page
    for context in opened:
        context.close()


def _sign_in(page: Any, base: str, user: User) -> None:
    page.goto(base + "/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form [type=submit]").last.click()
    page.wait_for_load_state()


def _ids(app: Flask) -> tuple[int, int]:
    with app.app_context():
        case = db.session.scalars(sa.select(Case).where(Case.slug == "ainur-kurmanov")).one()
        event = db.session.scalars(sa.select(Event).order_by(Event.id)).first()
        assert event is not None
        return case.id, event.id


def test_a_translation_typed_without_javascript_comes_back_exactly(
    app: Flask,
    runner: FlaskCliRunner,
    live_server: str,
    contexts: Callable[..., Any],
    make_user: Callable[..., User],
) -> None:
    runner.invoke(args=["demo"])
    case_id, _event_id = _ids(app)
    page = contexts(1280, "en")
    _sign_in(page, live_server, make_user(Role.ORGANISER))
    page.goto(f"{live_server}/manage/cases/{case_id}")
    page.locator("details:has([name=kk-summary]) > summary").click()  # complete: folded
    page.fill("textarea[name=kk-summary]", MIXED)
    page.locator("form.translation-form", has=page.locator("[name=kk-summary]")).locator(
        "[type=submit]"
    ).click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/manage/cases/{case_id}#translations")
    reader = contexts(360, "kk")  # a Kazakh reader: the language is in the address
    reader.goto(f"{live_server}/kk/cases/ainur-kurmanov")
    summary = reader.locator("div.summary")
    assert summary.inner_text() == MIXED
    assert summary.get_attribute("dir") == "auto"


def test_the_translated_pages_are_accessible_and_fit_a_phone(
    app: Flask,
    runner: FlaskCliRunner,
    live_server: str,
    contexts: Callable[..., Any],
    make_user: Callable[..., User],
) -> None:
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing at {AXE}: run `make axe`")
    runner.invoke(args=["demo"])
    case_id, event_id = _ids(app)
    admin = make_user(Role.ADMIN)
    source = AXE.read_text(encoding="utf-8")
    problems: dict[str, list[str]] = {}
    paths = [
        "/cases/ainur-kurmanov",
        "/cases/ainur-kurmanov/messages",
        f"/manage/cases/{case_id}",
        f"/manage/events/{event_id}",
        f"/manage/content/cases/{case_id}/translations/kk",
    ]
    for width in (360, 1280):
        page = contexts(width, "ru", scripts=True)
        _sign_in(page, live_server, admin)
        for path in paths:
            response = page.goto(live_server + path)
            assert response is not None
            assert response.status == 200, path
            page.evaluate(source + "\n;undefined")
            result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
            found = [
                f"{v['id']} ({v['impact']}): {[' '.join(n['target']) for n in v['nodes'][:3]]}"
                for v in result["violations"]
                if v["impact"] in SEVERE
            ]
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 0:
                found.append(f"{overflow}px wider than the window")
            problems[f"{width}px {path}"] = found
    assert {where: found for where, found in problems.items() if found} == {}
