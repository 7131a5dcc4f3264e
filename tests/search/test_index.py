"""The search index follows every change of cases, events and venues, in the same transaction."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from campaign.extensions import db
from campaign.models import Case, Event, SearchDocument, Venue
from campaign.search.queries import search


def _document(kind: str, object_id: int) -> tuple[str, str] | None:
    row = db.session.execute(
        sa.select(SearchDocument.heading, SearchDocument.body).where(
            SearchDocument.kind == kind, SearchDocument.object_id == object_id
        )
    ).one_or_none()
    return None if row is None else (row.heading, row.body)


def test_a_case_is_indexed_in_both_scripts_without_its_internal_notes(
    app: Flask, make_case: Callable[..., Case]
) -> None:
    case = make_case(
        person_name="Ainur Kurmanov",
        person_name_original="Айнур Курманов",
        charges="Organising a picket",
        internal_notes="lawyer's private number",
    )
    with app.app_context():
        heading, body = _document("case", case.id) or ("", "")
    assert heading == "ainur kurmanov ainur kurmanov"
    assert "picket" in body
    assert "lawyer" not in body
    assert "lawyer" not in heading


def test_changes_and_deletions_reach_the_index(
    app: Flask, make_case: Callable[..., Case], make_event: Callable[..., Event]
) -> None:
    case = make_case(person_name="Ainur Kurmanov")
    event = make_event([case.id], title="Picket at the bank")
    with app.app_context():
        stored = db.session.get(Case, case.id)
        assert stored is not None
        stored.person_name = "Yesenbek Ukteshbaev"
        db.session.commit()
        assert (_document("case", case.id) or ("",))[0] == "yesenbek ukteshbaev"
        db.session.delete(db.session.get(Event, event.id))
        db.session.commit()
        assert _document("event", event.id) is None
        assert search("picket", staff=True).total == 0


def test_renaming_a_venue_reindexes_its_events(
    app: Flask, make_case: Callable[..., Case], make_event: Callable[..., Event]
) -> None:
    case = make_case()
    with app.app_context():
        venue = Venue(name="Temir Bank", slug="temir-bank", city="Almaty")
        db.session.add(venue)
        db.session.commit()
        venue_id = venue.id
    event = make_event([case.id], title="Protest", venue_id=venue_id)
    with app.app_context():
        assert [h.event.id for h in search("temir", staff=True).hits if h.event] == [event.id]
        stored = db.session.get(Venue, venue_id)
        assert stored is not None
        stored.name = "Halyk Bank"
        db.session.commit()
        assert search("temir", staff=True).total == 0
        assert search("halyk protest", staff=True).total == 1
        db.session.delete(db.session.get(Venue, venue_id))
        db.session.commit()
        assert search("halyk", staff=True).total == 0
        assert search("protest", staff=True).total == 1


def test_a_rolled_back_change_leaves_the_index_as_it_was(
    app: Flask, make_case: Callable[..., Case]
) -> None:
    case = make_case(person_name="Ainur Kurmanov")
    with app.app_context():
        stored = db.session.get(Case, case.id)
        assert stored is not None
        stored.person_name = "Somebody Else"
        db.session.flush()
        db.session.rollback()
        assert search("kurmanov", staff=True).total == 1
        assert search("somebody", staff=True).total == 0


def test_the_rebuild_command_writes_every_document_afresh(
    app: Flask, runner: FlaskCliRunner, make_case: Callable[..., Case]
) -> None:
    case = make_case(person_name="Ainur Kurmanov")
    with app.app_context():
        db.session.execute(sa.delete(SearchDocument))
        db.session.commit()
        assert search("ainur", staff=True).total == 0
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Indexed 1 cases and events." in result.output
    with app.app_context():
        assert [h.case.id for h in search("ainur", staff=True).hits if h.case] == [case.id]
