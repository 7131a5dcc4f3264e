"""Fixtures of the archive tests: a campaign with every kind of record, a second empty site to
import into, the schema's revision stamped on a test database, and tables read row by row."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from campaign import demo
from campaign.archive.backups import code_revision
from campaign.extensions import db
from campaign.models import (
    Appeal,
    AppealLetter,
    AppealResponse,
    AppealState,
    AppealTarget,
    AuthorityRole,
    Case,
    CaseEventEffect,
    DeliveryPack,
    Event,
    LetterReport,
    Message,
    MessageState,
    Photo,
    ResponseKind,
)
from tests.conftest import base_config, make_app


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Backups on PostgreSQL run pg_dump and pg_restore: processes, so slow tests."""
    for item in items:
        if item.path.name == "test_backups.py" and "[postgres" in item.name:
            item.add_marker(pytest.mark.slow)


# The random names of a case's portrait and of an event's photos (their files are not needed:
# the archive names them, backups carry the files).
PORTRAIT = "pOrTrAiT-0123456789abcde"
PUBLISHED_PHOTO = "pubLISHED-photo-01234567"
INTERNAL_PHOTO = "inTERNAL-photo-0123456789"


def fill_campaign() -> None:
    """The demo campaign, and the few things it lacks: what an event did to a case, a photo,
    a message with an e-mail and hashes, delivered in a pack, an open appeal with an answer
    published and one not, letters reported (call inside an app context)."""
    demo.load()
    case = db.session.scalars(sa.select(Case).order_by(Case.id)).first()
    assert case is not None
    case.photo_filename = "kurmanov.jpg"  # hand-copied, from before portraits were uploaded
    other = db.session.scalars(sa.select(Case).order_by(Case.id).offset(1)).first()
    assert other is not None
    other.photo_filename, other.photo_width, other.photo_height = PORTRAIT, 1024, 768
    event = db.session.scalars(sa.select(Event).order_by(Event.id)).first()
    assert event is not None
    db.session.add_all(
        [
            Photo(
                event_id=event.id,
                name=PUBLISHED_PHOTO,
                width=1024,
                height=683,
                alt_text="Pickets with placards outside the court",
                published=True,
            ),
            Photo(event_id=event.id, name=INTERNAL_PHOTO, width=800, height=600),
        ]
    )
    db.session.add(
        CaseEventEffect(
            case=case, event=event, field="status", old_value="at_risk", new_value="detained"
        )
    )
    pack = DeliveryPack(case=case, note="Handed to the lawyer")
    db.session.add(pack)
    db.session.add(
        Message(
            case=case,
            body="Solidarity from Vienna",
            country="AT",
            email="secret-supporter@example.org",
            client_hash="c" * 64,
            withdraw_token_hash="w" * 64,
            original_body="the text before a safety edit",
            state=MessageState.PUBLISHED,
            decided_at=datetime(2010, 5, 5, 12, 30, tzinfo=UTC),
            delivery_pack=pack,
            delivered_on=date(2010, 5, 12),
        )
    )
    _open_appeal(case)
    db.session.commit()


def _open_appeal(case: Case) -> None:
    """An open appeal beside the demo's closed one: an authority with an e-mail address, two
    letters, a published and an unpublished response, and letters reported with a hash."""
    court = AppealTarget(
        position=0,
        name="Almaty City Court",
        role=AuthorityRole.COURT,
        postal_address="Almaty City Court\nAlmaty",
        email="court@example.kz",
    )
    appeal = Appeal(
        title="Let his lawyer see him",
        asked="Ask the court to let his lawyer visit.",
        deadline=date(2010, 5, 20),
        state=AppealState.OPEN,
        opened_on=date(2010, 5, 2),
        follow_up_on=date(2010, 5, 9),
        cases=[case],
        targets=[court],
        letters=[
            AppealLetter(position=0, language="en", text="Your Honour,"),
            AppealLetter(position=1, language="ru", text="Уважаемый суд,"),
        ],
        responses=[
            AppealResponse(
                target=court,
                received_on=date(2010, 5, 6),
                kind=ResponseKind.ACKNOWLEDGED,
                text="Received.",
                published=True,
            ),
            AppealResponse(
                received_on=date(2010, 5, 7),
                kind=ResponseKind.REFUSED,
                text="Not yet checked.",
                published=False,
            ),
        ],
    )
    db.session.add(appeal)
    db.session.flush()
    db.session.add_all(
        [
            LetterReport(appeal_id=appeal.id, reported_on=date(2010, 5, 3), client_hash="d" * 64),
            LetterReport(appeal_id=appeal.id, reported_on=date(2010, 5, 3), client_hash="e" * 64),
            LetterReport(appeal_id=appeal.id, reported_on=date(2010, 5, 4)),
        ]
    )


@pytest.fixture
def campaign(app: Flask) -> Flask:
    """The app with a full campaign in its database."""
    with app.app_context():
        fill_campaign()
    return app


@pytest.fixture
def other_site(tmp_path: Path) -> Iterator[Flask]:
    """A second site on an empty SQLite database of its own (the same secret)."""
    folder = tmp_path / "other-site"
    folder.mkdir()
    other = make_app(base_config(folder))
    with other.app_context():
        db.create_all()
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def stamped(app: Flask) -> Iterator[Flask]:
    """The app's database marked as at the migrations' head, as `flask db upgrade` leaves it."""
    with app.app_context(), db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        connection.exec_driver_sql(
            "CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"
        )
        connection.execute(
            sa.text("INSERT INTO alembic_version VALUES (:revision)"),
            {"revision": code_revision()},
        )
    yield app
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def table_rows() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a fixed order (inside an app context)."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    for table in db.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        result = db.session.execute(sa.select(table).order_by(*order))
        rows[table.name] = [tuple(row) for row in result]
    db.session.rollback()
    return rows


@pytest.fixture
def snapshot() -> Callable[[], dict[str, list[tuple[Any, ...]]]]:
    """Read every table row by row."""
    return table_rows
