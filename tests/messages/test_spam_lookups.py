"""The support form's spam checks are index lookups, whatever the number of messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from campaign.extensions import db
from campaign.messages import spam
from campaign.models import Case


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_duplicate_check_looks_up_the_case_and_fingerprint_in_an_index(
    app: Flask, make_case: Callable[..., Case], make_message: Callable[..., int]
) -> None:
    case = make_case()
    make_message(case.id, body="Stay strong")
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if "body_fingerprint" in statement:
            seen.append((statement, params))

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", capture)
        try:
            spam.find_duplicate(case.id, spam.body_fingerprint(case.id, "Stay strong"), "c")
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", capture)
        statement, params = seen[0]
        rows = db.session.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, tuple(params)
        )
        plan = " ".join(str(row[-1]) for row in rows)
    assert "ix_messages_case_fingerprint" in plan
    assert "body_fingerprint=?" in plan


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_posts_form_and_duplicate_checks_are_one_statement_of_two_index_lookups(
    app: Flask, make_case: Callable[..., Case], make_message: Callable[..., int]
) -> None:
    case = make_case()
    with app.app_context():
        fingerprint = spam.body_fingerprint(case.id, "Stay strong")
    make_message(case.id, body="Stay strong", body_fingerprint=fingerprint, client_hash="c")
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        seen.append((statement, params))

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", capture)
        try:
            earlier = spam.earlier_messages(case.id, fingerprint, "0" * 64, "c")
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", capture)
        lookups = [s for s in seen if "body_fingerprint" in s[0]]
        assert len(lookups) == 1
        statement, params = lookups[0]
        rows = db.session.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, tuple(params)
        )
        plan = " ".join(str(row[-1]) for row in rows)
        other = spam.earlier_messages(
            case.id, spam.body_fingerprint(case.id, "Other"), "1" * 64, "c"
        )
        someone_else = spam.earlier_messages(case.id, fingerprint, "2" * 64, "d")
    assert earlier.duplicate
    assert not someone_else.duplicate
    assert earlier.same_form is None
    assert not other.duplicate
    assert other.same_form is None
    assert "ix_messages_case_fingerprint" in plan
    assert "(withdraw_token_hash=?)" in plan
    assert "SCAN messages" not in plan
