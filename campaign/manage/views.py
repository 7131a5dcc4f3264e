"""The staff area under /manage/: deny-by-default for every view, enforced once here."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template

from campaign.extensions import db
from campaign.models import Message, MessageState
from campaign.web.access import STAFF, allow, may_open

bp = Blueprint("manage", __name__, url_prefix="/manage")


@bp.get("/")
@allow(*STAFF)
def dashboard() -> str:
    """The staff home page: a tile per area the user may open, with what waits there."""
    counts: dict[str, int] = {}
    if may_open("messages.queue"):
        counts["messages.queue"] = pending_messages()
    return render_template("manage/dashboard.html", counts=counts)


def pending_messages() -> int:
    """How many messages of support wait for review, across all cases (one query)."""
    return int(
        db.session.scalar(
            sa.select(sa.func.count(Message.id)).where(Message.state == MessageState.PENDING)
        )
        or 0
    )
