"""Factories shared by the public-side tests: messages of support and a long case."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from campaign.extensions import db
from campaign.models import Event, EventType, Message, MessageState, Visibility
from campaign.timeline.build import FILTERS, parse_show

COUNTRIES = ("RU", "AT", "GB", "DE", "CA", "US", "ZA", "NG", "AU", "LK")


@pytest.fixture
def make_message(make_message: Callable[..., int]) -> Callable[..., int]:
    """The conftest factory, with public-side defaults: published, and with an e-mail to hide."""

    def factory(case_id: int, **overrides: Any) -> int:
        overrides.setdefault("body", "Solidarity!")
        overrides.setdefault("country", "AT")
        overrides.setdefault("state", MessageState.PUBLISHED)
        overrides.setdefault("email", "supporter@example.net")
        return make_message(case_id, **overrides)

    return factory


def add_long_history(
    case_id: int, *, events: int, messages: int, start: date = date(2020, 1, 1)
) -> None:
    """Add many public events (one a day, alternating families) and public messages to a case."""
    from campaign.models import Case

    case = db.session.get(Case, case_id)
    assert case is not None
    types = (EventType.PICKET, EventType.HEARING, EventType.LETTER, EventType.TRANSFER)
    rows = [
        Event(
            type=types[i % len(types)],
            title=f"Event {i}",
            date=start + timedelta(days=i),
            city="Vienna",
            country="AT",
            visibility=Visibility.PUBLIC,
            cases=[case],
        )
        for i in range(events)
    ]
    db.session.add_all(rows)
    db.session.add_all(
        Message(
            case_id=case_id,
            body=f"Message {i}",
            country=COUNTRIES[i % len(COUNTRIES)],
            state=MessageState.PUBLISHED,
            consent_to_publish=True,
            created_at=datetime(start.year, start.month, start.day, 12, tzinfo=UTC)
            + timedelta(hours=i * 7),
        )
        for i in range(messages)
    )
    db.session.commit()


def test_show_filter_defaults_to_everything() -> None:
    assert parse_show([]) == frozenset(FILTERS)
    assert parse_show(["nonsense"]) == frozenset(FILTERS)
    assert parse_show(["legal", "nonsense"]) == {"legal"}
