"""The demo campaign a new install shows: Kazakhstan, spring 2010."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from campaign.extensions import db
from campaign.models import (
    Case,
    CaseStatus,
    DatePrecision,
    Event,
    EventFamily,
    EventType,
    Message,
    MessageState,
    Organisation,
    Source,
    User,
)
from tests.conftest import count_rows


def _counts() -> dict[str, int]:
    return {m.__name__: count_rows(m) for m in (Case, Event, Organisation, Source, Message)}


def test_demo_loads_the_two_linked_cases_and_is_idempotent(
    app: Flask, runner: FlaskCliRunner
) -> None:
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "/cases/ainur-kurmanov" in result.output
    with app.app_context():
        first = _counts()
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0
    assert "already loaded" in again.output
    with app.app_context():
        assert _counts() == first
        kurmanov = db.session.scalar(sa.select(Case).where(Case.slug == "ainur-kurmanov"))
        assert kurmanov is not None
        assert kurmanov.person_name_original == "Айнур Курманов"
        assert kurmanov.status == CaseStatus.RELEASED
        assert kurmanov.released_on == date(2010, 5, 12)
        # The exact day of the arrest is not known: the demo says so with its precision.
        assert kurmanov.arrest_date_precision == DatePrecision.DAY
        assert kurmanov.arrest_date_approximate
        assert [c.slug for c in kurmanov.related_cases] == ["yesenbek-ukteshbaev"]
        assert [c.slug for c in kurmanov.related_cases[0].related_cases] == ["ainur-kurmanov"]


def test_demo_timeline_runs_from_arrest_to_release_with_both_families(
    app: Flask, runner: FlaskCliRunner
) -> None:
    runner.invoke(args=["demo"])
    with app.app_context():
        events = db.session.scalars(
            sa.select(Event)
            .join(Event.cases)
            .where(Case.slug == "ainur-kurmanov")
            .order_by(Event.date, Event.id)
        ).all()
        assert len(events) >= 12
        assert events[0].type == EventType.ARREST
        assert events[-1].type == EventType.RELEASE
        assert events[-1].date == date(2010, 5, 12)
        families = {e.family for e in events}
        assert families == {EventFamily.LEGAL, EventFamily.SOLIDARITY}
        vienna = next(e for e in events if "Vienna" in e.title)
        assert {c.slug for c in vienna.cases} == {"ainur-kurmanov", "yesenbek-ukteshbaev"}
        assert all(e.sources for e in events if e.is_public)
        countries = set(
            db.session.scalars(
                sa.select(Message.country).where(Message.state == MessageState.PUBLISHED)
            )
        )
        assert len(countries) >= 5


def test_init_loads_the_demo_only_into_an_empty_database(
    app: Flask, runner: FlaskCliRunner, make_case
) -> None:
    make_case(slug="someone-else")
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert count_rows(Case) == 1


def test_init_creates_one_admin_with_a_random_password_and_never_resets_it(
    app: Flask, runner: FlaskCliRunner
) -> None:
    first = runner.invoke(args=["init"])
    assert first.exit_code == 0, first.output
    assert "admin@example.org" in first.output
    password_line = next(line for line in first.output.splitlines() if "password:" in line)
    password = password_line.split("password:")[1].split()[0]
    assert len(password) >= 16
    with app.app_context():
        admin = db.session.scalar(sa.select(User))
        assert admin is not None
        assert admin.must_change_password
        stored_hash = admin.password_hash
        assert password not in (stored_hash or "")

    other = app.test_cli_runner().invoke(args=["init"])
    assert "password:" not in other.output
    assert "no password changed" in other.output
    with app.app_context():
        assert count_rows(User) == 1
        assert db.session.scalar(sa.select(User.password_hash)) == stored_hash


def test_the_demo_case_page_shows_the_person_and_the_linked_case(
    client: FlaskClient, runner: FlaskCliRunner
) -> None:
    runner.invoke(args=["demo"])
    page = client.get("/cases/ainur-kurmanov")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Ainur Kurmanov" in html
    assert "Айнур Курманов" in html
    assert "Released" in html
    assert "/cases/yesenbek-ukteshbaev" in html
    home = client.get("/").get_data(as_text=True)
    assert "Ainur Kurmanov" in home
    assert "Yesenbek Ukteshbaev" in home


def test_demo_hunger_strikes_end_with_the_detentions(app: Flask, runner: FlaskCliRunner) -> None:
    from campaign.cases.counters import current_hunger_strike

    runner.invoke(args=["demo"])
    with app.app_context():
        for case in db.session.scalars(sa.select(Case)):
            events = db.session.scalars(
                sa.select(Event).join(Event.cases).where(Case.id == case.id)
            ).all()
            assert current_hunger_strike(events, date(2010, 5, 1)) is not None, case.slug
            assert current_hunger_strike(events, date.today()) is None, case.slug
