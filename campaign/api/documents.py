"""What the public API says about each thing: plain dictionaries, built only from what the public
pages show (a published case's public fields, its publicly shown events, the public message
counts) and described by ``openapi.json`` beside this module.

Nothing here reads the request: addresses come in as a function (``Links``), so the same
documents can be built anywhere and tested without a client.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from campaign.appeals import queries as appeal_queries
from campaign.cases.counters import Counters, Detention
from campaign.messages.labels import language_name
from campaign.models import Appeal, AppealResponse, Case, DatePrecision, Event, Source
from campaign.photos.services import has_portrait
from campaign.timeline.build import EventItem, Item, Key, encode_cursor, parse_cursor
from campaign.timeline.feeds import event_country, timeline_rows
from campaign.timeline.reach import Reach
from campaign.util import localised
from campaign.util.countries import country_name

# Builds an address of the site: (endpoint, values) -> absolute URL.
Links = Callable[..., str]

SPEC_FILE = Path(__file__).with_name("openapi.json")


class BadCursor(ValueError):
    """A timeline cursor that this API did not hand out (or that a later version cannot read)."""


@cache
def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 description of the API, as kept in the repository."""
    document: dict[str, Any] = json.loads(SPEC_FILE.read_text(encoding="utf-8"))
    return document


# -- cursors ---------------------------------------------------------------------------------


def cursor_text(key: Key) -> str:
    """An opaque cursor for the timeline item *key*: clients hand it back, never read it."""
    return base64.urlsafe_b64encode(encode_cursor(key).encode()).decode().rstrip("=")


def read_cursor(text: str) -> Key:
    """The timeline key of a cursor from :func:`cursor_text`; :class:`BadCursor` otherwise."""
    if len(text) > 64:
        raise BadCursor(text)
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
    except (binascii.Error, ValueError):
        raise BadCursor(text) from None
    key = parse_cursor(raw)
    if key is None or cursor_text(key) != text:
        raise BadCursor(text)
    return key


# -- pieces ----------------------------------------------------------------------------------


def partial_date(day: date | None, precision: DatePrecision, approximate: bool) -> Any:
    """A date and how much of it is known: "May 2010" is 2010-05-01 with precision "month"."""
    if day is None:
        return None
    return {"date": day.isoformat(), "precision": precision.value, "approximate": approximate}


def detention_document(count: Detention | None) -> Any:
    """Day N in detention (ongoing), or the days served once it ended."""
    if count is None:
        return None
    return {
        "days": count.days,
        "ongoing": count.ongoing,
        "since": count.since.isoformat(),
        "until": count.until.isoformat() if count.until else None,
    }


def event_reference(event: Event, links: Links, slug: str) -> dict[str, Any]:
    """An event as the counters name it ("Next: Appeal hearing, 4 May 2010, 10:00 · City Court")."""
    return {
        "id": event.id,
        "type": event.type.value,
        "title": event.title,
        **partial_date(event.date, event.date_precision, event.date_approximate),
        "start_time": event.start_time.strftime("%H:%M") if event.start_time else None,
        "place": event.place or None,
        "country": event_country(event),
        "url": links("public.case", slug=slug) + f"#event-{event.id}",
    }


def case_summary(
    case: Case, count: Detention | None, latest: Event | None, links: Links
) -> dict[str, Any]:
    """A case as the home page lists it; its charges, and the latest event's title, in the
    reader's language where translated (``languages`` says which each is in)."""
    charges = localised.shown(case, "charges")
    title = localised.shown(latest, "title") if latest is not None else None
    return {
        "slug": case.slug,
        "name": case.person_name,
        "name_original": case.person_name_original,
        "status": case.status.value,
        "status_label": str(case.status.label),
        "country": case.country,
        "city": case.city,
        "charges": charges.text,
        "languages": {"charges": charges.language},
        "detention": detention_document(count),
        "latest_event": None
        if latest is None or title is None
        else {
            "id": latest.id,
            "title": title.text,
            "language": title.language,
            **partial_date(latest.date, latest.date_precision, latest.date_approximate),
        },
        "photo_url": links("public.case_photo", slug=case.slug) if has_portrait(case) else None,
        "url": links("public.case", slug=case.slug),
        "api_url": links("api.case", slug=case.slug),
    }


def reach_document(reach: Reach) -> dict[str, int]:
    """The solidarity around a case in numbers, as the case page counts it."""
    return {
        "actions": reach.actions,
        "cities": reach.cities,
        "countries": reach.countries,
        "organisations": reach.organisations,
        "messages": reach.messages,
        "message_countries": reach.message_countries,
    }


def case_document(
    case: Case, related: Iterable[Case], reach: Reach, links: Links
) -> dict[str, Any]:
    """A case as its public page shows it: never its internal notes, nor the address for
    letters unless the organisers published it. Its summary, charges and sentence are in the
    reader's language where translated; ``languages`` says which each is in."""
    slug = case.slug
    texts = localised.localise(case)
    return {
        "slug": slug,
        "name": case.person_name,
        "name_original": case.person_name_original,
        "status": case.status.value,
        "status_label": str(case.status.label),
        "occupation": case.occupation,
        "affiliation": case.affiliation,
        "country": case.country,
        "country_name": country_name(case.country) if case.country else None,
        "city": case.city,
        "arrested": partial_date(
            case.arrest_date, case.arrest_date_precision, case.arrest_date_approximate
        ),
        "charges": texts["charges"].text,
        "legal_article": case.legal_article if case.charges else None,
        "court": case.court,
        "judge": case.judge,
        "sentence": texts["sentence"].text,
        "detention_place": case.detention_place,
        "expected_release": case.expected_release.isoformat()
        if case.expected_release and not case.released_on
        else None,
        "released": partial_date(
            case.released_on, case.released_on_precision, case.released_on_approximate
        ),
        "summary": texts["summary"].text,
        "languages": {field: shown.language for field, shown in texts.items()},
        "letters_address": case.detention_address if case.detention_address_public else None,
        "photo_url": links("public.case_photo", slug=slug) if has_portrait(case) else None,
        "related": [
            {
                "slug": other.slug,
                "name": other.person_name,
                "status": other.status.value,
                "status_label": str(other.status.label),
                "api_url": links("api.case", slug=other.slug),
            }
            for other in related
        ],
        "reach": reach_document(reach),
        "links": {
            "page": links("public.case", slug=slug),
            "timeline": links("api.timeline", slug=slug),
            "counters": links("api.counters", slug=slug),
            "calendar": links("timeline.case_calendar", slug=slug),
            "feed": links("timeline.case_feed", slug=slug),
            "badge": links("embeds.badge", slug=slug),
            "card": links("embeds.card", slug=slug),
        },
    }


def counters_document(case: Case, counted: Counters, today: date, links: Links) -> dict[str, Any]:
    """The case page's day counters and what comes next, on *today* (UTC)."""
    slug = case.slug
    hearing = counted.next_hearing
    return {
        "date": today.isoformat(),
        "status": case.status.value,
        "status_label": str(case.status.label),
        "detention": detention_document(counted.detention),
        "hunger_strike_day": counted.hunger_strike_day,
        "next_hearing": None if hearing is None else event_reference(hearing, links, slug),
        "days_to_hearing": counted.days_to_hearing,
        "next_event": None
        if counted.next_event is None
        else event_reference(counted.next_event, links, slug),
        "today": [event_reference(e, links, slug) for e in counted.today_events],
    }


def timeline_items(items: list[Item], case: Case) -> list[dict[str, Any]]:
    """The timeline's rows as the JSON export has them, with each event's id."""
    rows = timeline_rows(items, country_name, case.id)
    for item, row in zip(items, rows, strict=True):
        row["id"] = item.event.id if isinstance(item, EventItem) else None
    return rows


# -- open appeals ----------------------------------------------------------------------------


def _source_document(source: Source | None) -> Any:
    if source is None:
        return None
    return {"title": source.title, "url": source.url, "publisher": source.publisher}


def _response_document(response: AppealResponse) -> dict[str, Any]:
    return {
        "kind": response.kind.value,
        "kind_label": str(response.kind.label),
        "received_on": response.received_on.isoformat(),
        "authority": response.target.name if response.target else None,
        "text": response.text,
        "original_language": localised.shown(response, "text").language,
        "source": _source_document(response.source),
    }


def appeal_document(
    appeal: Appeal, case: Case, letters: int, today: date, links: Links
) -> dict[str, Any]:
    """An open appeal as its write-a-letter page shows it to the public: the addresses, the
    sample letters, the letters counted and the responses published (never a draft's, never
    an unpublished response: :func:`campaign.appeals.queries.standings` keeps them out)."""
    standings = appeal_queries.standings(appeal, today, staff=False)
    return {
        "id": appeal.id,
        "title": appeal.title,
        "asked": appeal.asked,
        "original_language": localised.shown(appeal, "asked").language,
        "state": appeal.state.value,
        "state_label": str(appeal.state.label),
        "opened_on": appeal.opened_on.isoformat() if appeal.opened_on else None,
        "deadline": appeal.deadline.isoformat(),
        "no_reply": appeal_queries.past_deadline_without_reply(appeal, today),
        "cases": [
            {"slug": other.slug, "name": other.person_name}
            for other in appeal.cases
            if other.published and other.archived_at is None
        ],
        "authorities": [
            {
                "name": standing.target.name,
                "role": standing.target.role.value,
                "role_label": str(standing.target.role.label),
                "postal_address": standing.target.postal_address,
                "email": standing.target.email,
                "no_reply": standing.no_reply,
                "latest_response": None
                if standing.latest is None
                else _response_document(standing.latest),
            }
            for standing in standings
        ],
        "letters": [
            {
                "language": letter.language,
                "language_name": language_name(letter.language),
                "text": letter.text,
            }
            for letter in appeal.letters
        ],
        "letters_reported": letters,
        "responses": [
            _response_document(r)
            for r in appeal.responses
            if appeal_queries.response_shown(r, staff=False)
        ],
        "url": links("letters.appeal", slug=case.slug, appeal_id=appeal.id),
    }
