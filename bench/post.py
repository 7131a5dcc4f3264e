"""What one support-form submission costs the server: in-process, CPU time per POST.

The POST row of ``make bench`` (bench/run.py) measured without gunicorn and wrk: one visitor's
session and CSRF token, a fresh form token per message (issued a minute earlier, as the form
would have), a different text each time, the per-client limits lifted as run.py lifts them
(the limiter still counts). Prints the median CPU ms of ``--repeat`` posts and the SQL
statements of the last one; ``--profile`` prints a cProfile of them instead.

    flask --app bench.benchapp:create_bench_app db upgrade
    flask --app bench.benchapp:create_bench_app bench-data
    python bench/post.py                 # CPU ms per POST and its statements
    python bench/post.py --profile       # where that time goes
    python bench/post.py --without limits --without store   # what is left without them

``--without`` measures a floor, not the app: ``limits`` turns the rate limits off, ``store``
answers as if the message were stored without writing it (nothing is stored).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PATH = "/cases/long/support"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="print a cProfile instead")
    parser.add_argument("--sql", action="store_true", help="print the last post's statements")
    parser.add_argument(
        "--without",
        action="append",
        choices=("limits", "store"),
        default=[],
        help="leave out the rate limits or the storing of the message (a floor, not the app)",
    )
    options = parser.parse_args()
    # As bench/run.py serves it: one client sends every message, the limiter still counts.
    os.environ["CAMPAIGN_SUPPORT_SEND_LIMIT"] = "1000000 per minute"
    os.environ["CAMPAIGN_SUPPORT_ATTEMPT_LIMIT"] = "1000000 per minute"
    os.environ.setdefault("CAMPAIGN_LOG_LEVEL", "WARNING")
    if "limits" in options.without:
        os.environ["CAMPAIGN_RATELIMIT_ENABLED"] = "false"

    import sqlalchemy as sa

    from bench.benchapp import create_bench_app
    from campaign import ephemeral
    from campaign.extensions import db
    from campaign.messages.spam import issue_form_token

    app = create_bench_app()
    if "store" in options.without:
        leave_out_storing()
    client = app.test_client()
    page = client.get(PATH).get_data(as_text=True)
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert found, "the support form carries a CSRF token"
    csrf = found.group(1)
    with app.app_context():
        tokens = [issue_form_token(now=time.time() - 60) for _ in range(options.repeat + 1)]
    statements: list[str] = []
    if options.sql:
        with app.app_context():
            engine = db.engine

        def keep(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
            statements.append(statement)

        sa.event.listen(engine, "before_cursor_execute", keep)
    held: list[float] = []
    with app.app_context():
        main_engine = db.engine
    began_at: dict[int, float] = {}

    def on_begin(connection: sa.Connection) -> None:
        began_at[id(connection.connection.dbapi_connection)] = time.perf_counter()

    def on_checkin(dbapi_connection: object, _record: object) -> None:
        start = began_at.pop(id(dbapi_connection), None)
        if start is not None:
            held.append((time.perf_counter() - start) * 1000)

    sa.event.listen(main_engine, "begin", on_begin)
    sa.event.listen(main_engine.pool, "checkin", on_checkin)
    counters: list[str] = []
    with app.app_context():
        shared = ephemeral.engine()
    if shared is not main_engine:
        sa.event.listen(
            shared, "before_cursor_execute", lambda *args: counters.append(str(args[2]))
        )
    stamp = time.time_ns()

    def post(number: int) -> str:
        response = client.post(
            PATH,
            data={
                "csrf_token": csrf,
                "form_token": tokens[number],
                "body": f"Solidarity from the bench {stamp}-{number}",
                "country": "DE",
                "consent": "y",
            },
        )
        assert response.status_code == 302, (response.status_code, response.get_data()[:2000])
        return str(response.headers.get("X-Bench-Queries"))

    post(options.repeat)  # warm up
    if options.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for number in range(options.repeat):
            post(number)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(70)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(40)
        return
    times = []
    holds: list[float] = []
    queries = ""
    for number in range(options.repeat):
        statements.clear()
        counters.clear()
        held.clear()
        began = time.process_time()
        queries = post(number)
        times.append((time.process_time() - began) * 1000)
        holds.append(max(held, default=0.0))
    print(
        f"support-form POST: {statistics.median(times):.2f} CPU ms (median of {len(times)}), "
        f"{queries} queries and {len(counters)} of the rate-limit counters; the longest "
        f"transaction of each post (on SQLite: the write lock held) "
        f"{statistics.median(holds):.2f} ms"
    )
    for statement in statements + counters if options.sql else []:
        print("  ", " ".join(statement.split())[:160])


def leave_out_storing() -> None:
    """Answer every valid post as a new message stored, without storing it (``--without
    store``): what the form, its checks and the answer cost without the write."""
    import itertools
    from types import SimpleNamespace

    from campaign.messages import services

    numbers = itertools.count(1)

    def pretend(*_args: object, **_kwargs: object) -> services.Received:
        message = SimpleNamespace(id=next(numbers), email=None)
        return services.Received(message, "bench", created=True)  # type: ignore[arg-type]

    services.submit = pretend  # type: ignore[assignment]


if __name__ == "__main__":
    main()
