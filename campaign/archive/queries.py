"""The reads behind the archive page: how much an export of the campaign holds."""

from __future__ import annotations

import sqlalchemy as sa

from campaign.archive.records import KINDS
from campaign.extensions import db


def record_counts() -> dict[str, int]:
    """How many records of each kind an export would hold now."""
    return {
        kind.name: int(db.session.scalar(sa.select(sa.func.count()).select_from(kind.model)) or 0)
        for kind in KINDS
    }
