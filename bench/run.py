"""Benchmark the public case page and timeline JSON on a long case versus a small one.

Builds, in a temporary SQLite database, a case with 2,000 events and 20,000 published messages
and a small case with a handful of each, then times the first page of each case page and the
timeline JSON with the test client. Prints median and p95 in milliseconds, the SQL query count
per request, and the long/small ratio. Run with ``make bench``.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from campaign import create_app
from campaign.extensions import db
from campaign.models import (
    Case,
    CaseStatus,
    Event,
    EventType,
    Message,
    MessageState,
    Organisation,
    Source,
    Venue,
    Verification,
    event_cases,
    event_organisations,
    event_sources,
)

LONG_EVENTS = 2_000
LONG_MESSAGES = 20_000
RUNS = 30
COUNTRIES = ("RU", "AT", "GB", "DE", "CA", "US", "ZA", "NG", "AU", "LK", "FR", "BR")
TYPES = (
    EventType.PICKET,
    EventType.HEARING,
    EventType.LETTER,
    EventType.DEMONSTRATION,
    EventType.TRANSFER,
    EventType.STATEMENT,
)


def build_case(slug: str, events: int, messages: int, orgs: list[int], sources: list[int]) -> None:
    """Insert a detained person's case with *events* events and *messages* published messages."""
    start = date(2019, 1, 1)
    case = Case(
        slug=slug,
        person_name=f"Bench {slug}",
        status=CaseStatus.DETAINED,
        published=True,
        country="BY",
        city="Minsk",
        charges="Article 342",
        arrest_date=start,
    )
    db.session.add(case)
    db.session.flush()
    now = datetime.now(UTC)
    event_rows = [
        {
            "type": TYPES[i % len(TYPES)].value,
            "title": f"Event {i} of {slug}",
            "date": start + timedelta(days=i),
            "date_precision": "day",
            "sort_date": start + timedelta(days=i),  # a day's story order is the day itself
            "city": "Vienna" if i % 3 else "Moscow",
            "country": "AT" if i % 3 else "RU",
            "description": "A picket outside the embassy with banners and speeches. " * 3,
            "visibility": "public" if i % 17 else "internal",
            "verification": Verification.VERIFIED.value if i % 2 else Verification.REPORTED.value,
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        for i in range(events)
    ]
    result = db.session.execute(sa.insert(Event).returning(Event.id), event_rows)
    ids = [row[0] for row in result]
    db.session.execute(sa.insert(event_cases), [{"event_id": i, "case_id": case.id} for i in ids])
    db.session.execute(
        sa.insert(event_organisations),
        [{"event_id": e, "organisation_id": orgs[n % len(orgs)]} for n, e in enumerate(ids)],
    )
    db.session.execute(
        sa.insert(event_sources),
        [{"event_id": e, "source_id": sources[n % len(sources)]} for n, e in enumerate(ids)],
    )
    first = datetime(2019, 1, 1, 8, tzinfo=UTC)
    span_hours = max(events, 1) * 24
    db.session.execute(
        sa.insert(Message),
        [
            {
                "case_id": case.id,
                "display_name": f"Supporter {i}" if i % 4 else None,
                "country": COUNTRIES[i % len(COUNTRIES)],
                "organisation": "Union branch" if i % 5 == 0 else None,
                "body": "Solidarity from far away; stay strong.",
                "state": MessageState.PUBLISHED.value,
                "consent_to_publish": True,
                "created_at": (first + timedelta(hours=(i * 7919) % span_hours)).replace(
                    tzinfo=None
                ),
            }
            for i in range(messages)
        ],
    )
    db.session.commit()


def measure(request: Callable[[], int], runs: int) -> tuple[float, float]:
    """Median and p95 in milliseconds of *runs* calls after a warm-up."""
    request()
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        status = request()
        timings.append((time.perf_counter() - began) * 1000)
        assert status == 200, status
    timings.sort()
    return statistics.median(timings), timings[max(0, int(len(timings) * 0.95) - 1)]


def main() -> None:
    """Build both cases, time the pages, print a small table."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite'}",
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            db.create_all()
            began = time.perf_counter()
            orgs = [Organisation(name=f"Org {i}", slug=f"org-{i}") for i in range(20)]
            sources = [
                Source(title=f"Report {i}", url=f"https://example.org/{i}") for i in range(20)
            ]
            db.session.add_all([*orgs, *sources, Venue(name="Embassy", slug="embassy")])
            db.session.commit()
            org_ids = [o.id for o in orgs]
            source_ids = [s.id for s in sources]
            build_case("small", 12, 40, org_ids, source_ids)
            build_case("long", LONG_EVENTS, LONG_MESSAGES, org_ids, source_ids)
            print(
                f"built: long case with {LONG_EVENTS} events and {LONG_MESSAGES} messages "
                f"in {time.perf_counter() - began:.1f}s"
            )
            engine = db.engine

        queries: list[str] = []

        def count(*args: object) -> None:
            queries.append("q")

        sa.event.listen(engine, "before_cursor_execute", count)
        client = app.test_client()
        results = {}
        for label, path in (
            ("case page", "/cases/{slug}"),
            ("case page, messages only", "/cases/{slug}?show=messages"),
            ("case sheet (whole)", "/cases/{slug}/sheet"),
            ("timeline.json (whole)", "/cases/{slug}/timeline.json"),
        ):
            for slug in ("small", "long"):
                url = path.format(slug=slug)
                queries.clear()
                client.get(url)
                n_queries = len(queries)
                median, p95 = measure(lambda url=url: client.get(url).status_code, RUNS)
                results[(label, slug)] = (median, p95, n_queries)

        print(f"{'request':28} {'case':6} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
        for (label, slug), (median, p95, n_queries) in results.items():
            print(f"{label:28} {slug:6} {median:10.1f} {p95:8.1f} {n_queries:8d}")
        for label in dict.fromkeys(k[0] for k in results):
            small, long = results[(label, "small")], results[(label, "long")]
            print(
                f"{label}: long/small time ratio {long[0] / small[0]:.2f}, "
                f"queries {small[2]} vs {long[2]}"
            )
        sa.event.remove(engine, "before_cursor_execute", count)
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
