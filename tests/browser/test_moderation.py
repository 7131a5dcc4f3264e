"""The moderation queue in a real browser: what the browser itself does to the ticks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from campaign.extensions import db
from campaign.models import Case, Message, MessageState, Role, User

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.parametrize("backend", ["sqlite"])]


def test_back_after_a_bulk_decision_ticks_nothing_that_was_not_chosen(
    app: Flask,
    live_server: str,
    page: Any,
    make_user: Callable[..., User],
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
) -> None:
    """Chromium put the ticks back by position on the page fetched again, where the approved
    messages were gone: other messages were ticked, and the next bulk button decided them."""
    case = make_case()
    ids = [make_message(case.id, body=f"Solidarity number {i}") for i in range(6)]
    organiser = make_user(Role.ORGANISER, email="organiser@example.org")
    page.goto(live_server + "/login")
    page.fill("input[name=email]", organiser.email)
    page.fill("input[name=password]", "correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server + "/manage/messages/")
    boxes = page.locator("input[name=ids]")
    for index in (0, 1, 4):
        boxes.nth(index).check()
    page.locator(".moderation-bulk").get_by_role("button", name="Approve").click()
    assert "3 approved." in page.locator(".flash").first.inner_text()
    page.go_back()
    page.wait_for_load_state()
    assert page.locator("input[name=ids]").count() == 3
    assert page.evaluate("document.querySelectorAll('input[type=checkbox]:checked').length") == 0
    with app.app_context():
        approved = db.session.scalars(
            sa.select(Message.id).where(Message.state == MessageState.PUBLISHED)
        ).all()
    assert sorted(approved) == [ids[0], ids[1], ids[4]]
