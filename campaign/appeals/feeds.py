"""Appeals in a case's feeds: an Atom entry when an appeal opens and when a response arrives,
and an all-day calendar event on each appeal's deadline.

Only what the public may see comes here (the callers choose: no draft, no unpublished
response). Identifiers come from database ids, so readers see the same item as the same item.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from icalendar import Event as CalendarEvent

from campaign.models import Appeal, AppealResponse
from campaign.util.dates import format_partial_date

FeedEntry = tuple[datetime, str, dict[str, Any]]


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _targets(appeal: Appeal) -> str:
    return "; ".join(t.name for t in appeal.targets)


def appeal_summary(appeal: Appeal) -> str:
    """One paragraph for a feed: to whom, by when, and what is asked."""
    return " · ".join(
        p
        for p in (
            _("To: %(authorities)s", authorities=_targets(appeal)) if appeal.targets else "",
            _("Deadline: %(day)s", day=format_partial_date(appeal.deadline)),
            appeal.asked,
        )
        if p
    )


def response_title(response: AppealResponse) -> str:
    """ "Response to an appeal: Refused (OSCE)"."""
    title = _(
        "Response to “%(appeal)s”: %(kind)s", appeal=response.appeal.title, kind=response.kind.label
    )
    return f"{title} ({response.target.name})" if response.target else title


def atom_entries(
    feed_id: str,
    appeals: Iterable[Appeal],
    responses: Iterable[AppealResponse],
    url_for_appeal: Callable[[Appeal], str],
) -> list[FeedEntry]:
    """Entries for campaign.timeline.feeds.atom: each appeal as it opened, each response."""
    entries: list[FeedEntry] = []
    for appeal in appeals:
        opened = _midnight(appeal.starts_on)
        entries.append(
            (
                opened,
                f"{feed_id}/appeal/{appeal.id}",
                {
                    "title": _("Appeal: %(title)s", title=appeal.title),
                    "updated": max(opened, _aware(appeal.updated_at)),
                    "published": opened,
                    "summary": appeal_summary(appeal),
                    "link": url_for_appeal(appeal),
                },
            )
        )
    for response in responses:
        created = _aware(response.created_at)
        text = " · ".join(
            p for p in (format_partial_date(response.received_on), response.text or "") if p
        )
        entries.append(
            (
                created,
                f"{feed_id}/appeal-response/{response.id}",
                {
                    "title": response_title(response),
                    "updated": created,
                    "published": created,
                    "summary": text,
                    "link": url_for_appeal(response.appeal),
                },
            )
        )
    return entries


def deadline_events(
    appeals: Iterable[Appeal], host: str, url_for_appeal: Callable[[Appeal], str]
) -> list[CalendarEvent]:
    """An all-day event on each appeal's deadline, for campaign.timeline.feeds.calendar."""
    items = []
    for appeal in appeals:
        item = CalendarEvent()
        item.add("uid", f"appeal-{appeal.id}-deadline@{host}")
        item.add("dtstamp", _aware(appeal.updated_at))
        item.add("dtstart", appeal.deadline)
        if appeal.deadline < date.max:
            item.add("dtend", appeal.deadline + timedelta(days=1))
        item.add("summary", _("Appeal deadline: %(title)s", title=appeal.title))
        item.add("description", appeal_summary(appeal))
        item.add("categories", [_("Appeal")])
        item.add("url", url_for_appeal(appeal))
        item.add("last-modified", _aware(appeal.updated_at))
        items.append(item)
    return items
