"""Reading events: a case's events in date order, the lists staff work from."""

from __future__ import annotations

import sqlalchemy as sa

from campaign.extensions import db
from campaign.models import Case, Event, event_cases


def case_events(case: Case) -> list[Event]:
    """Every event of a case, internal ones included, in date order."""
    return list(
        db.session.scalars(
            sa.select(Event)
            .join(event_cases, event_cases.c.event_id == Event.id)
            .where(event_cases.c.case_id == case.id)
            .order_by(Event.date, Event.id)
        )
    )
