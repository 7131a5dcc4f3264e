"""What the public sees of a case's messages: the counts, the latest, the days they came."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask

from campaign.extensions import db
from campaign.messages import queries as summary
from campaign.messages import services
from campaign.models import Case, Message, MessageState
from campaign.timeline.reach import load_reach


@pytest.fixture
def case_id(app_ctx: Flask, make_case: Callable[..., Case]) -> int:
    case = make_case()
    rows = [
        (MessageState.PUBLISHED, True, datetime(2010, 5, 1, 9, tzinfo=UTC), date(2010, 5, 12)),
        (MessageState.PUBLISHED, True, datetime(2010, 5, 1, 23, tzinfo=UTC), None),
        (MessageState.PUBLISHED, True, datetime(2010, 5, 3, 12, tzinfo=UTC), None),
        (MessageState.PUBLISHED, False, datetime(2010, 5, 3, 13, tzinfo=UTC), None),
        (MessageState.PENDING, True, datetime(2010, 5, 3, 14, tzinfo=UTC), None),
        (MessageState.SPAM, True, datetime(2010, 5, 4, 14, tzinfo=UTC), None),
        (MessageState.WITHDRAWN, True, datetime(2010, 5, 4, 15, tzinfo=UTC), date(2010, 5, 12)),
    ]
    for i, (state, consent, created, delivered) in enumerate(rows):
        db.session.add(
            Message(
                case_id=case.id,
                body=f"m{i}",
                state=state,
                consent_to_publish=consent,
                created_at=created,
                delivered_on=delivered,
            )
        )
    db.session.commit()
    return case.id


def test_the_summary_counts_public_and_delivered_messages(case_id: int) -> None:
    case = db.session.get(Case, case_id)
    assert case is not None
    # Delivered counts what reached the person, even if withdrawn from the site since.
    assert summary.support_summary(case) == summary.SupportSummary(published=3, delivered=2)


def test_the_case_page_takes_the_published_count_from_the_reach(case_id: int) -> None:
    # The case page passes the count its reach row keeps (campaign.timeline.reach): the same
    # messages, so the panel reads the same; only the delivered ones are counted then.
    case = db.session.get(Case, case_id)
    assert case is not None
    kept = load_reach(case_id).messages
    assert kept == summary.support_summary(case).published
    assert summary.support_summary(case, kept) == summary.support_summary(case)


def test_the_latest_messages_are_public_ones_newest_first(case_id: int) -> None:
    case = db.session.get(Case, case_id)
    assert case is not None
    assert [m.body for m in summary.latest_messages(case, limit=2)] == ["m2", "m1"]


def test_messages_by_day_summarises_the_public_ones(case_id: int) -> None:
    assert summary.messages_by_day(case_id) == [(date(2010, 5, 3), 1), (date(2010, 5, 1), 2)]


def test_an_empty_case_has_zero_counts(app_ctx: Flask, make_case: Callable[..., Case]) -> None:
    case = db.session.get(Case, make_case().id)
    assert case is not None
    assert summary.support_summary(case) == summary.SupportSummary(0, 0)
    assert summary.messages_by_day(case.id) == []


def test_purge_keeps_pending_and_recent_emails(
    app_ctx: Flask, make_case: Callable[..., Case]
) -> None:
    case = make_case()
    now = datetime.now(UTC)
    old = Message(
        case_id=case.id,
        body="old",
        email="a@example.org",
        state=MessageState.REJECTED,
        decided_at=now - timedelta(days=40),
    )
    fresh = Message(
        case_id=case.id,
        body="new",
        email="b@example.org",
        state=MessageState.PUBLISHED,
        decided_at=now - timedelta(days=1),
    )
    waiting = Message(case_id=case.id, body="wait", email="c@example.org")
    db.session.add_all([old, fresh, waiting])
    db.session.commit()
    assert services.purge_expired_emails(now=now, days=30) == 1
    db.session.commit()
    db.session.expire_all()
    assert old.email is None
    assert old.email_erased_at is not None
    assert fresh.email == "b@example.org"
    assert waiting.email == "c@example.org"
