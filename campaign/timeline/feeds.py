"""Feeds and exports of the public record: iCalendar, Atom, JSON and CSV.

Everything here is built from public events of published cases only; the callers choose them.
Identifiers are derived from database ids, so a calendar app or a feed reader sees the same item
as the same item on every fetch, and timestamps come from the rows, so output is stable.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from feedgen.feed import FeedGenerator
from flask_babel import gettext as _
from flask_babel import ngettext
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from campaign.appeals.queries import AppealItem, ResponseItem
from campaign.models import CaseStatusChange, DatePrecision, Event, EventFamily, EventType
from campaign.timeline.build import EventItem, Item, MessageDay, Milestone, event_heading
from campaign.util import localised, spreadsheets
from campaign.util.countries import country_name
from campaign.util.dates import format_partial_date
from campaign.util.kept import Kept

# Every fact the public case page shows of an event is in the exports too.
CSV_FIELDS = (
    "date",
    "end_date",
    "precision",
    "approximate",
    "start_time",
    "kind",
    "type",
    "title",
    "place",
    "country",
    "participants",
    "organisations",
    "also_concerns",
    "sources",
    "verification",
    "description",
    "authority",
    "authority_response",
    "outcome",
)
CSV_HEADER = spreadsheets.csv_line(CSV_FIELDS)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
# The event-only columns of a row that is a message day or a milestone.
EMPTY_EXTRAS: dict[str, Any] = {
    "approximate": False,
    "start_time": None,
    "participants": None,
    "also_concerns": [],
    "authority": None,
    "authority_response": None,
    "outcome": None,
}


def _aware(value: datetime | None) -> datetime:
    if value is None:
        return EPOCH
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _day_after(day: date) -> date | None:
    """The next day, or None past the last date Python can hold (a row dated 9999-12-31)."""
    return day + timedelta(days=1) if day < date.max else None


def _default_title(event: Event) -> str:
    return event_heading(event)


def names_title(event: Event) -> str:
    """A site-wide item's title: whose case it concerns, then the event ("Name: hearing")."""
    names = ", ".join(c.person_name for c in event.cases if c.published and c.archived_at is None)
    if not names:
        return event_heading(event)
    return _("%(names)s: %(title)s", names=names, title=_text(event, "title") or event.title)


def event_country(event: Event) -> str | None:
    """The country code of an event: its own, or its venue's."""
    return event.country or (event.venue.country if event.venue else None)


def place_line(event: Event) -> str:
    """Where an event happens, for people: "OSCE building, Vienna, Austria" (no country codes)."""
    return ", ".join(p for p in (event.place, country_name(event_country(event))) if p)


def _text(event: Event, field: str) -> str | None:
    """A field of the event in the reader's language (the locale of the request: the feed's
    or the export's language), or the original (see campaign.util.localised)."""
    return localised.text(event, field)


def event_details(event: Event) -> list[str]:
    """The facts of an event beyond its date, title and place, as lines for people."""
    description = _text(event, "description")
    lines = [description] if description else []
    if event.participants:
        lines.append(
            ngettext("%(num)d person took part", "%(num)d people took part", event.participants)
        )
    if event.organisations:
        names = ", ".join(o.name for o in event.organisations)
        lines.append(_("Organised by: %(names)s", names=names))
    if event.authority:
        lines.append(_("To: %(authority)s", authority=event.authority))
    if event.authority_response:
        lines.append(_("Response: %(response)s", response=event.authority_response))
    outcome = _text(event, "outcome")
    if outcome:
        lines.append(_("Outcome: %(outcome)s", outcome=outcome))
    return lines


def event_uid(event: Event, host: str) -> str:
    """The iCalendar UID of an event: the same on every fetch and in every calendar."""
    return f"event-{event.id}@{host}"


def calendar(
    name: str,
    events: Iterable[Event],
    host: str,
    url_for_event: Callable[[Event], str],
    title_for: Callable[[Event], str] = _default_title,
    extra: Iterable[CalendarEvent] = (),
    kept: Kept[Hashable, str] | None = None,
) -> bytes:
    """A subscribable iCalendar of dated events; date-only events are all-day events.

    *extra* are further items made elsewhere (an appeal's deadline, campaign.appeals.feeds).
    *kept* keeps each event's text made here, by everything it says (the worker's store of
    rendered timeline items, campaign.timeline.fragments): a calendar made again after a change
    elsewhere makes only what changed.

    Events known only to the month or year, or approximately, are left out: a calendar would
    show a guess as a fact. Times are floating local times at the venue (no zone is recorded),
    and a timed event has no end: none is recorded, and a guessed one would be shown as a fact.
    """
    cal = Calendar()
    cal.add("prodid", "-//campaign//solidarity tracker//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    # The calendar's own lines, then each event's, then END: what Calendar.to_ical writes with
    # the events added, but each event's text made once per worker (see _vevent).
    head = cal.to_ical().decode("utf-8")
    assert head.endswith(_END)  # noqa: S101  # nosec B101  # icalendar's format, checked
    parts = [head[: -len(_END)]]
    labels: dict[Any, str] = {}  # each type's and family's label, translated once

    def label(member: EventFamily | EventType) -> str:
        if member not in labels:
            labels[member] = str(member.label)
        return labels[member]

    for event in events:
        if event.date_precision != DatePrecision.DAY or event.date_approximate:
            continue
        parts.append(_vevent(_vevent_fields(event, host, url_for_event, title_for, label), kept))
    parts.extend(component.to_ical().decode("utf-8") for component in extra)
    parts.append(_END)
    return "".join(parts).encode("utf-8")


_END = "END:VCALENDAR\r\n"


class _VEventFields(NamedTuple):
    """Everything an event's VEVENT says, in the order it says it: its text depends on these
    alone, so they are the key its text is kept under."""

    uid: str
    stamp: datetime
    start: date | datetime
    end: date | None
    summary: str
    location: str
    description: str
    categories: tuple[str, ...]
    url: str


def _vevent_fields(
    event: Event,
    host: str,
    url_for_event: Callable[[Event], str],
    title_for: Callable[[Event], str],
    label: Callable[[EventFamily | EventType], str],
) -> _VEventFields:
    notes = event_details(event)
    end = None
    if event.start_time is not None:
        # Local time at the venue; no zone is recorded, so it is a floating time.
        start: date | datetime = datetime.combine(event.date, event.start_time)
        local = _("Starts at %(time)s local time.", time=event.start_time.strftime("%H:%M"))
        notes.insert(0, local)
    else:
        start = event.date
        last = event.end_date if event.end_date and event.end_date >= event.date else event.date
        end = _day_after(last)  # without DTEND an all-day event lasts its one day
    return _VEventFields(
        uid=event_uid(event, host),
        stamp=_aware(event.updated_at),
        start=start,
        end=end,
        summary=title_for(event),
        location=place_line(event),
        description="\n\n".join(notes),
        categories=(label(event.family), label(event.type)),
        url=url_for_event(event),
    )


def _vevent(fields: _VEventFields, kept: Kept[Hashable, str] | None) -> str:
    """The VEVENT of *fields*, from *kept* when it has it: icalendar takes a quarter of a
    millisecond an event, so a calendar of 2,000 events made again took most of a second."""
    key = ("vevent", fields)
    if kept is not None:
        found = kept.get(key)
        if found is not None:
            return found
    item = CalendarEvent()
    item.add("uid", fields.uid)
    item.add("dtstamp", fields.stamp)
    item.add("dtstart", fields.start)
    if fields.end is not None:
        item.add("dtend", fields.end)
    item.add("summary", fields.summary)
    if fields.location:
        item.add("location", fields.location)
    if fields.description:
        item.add("description", fields.description)
    item.add("categories", list(fields.categories))
    item.add("url", fields.url)
    item.add("last-modified", fields.stamp)
    text = item.to_ical().decode("utf-8")
    if kept is not None:
        kept.keep(key, text, 4 * len(text) + 256)
    return text


def atom(
    *,
    feed_id: str,
    title: str,
    subtitle: str,
    self_url: str,
    page_url: str,
    events: Sequence[Event],
    status_changes: Sequence[CaseStatusChange] = (),
    url_for_event: Callable[[Event], str],
    updated_fallback: datetime | None = None,
    title_for: Callable[[Event], str] = _default_title,
    site_name: str,
    extra_entries: Sequence[tuple[datetime, str, dict[str, Any]]] = (),
) -> bytes:
    """An Atom feed of events (new published ones) and status changes, newest first; with
    *extra_entries* made elsewhere (appeals and responses, campaign.appeals.feeds)."""
    feed = FeedGenerator()
    feed.id(feed_id)
    feed.title(title)
    feed.subtitle(subtitle or title)
    feed.author({"name": site_name})
    feed.link(href=page_url, rel="alternate")
    feed.link(href=self_url, rel="self")
    feed.language(localised.reader_language().replace("_", "-"))
    entries: list[tuple[datetime, str, dict[str, Any]]] = []
    for event in events:
        when = format_partial_date(event.date, event.date_precision, event.date_approximate)
        if event.start_time is not None:
            when = _(
                "%(date)s, %(time)s local time",
                date=when,
                time=event.start_time.strftime("%H:%M"),
            )
        text = " · ".join(p for p in (when, place_line(event), *event_details(event)) if p)
        entries.append(
            (
                _aware(event.created_at),
                f"{feed_id}/event/{event.id}",
                {
                    "title": title_for(event),
                    "updated": _aware(event.updated_at),
                    "published": _aware(event.created_at),
                    "summary": text,
                    "link": url_for_event(event),
                },
            )
        )
    for change in status_changes:
        case = change.case
        effective = format_partial_date(change.effective_on) if change.effective_on else ""
        entries.append(
            (
                _aware(change.changed_at),
                f"{feed_id}/status/{change.id}",
                {
                    "title": _(
                        "%(name)s: %(status)s",
                        name=case.person_name,
                        status=change.new_status.label,
                    ),
                    "updated": _aware(change.changed_at),
                    "published": _aware(change.changed_at),
                    "summary": effective or str(change.new_status.label),
                    "link": page_url,
                },
            )
        )
    entries.extend(extra_entries)
    entries.sort(key=lambda e: (e[0], e[1]))
    newest = max((e[2]["updated"] for e in entries), default=None)
    feed.updated(newest or _aware(updated_fallback))
    for _created, entry_id, fields in entries:  # feedgen prepends: add oldest first
        entry = feed.add_entry()
        entry.id(entry_id)
        entry.title(fields["title"])
        entry.updated(fields["updated"])
        entry.published(fields["published"])
        entry.summary(fields["summary"])
        entry.link(href=fields["link"], rel="alternate")
    return bytes(feed.atom_str(pretty=True))


def tag_uri(host: str, path: str) -> str:
    """A stable Atom id (RFC 4151 tag URI) for this site."""
    return f"tag:{host.split(':')[0]},2010:{path}"


def timeline_rows(
    items: Iterable[Item], country_name: Callable[[str | None], str], case_id: int | None = None
) -> list[dict[str, Any]]:
    """The public timeline of case *case_id* as plain rows: one event, message day or milestone
    per row, with every fact the case page shows."""
    rows: list[dict[str, Any]] = []
    # Found once for the whole timeline, not once per row: a long case has thousands.
    language = localised.reader_language()
    summaries: dict[tuple[int, int], str] = {}
    for item in items:
        if isinstance(item, EventItem):
            event = item.event
            texts = localised.localise(event, language)
            rows.append(
                {
                    "date": event.date.isoformat(),
                    "end_date": event.end_date.isoformat() if event.end_date else None,
                    "precision": event.date_precision.value,
                    "approximate": event.date_approximate,
                    "start_time": event.start_time.strftime("%H:%M") if event.start_time else None,
                    "kind": "event",
                    "family": event.family.value,
                    "type": event.type.value,
                    "title": texts["title"].text,
                    "place": event.place or None,
                    "country": event_country(event),
                    "participants": event.participants,
                    "organisations": [o.name for o in event.organisations],
                    "also_concerns": [
                        c.person_name
                        for c in event.cases
                        if c.published and c.archived_at is None and c.id != case_id
                    ],
                    "sources": [
                        {"title": s.title, "url": s.url, "publisher": s.publisher}
                        for s in event.sources
                    ],
                    "verification": event.verification.value,
                    "description": texts["description"].text,
                    "authority": event.authority,
                    "authority_response": event.authority_response,
                    "outcome": texts["outcome"].text,
                    # The language each of those texts is in (a translation, or the original).
                    "languages": {field: shown.language for field, shown in texts.items()},
                }
            )
        elif isinstance(item, MessageDay):
            counts = (item.count, item.countries)
            if counts not in summaries:
                summaries[counts] = message_summary(*counts)
            rows.append(
                {
                    "date": item.day.isoformat(),
                    "end_date": None,
                    "precision": DatePrecision.DAY.value,
                    **EMPTY_EXTRAS,
                    "kind": "messages",
                    "family": "messages",
                    "type": "messages",
                    "title": summaries[counts],
                    "place": None,
                    "country": None,
                    "organisations": [],
                    "sources": [],
                    "verification": None,
                    "description": None,
                    "messages": item.count,
                    "countries": item.countries,
                }
            )
        elif isinstance(item, AppealItem | ResponseItem):
            rows.append(appeal_row(item))
        elif isinstance(item, Milestone):
            rows.append(
                {
                    "date": item.day.isoformat(),
                    "end_date": None,
                    "precision": DatePrecision.DAY.value,
                    **EMPTY_EXTRAS,
                    "kind": "milestone",
                    "family": "legal",
                    "type": "milestone",
                    "title": _("Day %(num)d in detention", num=item.days),
                    "place": None,
                    "country": None,
                    "organisations": [],
                    "sources": [],
                    "verification": None,
                    "description": None,
                }
            )
    return rows


def appeal_row(item: AppealItem | ResponseItem) -> dict[str, Any]:
    """An appeal (when it opened) or an authority's response as a row of the exports."""
    base: dict[str, Any] = {
        "date": item.day.isoformat(),
        "end_date": None,
        "precision": DatePrecision.DAY.value,
        **EMPTY_EXTRAS,
        "family": "solidarity",
        "place": None,
        "country": None,
        "organisations": [],
        "sources": [],
        "verification": None,
    }
    if isinstance(item, AppealItem):
        appeal = item.appeal
        return {
            **base,
            "kind": "appeal",
            "type": "appeal",
            "title": appeal.title,
            "description": appeal.asked,
            "authority": "; ".join(t.name for t in appeal.targets),
            "end_date": appeal.deadline.isoformat(),
            "letters_reported": item.letters,
            # As an event's: the language each text is in (an appeal is never translated).
            "languages": {
                "title": localised.shown(appeal, "title").language,
                "description": localised.shown(appeal, "asked").language,
            },
        }
    response = item.response
    source = response.source
    return {
        **base,
        "kind": "appeal_response",
        "type": response.kind.value,
        "title": response.appeal.title,
        "description": response.text,
        "authority": response.target.name if response.target else None,
        "authority_response": str(response.kind.label),
        "sources": [{"title": source.title, "url": source.url, "publisher": source.publisher}]
        if source
        else [],
        "languages": {
            "title": localised.shown(response.appeal, "title").language,
            "description": localised.shown(response, "text").language,
        },
    }


def message_summary(count: int, countries: int) -> str:
    """ "14 messages from 6 countries"."""
    messages = ngettext("%(num)d message of support", "%(num)d messages of support", count)
    if not countries:
        return messages
    return _(
        "%(messages)s from %(countries)s",
        messages=messages,
        countries=ngettext("%(num)d country", "%(num)d countries", countries),
    )


def to_csv(rows: Iterable[dict[str, Any]]) -> str:
    """The public timeline as CSV; lists are joined with "; ", sources as "title <url>"."""
    return CSV_HEADER + "".join(csv_row(row) for row in rows)


def csv_row(row: dict[str, Any]) -> str:
    """One row's line of :func:`to_csv`."""
    sources = row.get("sources") or []
    flat = {
        **row,
        "organisations": "; ".join(row.get("organisations") or []),
        "also_concerns": "; ".join(row.get("also_concerns") or []),
        "sources": "; ".join(
            f"{s['title']} <{s['url']}>" if s.get("url") else s["title"] for s in sources
        ),
    }
    return spreadsheets.csv_row(CSV_FIELDS, flat)
