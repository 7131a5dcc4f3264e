"""Appeals in a followed case's e-mail updates: an appeal when it opens, each response an
organiser published (a source for campaign.subscriptions.updates, registered on import)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time

import sqlalchemy as sa
from flask_babel import gettext as _

from campaign.appeals.queries import public_appeal_clause
from campaign.extensions import db
from campaign.models import Appeal, AppealResponse, appeal_cases
from campaign.subscriptions.updates import Update, register
from campaign.util.dates import format_partial_date


def _opened_at(appeal: Appeal) -> datetime:
    return datetime.combine(appeal.starts_on, time(), tzinfo=UTC)


@register
def appeal_updates(case_id: int, since: datetime) -> Iterator[Update]:
    """The case's appeals opened since *since*, and the responses published since then."""
    concerns = sa.select(appeal_cases.c.appeal_id).where(appeal_cases.c.case_id == case_id)
    appeals = db.session.scalars(
        sa.select(Appeal).where(Appeal.id.in_(concerns), public_appeal_clause())
    )
    for appeal in appeals:
        opened = _opened_at(appeal)
        if opened > since:

            def describe(appeal: Appeal = appeal) -> str:
                return _(
                    "New appeal: %(title)s (write before %(day)s)",
                    title=appeal.title,
                    day=format_partial_date(appeal.deadline),
                )

            yield Update(f"appeal:{appeal.id}", case_id, opened, describe)
    responses = db.session.scalars(
        sa.select(AppealResponse).where(
            AppealResponse.appeal_id.in_(concerns),
            AppealResponse.published.is_(True),
            AppealResponse.created_at > since,
        )
    )
    for response in responses:
        if not response.appeal.is_public:
            continue

        def describe_response(response: AppealResponse = response) -> str:
            who = response.target.name if response.target else response.appeal.title
            return _(
                "%(day)s: %(authority)s answered the appeal: %(kind)s",
                day=format_partial_date(response.received_on),
                authority=who,
                kind=response.kind.label,
            )

        yield Update(
            f"appeal-response:{response.id}", case_id, response.created_at, describe_response
        )
