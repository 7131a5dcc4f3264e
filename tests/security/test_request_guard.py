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
from campaign.models import Case, Event, Message, MessageState, Role
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


class _StalledSocket:
    """A client socket that sends part of a body and then nothing (reads time out)."""

    def __init__(self) -> None:
        self.timeouts: list[float | None] = []
        self.timeout: float | None = None

    def gettimeout(self) -> float | None:
        return self.timeout

    def settimeout(self, value: float | None) -> None:
        self.timeouts.append(value)
        self.timeout = value


class _StalledBody:
    """What gunicorn's body reader does when the socket's timeout passes."""

    def __init__(self, sock: _StalledSocket) -> None:
        self.sock = sock

    def read(self, size: int = -1) -> bytes:
        assert self.sock.timeout is not None, "a read without a timeout would wait for ever"
        raise TimeoutError("timed out")


def test_a_stalled_request_body_is_refused_in_time_not_left_to_the_worker_timeout(
    app: Flask, client: FlaskClient
) -> None:
    sock = _StalledSocket()
    builder = EnvironBuilder(
        path="/login",
        method="POST",
        data=b"email=a%40example.org",
        content_type="application/x-www-form-urlencoded",
        headers={"Content-Length": "1000"},
    )
    environ = builder.get_environ()
    builder.close()
    environ["wsgi.input"] = _StalledBody(sock)
    environ["gunicorn.socket"] = sock
    assert client.open(Request(environ)).status_code == 400
    assert sock.timeouts == [app.config["REQUEST_BODY_TIMEOUT"], None]


def test_over_65535_ids_in_one_bulk_post_change_nothing_and_give_no_server_error(
    app: Flask,
    staff_client: Callable[..., FlaskClient],
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
) -> None:
    """PostgreSQL takes at most 65,535 parameters in one statement: more ids than one page of
    the queue holds are refused before the query."""
    message_id = make_message(make_case().id)
    organiser = staff_client(Role.ORGANISER)
    body = "action=spam&" + "&".join(f"ids={n}" for n in range(1, 70_001))
    assert _raw(organiser, "POST", b"/manage/messages/bulk", body=body) == 302
    assert "Tick at most 100 messages" in organiser.get("/manage/messages/").get_data(as_text=True)
    with app.app_context():
        message = db.session.get(Message, message_id)
        assert message is not None
        assert message.state == MessageState.PENDING
