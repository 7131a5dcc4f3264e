"""What the public sees of the messages of a case: counts, the latest ones, the daily summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from campaign.extensions import db
from campaign.models import Case, Message, MessageState
from campaign.timeline.build import message_publicly_shown


@dataclass(frozen=True)
class SupportSummary:
    """The numbers the case page shows about a case's messages."""

    published: int  # approved with the sender's consent: on the site
    delivered: int


def support_summary(case: Case) -> SupportSummary:
    """Messages on the site and messages delivered for a case, in one query.

    The delivered count includes private messages (approved for delivery only): it is a number,
    not their content, and it tells the public that words reached the person.
    """
    published = sa.func.coalesce(sa.func.sum(sa.case((message_publicly_shown(), 1), else_=0)), 0)
    delivered = sa.func.coalesce(
        sa.func.sum(sa.case((Message.delivered_on.is_not(None), 1), else_=0)), 0
    )
    row = db.session.execute(
        sa.select(published, delivered).where(Message.case_id == case.id)
    ).one()
    return SupportSummary(published=int(row[0]), delivered=int(row[1]))


def published_messages(case_id: int, *, limit: int, offset: int = 0) -> list[Message]:
    """Messages the public may read, newest first."""
    return list(
        db.session.scalars(
            sa.select(Message)
            .where(Message.case_id == case_id, message_publicly_shown())
            .order_by(Message.created_at.desc(), Message.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )


def latest_messages(case: Case, limit: int = 3) -> list[Message]:
    """The newest published messages of a case, for its page."""
    return published_messages(case.id, limit=limit)


def messages_by_day(case_id: int) -> list[tuple[date, int]]:
    """The timeline's daily summary: (day, published messages received that day), newest first."""
    days: dict[date, int] = {}
    for created in db.session.scalars(
        sa.select(Message.created_at).where(Message.case_id == case_id, message_publicly_shown())
    ):
        day = created.astimezone(UTC).date()
        days[day] = days.get(day, 0) + 1
    return sorted(days.items(), reverse=True)


def purge_expired_emails(now: datetime | None = None, days: int | None = None) -> int:
    """Erase supporters' e-mails decided more than the retention period ago; returns how many."""
    now = now or datetime.now(UTC)
    if days is None:
        days = int(current_app.config.get("SUPPORTER_EMAIL_RETENTION_DAYS", 30))
    cutoff = now - timedelta(days=days)
    result = db.session.execute(
        sa.update(Message)
        .where(
            Message.email.is_not(None),
            Message.decided_at.is_not(None),
            Message.decided_at <= cutoff,
            Message.state != MessageState.PENDING,
        )
        .values(email=None, email_erased_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
