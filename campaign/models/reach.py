"""The solidarity reach of each case, counted when its events or messages change, not on every
page: a case page reads one row, however many actions and messages the case has."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from campaign.database import utcnow
from campaign.extensions import db


class CaseReach(db.Model):  # type: ignore[name-defined]
    """The public solidarity actions and messages of one case, in numbers (see
    campaign.timeline.reach, which keeps it in step with the events and messages on commit).

    ``by_country`` is JSON: ``[[code or null, actions, messages], ...]`` in the chart's order.
    """

    __tablename__ = "case_reach"

    case_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    actions: Mapped[int] = mapped_column(default=0)
    cities: Mapped[int] = mapped_column(default=0)
    organisations: Mapped[int] = mapped_column(default=0)
    messages: Mapped[int] = mapped_column(default=0)
    by_country: Mapped[str] = mapped_column(sa.Text, default="[]")
    counted_at: Mapped[datetime] = mapped_column(default=utcnow)
