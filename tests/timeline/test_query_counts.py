"""A page that has to be rendered costs the same number of SQL statements, however long the case
and however many cases the campaign follows.

The page cache is off here: what is counted is the render itself (the first request after a
change, or a staff view, which is never cached). Each page is asked for once for a small case
and once for a long one; the statements must be the same in number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from campaign.extensions import db
from campaign.models import (
    Case,
    Event,
    EventType,
    Message,
    MessageState,
    Organisation,
    Source,
    Verification,
    Visibility,
)

TYPES = (
    EventType.PICKET,
    EventType.HEARING,
    EventType.LETTER,
    EventType.TRANSFER,
    EventType.HUNGER_STRIKE_START,
    EventType.DEMONSTRATION,
)
COUNTRIES = ("RU", "AT", "GB", "DE", "CA", "US", "ZA")


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """The suite's configuration with the page cache off: every request renders."""
    return {**app_config, "PAGE_CACHE_ENABLED": False}


@contextmanager
def counted(app: Flask) -> Iterator[list[str]]:
    """The SQL statements run inside the block."""
    statements: list[str] = []

    def listener(*args: Any) -> None:
        statements.append(str(args[2]))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)


def statements_for(app: Flask, client: FlaskClient, path: str) -> int:
    """How many SQL statements one request for *path* runs (it must answer 200)."""
    with counted(app) as statements:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(statements)


def build_case(app: Flask, slug: str, *, events: int, messages: int, other: int) -> int:
    """A published case with *events* events (each with an organisation, a source and a second
    case, some internal, some legal ones reported) and *messages* published messages spread over
    days and countries; returns its id."""
    with app.app_context():
        case = Case(
            slug=slug,
            person_name=f"Person {slug}",
            published=True,
            arrest_date=date(2020, 1, 1),
            country="BY",
        )
        db.session.add(case)
        second = db.session.get(Case, other)
        orgs = [Organisation(name=f"Org {slug} {n}", slug=f"org-{slug}-{n}") for n in range(3)]
        sources = [
            Source(title=f"Report {slug} {n}", url=f"https://example.org/{n}") for n in range(3)
        ]
        db.session.add_all(
            Event(
                type=TYPES[i % len(TYPES)],
                title=f"Event {i}",
                date=date(2020, 1, 2) + timedelta(days=i),
                city="Vienna" if i % 2 else "Minsk",
                country=COUNTRIES[i % len(COUNTRIES)],
                participants=10 + i,
                visibility=Visibility.INTERNAL if i % 7 == 3 else Visibility.PUBLIC,
                verification=Verification.REPORTED if i % 2 else Verification.VERIFIED,
                cases=[case, second] if second is not None and i % 3 == 0 else [case],
                organisations=[orgs[i % 3]],
                sources=[sources[i % 3]],
            )
            for i in range(events)
        )
        db.session.add_all(
            Message(
                case=case,
                body=f"Stay strong {i}",
                display_name=f"Supporter {i}" if i % 2 else None,
                country=COUNTRIES[i % len(COUNTRIES)],
                state=MessageState.PUBLISHED,
                consent_to_publish=True,
                created_at=datetime(2020, 1, 2, 9, tzinfo=UTC) + timedelta(hours=i * 5),
            )
            for i in range(messages)
        )
        db.session.commit()
        return case.id


@pytest.fixture
def small_and_long(app: Flask, make_case: Callable[..., Case]) -> tuple[int, int]:
    """The ids of a case with 10 events and 10 messages and of one with 200 and 300."""
    other = make_case(slug="other", person_name="Other person")
    return (
        build_case(app, "small", events=10, messages=10, other=other.id),
        build_case(app, "long", events=200, messages=300, other=other.id),
    )


def second_page(client: FlaskClient, slug: str) -> str:
    html = client.get(f"/cases/{slug}").get_data(as_text=True)
    found = re.search(r'rel="next" href="([^"]+)"', html)
    assert found, f"{slug} has a second timeline page"
    return found.group(1).replace("&amp;", "&").split("#")[0].replace(f"/cases/{slug}", "")


PUBLIC_PAGES = (
    "",
    "?show=messages",
    "?show=legal",
    "/sheet",
    "/timeline.json",
    "/timeline.csv",
    "/calendar.ics",
    "/feed.atom",
)


def test_public_case_pages_cost_the_same_statements_for_a_long_case(
    app: Flask, client: FlaskClient, small_and_long: tuple[int, int]
) -> None:
    small_count = {p: statements_for(app, client, f"/cases/small{p}") for p in PUBLIC_PAGES}
    long_count = {p: statements_for(app, client, f"/cases/long{p}") for p in PUBLIC_PAGES}
    assert long_count == small_count
    # The long case's later timeline pages cost what its first one does.
    later = second_page(client, "long")
    assert statements_for(app, client, f"/cases/long{later}") == long_count[""]


def test_a_long_case_pages_through_its_timeline_at_a_fixed_cost(
    app: Flask, client: FlaskClient, small_and_long: tuple[int, int]
) -> None:
    path = "/cases/long"
    first = statements_for(app, client, path)
    counts = []
    for _ in range(4):
        html = client.get(path).get_data(as_text=True)
        found = re.search(r'rel="next" href="([^"]+)"', html)
        assert found
        path = found.group(1).replace("&amp;", "&").split("#")[0]
        counts.append(statements_for(app, client, path))
    # A page whose days had no messages skips reading them: never more than the first page.
    assert max(counts) <= first, (first, counts)


def test_staff_views_of_a_case_cost_the_same_statements_for_a_long_case(
    app: Flask, small_and_long: tuple[int, int], staff_client: Callable[..., FlaskClient]
) -> None:
    small, long = small_and_long
    organiser = staff_client()
    pages = {
        "record": ("/manage/cases/{id}", "/manage/cases/{id}?page=2"),
        "timeline": ("/cases/{slug}", "/cases/{slug}?show=legal"),
        "events": ("/manage/events/?case={id}", "/manage/events/?case={id}&page=2"),
    }
    for first, second in pages.values():
        for path in (first, second):
            few = statements_for(
                app,
                organiser,
                path.format(id=small, slug="small").replace("?page=2", "").replace("&page=2", ""),
            )
            many = statements_for(app, organiser, path.format(id=long, slug="long"))
            assert many == few, (path, few, many)


def test_the_staff_record_of_a_long_case_shows_its_events_a_page_at_a_time(
    app: Flask, small_and_long: tuple[int, int], staff_client: Callable[..., FlaskClient]
) -> None:
    _small, long = small_and_long
    organiser = staff_client()
    first = organiser.get(f"/manage/cases/{long}").get_data(as_text=True)
    assert ">Event 199<" in first  # the latest in the story first
    assert ">Event 150<" in first
    assert ">Event 149<" not in first
    assert f'href="/manage/cases/{long}?page=2">Older</a>' in first
    last = organiser.get(f"/manage/cases/{long}?page=4").get_data(as_text=True)
    assert ">Event 0<" in last
    assert f'href="/manage/cases/{long}?page=3">Newer</a>' in last
    assert "Older</a>" not in last
    # The hunger strike counter reads the strikes, wherever they are in the story.
    assert "of hunger strike" in first


def test_the_home_page_costs_the_same_statements_for_5_or_60_cases(
    app: Flask, client: FlaskClient, make_case: Callable[..., Case]
) -> None:
    other = make_case(slug="other", person_name="Other person")

    def add(numbers: range) -> None:
        for n in numbers:
            build_case(app, f"case-{n:02d}", events=3, messages=2, other=other.id)

    add(range(4))
    few = {p: statements_for(app, client, p) for p in ("/", "/?country=BY", "/feed.atom")}
    add(range(4, 60))
    many = {p: statements_for(app, client, p) for p in ("/", "/?country=BY", "/feed.atom")}
    assert many == few
    assert statements_for(app, client, "/?page=2") == many["/"]
