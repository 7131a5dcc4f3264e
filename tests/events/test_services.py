"""The events' domain actions as plain functions: no client, no request, named errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from campaign.directory.services import AmbiguousVenue
from campaign.errors import EditConflict
from campaign.events import services
from campaign.extensions import db
from campaign.models import (
    Case,
    CaseEventEffect,
    CaseStatus,
    Event,
    EventType,
    Organisation,
    Role,
    User,
    Venue,
    Verification,
)
from campaign.util.dates import today_utc


@pytest.fixture
def made(make_case: Callable[..., Case], make_user: Callable[..., User]) -> dict[str, int]:
    """A detained person's case, an organiser and an activist, committed up front."""
    return {
        "case": make_case(person_name="Ainur Kurmanov", status=CaseStatus.DETAINED).id,
        "organiser": make_user(Role.ORGANISER).id,
        "activist": make_user(Role.ACTIVIST).id,
    }


@pytest.fixture
def case(app_ctx: Flask, made: dict[str, int]) -> Case:
    return db.session.get(Case, made["case"])


def _user(made: dict[str, int], key: str) -> User:
    return db.session.get(User, made[key])


def _release(case: Case, **overrides: object) -> services.EventDetails:
    values: dict[str, object] = {
        "type": EventType.RELEASE,
        "title": "Release",
        "date": today_utc() - timedelta(days=1),
        "case_ids": [case.id],
    }
    values.update(overrides)
    return services.EventDetails(**values)  # type: ignore[arg-type]


def test_an_organisers_release_frees_the_case_and_deleting_it_takes_that_back(
    case: Case, made: dict[str, int]
) -> None:
    organiser = _user(made, "organiser")
    logged = services.log_event(_release(case), organiser)
    assert not logged.repeated
    assert case.status == CaseStatus.RELEASED
    assert db.session.scalars(sa.select(CaseEventEffect.field)).all() != []
    services.delete_event(logged.event, organiser)
    assert (case.status, case.released_on) == (CaseStatus.DETAINED, None)
    assert db.session.scalars(sa.select(CaseEventEffect)).all() == []


def test_the_released_fact_keeps_the_release_events_about_and_precision(
    case: Case, made: dict[str, int]
) -> None:
    organiser = _user(made, "organiser")
    day = today_utc() - timedelta(days=40)
    logged = services.log_event(_release(case, date=day, date_approximate=True), organiser)
    assert (case.released_on, case.released_on_approximate) == (day, True)
    month = services.EventDetails(
        **{**_release(case).__dict__, "date": day.replace(day=1), "date_precision": "month"}
    )
    services.update_event(logged.event, month, organiser, seen_version=logged.event.version)
    assert (case.released_on, case.released_on_precision) == (day.replace(day=1), "month")
    assert case.released_on_approximate is False
    services.delete_event(logged.event, organiser)
    assert (case.released_on, case.released_on_precision) == (None, "day")


def test_blank_description_outcome_and_response_are_stored_as_nothing(
    case: Case, made: dict[str, int]
) -> None:
    details = _release(
        case, description="  \n ", outcome="\t", authority=" ", authority_response="\r\n  "
    )
    event = services.log_event(details, _user(made, "organiser")).event
    assert (event.description, event.outcome, event.authority, event.authority_response) == (
        None,
        None,
        None,
        None,
    )


def test_an_organiser_saves_an_event_as_verified_when_it_cites_a_source(
    case: Case, made: dict[str, int]
) -> None:
    organiser, activist = _user(made, "organiser"), _user(made, "activist")
    picket = _release(case, type=EventType.PICKET, title="Picket", verified=True)
    with pytest.raises(services.NoSourceToVerify):
        services.log_event(picket, organiser)
    cited = services.EventDetails(**{**picket.__dict__, "sources": [("https://x.example/a", "")]})
    event = services.log_event(cited, organiser).event
    assert (event.verification, event.verified_by_id) == (Verification.VERIFIED, organiser.id)
    # An activist's word is a report, whatever the form says.
    other = services.EventDetails(**{**cited.__dict__, "title": "Other picket"})
    assert services.log_event(other, activist).event.verification == Verification.REPORTED


def test_several_events_are_verified_at_once(case: Case, made: dict[str, int]) -> None:
    activist, organiser = _user(made, "activist"), _user(made, "organiser")
    ids = [
        services.log_event(_release(case, type=EventType.PICKET, title=f"P{n}"), activist).event.id
        for n in range(3)
    ]
    assert services.verify_events([*ids[:2], 99999], organiser) == 2
    assert services.verify_events(ids, organiser) == 1  # the ones checked already are left
    states = db.session.scalars(sa.select(Event.verification).where(Event.id.in_(ids))).all()
    assert set(states) == {Verification.VERIFIED}


def test_an_activists_release_waits_for_an_organisers_check(
    case: Case, made: dict[str, int]
) -> None:
    logged = services.log_event(_release(case), _user(made, "activist"))
    assert case.status == CaseStatus.DETAINED  # one unchecked report moves nothing
    assert services.verify_event(logged.event, _user(made, "organiser")) is True
    assert case.status == CaseStatus.RELEASED
    assert services.verify_event(logged.event, _user(made, "organiser")) is False


def test_the_same_report_twice_is_one_event_and_leaves_nothing_behind(
    case: Case, made: dict[str, int]
) -> None:
    activist = _user(made, "activist")
    report = services.PicketReport(
        type=EventType.PICKET,
        case_ids=[case.id],
        organisation="CWI Austria",
        date=date(2010, 5, 4),
        venue="Embassy of Kazakhstan",
        city="Vienna",
        country="AT",
    )
    first = services.log_picket(report, activist)
    again = services.log_picket(report, activist)
    assert again.repeated
    assert again.event is first.event
    assert first.event.title == "Picket at Embassy of Kazakhstan"
    assert db.session.scalar(sa.select(sa.func.count(Event.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Venue.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Organisation.id))) == 1


def test_a_city_used_before_gives_the_picket_its_country(case: Case, made: dict[str, int]) -> None:
    activist = _user(made, "activist")
    base = {"type": EventType.VIGIL, "case_ids": [case.id], "organisation": "AKM"}
    services.log_picket(
        services.PicketReport(**base, date=date(2010, 5, 1), city="Moscow", country="RU"),
        activist,
    )
    later = services.log_picket(
        services.PicketReport(**base, date=date(2010, 5, 2), city="Moscow"), activist
    )
    assert (later.event.title, later.event.country) == ("Vigil in Moscow", "RU")


def test_an_ambiguous_venue_is_refused_and_nothing_is_saved(
    case: Case, made: dict[str, int]
) -> None:
    db.session.add_all(
        [
            Venue(name="City Court", city="Almaty", slug="court-almaty"),
            Venue(name="City Court", city="Astana", slug="court-astana"),
        ]
    )
    db.session.flush()
    details = _release(case, type=EventType.HEARING, title="Hearing", venue="City Court")
    with pytest.raises(AmbiguousVenue):
        services.log_event(details, _user(made, "organiser"))
    assert db.session.scalar(sa.select(sa.func.count(Event.id))) == 0


def test_an_edit_over_a_newer_save_is_a_conflict(case: Case, made: dict[str, int]) -> None:
    organiser = _user(made, "organiser")
    event = services.log_event(_release(case, type=EventType.PICKET), organiser).event
    db.session.commit()
    loaded = event.version
    services.update_event(
        event, _release(case, type=EventType.PICKET, title="Picket"), organiser, seen_version=loaded
    )
    db.session.commit()
    with pytest.raises(EditConflict) as conflict:
        services.update_event(event, _release(case, title="Mine"), organiser, seen_version=loaded)
    assert conflict.value.missed == 1
    assert event.title == "Picket"


def test_an_edit_from_an_older_form_merges_with_a_colleagues_newer_save(
    case: Case, made: dict[str, int]
) -> None:
    """A adds the number of people and a source; B, from a form opened before, a description."""
    organiser = _user(made, "organiser")
    picket = _release(case, type=EventType.PICKET, title="Picket")
    event = services.log_event(picket, organiser).event
    db.session.commit()
    loaded, prints = event.version, services.loaded_fingerprints(event)
    theirs = replace(picket, participants=40, sources=[("https://example.org/a", "Report")])
    services.update_event(event, theirs, organiser, seen_version=loaded, loaded=prints)
    db.session.commit()

    mine = replace(picket, description="Forty people at the embassy.")
    kept = services.update_event(event, mine, organiser, seen_version=loaded, loaded=prints)
    db.session.commit()
    assert kept == ("participants", "sources")
    assert (event.participants, event.description) == (40, "Forty people at the embassy.")
    assert [s.url for s in event.sources] == ["https://example.org/a"]

    clash = replace(picket, participants=50)
    with pytest.raises(EditConflict) as refused:
        services.update_event(event, clash, organiser, seen_version=loaded, loaded=prints)
    assert refused.value.clashes == ("participants",)
    assert refused.value.merged.description == "Forty people at the embassy."
    assert event.participants == 40


def test_an_activists_change_to_a_checked_event_needs_checking_again(
    case: Case, made: dict[str, int]
) -> None:
    activist = _user(made, "activist")
    event = services.log_event(_release(case), activist).event
    services.verify_event(event, _user(made, "organiser"))
    assert case.status == CaseStatus.RELEASED
    services.update_event(
        event, _release(case, title="Released"), activist, seen_version=event.version
    )
    assert event.verification == Verification.REPORTED
    assert case.status == CaseStatus.DETAINED  # its effect went with the check


def test_who_may_edit_and_verify(case: Case, made: dict[str, int]) -> None:
    activist, organiser = _user(made, "activist"), _user(made, "organiser")
    own = services.log_event(_release(case, type=EventType.PICKET), activist).event
    other = services.log_event(_release(case, type=EventType.VIGIL), organiser).event
    assert services.may_edit(own, activist)
    assert not services.may_edit(other, activist)
    assert services.may_edit(own, organiser)
    assert not services.may_verify(activist)
    assert services.may_verify(organiser)
