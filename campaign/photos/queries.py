"""Reading event photos: an event's, a timeline page's (in one query), one by its file's name."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa

from campaign.events.queries import publicly_shown
from campaign.extensions import db
from campaign.models import Case, Event, Photo, event_cases
from campaign.photos.images import SIZES

# A photo's file as the address names it: the random name (``secrets.token_urlsafe``), one of
# the sizes the encoder makes, ".jpg". Anything else is no photo: no dots, no slashes.
FILE_NAME = re.compile(r"([A-Za-z0-9_-]{8,40})\.(" + "|".join(map(re.escape, SIZES)) + r")\.jpg")


@dataclass(frozen=True)
class PhotoFile:
    """A photo's file named in an address: the photo's name and the size asked for."""

    name: str
    size: str


def parse_file_name(text: str) -> PhotoFile | None:
    """The photo and size an address names, or None when it names no file we could have."""
    found = FILE_NAME.fullmatch(text)
    return PhotoFile(found.group(1), found.group(2)) if found else None


def public_photo() -> sa.ColumnElement[bool]:
    """SQL for "the public may see this photo": published, of an event the public sees, of a
    published case."""
    shown_events = (
        sa.select(Event.id)
        .join(event_cases, event_cases.c.event_id == Event.id)
        .join(Case, Case.id == event_cases.c.case_id)
        .where(publicly_shown(), Case.published.is_(True))
    )
    return sa.and_(Photo.published.is_(True), Photo.event_id.in_(shown_events))


def photo_by_name(name: str, *, include_internal: bool) -> tuple[Photo, bool] | None:
    """The photo called *name* and whether the public may see it, in one query, if the reader
    may see it (None otherwise, whether it does not exist or is internal: the caller answers
    both alike)."""
    public = public_photo()
    stmt = sa.select(Photo, public).where(Photo.name == name)
    if not include_internal:
        stmt = stmt.where(public)
    row = db.session.execute(stmt).first()
    return (row[0], bool(row[1])) if row else None


def event_photos(event_id: int) -> list[Photo]:
    """Every photo of an event, internal ones too, in the order they were uploaded."""
    return list(
        db.session.scalars(sa.select(Photo).where(Photo.event_id == event_id).order_by(Photo.id))
    )


@cache
def _photos_statement(include_internal: bool) -> sa.Select[Photo]:
    """:func:`photos_of_events`'s statement, built once per kind of viewer (every timeline page
    runs it)."""
    stmt = (
        sa.select(Photo)
        .where(Photo.event_id.in_(sa.bindparam("ids", expanding=True)))
        .order_by(Photo.event_id, Photo.id)
    )
    if not include_internal:
        stmt = stmt.where(Photo.published.is_(True))
    return stmt


def photos_of_events(event_ids: Iterable[int], *, include_internal: bool) -> dict[int, list[Photo]]:
    """The photos of several events in ONE query, by event id: the published ones only unless
    staff are looking (a timeline page costs the same whatever the number of its events)."""
    wanted = sorted(set(event_ids))
    if not wanted:
        return {}
    found: dict[int, list[Photo]] = {}
    for photo in db.session.scalars(_photos_statement(include_internal), {"ids": wanted}):
        found.setdefault(photo.event_id, []).append(photo)
    return found


def timeline_photos(items: Iterable[object], include_internal: bool) -> dict[int, list[Photo]]:
    """The photos of the events among a timeline page's items, by event id, in one query."""
    ids = [
        event.id
        for item in items
        if getattr(item, "kind", None) == "event"
        and isinstance(event := getattr(item, "event", None), Event)
    ]
    return photos_of_events(ids, include_internal=include_internal)


def scaled_height(photo: Photo, size: str) -> int:
    """The height of *photo*'s file of *size*, as the encoder scaled it (to the width of the
    size, never up)."""
    width = min(photo.width, SIZES[size])
    if width == photo.width:
        return photo.height
    return max(1, round(photo.height * width / photo.width))


def scaled_width(photo: Photo, size: str) -> int:
    """The width of *photo*'s file of *size*."""
    return min(photo.width, SIZES[size])
