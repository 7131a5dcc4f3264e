"""What the support form costs the server on a verdict day: the empty form is rendered once and
each visitor's own tokens written in, and a post runs a fixed set of statements whatever the
number of messages already stored (no timings: the statements and the renders are counted)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, template_rendered

from campaign import ephemeral
from campaign.extensions import db
from campaign.messages import services
from campaign.models import Case, Message
from tests.conftest import SUPPORT_FORM, aged_token, make_app, post_message, stored

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
def case(make_case: Callable[..., Case]) -> Case:
    return make_case(slug="ainur", person_name="Ainur Kurmanov")


@contextmanager
def renders(app: Flask) -> Iterator[list[str]]:
    """The names of the templates rendered inside the block."""
    names: list[str] = []

    def record(sender: Flask, template: Any, context: Any, **extra: Any) -> None:
        names.append(str(template.name))

    template_rendered.connect(record, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(record, app)


@contextmanager
def statements(engine: sa.Engine) -> Iterator[list[str]]:
    """The SQL statements *engine* runs inside the block."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" type="hidden" value="([^"]+)"', html)
    assert found, f"the form carries {name}"
    return found.group(1)


def test_the_empty_form_is_rendered_once_and_every_visitor_gets_tokens_that_work(
    app_config: dict[str, Any], case: Case
) -> None:
    app = make_app({**app_config, "WTF_CSRF_ENABLED": True, "SUPPORT_FORM_MIN_SECONDS": 0})
    first, second = app.test_client(), app.test_client()
    with renders(app) as rendered:
        one = first.get("/cases/ainur/support")
    assert "messages/new.html" in rendered
    with renders(app) as rendered:
        two = second.get("/cases/ainur/support")
    assert rendered == []  # the kept page, with this visitor's tokens written in
    assert two.headers["Cache-Control"] == "no-store"
    html_one, html_two = one.get_data(as_text=True), two.get_data(as_text=True)
    assert "blank" not in hidden(html_two, "csrf_token")
    assert "blank" not in hidden(html_two, "form_token")
    assert hidden(html_one, "csrf_token") != hidden(html_two, "csrf_token")
    assert hidden(html_one, "form_token") != hidden(html_two, "form_token")
    assert html_one.replace(hidden(html_one, "csrf_token"), "").replace(
        hidden(html_one, "form_token"), ""
    ) == html_two.replace(hidden(html_two, "csrf_token"), "").replace(
        hidden(html_two, "form_token"), ""
    )
    # Each visitor's tokens are theirs: the second one's form is accepted from the second
    # browser, and the first one's CSRF token is refused there.
    data = {**SUPPORT_FORM, "form_token": hidden(html_two, "form_token")}
    refused = second.post(
        "/cases/ainur/support", data={**data, "csrf_token": hidden(html_one, "csrf_token")}
    )
    assert refused.status_code == 400
    sent = second.post(
        "/cases/ainur/support", data={**data, "csrf_token": hidden(html_two, "csrf_token")}
    )
    assert sent.status_code == 302
    assert len(stored(app)) == 1
    with app.app_context():
        db.engine.dispose()


def test_the_kept_form_follows_the_public_data(app: Flask, case: Case) -> None:
    client = app.test_client()
    assert "Ainur Kurmanov" in client.get("/cases/ainur/support").get_data(as_text=True)
    with app.app_context():
        db.session.get_one(Case, case.id).person_name = "Ainur K."
        db.session.commit()
    assert "Ainur K." in client.get("/cases/ainur/support").get_data(as_text=True)
    with app.app_context():
        db.session.get_one(Case, case.id).published = False
        db.session.commit()
    assert client.get("/cases/ainur/support").status_code == 404


def test_a_post_runs_the_same_few_statements_however_many_messages_are_stored(
    app: Flask, case: Case, make_message: Callable[..., int]
) -> None:
    client = app.test_client()
    assert post_message(client, app, "ainur", body="The first").status_code == 302

    def one_post(body: str) -> tuple[list[str], list[str]]:
        with app.app_context():
            main, shared = db.engine, ephemeral.engine()
        with statements(main) as ran, statements(shared) as counted:
            assert post_message(client, app, "ainur", body=body).status_code == 302
        return ran, counted

    few, few_counters = one_post("With one message stored")
    for n in range(60):
        make_message(case.id, body=f"Message {n}", client_hash=f"{n:064d}")
    many, many_counters = one_post("With sixty more stored")
    assert len(few) == len(many) <= 13
    assert len(few_counters) == len(many_counters) <= 6  # two counters: BEGIN + one statement
    # Nothing reads every message: each statement names the row it wants.
    assert not any(s.lstrip().upper().startswith("UPDATE MESSAGES") for s in many)


def test_old_client_hashes_are_erased_by_a_post_every_few_minutes(
    app: Flask, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(services.time, "monotonic", lambda: clock[0])
    long_ago = datetime.now(UTC) - timedelta(days=3)

    def old_message(body: str) -> None:
        with app.app_context():
            db.session.add(
                Message(
                    case_id=case.id,
                    body=body,
                    country="DE",
                    client_hash="a" * 64,
                    created_at=long_ago,
                )
            )
            db.session.commit()

    def old_hashes() -> int:
        with app.app_context():
            return len(
                db.session.scalars(
                    sa.select(Message.id).where(
                        Message.client_hash.is_not(None),
                        Message.created_at < long_ago.replace(tzinfo=None) + timedelta(seconds=1),
                    )
                ).all()
            )

    client = app.test_client()
    old_message("long ago")
    assert post_message(client, app, "ainur", body="First").status_code == 302
    assert old_hashes() == 0
    old_message("long ago, again")
    clock[0] += services.CLIENT_HASH_PURGE_EVERY.total_seconds() - 1
    assert post_message(client, app, "ainur", body="Second").status_code == 302
    assert old_hashes() == 1  # not yet: this worker purged a moment ago
    clock[0] += 2
    assert post_message(client, app, "ainur", body="Third").status_code == 302
    assert old_hashes() == 0


def test_the_forms_own_messages_are_translated_from_a_catalogue_read_once(
    app: Flask, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    from babel import support

    from campaign.web import i18n

    i18n._wtforms_catalogue.cache_clear()
    loads: list[object] = []
    load = support.Translations.load

    def counted(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("domain") == "wtforms":
            loads.append(args)
        return load(*args, **kwargs)

    monkeypatch.setattr(support.Translations, "load", counted)
    client = app.test_client()
    for _ in range(3):
        response = client.post(
            "/ru/cases/ainur/support",
            data={**SUPPORT_FORM, "display_name": "x" * 200, "form_token": aged_token(app)},
        )
        assert response.status_code == 400
        assert "Значение не должно содержать более 120 символов" in response.get_data(as_text=True)
    assert len(loads) == 1  # Flask-WTF alone would read it for every request
