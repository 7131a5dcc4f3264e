"""The solidarity reach of each case, counted on change and kept

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04

A new table, filled here for every existing case with what the case page counted on every
request until now (campaign.timeline.reach keeps it in step from then on).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# The solidarity action types as of this revision: their reach is what the page shows.
SOLIDARITY_TYPES = (
    "picket",
    "demonstration",
    "vigil",
    "letter",
    "petition",
    "statement",
    "parliamentary_action",
    "media_coverage",
    "other_action",
)


def upgrade():
    reach = op.create_table(
        "case_reach",
        sa.Column("case_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("actions", sa.Integer(), nullable=False),
        sa.Column("cities", sa.Integer(), nullable=False),
        sa.Column("organisations", sa.Integer(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("by_country", sa.Text(), nullable=False),
        sa.Column("counted_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_reach_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_reach")),
    )
    _count_every_case(reach)


def _count_every_case(reach: sa.Table) -> None:
    """The three counts of campaign.timeline.reach for every case, as SQL of this revision."""
    bind = op.get_bind()
    cases = sa.table("cases", sa.column("id"))
    events = sa.table(
        "events",
        sa.column("id"),
        sa.column("type"),
        sa.column("visibility"),
        sa.column("city"),
        sa.column("country"),
        sa.column("venue_id"),
    )
    venues = sa.table("venues", sa.column("id"), sa.column("city"), sa.column("country"))
    links = sa.table("event_cases", sa.column("event_id"), sa.column("case_id"))
    organisers = sa.table("event_organisations", sa.column("event_id"), sa.column("organisation_id"))
    messages = sa.table(
        "messages",
        sa.column("id"),
        sa.column("case_id"),
        sa.column("country"),
        sa.column("state"),
        sa.column("consent_to_publish"),
    )
    public = [events.c.visibility == "public", events.c.type.in_(SOLIDARITY_TYPES)]
    joined = (
        sa.select()
        .select_from(events)
        .join(links, links.c.event_id == events.c.id)
        .outerjoin(venues, venues.c.id == events.c.venue_id)
    )
    totals = {
        row[0]: row[1:]
        for row in bind.execute(
            joined.add_columns(
                links.c.case_id,
                sa.func.count(sa.distinct(events.c.id)),
                sa.func.count(sa.distinct(sa.func.coalesce(events.c.city, venues.c.city))),
                sa.func.count(sa.distinct(organisers.c.organisation_id)),
            )
            .outerjoin(organisers, organisers.c.event_id == events.c.id)
            .where(*public)
            .group_by(links.c.case_id)
        )
    }
    country = sa.func.coalesce(events.c.country, venues.c.country)
    actions: dict[int, dict[str | None, int]] = {}
    for case_id, code, count in bind.execute(
        joined.add_columns(links.c.case_id, country, sa.func.count(events.c.id))
        .where(*public)
        .group_by(links.c.case_id, country)
    ):
        actions.setdefault(case_id, {})[code] = int(count)
    sent: dict[int, dict[str | None, int]] = {}
    for case_id, code, count in bind.execute(
        sa.select(messages.c.case_id, messages.c.country, sa.func.count(messages.c.id))
        .where(messages.c.state == "published", messages.c.consent_to_publish.is_(True))
        .group_by(messages.c.case_id, messages.c.country)
    ):
        sent.setdefault(case_id, {})[code] = int(count)
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = []
    for (case_id,) in bind.execute(sa.select(cases.c.id)):
        done, came = actions.get(case_id, {}), sent.get(case_id, {})
        by_country = sorted(
            ((code, done.get(code, 0), came.get(code, 0)) for code in set(done) | set(came)),
            key=lambda c: (-(c[1] + c[2]), c[0] is None, c[0] or ""),
        )
        total = totals.get(case_id, (0, 0, 0))
        rows.append(
            {
                "case_id": case_id,
                "actions": int(total[0]),
                "cities": int(total[1]),
                "organisations": int(total[2]),
                "messages": sum(came.values()),
                "by_country": json.dumps([list(c) for c in by_country]),
                "counted_at": now,
            }
        )
    if rows:
        bind.execute(sa.insert(reach), rows)


def downgrade():
    op.drop_table("case_reach")
