"""Venues with the same name in different cities stay apart: "Embassy of Kazakhstan, Vienna"."""

from __future__ import annotations

import sqlalchemy as sa

from campaign.extensions import db
from campaign.models import Event, Role, Venue
from tests.conftest import event_form, picket_form


def _venues(app) -> dict[int, tuple[str, str | None, str | None]]:
    with app.app_context():
        return {v.id: (v.name, v.city, v.country) for v in db.session.scalars(sa.select(Venue))}


def _add_venue(app, name: str, city: str, country: str, slug: str) -> int:
    with app.app_context():
        venue = Venue(name=name, city=city, country=country, slug=slug)
        db.session.add(venue)
        db.session.commit()
        return int(venue.id)


def _last_event(app) -> Event:
    with app.app_context():
        event = db.session.scalars(sa.select(Event).order_by(Event.id.desc())).first()
        assert event is not None
        db.session.expunge(event)
        return event


def test_the_list_offers_each_venue_with_its_city(app, staff_client):
    _add_venue(app, "Embassy of Kazakhstan", "Moscow", "RU", "emb-moscow")
    _add_venue(app, "Embassy of Kazakhstan", "Vienna", "AT", "emb-vienna")
    client = staff_client(Role.ACTIVIST)
    for url in ("/manage/events/picket", "/manage/events/new"):
        html = client.get(url).get_data(as_text=True)
        assert '<option value="Embassy of Kazakhstan, Moscow">' in html, url
        assert '<option value="Embassy of Kazakhstan, Vienna">' in html, url


def test_a_vienna_picket_picked_from_the_list_gets_the_vienna_venue(app, staff_client, make_case):
    _add_venue(app, "Embassy of Kazakhstan", "Moscow", "RU", "emb-moscow")
    vienna = _add_venue(app, "Embassy of Kazakhstan", "Vienna", "AT", "emb-vienna")
    case = make_case()
    staff_client(Role.ACTIVIST).post(
        "/manage/events/picket",
        data=picket_form([case.id], venue="Embassy of Kazakhstan, Vienna", city=""),
    )
    event = _last_event(app)
    assert (event.venue_id, event.city, event.country) == (vienna, "Vienna", "AT")
    assert len(_venues(app)) == 2


def test_the_events_city_decides_between_venues_of_one_name(app, staff_client, make_case):
    _add_venue(app, "Embassy of Kazakhstan", "Moscow", "RU", "emb-moscow")
    vienna = _add_venue(app, "Embassy of Kazakhstan", "Vienna", "AT", "emb-vienna")
    case = make_case()
    staff_client(Role.ACTIVIST).post(
        "/manage/events/picket",
        data=picket_form([case.id], venue="Embassy of Kazakhstan", city="Vienna"),
    )
    assert _last_event(app).venue_id == vienna


def test_a_name_in_several_cities_without_a_city_is_asked_about(app, staff_client, make_case):
    _add_venue(app, "Embassy of Kazakhstan", "Moscow", "RU", "emb-moscow")
    _add_venue(app, "Embassy of Kazakhstan", "Vienna", "AT", "emb-vienna")
    case = make_case()
    response = staff_client(Role.ORGANISER).post(
        "/manage/events/new",
        data=event_form([case.id], venue="Embassy of Kazakhstan", city="", country=""),
    )
    assert response.status_code == 200
    assert "Several places have this name" in response.get_data(as_text=True)


def test_a_new_venue_takes_the_events_country(app, staff_client, make_case):
    _add_venue(app, "Embassy of Kazakhstan", "Moscow", "RU", "emb-moscow")
    case = make_case()
    staff_client(Role.ORGANISER).post(
        "/manage/events/new",
        data=event_form([case.id], venue="Embassy of Kazakhstan", city="Vienna", country="AT"),
    )
    event = _last_event(app)
    assert _venues(app)[event.venue_id] == ("Embassy of Kazakhstan", "Vienna", "AT")


def test_a_new_venue_on_the_quick_form_takes_its_citys_country(app, staff_client, make_case):
    _add_venue(app, "OSCE building", "Vienna", "AT", "osce")
    case = make_case()
    staff_client(Role.ACTIVIST).post(
        "/manage/events/picket",
        data=picket_form([case.id], venue="Embassy of Kazakhstan", city="Vienna"),
    )
    event = _last_event(app)
    assert _venues(app)[event.venue_id] == ("Embassy of Kazakhstan", "Vienna", "AT")
    assert event.country == "AT"


def test_the_quick_form_offers_a_country(staff_client, make_case):
    make_case()
    html = staff_client(Role.ACTIVIST).get("/manage/events/picket").get_data(as_text=True)
    assert 'name="country"' in html
    assert '<option value="AT">' in html


def test_a_picket_in_a_new_city_gets_the_country_given(app, staff_client, make_case):
    case = make_case()
    staff_client(Role.ACTIVIST).post(
        "/manage/events/picket",
        data=picket_form([case.id], venue="Kazakhstan embassy", city="Vilnius", country="LT"),
    )
    event = _last_event(app)
    assert (event.city, event.country) == ("Vilnius", "LT")
    assert _venues(app)[event.venue_id] == ("Kazakhstan embassy", "Vilnius", "LT")


def test_a_city_alone_in_a_new_country_counts_for_the_reach(app, staff_client, make_case):
    case = make_case()
    staff_client(Role.ACTIVIST).post(
        "/manage/events/picket",
        data=picket_form([case.id], venue="", city="Lagos", country="ng"),
    )
    event = _last_event(app)
    assert (event.city, event.venue_id, event.country) == ("Lagos", None, "NG")


def test_a_known_citys_country_is_guessed_and_shown_when_the_form_comes_back(
    app, staff_client, make_case
):
    _add_venue(app, "OSCE building", "Vienna", "AT", "osce")
    case = make_case()
    response = staff_client(Role.ACTIVIST).post(
        "/manage/events/picket",
        data=picket_form([case.id], venue="", city="Vienna", organisation="", country=""),
    )
    assert response.status_code == 200
    assert '<option selected value="AT">' in response.get_data(as_text=True)


def test_an_unknown_country_is_refused_on_the_quick_form(app, staff_client, make_case):
    case = make_case()
    response = staff_client(Role.ACTIVIST).post(
        "/manage/events/picket", data=picket_form([case.id], country="XX")
    )
    assert response.status_code == 200
    assert "Choose a country from the list" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(sa.select(Event)).all() == []
