"""The directory's domain actions: finding or adding an organisation or a venue by the name
someone typed, and correcting them.

Each takes plain values, adds and flushes but never commits, and raises a named error; the
history records every change by itself.
"""

from __future__ import annotations

import secrets
from typing import Any

import sqlalchemy as sa

from campaign.extensions import db
from campaign.models import Event, Organisation, OrganisationKind, Venue
from campaign.util.slugs import slugify


class DirectoryError(Exception):
    """A directory action that cannot be done; the view says why."""


class AmbiguousVenue(DirectoryError):
    """Several venues in different cities have the typed name and no city says which."""


class NameTaken(DirectoryError):
    """Another organisation (or another venue in the same city) already has this name."""


def unique_slug(model: type[Any], base: str, fallback: str) -> str:
    """A slug free in *model*'s table: *base*, or *fallback* plus a random tail when empty."""
    base = base or f"{fallback}-{secrets.token_hex(3)}"
    slug, n = base, 2
    while db.session.scalar(sa.select(model.id).where(model.slug == slug)) is not None:
        slug = f"{base}-{n}"
        n += 1
    return slug


def _clean(name: str) -> str:
    return " ".join(name.split())


def organisation_named(name: str) -> Organisation:
    """The organisation with this name (whatever its case), added if new."""
    name = _clean(name)
    org = db.session.scalar(
        sa.select(Organisation).where(sa.func.lower(Organisation.name) == name.lower())
    )
    if org is None:
        org = Organisation(name=name, slug=unique_slug(Organisation, slugify(name), "org"))
        db.session.add(org)
    return org


def venue_label(name: str, city: str | None) -> str:
    """How a venue is offered in the type-ahead list: "Embassy of Kazakhstan, Vienna"."""
    return f"{name}, {city}" if city else name


def _venues(name: str, city: str | None) -> list[Venue]:
    query = sa.select(Venue).where(sa.func.lower(Venue.name) == name.lower())
    if city:
        query = query.where(sa.func.lower(Venue.city) == city.lower())
    return list(db.session.scalars(query.order_by(Venue.id)))


def split_venue(typed: str, city: str | None) -> tuple[str, str | None]:
    """The venue's name and city from what was typed or picked ("Name, City" from the list).

    The event's own city wins over the one in the label; a comma that does not end in a known
    venue's city is part of the name.
    """
    name = _clean(typed)
    city = _clean(city or "") or None
    head, comma, tail = name.rpartition(",")
    head, tail = head.strip(), tail.strip()
    if comma and head and tail and _venues(head, tail):
        if city is None or city.lower() == tail.lower():
            return head, tail
        return head, city
    return name, city


def venue_named(typed: str, city: str | None, country: str | None) -> Venue:
    """The venue with this name in this city, added (with the event's country) if new.

    Raises :class:`AmbiguousVenue` when no city is known and the name exists in several cities.
    """
    name, city = split_venue(typed, city)
    found = _venues(name, city)
    if not city and len({(v.city or "").lower() for v in found}) > 1:
        cityless = [v for v in found if not v.city]
        if not cityless:
            raise AmbiguousVenue(name)
        found = cityless
    venue = found[0] if found else None
    if venue is None:
        venue = Venue(
            name=name,
            city=city or None,
            country=country,
            slug=unique_slug(Venue, slugify(f"{name} {city or ''}"), "venue"),
        )
        db.session.add(venue)
    return venue


def country_of_city(city: str | None) -> str | None:
    """The country of a city, from the venues and events already placed there (or None)."""
    if not city:
        return None
    for column_city, column_country in ((Venue.city, Venue.country), (Event.city, Event.country)):
        found = db.session.scalar(
            sa.select(column_country)
            .where(sa.func.lower(column_city) == city.lower(), column_country.is_not(None))
            .limit(1)
        )
        if found:
            return str(found)
    return None


def update_organisation(
    org: Organisation,
    *,
    name: str,
    kind: OrganisationKind,
    country: str | None,
    website: str | None,
) -> None:
    """Correct an organisation; raises :class:`NameTaken` if another one has the name."""
    name = _clean(name)
    clash = db.session.scalar(
        sa.select(Organisation.id).where(
            sa.func.lower(Organisation.name) == name.lower(), Organisation.id != org.id
        )
    )
    if clash is not None:
        raise NameTaken(name)
    org.name, org.kind, org.country, org.website = name, kind, country, website
    db.session.flush()


def update_venue(
    venue: Venue, *, name: str, address: str | None, city: str | None, country: str | None
) -> None:
    """Correct a venue; raises :class:`NameTaken` if the city has another venue of that name."""
    name = _clean(name)
    city = (city or "").strip() or None
    clash = db.session.scalar(
        sa.select(Venue.id).where(Venue.name == name, Venue.city == city, Venue.id != venue.id)
    )
    if clash is not None:
        raise NameTaken(name)
    venue.name, venue.address, venue.city, venue.country = name, address, city, country
    db.session.flush()
