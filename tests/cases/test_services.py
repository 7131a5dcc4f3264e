"""The cases' domain actions as plain functions: no client, no request, named errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask

from campaign.cases import services
from campaign.errors import EditConflict
from campaign.extensions import db
from campaign.models import Case, CaseStatus, DatePrecision, Event, EventType, Role, User


@pytest.fixture
def organiser(app_ctx: Flask, make_user: Callable[..., User]) -> User:
    return db.session.get(User, make_user(Role.ORGANISER).id)


AINUR = services.CaseRecord(
    person_name="Ainur Kurmanov",
    person_name_original="Айнур Курманов",
    country="KZ",
    arrest_date=date(2010, 4, 27),
    arrest_date_precision=DatePrecision.DAY,
    arrest_date_approximate=True,
)


def test_a_case_opens_unpublished_with_its_arrest_on_the_timeline(organiser: User) -> None:
    case = services.open_case(AINUR, organiser, log_arrest=True)
    assert (case.slug, case.published) == ("ainur-kurmanov", False)
    (change,) = case.status_changes
    assert change.effective_on == date(2010, 4, 27)  # the status holds since the arrest
    arrest = db.session.scalars(sa.select(Event)).one()
    assert (arrest.type, arrest.date_precision) == (EventType.ARREST, DatePrecision.DAY)
    assert arrest.date_approximate  # "about 27 April 2010", as the case says


def test_addresses_are_made_from_any_script_and_never_shared(organiser: User) -> None:
    first = services.open_case(services.CaseRecord(person_name="Айнур Курманов"), organiser)
    second = services.open_case(services.CaseRecord(person_name="Айнур Курманов"), organiser)
    assert (first.slug, second.slug) == ("ainur-kurmanov", "ainur-kurmanov-2")
    with pytest.raises(services.SlugTaken):
        services.open_case(AINUR.__class__(person_name="X", slug="ainur-kurmanov"), organiser)
    with pytest.raises(services.SlugMissing):
        services.open_case(services.CaseRecord(person_name="!!!"), organiser)


def test_links_go_both_ways_and_come_off_both_ways(organiser: User) -> None:
    ainur = services.open_case(AINUR, organiser)
    other = services.open_case(services.CaseRecord(person_name="Yesenbek Ukteshbaev"), organiser)
    services.link_cases(ainur, [other.id, ainur.id])  # a case is never linked to itself
    assert (ainur.related_cases, other.related_cases) == ([other], [ainur])
    services.link_cases(ainur, [])
    assert (ainur.related_cases, other.related_cases) == ([], [])


def test_an_edit_records_the_organisers_status_and_refuses_a_stale_form(organiser: User) -> None:
    case = services.open_case(AINUR, organiser)
    db.session.commit()
    loaded = case.version
    released = services.CaseRecord(**{**AINUR.__dict__, "status": CaseStatus.RELEASED})
    services.update_case(case, released, organiser, seen_version=loaded)
    db.session.commit()
    assert [c.new_status for c in case.status_changes] == [
        CaseStatus.DETAINED,
        CaseStatus.RELEASED,
    ]
    with pytest.raises(EditConflict):
        services.update_case(case, AINUR, organiser, seen_version=loaded)


def test_a_new_arrest_date_moves_the_single_arrest_event(organiser: User) -> None:
    case = services.open_case(AINUR, organiser, log_arrest=True)
    moved = services.CaseRecord(**{**AINUR.__dict__, "arrest_date": date(2010, 4, 26)})
    saved = services.update_case(case, moved, organiser, seen_version=case.version)
    assert saved.timeline_in_step
    assert db.session.scalars(sa.select(Event.date)).one() == date(2010, 4, 26)


def test_a_renamed_case_renames_the_titles_the_app_made_but_not_typed_ones(
    organiser: User,
) -> None:
    case = services.open_case(AINUR, organiser, log_arrest=True)
    typed = Event(
        type=EventType.ARREST, title="Ainur Kurmanov seized at the bank", date=date(2010, 4, 27)
    )
    typed.cases = [case]
    db.session.add(typed)
    db.session.flush()
    renamed = services.CaseRecord(**{**AINUR.__dict__, "person_name": "Aynur Kurmanov"})
    services.update_case(case, renamed, organiser, seen_version=case.version)
    titles = set(db.session.scalars(sa.select(Event.title)))
    assert titles == {"Arrest of Aynur Kurmanov", "Ainur Kurmanov seized at the bank"}


def test_publishing_archiving_and_back(organiser: User) -> None:
    case = services.open_case(AINUR, organiser)
    assert services.publish(case) is True
    assert services.publish(case) is False
    assert services.archive(case) is True
    assert case.published is False  # archiving takes it off the public site
    with pytest.raises(services.CaseArchived):
        services.publish(case)
    assert services.unarchive(case) is True
    assert db.session.get(Case, case.id).archived_at is None


def test_an_edit_from_an_older_form_keeps_what_a_colleague_saved_meanwhile(
    organiser: User,
) -> None:
    """Organiser A saves a new summary; B, whose form was loaded before, changes the city."""
    case = services.open_case(AINUR, organiser)
    db.session.commit()
    loaded, prints = case.version, services.loaded_fingerprints(case)
    summary = services.CaseRecord(**{**AINUR.__dict__, "summary": "Sentenced to 15 days."})
    services.update_case(case, summary, organiser, seen_version=loaded, loaded=prints)
    db.session.commit()

    city = services.CaseRecord(**{**AINUR.__dict__, "city": "Astana"})
    saved = services.update_case(case, city, organiser, seen_version=loaded, loaded=prints)
    db.session.commit()
    assert (case.city, case.summary) == ("Astana", "Sentenced to 15 days.")
    assert saved.kept_theirs == ("summary",)


def test_a_field_two_organisers_changed_differently_is_refused_with_the_merged_record(
    organiser: User,
) -> None:
    case = services.open_case(AINUR, organiser)
    db.session.commit()
    loaded, prints = case.version, services.loaded_fingerprints(case)
    first = services.CaseRecord(**{**AINUR.__dict__, "city": "Karaganda", "summary": "On trial."})
    services.update_case(case, first, organiser, seen_version=loaded, loaded=prints)
    db.session.commit()

    second = services.CaseRecord(**{**AINUR.__dict__, "city": "Astana"})
    with pytest.raises(EditConflict) as refused:
        services.update_case(case, second, organiser, seen_version=loaded, loaded=prints)
    assert refused.value.clashes == ("city",)
    assert (refused.value.merged.city, refused.value.merged.summary) == ("Astana", "On trial.")
    assert (case.city, case.summary) == ("Karaganda", "On trial.")  # nothing changed
