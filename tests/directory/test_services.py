"""The directory's domain actions as plain functions: names found whatever their case, venues
placed by city, clashes refused by name."""

from __future__ import annotations

import pytest
from flask import Flask

from campaign.directory import services
from campaign.extensions import db
from campaign.models import Organisation, OrganisationKind, Venue


def test_an_organisation_is_found_whatever_its_case_and_spacing(app_ctx: Flask) -> None:
    made = services.organisation_named("CWI  Russia")
    db.session.flush()
    assert made.name == "CWI Russia"
    assert services.organisation_named("cwi russia") is made


def test_a_venue_is_placed_by_its_city_and_a_known_label_is_split(app_ctx: Flask) -> None:
    vienna = services.venue_named("Embassy of Kazakhstan", "Vienna", "AT")
    moscow = services.venue_named("Embassy of Kazakhstan", "Moscow", "RU")
    db.session.flush()
    assert vienna is not moscow
    assert services.split_venue("Embassy of Kazakhstan, Vienna", None) == (
        "Embassy of Kazakhstan",
        "Vienna",
    )
    assert services.venue_named("Embassy of Kazakhstan, Vienna", None, None) is vienna
    with pytest.raises(services.AmbiguousVenue):
        services.venue_named("Embassy of Kazakhstan", None, None)
    assert services.country_of_city("vienna") == "AT"


def test_corrections_refuse_a_name_another_one_has(app_ctx: Flask) -> None:
    org = Organisation(name="CWI Austria", slug="cwi-austria")
    other = Organisation(name="SLP", slug="slp")
    venue = Venue(name="OSCE", city="Vienna", slug="osce")
    db.session.add_all([org, other, venue, Venue(name="UN", city="Vienna", slug="un")])
    db.session.flush()
    with pytest.raises(services.NameTaken):
        services.update_organisation(
            org, name="slp", kind=OrganisationKind.PARTY, country=None, website=None
        )
    services.update_organisation(
        org, name="CWI Austria (SLP)", kind=OrganisationKind.PARTY, country="AT", website=None
    )
    assert (org.name, org.country) == ("CWI Austria (SLP)", "AT")
    with pytest.raises(services.NameTaken):
        services.update_venue(venue, name="UN", address=None, city="Vienna", country="AT")
    services.update_venue(venue, name="UN", address=None, city="Geneva", country="CH")
    assert (venue.name, venue.city) == ("UN", "Geneva")
