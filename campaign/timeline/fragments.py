"""The HTML of timeline items, kept per worker under a key made of everything each item shows.

A case page is rendered whenever anything public changes (a message approved anywhere moves the
page cache's version, campaign.public.version), yet most of its timeline has not changed: the
events and the days of messages of the page. Each of those items is rendered from a *view*, a
frozen value holding every field its HTML reads (the event's fields and translations in the
reader's language, its place, sources, organisations, the other published cases it concerns, its
photos, whether it is still to come; a day's counts and messages). The view itself is the key,
with the language, the address prefix and whether staff are looking: whatever changes what an
item shows changes its view, so the next request misses and renders it anew. Nothing is ever
invalidated; what is no longer asked for ages out.

The fragment templates (public/_timeline_event.html, public/_timeline_messages.html) see the
view and the template globals only, never the request or the ORM objects: what they could read
outside the key they cannot reach.

Kept in each worker's memory, least recently used first out, within ``TIMELINE_FRAGMENT_BYTES``
(0 turns the cache off). An in-process dict compares keys by value, so two items share HTML only
if every field is equal: no digest to collide.

The reach chart above the timeline is kept the same way, by its numbers and the language.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import Flask, current_app, url_for
from markupsafe import Markup

from campaign.models import (
    Case,
    DatePrecision,
    Event,
    EventTranslation,
    EventType,
    Organisation,
    Source,
    Venue,
    Verification,
    Visibility,
    event_cases,
    event_organisations,
    event_sources,
)
from campaign.models.translations import EVENT_TRANSLATED
from campaign.photos.queries import photos_of_events
from campaign.timeline.build import Key, MessageDay, MessageLine, read_rows
from campaign.timeline.reach import CHART_ROWS, CountryReach, Reach, reach_table
from campaign.util.countries import country_name
from campaign.util.kept import Kept
from campaign.util.localised import Shown, shown
from campaign.web.caching import request_version
from campaign.web.templating import request_link_root, request_locale_name

_EXTENSION = "campaign.timeline_fragments"
_ROWS_EXTENSION = "campaign.timeline_rows"
_OFF = "off"
DEFAULT_BYTES = 16 * 1024 * 1024
EVENT_TEMPLATE = "public/_timeline_event.html"
MESSAGES_TEMPLATE = "public/_timeline_messages.html"
# The most events whose views one round of queries reads (see event_views).
BATCH = 1000


@dataclass(frozen=True)
class PhotoView:
    """What the photo macros read of a photo (templates/photos/_photo.html)."""

    id: int
    name: str
    width: int
    height: int
    alt_text: str | None
    published: bool


@dataclass(frozen=True)
class SourceView:
    """A source as the timeline cites it."""

    url: str | None
    title: str
    publisher: str | None


@dataclass(frozen=True)
class CaseLink:
    """Another published case an event concerns: its address and the person's name."""

    url: str
    person_name: str


@dataclass(frozen=True)
class EventView:
    """Everything an event's item on the timeline shows, as the reader sees it."""

    id: int
    type: EventType
    is_public: bool
    scheduled: bool
    verification: Verification
    date: dt.date
    date_precision: DatePrecision
    date_approximate: bool
    end_date: dt.date | None
    start_time: dt.time | None
    title: Shown
    description: Shown | None
    outcome: Shown | None
    place: str
    country: str | None
    participants: int | None
    authority: str | None
    authority_response: str | None
    organisations: tuple[str, ...]
    others: tuple[CaseLink, ...]
    sources: tuple[SourceView, ...]
    photos: tuple[PhotoView, ...]


@dataclass(frozen=True)
class MessagesView:
    """A day's summary of messages of support: its counts, its first messages, the wall."""

    day: dt.date
    count: int
    countries: int
    messages: tuple[MessageLine, ...]
    wall_url: str
    sheet: bool


@dataclass
class _Record:
    """An event's translatable fields and translations as rows, for campaign.util.localised."""

    original_language: str
    title: str
    description: str | None
    outcome: str | None
    translations: tuple[Any, ...]
    TRANSLATED: tuple[str, ...] = EVENT_TRANSLATED


@dataclass(frozen=True)
class _Venue:
    """What :attr:`Event.place` reads of a venue."""

    name: str
    city: str | None


@dataclass(frozen=True)
class _Placed:
    """What :attr:`Event.place` reads, from rows (the rule stays the model's)."""

    venue: Any
    city: str | None


# The kinds of rows of :func:`_statements`' "related" statement.
_TRANSLATION, _ORGANISATION, _SOURCE, _OTHER_CASE = range(4)
_RELATED_TEXTS = 5


def _related(
    kind: int,
    event_id: Any,
    texts: tuple[Any, ...],
    *,
    sort_text: Any = None,
    sort_number: Any = None,
) -> sa.Select[Any]:
    """One kind's part of the "related" statement: (kind, event id, five texts, the texts
    padded with NULLs, and what the kind is ordered by after its event)."""
    padding = [sa.cast(sa.null(), sa.Text) for _ in range(_RELATED_TEXTS - len(texts))]
    return sa.select(
        sa.literal(kind, sa.Integer).label("kind"),
        event_id.label("event_id"),
        *(sa.cast(text, sa.Text).label(f"text{i}") for i, text in enumerate((*texts, *padding))),
        (sa.cast(sa.null(), sa.Text) if sort_text is None else sort_text).label("sort_text"),
        (sa.cast(sa.null(), sa.Integer) if sort_number is None else sort_number).label(
            "sort_number"
        ),
    )


class _Translation(NamedTuple):
    """An event's translation into one language, as campaign.util.localised reads it."""

    language: str
    title: str | None
    description: str | None
    outcome: str | None
    made_from: dict[str, str] | None


@cache
def _statements() -> dict[str, sa.Executable]:
    """The reads of :func:`event_views`, built once (building costs more than running them):
    rows only, no ORM objects."""
    ids: sa.BindParameter[list[int]] = sa.bindparam("ids", expanding=True)
    return {
        "events": sa.select(
            Event.id,
            Event.type,
            Event.visibility,
            Event.verification,
            Event.date,
            Event.date_precision,
            Event.date_approximate,
            Event.end_date,
            Event.start_time,
            Event.original_language,
            Event.title,
            Event.description,
            Event.outcome,
            Event.city,
            Event.country,
            Event.participants,
            Event.authority,
            Event.authority_response,
            Venue.name.label("venue_name"),
            Venue.city.label("venue_city"),
        )
        .outerjoin(Venue, Venue.id == Event.venue_id)
        .where(Event.id.in_(ids)),
        # What each event links to, in one statement (a round trip through the session costs
        # more than these reads do): its translations, organisations, sources and the other
        # published cases it concerns (not the page's own), as rows of one shape, told apart by
        # their first column and in each kind's order.
        "related": sa.union_all(
            _related(
                _TRANSLATION,
                EventTranslation.event_id,
                (
                    EventTranslation.language,
                    EventTranslation.title,
                    EventTranslation.description,
                    EventTranslation.outcome,
                    EventTranslation.made_from,  # JSON, as text
                ),
                sort_text=EventTranslation.language,
            ).where(EventTranslation.event_id.in_(ids)),
            _related(
                _ORGANISATION,
                event_organisations.c.event_id,
                (Organisation.name,),
                sort_text=Organisation.name,
            )
            .join(Organisation, Organisation.id == event_organisations.c.organisation_id)
            .where(event_organisations.c.event_id.in_(ids)),
            _related(
                _SOURCE,
                event_sources.c.event_id,
                (Source.url, Source.title, Source.publisher),
                sort_number=Source.id,
            )
            .join(Source, Source.id == event_sources.c.source_id)
            .where(event_sources.c.event_id.in_(ids)),
            _related(
                _OTHER_CASE,
                event_cases.c.event_id,
                (Case.slug, Case.person_name),
                sort_number=Case.id,
            )
            .join(Case, Case.id == event_cases.c.case_id)
            .where(
                event_cases.c.event_id.in_(ids),
                event_cases.c.case_id != sa.bindparam("case_id"),
                Case.published.is_(True),
            ),
        ).order_by("kind", "event_id", "sort_text", "sort_number"),
    }


def event_views(
    ids: list[int], *, case_id: int, today: dt.date, include_internal: bool
) -> dict[int, EventView]:
    """The views of the events *ids* on the page of case *case_id*, by id: six queries of rows
    for a page (the photos those the viewer may see: internal ones for staff). The printable
    sheet asks for every event of a case: six queries per :data:`BATCH`, whose ids a statement
    carries as parameters (SQLite and PostgreSQL both cap their number)."""
    if len(ids) > BATCH:
        views: dict[int, EventView] = {}
        for start in range(0, len(ids), BATCH):
            views.update(
                event_views(
                    ids[start : start + BATCH],
                    case_id=case_id,
                    today=today,
                    include_internal=include_internal,
                )
            )
        return views
    if not ids:
        return {}
    statements = _statements()
    params = {"ids": ids}

    translations: dict[int, list[_Translation]] = {}
    organisations: dict[int, list[str]] = {}
    sources: dict[int, list[SourceView]] = {}
    others: dict[int, list[CaseLink]] = {}
    for kind, event_id, first, second, third, fourth, fifth, *_sort in read_rows(
        statements["related"], {**params, "case_id": case_id}
    ):
        if kind == _TRANSLATION:
            made_from = json.loads(fifth) if fifth else None
            translations.setdefault(event_id, []).append(
                _Translation(first, second, third, fourth, made_from)
            )
        elif kind == _ORGANISATION:
            organisations.setdefault(event_id, []).append(first)
        elif kind == _SOURCE:
            sources.setdefault(event_id, []).append(SourceView(first, second, third))
        else:
            link = CaseLink(url_for("public.case", slug=first), second)
            others.setdefault(event_id, []).append(link)
    photos = photos_of_events(ids, include_internal=include_internal)
    language = request_locale_name() or None
    views = {}
    for row in read_rows(statements["events"], params):
        record = _Record(
            row.original_language,
            row.title,
            row.description,
            row.outcome,
            tuple(translations.get(row.id, ())),
        )
        venue = _Venue(row.venue_name, row.venue_city) if row.venue_name is not None else None
        place = Event.place.fget(_Placed(venue, row.city))  # type: ignore[attr-defined]
        views[row.id] = EventView(
            id=row.id,
            type=row.type,
            is_public=row.visibility == Visibility.PUBLIC,
            scheduled=row.date > today,
            verification=row.verification,
            date=row.date,
            date_precision=row.date_precision,
            date_approximate=row.date_approximate,
            end_date=row.end_date,
            start_time=row.start_time,
            title=shown(record, "title", language),
            description=shown(record, "description", language) if row.description else None,
            outcome=shown(record, "outcome", language) if row.outcome else None,
            place=place,
            country=row.country,
            participants=row.participants,
            authority=row.authority,
            authority_response=row.authority_response,
            organisations=tuple(organisations.get(row.id, ())),
            others=tuple(others.get(row.id, ())),
            sources=tuple(sources.get(row.id, ())),
            photos=tuple(
                PhotoView(p.id, p.name, p.width, p.height, p.alt_text, p.published)
                for p in photos.get(row.id, ())
            ),
        )
    return views


class FragmentStore(Kept[Hashable, str]):
    """Rendered items by key, least recently used first out, within a byte budget; an item
    over a sixteenth of it is not kept."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(max_bytes=max_bytes, largest=max_bytes // 16)

    def put(self, key: Hashable, html: str, size: int) -> None:
        """Keep *html*; *size* counts the key's text too (it holds the item's fields)."""
        self.keep(key, html, size)


def store(app: Flask | None = None) -> FragmentStore | None:
    """This worker's store of timeline fragments (made on first use), or None when the cache is
    off: ``TIMELINE_FRAGMENT_BYTES`` is 0, or templates are reloaded as they change (a fragment
    is keyed by its data, not by its template's text)."""
    app = app or current_app
    found = app.extensions.get(_EXTENSION)
    if found is None:
        size = int(app.config.get("TIMELINE_FRAGMENT_BYTES", DEFAULT_BYTES))
        reloading = bool(app.config.get("TEMPLATES_AUTO_RELOAD")) or app.debug
        made = FragmentStore(size) if size > 0 and not reloading else _OFF
        found = app.extensions.setdefault(_EXTENSION, made)
    return found if isinstance(found, FragmentStore) else None


# A row of an export, as JSON text, with its place on the timeline.
KeptRow = tuple[Key, str]


class RowStore(Kept[Hashable, tuple[KeptRow, ...]]):
    """The records' rows of the whole-case exports (timeline.json and .csv), by case, language,
    day and records' version; within half the fragments' byte budget."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(max_bytes=max_bytes, largest=max_bytes // 2)


def _row_store() -> RowStore | None:
    app = current_app
    found = app.extensions.get(_ROWS_EXTENSION)
    if found is None:
        size = int(app.config.get("TIMELINE_FRAGMENT_BYTES", DEFAULT_BYTES)) // 2
        found = app.extensions.setdefault(_ROWS_EXTENSION, RowStore(size) if size > 0 else _OFF)
    return found if isinstance(found, RowStore) else None


def record_rows(
    key: tuple[Hashable, ...], make: Callable[[], list[KeptRow]]
) -> tuple[KeptRow, ...]:
    """The rows *make* gives, kept under *key* and the records' version this request's page is
    made for (campaign.web.caching.request_version): a whole-case export made again after a
    message was approved reads only its days of messages afresh, not 2,000 events. Not kept
    when the page is not cached (the version was not read before the view's queries)."""
    version = request_version()
    kept = _row_store()
    if version is None or kept is None:
        return tuple(make())
    full_key = (*key, version.records, version.records_changed_at)
    found = kept.get(full_key)
    if found is not None:
        return found
    rows = tuple(make())
    kept.keep(full_key, rows, sum(len(text) + 256 for _key, text in rows) + 256)
    return rows


def _render(template: str, key: tuple[Hashable, ...], view: Hashable) -> Markup:
    """The item's HTML: kept, or rendered from the view alone and kept."""
    kept = store()
    full_key = (template, request_locale_name(), request_link_root(), *key, view)
    if kept is not None:
        html = kept.get(full_key)
        if html is not None:
            return Markup(html)  # noqa: S704  # nosec B704  # rendered (escaped) by our template
    html = current_app.jinja_env.get_template(template).render(v=view, mark_internal=key[0])
    if kept is not None:
        kept.put(full_key, html, 2 * len(html) + 256)
    return Markup(html)  # noqa: S704  # nosec B704  # the autoescaped template's output


def event_html(view: EventView, staff: bool) -> Markup:
    """The ``timeline_event`` global: an event's item on a case's timeline (*staff* see the
    internal badge on photos)."""
    return _render(EVENT_TEMPLATE, (staff,), view)


def messages_html(item: MessageDay, wall_url: str, sheet: bool) -> Markup:
    """The ``timeline_messages`` global: a day's messages of support on a case's timeline, with
    a link to the case's wall of messages (on the printable sheet, the summary only)."""
    view = MessagesView(
        day=item.day,
        count=item.count,
        countries=item.countries,
        messages=tuple(item.messages),
        wall_url=wall_url,
        sheet=sheet,
    )
    return _render(MESSAGES_TEMPLATE, (False,), view)


def reach_chart(reach: Reach) -> Markup:
    """:func:`reach_table` in this request's language, made once per worker for each chart: the
    chart is made of the countries' numbers and the language alone (a case page asked for it on
    every render, 0.5 ms on the long case)."""
    rows = tuple(c for c in reach.by_country if c.country)[:CHART_ROWS]
    return _chart(request_locale_name(), rows)


@lru_cache(maxsize=256)
def _chart(language: str, rows: tuple[CountryReach, ...]) -> Markup:
    """The chart of *rows* in *language* (the request's: the key only tells charts apart)."""
    return reach_table(Reach(by_country=list(rows)), country_name)
