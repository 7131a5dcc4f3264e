"""What a page costs when it has to be rendered: in-process, page cache off, CPU time per request.

Runs against the database the environment configures (``CAMPAIGN_DATABASE_URL`` or the instance
folder's SQLite file) holding the benchmark's data (``bench-data`` in bench/benchapp.py). Each page
is requested once to warm up, then ``--repeat`` times; the median of the process's CPU time per
request is printed with the SQL statements the last request ran. Staff pages are requested by an
organiser signed in through the login form (the account is created on first use).

    flask --app bench.benchapp:create_bench_app db upgrade
    flask --app bench.benchapp:create_bench_app bench-data
    python bench/render.py                      # the table
    python bench/render.py --profile /cases/long  # a cProfile of one page, by cumulative time

``make bench`` prints the same table after its load runs (bench/run.py, ``report_render_costs``).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

STAFF_EMAIL = "bench-organiser@example.org"
STAFF_PASSWORD = "correct horse battery staple"  # noqa: S105  # nosec B105  # a bench account


def ensure_staff() -> None:
    """Create the bench organiser (:data:`STAFF_EMAIL`) unless it exists (in an app context)."""
    import sqlalchemy as sa

    from campaign.accounts.passwords import hash_password
    from campaign.extensions import db
    from campaign.models import Role, User

    if db.session.scalar(sa.select(User.id).where(User.email == STAFF_EMAIL)) is None:
        db.session.add(
            User(
                email=STAFF_EMAIL,
                display_name="Bench organiser",
                role=Role.ORGANISER,
                password_hash=hash_password(STAFF_PASSWORD),
            )
        )
        db.session.commit()


def pages(second_page: str, long_id: int) -> list[tuple[str, str, bool]]:
    """(label, path, signed in as staff) for each page the table shows."""
    return [
        ("the long case page", "/cases/long", False),
        ("its second timeline page", second_page, False),
        ("a small case page", "/cases/small-001", False),
        ("the home page", "/", False),
        ("the long case's timeline.json", "/cases/long/timeline.json", False),
        ("the long case's calendar.ics", "/cases/long/calendar.ics", False),
        ("the long case's feed.atom", "/cases/long/feed.atom", False),
        ("the support form (GET)", "/cases/long/support", False),
        ("staff: the long case page", "/cases/long", True),
        ("staff: the long case's record", f"/manage/cases/{long_id}", True),
        ("staff: its record's second page", f"/manage/cases/{long_id}?page=2", True),
        ("staff: the long case's edit form", f"/manage/cases/{long_id}/edit", True),
        ("staff: the long case's history", f"/manage/history/cases/{long_id}", True),
        ("staff: the case list", "/manage/cases/", True),
        ("staff: the dashboard (/manage)", "/manage/", True),
    ]


class Changes:
    """Real changes between two requests (made untimed): a new message of support approved on
    the first day of messages the long case page shows, and the case's summary edited. Each
    is new, so nothing rendered before can stand for it; :meth:`undo` leaves the data as found."""

    def __init__(self, case_id: int) -> None:
        import sqlalchemy as sa

        from campaign.extensions import db
        from campaign.models import Case, Message, MessageState, User

        self.case_id = case_id
        self.made: list[int] = []
        first = db.session.scalar(
            sa.select(sa.func.min(Message.created_at)).where(
                Message.case_id == case_id, Message.state == MessageState.PUBLISHED
            )
        )
        assert first is not None, "the long case has published messages"
        self.first = first.replace(hour=12, minute=0, second=0, microsecond=0)
        case = db.session.get(Case, case_id)
        assert case is not None
        self.summary = case.summary
        actor = db.session.scalar(sa.select(User.id).where(User.email == STAFF_EMAIL))
        assert actor is not None
        self.actor_id = int(actor)

    def approve(self, turn: int) -> None:
        from datetime import timedelta

        from campaign.extensions import db
        from campaign.messages import services
        from campaign.models import Message, MessageState, User

        message = Message(
            case_id=self.case_id,
            body=f"Bench message {turn}: stay strong",
            country="DE",
            consent_to_publish=True,
            created_at=self.first + timedelta(seconds=turn),
        )
        db.session.add(message)
        db.session.commit()
        self.made.append(message.id)
        actor = db.session.get(User, self.actor_id)
        assert actor is not None
        services.decide(message, MessageState.PUBLISHED, actor)
        db.session.commit()

    def edit(self, turn: int) -> None:
        from campaign.extensions import db
        from campaign.models import Case

        case = db.session.get(Case, self.case_id)
        assert case is not None
        case.summary = f"{self.summary or ''} (bench edit {turn})"
        db.session.commit()

    def undo(self) -> None:
        import sqlalchemy as sa

        from campaign.extensions import db
        from campaign.models import Case, Message

        if self.made:
            db.session.execute(sa.delete(Message).where(Message.id.in_(self.made)))
        case = db.session.get(Case, self.case_id)
        assert case is not None
        case.summary = self.summary
        db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--profile", metavar="PATH", help="profile this path instead")
    parser.add_argument("--staff", action="store_true", help="profile signed in as staff")
    parser.add_argument(
        "--sql",
        action="store_true",
        help="with --profile: print its SQL statements and their times instead",
    )
    parser.add_argument("--only", metavar="TEXT", help="only the rows whose label has TEXT")
    options = parser.parse_args()
    os.environ["CAMPAIGN_PAGE_CACHE_ENABLED"] = "false"

    import sqlalchemy as sa

    from bench.benchapp import LONG_SLUG, create_bench_app
    from campaign.extensions import db
    from campaign.models import Case
    from campaign.timeline import fragments

    app = create_bench_app()
    with app.app_context():
        long_id = db.session.scalar(sa.select(Case.id).where(Case.slug == LONG_SLUG))
        assert long_id is not None, "the bench data is loaded (flask bench-data)"
        ensure_staff()
    public = app.test_client()
    staff = app.test_client()
    form = staff.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)
    assert token, "the login form carries a CSRF token"
    signed_in = staff.post(
        "/login",
        data={"csrf_token": token.group(1), "email": STAFF_EMAIL, "password": STAFF_PASSWORD},
    )
    assert signed_in.status_code == 302, signed_in.status_code
    found = re.search(
        r'rel="next" href="([^"]+)"', public.get("/cases/long").get_data(as_text=True)
    )
    assert found, "the long case has a second timeline page"
    second = found.group(1).replace("&amp;", "&").split("#")[0]

    if options.profile:
        client = staff if options.staff else public
        client.get(options.profile)
        if options.sql:
            statements: list[tuple[str, float]] = []
            with app.app_context():
                engine = db.engine

            def start(*args: Any) -> None:
                statements.append((" ".join(args[2].split()), time.perf_counter()))

            def end(*args: Any) -> None:
                text, began = statements[-1]
                statements[-1] = (text, time.perf_counter() - began)

            sa.event.listen(engine, "before_cursor_execute", start)
            sa.event.listen(engine, "after_cursor_execute", end)
            client.get(options.profile)
            sa.event.remove(engine, "before_cursor_execute", start)
            sa.event.remove(engine, "after_cursor_execute", end)
            for number, (text, took) in enumerate(statements, 1):
                print(f"{number:3}. {took * 1000:6.2f} ms  {text}")
            return
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(5):
            response = client.get(options.profile)
        profiler.disable()
        assert response.status_code == 200, response.status_code
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        return

    def measure(
        label: str, path: str, client: Any, before: Callable[[int], None] | None = None
    ) -> None:
        """Time *path* ``--repeat`` times, calling *before* (untimed) ahead of each request."""
        if options.only and options.only not in label:
            return
        response = client.get(path)
        times = []
        for turn in range(options.repeat):
            if before is not None:
                with app.app_context():
                    before(turn)
            began = time.process_time()
            response = client.get(path)
            times.append((time.process_time() - began) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        rows.append((label, statistics.median(times), response.headers["X-Bench-Queries"]))

    def forget_fragments(_turn: int) -> None:
        kept = fragments.store(app)
        if kept is not None:
            kept.clear()

    rows: list[tuple[str, float, str]] = []
    # The pages as a visitor meets them once the worker has rendered them before: the timeline's
    # items are kept (campaign.timeline.fragments), the rest of the page is rendered.
    for label, path, as_staff in pages(second, long_id):
        measure(label, path, staff if as_staff else public)
    # A render after a change: the item the change concerns is rendered anew, the others kept.
    with app.app_context():
        changes = Changes(long_id)
    try:
        measure("long case: after a message approved", "/cases/long", public, changes.approve)
        measure("long case: after its summary edited", "/cases/long", public, changes.edit)
        measure("home page: after a message approved", "/", public, changes.approve)
        measure("home page: after a summary edited", "/", public, changes.edit)
        # The whole-case exports keep their events' rows under the records' version, which
        # only a served (page-cached) request knows: measured on an app with the cache on.
        label = "timeline.json: after a message approved"
        if not options.only or options.only in label:
            os.environ["CAMPAIGN_PAGE_CACHE_ENABLED"] = "true"
            cached = create_bench_app().test_client()
            os.environ["CAMPAIGN_PAGE_CACHE_ENABLED"] = "false"
            measure(label, "/cases/long/timeline.json", cached, changes.approve)
    finally:
        with app.app_context():
            changes.undo()
    # Nothing kept: every item of the page rendered (a worker's first request for the page).
    for label, path, client in (
        ("long case: nothing kept (cold)", "/cases/long", public),
        ("second page: nothing kept (cold)", second, public),
        ("small case: nothing kept (cold)", "/cases/small-001", public),
        ("staff: long case, nothing kept (cold)", "/cases/long", staff),
    ):
        measure(label, path, client, forget_fragments)
    if options.json:
        print(json.dumps(rows))
        return
    print(f"  {'request':40} {'CPU ms':>7} {'queries':>8}")
    for label, cpu, queries in rows:
        print(f"  {label:40} {cpu:7.1f} {queries:>8}")


if __name__ == "__main__":
    main()
