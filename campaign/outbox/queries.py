"""Reading the outbox: how many e-mails stand where (for the command line; never addresses)."""

from __future__ import annotations

import sqlalchemy as sa

from campaign.extensions import db
from campaign.models import OutboxMail, OutboxState


def counts() -> dict[OutboxState, int]:
    """The number of e-mails in each state."""
    rows = db.session.execute(
        sa.select(OutboxMail.state, sa.func.count()).group_by(OutboxMail.state)
    ).all()
    found = {OutboxState(state): int(number) for state, number in rows}
    return {state: found.get(state, 0) for state in OutboxState}
