"""The staff dashboard: what waits for review shows on its tile, for those who may review."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from campaign.extensions import db
from campaign.models import Case, MessageState, Role


def _tile(page: str, title: str) -> str:
    """The markup of one dashboard tile, found by its title."""
    start = page.rindex("<li>", 0, page.index(f'<span class="dashboard-title">{title}</span>'))
    return page[start : page.index("</li>", start)]


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.ADMIN])
def test_the_review_tile_counts_the_pending_messages(
    role: Role,
    staff_client: Callable[..., FlaskClient],
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
) -> None:
    first, second = make_case(), make_case()
    for case in (first, first, second):
        make_message(case.id)
    make_message(first.id, state=MessageState.PUBLISHED)
    make_message(second.id, state=MessageState.SPAM)
    page = staff_client(role).get("/manage/").get_data(as_text=True)
    tile = _tile(page, "Messages to review")
    assert re.search(r'<span class="dashboard-count">3 waiting</span>', tile)
    # The per-case list the moderation partial adds stays on the page.
    assert "Messages awaiting review" in page


def test_an_empty_queue_says_none_are_waiting(staff_client: Callable[..., FlaskClient]) -> None:
    page = staff_client(Role.ORGANISER).get("/manage/").get_data(as_text=True)
    assert "0 waiting" in _tile(page, "Messages to review")


def test_activists_get_neither_the_tile_nor_the_count_query(
    app: Flask,
    staff_client: Callable[..., FlaskClient],
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
) -> None:
    make_message(make_case().id)
    client = staff_client(Role.ACTIVIST)
    statements: list[str] = []

    def remember(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", remember)
    try:
        page = client.get("/manage/").get_data(as_text=True)
    finally:
        sa.event.remove(engine, "before_cursor_execute", remember)
    assert "Messages to review" not in page
    assert "dashboard-count" not in page
    assert not [s for s in statements if "FROM messages" in s]


def test_the_count_is_one_query(
    app: Flask,
    staff_client: Callable[..., FlaskClient],
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
) -> None:
    from campaign.messages.queries import pending_count

    for _ in range(4):
        make_message(make_case().id)
    statements: list[str] = []

    def remember(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", remember)
        try:
            assert pending_count() == 4
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", remember)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
