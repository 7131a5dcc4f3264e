"""Nothing lost under load: gunicorn with 4 workers, 32 supporters, two organisers at work,
and two workers killed by SIGKILL mid-run (a small version of bench/nothing_lost.py).

The support form's per-client limits are raised for the run (every simulated supporter comes
from 127.0.0.1) and its minimum time on the page is 0: see ``APP_SETTINGS`` there.
"""

from __future__ import annotations

import pytest

from bench import nothing_lost
from tests.conftest import NO_POSTGRES, TEST_DATABASE_URL


@pytest.mark.slow  # a gunicorn with four workers and 34 clients, twice
@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_every_accepted_message_is_stored_once_while_workers_die(database: str) -> None:
    if database == "postgres" and not TEST_DATABASE_URL:
        pytest.skip(NO_POSTGRES)
    url = TEST_DATABASE_URL if database == "postgres" else None

    report = nothing_lost.run(url, messages=128, clients=32, kills=2)

    assert report.problems == [], "\n".join(report.lines())
    assert report.tally.accepted >= 90
    assert report.tally.refused_on_purpose > 0  # a repeated text is refused with a reason
    assert sum("replaced" in line for line in report.disruptions) == 2, report.disruptions
    assert report.tally.organiser_saves + report.tally.organiser_conflicts > 0


def _serve_cut_off(heads: list[bytes]) -> tuple[str, list[int]]:
    """A server that answers each connection with the next of *heads* (a status line and
    headers promising 255 bytes of body) and closes before the body: a worker killed by
    SIGKILL between its headers and its body. Returns its address and the count of requests."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    seen = [0]

    def serve() -> None:
        for head in heads:
            conn, _ = listener.accept()
            conn.recv(65536)
            seen[0] += 1
            conn.sendall(head + b"Content-Length: 255\r\n\r\n")
            conn.close()
        listener.close()

    threading.Thread(target=serve, daemon=True).start()
    host, port = listener.getsockname()
    return f"http://{host}:{port}", seen


def test_a_redirect_cut_off_before_its_body_is_still_an_answer() -> None:
    # CI once failed here: a 302 (the message stored) arrived whole but for its body, and the
    # load test's client raised instead of counting it accepted.
    base, seen = _serve_cut_off([b"HTTP/1.1 302 FOUND\r\nLocation: /cases/x/support/sent\r\n"])

    answer = nothing_lost.Browser(base).request("/cases/x/support", {"body": "not alone"})

    assert (answer.status, answer.location) == (302, "/cases/x/support/sent")
    assert seen[0] == 1  # not sent again: it was stored


def test_a_refusal_cut_off_before_its_reason_is_asked_again() -> None:
    base, seen = _serve_cut_off(
        [b"HTTP/1.1 400 BAD REQUEST\r\n", b"HTTP/1.1 302 FOUND\r\nLocation: /sent\r\n"]
    )
    browser = nothing_lost.Browser(base)

    answer = browser.request("/cases/x/support", {"body": "not alone"})

    assert (answer.status, seen[0], browser.broken) == (302, 2, 1)
