"""Text no database can store is refused at the door, with 400, on SQLite and PostgreSQL: NUL
bytes, bytes that are not UTF-8 (raw or percent-escaped) and halves of UTF-16 pairs, in the
path, the query string or a posted form; never stored as ``%xx``, never a 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from campaign.extensions import db
from campaign.models import Case, Event, Role
from tests.conftest import event_form

UNSTORABLE = ["%00", "a%00b", "%FF", "Gr%FC%DFe", "%ED%A0%80", "%C3%28"]


def _raw(client: FlaskClient, method: str, path: bytes, query: str = "", body: str = "") -> int:
    """A request with exactly these bytes in its path, as a server hands them to the app."""
    builder = EnvironBuilder(
        path="/",
        method=method,
        query_string=query,
        data=body.encode() if body else None,
        content_type="application/x-www-form-urlencoded" if body else None,
    )
    environ = builder.get_environ()
    builder.close()
    environ["PATH_INFO"] = path.decode("latin-1")
    return client.open(Request(environ)).status_code


@pytest.mark.parametrize("escape", UNSTORABLE)
def test_unstorable_text_in_a_path_or_a_query_is_refused(
    client: FlaskClient, make_case: Callable[..., Case], escape: str
) -> None:
    make_case(slug="ainur")
    assert _raw(client, "GET", b"/cases/ainur", query=f"after={escape}") == 400
    assert _raw(client, "GET", b"/", query=f"q={escape}") == 400
    assert _raw(client, "GET", f"/cases/ainur{escape}".encode()) == 400


@pytest.mark.parametrize("raw", [b"\xff", b"\x00", b"\xed\xa0\x80"])
def test_raw_bytes_in_a_path_are_refused(
    client: FlaskClient, make_case: Callable[..., Case], raw: bytes
) -> None:
    make_case(slug="ainur")
    assert _raw(client, "GET", b"/cases/ain" + raw + b"ur") == 400


@pytest.mark.parametrize("escape", UNSTORABLE)
def test_unstorable_text_in_a_form_is_refused_and_nothing_is_stored(
    app: Flask,
    staff_client: Callable[..., FlaskClient],
    make_case: Callable[..., Case],
    escape: str,
) -> None:
    case = make_case()
    client = staff_client(Role.ORGANISER)
    form = {k: v for k, v in event_form([case.id]).items() if k != "cases"}
    body = "&".join(f"{k}={v}" for k, v in form.items() if k != "title")
    body += f"&cases={case.id}&title=Picket{escape}"
    assert _raw(client, "POST", b"/manage/events/new", body=body) == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


@pytest.mark.parametrize("email", ["a%00b@example.org", "%FF@example.org"])
def test_the_sign_in_form_refuses_unstorable_text(client: FlaskClient, email: str) -> None:
    body = f"email={email}&password=whatever"
    assert _raw(client, "POST", b"/login", body=body) == 400


def test_readable_text_passes_the_guard(
    client: FlaskClient, make_case: Callable[..., Case]
) -> None:
    make_case(slug="ainur")
    assert _raw(client, "GET", b"/cases/ainur", query="q=%D0%90%D0%B9%D0%BD%D1%83%D1%80") == 200
    assert _raw(client, "GET", b"/", query="q=%E2%82%AC+100%25") == 200
