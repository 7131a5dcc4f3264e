"""Organisations and reusable venues, each with its actions across cases."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from campaign.extensions import db
from campaign.models import AuditAction, AuditEntry, Organisation, Role, Venue


def _org(app: Flask, name: str, **kw) -> Organisation:
    with app.app_context():
        org = Organisation(name=name, slug=name.lower().replace(" ", "-"), **kw)
        db.session.add(org)
        db.session.commit()
        db.session.refresh(org)
        db.session.expunge(org)
        return org


def _venue(app: Flask, name: str, city: str) -> Venue:
    with app.app_context():
        venue = Venue(name=name, city=city, slug=f"{name}-{city}".lower().replace(" ", "-"))
        db.session.add(venue)
        db.session.commit()
        db.session.refresh(venue)
        db.session.expunge(venue)
        return venue


def _attach(app: Flask, event_id: int, org_id: int) -> None:
    from campaign.models import Event

    with app.app_context():
        event = db.session.get(Event, event_id)
        event.organisations.append(db.session.get(Organisation, org_id))
        db.session.commit()


def test_an_organisation_page_lists_its_actions_across_cases(
    app: Flask, staff_client, make_case, make_event
):
    kurmanov = make_case(person_name="Ainur Kurmanov")
    other = make_case(person_name="Yesenbek Ukteshbaev")
    cwi = _org(app, "CWI Russia")
    first = make_event([kurmanov.id], title="Moscow embassy picket")
    second = make_event([other.id], title="Solidarity letter")
    make_event([other.id], title="Somebody else's action")
    _attach(app, first.id, cwi.id)
    _attach(app, second.id, cwi.id)
    client = staff_client(Role.ACTIVIST)
    html = client.get(f"/manage/organisations/{cwi.id}").get_data(as_text=True)
    assert "Moscow embassy picket" in html
    assert "Solidarity letter" in html
    assert "Somebody else" not in html
    assert "Ainur Kurmanov" in html
    assert "Yesenbek Ukteshbaev" in html
    listing = client.get("/manage/organisations/").get_data(as_text=True)
    assert "CWI Russia" in listing


def test_a_venue_page_lists_the_actions_held_there(app: Flask, staff_client, make_case, make_event):
    case = make_case()
    embassy = _venue(app, "Embassy of Kazakhstan", "Vienna")
    make_event([case.id], title="First Vienna picket", venue_id=embassy.id)
    make_event([case.id], title="Elsewhere")
    client = staff_client(Role.ACTIVIST)
    html = client.get(f"/manage/organisations/venues/{embassy.id}").get_data(as_text=True)
    assert "First Vienna picket" in html
    assert "Elsewhere" not in html
    listing = client.get("/manage/organisations/venues/").get_data(as_text=True)
    assert "Embassy of Kazakhstan" in listing


def test_organisers_correct_an_organisation_and_it_is_recorded(app: Flask, staff_client):
    org = _org(app, "CWI Austria")
    client = staff_client(Role.ORGANISER)
    response = client.post(
        f"/manage/organisations/{org.id}/edit",
        data={"name": "CWI Austria (SLP)", "kind": "party", "country": "AT", "website": ""},
    )
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.get(Organisation, org.id)
        assert (stored.name, stored.country) == ("CWI Austria (SLP)", "AT")
        entry = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == AuditAction.UPDATE)
        ).one()
        assert entry.changes["name"] == ["CWI Austria", "CWI Austria (SLP)"]


def test_an_organisation_form_refuses_bad_input(app: Flask, staff_client):
    org = _org(app, "CWI Austria")
    _org(app, "Vpered")
    client = staff_client(Role.ORGANISER)
    for data, message in [
        ({"name": "vpered"}, "Another organisation already has this name"),
        ({"name": "X", "website": "javascript:alert(1)"}, "http:// or https://"),
        ({"name": "X", "country": "ZZ"}, "Choose a country from the list"),
        ({"name": "x" * 201}, "longer than 200"),
    ]:
        response = client.post(
            f"/manage/organisations/{org.id}/edit", data={"kind": "party", **data}
        )
        assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Organisation, org.id).name == "CWI Austria"


def test_activists_cannot_edit_organisations_or_venues(app: Flask, staff_client):
    org = _org(app, "CWI Austria")
    venue = _venue(app, "OSCE building", "Vienna")
    client = staff_client(Role.ACTIVIST)
    assert client.get(f"/manage/organisations/{org.id}/edit").status_code == 403
    assert client.get(f"/manage/organisations/venues/{venue.id}/edit").status_code == 403


def test_organisers_correct_a_venue(app: Flask, staff_client):
    venue = _venue(app, "OSCE", "Vienna")
    client = staff_client(Role.ORGANISER)
    client.post(
        f"/manage/organisations/venues/{venue.id}/edit",
        data={
            "name": "OSCE building",
            "address": "Wallnerstrasse 6",
            "city": "Vienna",
            "country": "AT",
        },
    )
    with app.app_context():
        stored = db.session.get(Venue, venue.id)
        assert (stored.name, stored.address, stored.country) == (
            "OSCE building",
            "Wallnerstrasse 6",
            "AT",
        )


def test_unknown_organisations_and_venues_are_not_found(staff_client):
    client = staff_client(Role.ORGANISER)
    assert client.get("/manage/organisations/999").status_code == 404
    assert client.get("/manage/organisations/venues/999").status_code == 404
