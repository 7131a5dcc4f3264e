"""The app as the benchmark serves it: the product, plus a bare ``/hello`` as the yardstick.

``create_bench_app()`` is the product's ``create_app()`` with three additions that exist only
here, never in the product:

- ``GET /hello``: a bare route through the same app, hooks and headers, measured in the same
  run, so every figure is a ratio to what this machine does for nothing;
- an ``X-Bench-Queries`` header on every response: the SQL statements that request ran;
- ``flask --app bench.benchapp:create_bench_app bench-data``: the synthetic campaign (200
  published cases, one of them with 2,000 events and 20,000 published messages);
- ``flask --app bench.benchapp:create_bench_app bench-moderate``: an organiser approving a new
  message on the long case at a steady pace (each approval moves the public-data version, so
  every cached page is made again), for ``make bench``'s row of the page under moderation.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import Flask, Response, g

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

LONG_SLUG = "long"
SMALL_SLUG = "small-001"
CASES = 200
LONG_EVENTS = 2_000
LONG_MESSAGES = 20_000
SMALL_EVENTS = 12
SMALL_MESSAGES = 40
COUNTRIES = ("RU", "AT", "GB", "DE", "CA", "US", "ZA", "NG", "AU", "LK", "FR", "BR")
TYPES = (
    EventType.PICKET,
    EventType.HEARING,
    EventType.LETTER,
    EventType.DEMONSTRATION,
    EventType.TRANSFER,
    EventType.STATEMENT,
)


def create_bench_app() -> Flask:
    """The product's app with the benchmark's yardstick, query counter and data command."""
    app = create_app()

    @app.get("/hello")
    def hello() -> Response:
        return Response("hello", mimetype="text/plain")

    with app.app_context():
        engine = db.engine

    def count(*_args: Any) -> None:
        if hasattr(g, "bench_queries"):
            g.bench_queries += 1

    sa.event.listen(engine, "before_cursor_execute", count)

    @app.before_request
    def start_counting() -> None:
        g.bench_queries = 0

    @app.after_request
    def report(response: Response) -> Response:
        response.headers["X-Bench-Queries"] = str(g.get("bench_queries", 0))
        return response

    # The public-data version is read on a raw connection, out of SQLAlchemy's sight: count it.
    pages = app.extensions["campaign.page_cache"]
    read_version = pages.read_version

    def counted_read() -> Any:
        count()
        return read_version()

    pages.read_version = counted_read
    app.cli.add_command(bench_data)
    app.cli.add_command(bench_moderate)
    return app


def build_case(
    slug: str, number: int, events: int, messages: int, orgs: list[int], sources: list[int]
) -> None:
    """Insert a detained person's case with *events* events and *messages* published messages."""
    start = date(2019, 1, 1) + timedelta(days=number % 300)
    case = Case(
        slug=slug,
        person_name=f"Bench person {number:03d}",
        status=CaseStatus.DETAINED if number % 3 else CaseStatus.SENTENCED,
        published=True,
        country=COUNTRIES[number % len(COUNTRIES)],
        city="Minsk",
        charges="Article 342: organising actions that grossly violate public order",
        arrest_date=start,
        summary="Arrested after a picket outside the court. " * 4,
    )
    db.session.add(case)
    db.session.flush()
    now = datetime.now(UTC)
    rows = [
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
    made = db.session.execute(sa.insert(Event).returning(Event.id, Event.sort_date), rows).all()
    ids = [row[0] for row in made]
    # Each link carries its event's story keys (campaign.models.events; rank 0: to the day).
    links = [{"event_id": i, "case_id": case.id, "sort_date": d, "story_rank": 0} for i, d in made]
    db.session.execute(sa.insert(event_cases), links)
    db.session.execute(
        sa.insert(event_organisations),
        [{"event_id": e, "organisation_id": orgs[n % len(orgs)]} for n, e in enumerate(ids)],
    )
    db.session.execute(
        sa.insert(event_sources),
        [{"event_id": e, "source_id": sources[n % len(sources)]} for n, e in enumerate(ids)],
    )
    first = datetime(2019, 1, 1, 8)
    span_hours = max(events, 1) * 24
    if messages:
        db.session.execute(
            sa.insert(Message),
            [
                {
                    "case_id": case.id,
                    "display_name": f"Supporter {i}" if i % 4 else None,
                    "country": COUNTRIES[i % len(COUNTRIES)],
                    "organisation": "Union branch" if i % 5 == 0 else None,
                    "body": f"Solidarity from far away; stay strong. ({i})",
                    "state": MessageState.PUBLISHED.value,
                    "consent_to_publish": True,
                    "created_at": first + timedelta(hours=(i * 7919) % span_hours),
                }
                for i in range(messages)
            ],
        )


@click.command("bench-data")
def bench_data() -> None:
    """Build the synthetic campaign of the benchmark in an empty database."""
    if db.session.scalar(sa.select(sa.func.count(Case.id))):
        raise click.ClickException("The database already holds cases: use an empty one.")
    began = time.perf_counter()
    orgs = [Organisation(name=f"Org {i}", slug=f"org-{i}") for i in range(20)]
    sources = [Source(title=f"Report {i}", url=f"https://example.org/{i}") for i in range(20)]
    db.session.add_all([*orgs, *sources, Venue(name="Embassy", slug="embassy")])
    db.session.flush()
    org_ids = [o.id for o in orgs]
    source_ids = [s.id for s in sources]
    build_case(LONG_SLUG, 0, LONG_EVENTS, LONG_MESSAGES, org_ids, source_ids)
    for number in range(1, CASES):
        build_case(f"small-{number:03d}", number, SMALL_EVENTS, SMALL_MESSAGES, org_ids, source_ids)
    db.session.commit()
    click.echo(
        f"{CASES} published cases; '{LONG_SLUG}' has {LONG_EVENTS} events and "
        f"{LONG_MESSAGES} messages ({time.perf_counter() - began:.1f} s)"
    )


@click.command("bench-moderate")
@click.option("--every", default=1.0, help="seconds between two approvals")
@click.option("--seconds", default=5.0, help="for how long")
def bench_moderate(every: float, seconds: float) -> None:
    """Approve a new message on the long case every *every* seconds through the moderation
    service, as an organiser would; then delete the messages it made."""
    from campaign.messages import services
    from campaign.models import Role, User

    organiser = db.session.scalar(sa.select(User).where(User.email == MODERATOR_EMAIL))
    if organiser is None:
        organiser = User(email=MODERATOR_EMAIL, display_name="Bench moderator", role=Role.ORGANISER)
        db.session.add(organiser)
        db.session.commit()
    case_id = db.session.scalar(sa.select(Case.id).where(Case.slug == LONG_SLUG))
    made: list[int] = []
    ends = time.monotonic() + seconds
    turn = 0
    while time.monotonic() < ends:
        turn += 1
        message = Message(
            case_id=case_id, body=f"Bench approval {turn}", country="DE", consent_to_publish=True
        )
        db.session.add(message)
        db.session.commit()
        made.append(message.id)
        services.decide(message, MessageState.PUBLISHED, organiser)
        db.session.commit()
        if turn == 1:
            click.echo("approving", nl=True)  # the load may start
            sys.stdout.flush()
        time.sleep(max(0.0, min(every, ends - time.monotonic())))
    db.session.execute(sa.delete(Message).where(Message.id.in_(made)))
    db.session.commit()
    click.echo(f"{turn} messages approved")


MODERATOR_EMAIL = "bench-moderator@example.org"
