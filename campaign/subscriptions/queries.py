"""Reading subscriptions for staff: counts only, never an address."""

from __future__ import annotations

import sqlalchemy as sa

from campaign.extensions import db
from campaign.models import Subscription


def subscriber_counts(case_id: int) -> tuple[int, int]:
    """How many follow the case (confirmed), and how many have not confirmed yet."""
    confirmed = sa.func.count().filter(Subscription.confirmed_at.is_not(None))
    waiting = sa.func.count().filter(Subscription.confirmed_at.is_(None))
    row = db.session.execute(
        sa.select(confirmed, waiting).where(Subscription.case_id == case_id)
    ).one()
    return int(row[0] or 0), int(row[1] or 0)
