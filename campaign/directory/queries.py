"""Reading the directory: organisations and venues with what took place, the names used before."""

from __future__ import annotations

import sqlalchemy as sa

from campaign.directory.services import venue_label
from campaign.extensions import db
from campaign.models import Event, Organisation, Venue, event_organisations


def organisations_with_counts() -> list[tuple[Organisation, int]]:
    """Organisations by name, with how many actions each took part in (one query)."""
    counts = (
        sa.select(event_organisations.c.organisation_id, sa.func.count().label("n"))
        .group_by(event_organisations.c.organisation_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Organisation, sa.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.organisation_id == Organisation.id)
        .order_by(Organisation.name)
    )
    return [(org, int(n)) for org, n in rows]


def organisation_events(org: Organisation) -> list[Event]:
    """Every action an organisation took part in, across cases, newest first."""
    return list(
        db.session.scalars(
            sa.select(Event)
            .join(event_organisations, event_organisations.c.event_id == Event.id)
            .where(event_organisations.c.organisation_id == org.id)
            .order_by(Event.date.desc(), Event.id.desc())
        )
    )


def venues_with_counts() -> list[tuple[Venue, int]]:
    """Venues by city and name, with how many actions took place at each (one query)."""
    counts = (
        sa.select(Event.venue_id, sa.func.count().label("n")).group_by(Event.venue_id).subquery()
    )
    rows = db.session.execute(
        sa.select(Venue, sa.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.venue_id == Venue.id)
        .order_by(Venue.city, Venue.name)
    )
    return [(venue, int(n)) for venue, n in rows]


def venue_events(venue: Venue) -> list[Event]:
    """Every action held at a venue, across cases, newest first."""
    return list(
        db.session.scalars(
            sa.select(Event).where(Event.venue_id == venue.id).order_by(Event.date.desc(), Event.id)
        )
    )


def known_names() -> dict[str, list[str]]:
    """Names used before, for the type-ahead lists (organisations, venues, cities)."""
    orgs = db.session.scalars(sa.select(Organisation.name).order_by(Organisation.name))
    venues = db.session.execute(sa.select(Venue.name, Venue.city).order_by(Venue.name, Venue.city))
    cities = db.session.scalars(
        sa.select(Event.city).where(Event.city.is_not(None)).distinct().order_by(Event.city)
    )
    venue_cities = db.session.scalars(
        sa.select(Venue.city).where(Venue.city.is_not(None)).distinct()
    )
    return {
        "organisations": list(orgs),
        "venues": list(dict.fromkeys(venue_label(name, city) for name, city in venues)),
        "cities": sorted({*cities, *venue_cities}),
    }
