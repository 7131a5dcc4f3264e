"""axe-core over the main public and staff pages at 360 and 1280 px: no serious or critical
violation (contrast, names, labels, structure).

axe-core comes from npm (``make axe``, which ``make test`` runs when the browser tests are on)
and is injected by Playwright into a context that lets it run: the pages themselves carry no
script and forbid one (CSP), and that is left as it is everywhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from campaign.extensions import db
from campaign.models import Case, Role, User
from tests.conftest import ROOT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.parametrize("backend", ["sqlite"]),
]

AXE = ROOT / ".axe" / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "correct horse battery staple"
WIDTHS = (360, 1280)
SEVERE = {"serious", "critical"}

PUBLIC = [
    "/",
    "/login",
    "/cases/{slug}",
    "/cases/{slug}/support",
    "/cases/{slug}/messages",
    "/cases/{slug}/appeals/1",
    "/cases/{slug}/appeals/1/sent",
    "/letters",
]
STAFF = [
    "/manage/",
    "/manage/cases/",
    "/manage/cases/{case_id}",
    "/manage/cases/{case_id}/edit",
    "/manage/cases/{case_id}/portrait",
    "/manage/events/",
    "/manage/events/new",
    "/manage/events/picket",
    "/manage/messages/",
    "/manage/messages/?state=all",
    "/manage/messages/packs",
    "/manage/organisations/",
    "/manage/history/",
    "/manage/users/",
    "/manage/archive/",
    "/manage/appeals/",
    "/manage/appeals/new",
    "/manage/appeals/1",
]


@pytest.fixture
def axe_page(_browser: Any) -> Iterator[Callable[[int], Any]]:
    """A page of the given width where axe-core may run (scripts on, the CSP bypassed)."""
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing at {AXE}: run `make axe`")
    contexts = []

    def open_page(width: int) -> Any:
        context = _browser.new_context(
            viewport={"width": width, "height": 900}, bypass_csp=True, java_script_enabled=True
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def _violations(page: Any, source: str) -> list[str]:
    page.evaluate(source + "\n;undefined")
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    found = []
    for violation in result["violations"]:
        if violation["impact"] in SEVERE:
            targets = [" ".join(node["target"]) for node in violation["nodes"][:3]]
            found.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return found


def test_the_main_pages_have_no_serious_accessibility_violation(
    app: Flask,
    runner: FlaskCliRunner,
    live_server: str,
    axe_page: Callable[[int], Any],
    make_user: Callable[..., User],
) -> None:
    runner.invoke(args=["demo"])
    admin = make_user(Role.ADMIN)
    with app.app_context():
        case = db.session.scalars(sa.select(Case).order_by(Case.id)).first()
        assert case is not None
        names = {"slug": case.slug, "case_id": case.id}
    source = AXE.read_text(encoding="utf-8")
    problems: dict[str, list[str]] = {}
    for width in WIDTHS:
        page = axe_page(width)
        for path in PUBLIC:
            page.goto(live_server + path.format(**names))
            problems[f"{width}px {path}"] = _violations(page, source)
        page.goto(live_server + "/login")
        page.fill("input[name=email]", admin.email)
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form [type=submit]").last.click()
        page.wait_for_load_state()
        for path in STAFF:
            response = page.goto(live_server + path.format(**names))
            assert response is not None
            assert response.status == 200, path
            problems[f"{width}px {path}"] = _violations(page, source)
    assert {where: found for where, found in problems.items() if found} == {}
