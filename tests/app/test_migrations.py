"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade

from campaign import create_app, migrating
from campaign.extensions import db
from tests.conftest import BACKENDS, NO_POSTGRES, ROOT, TEST_DATABASE_URL, base_config

# Every migration, up and down, on a fresh database each time: left out of make test-fast.
pytestmark = pytest.mark.slow


def migratable_app(config: dict[str, Any]) -> Flask:
    """An app with Flask-Migrate bound to it, as ``flask db`` binds it."""
    app = create_app(config)
    migrating.enable(app)
    return app


@pytest.fixture(params=BACKENDS)
def migrated_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """An app on an empty database (its own PostgreSQL schema), not yet migrated."""
    if request.param == "sqlite":
        yield migratable_app(base_config(tmp_path))
        return
    if not TEST_DATABASE_URL:
        pytest.skip(NO_POSTGRES)
    schema = f"migrations_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(TEST_DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = sa.engine.make_url(TEST_DATABASE_URL).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    try:
        yield migratable_app(
            base_config(tmp_path, SQLALCHEMY_DATABASE_URI=url.render_as_string(hide_password=False))
        )
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def _differences() -> list[object]:
    """What autogenerate would change; the full-text index, which no model describes, is left
    out as `flask db migrate` leaves it out (and checked on its own below)."""
    from campaign.models.search import include_name

    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_name}
        )
        return list(compare_metadata(context, db.metadata))


def test_migrations_build_the_models_schema(migrated_app: Flask) -> None:
    with migrated_app.app_context():
        upgrade()
        assert _differences() == []
        db.engine.dispose()


def test_migrations_go_down_to_nothing_and_up_again(migrated_app: Flask) -> None:
    with migrated_app.app_context():
        upgrade()
        downgrade(revision="base")
        remaining = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        upgrade()
        assert _differences() == []
        db.engine.dispose()


def test_flask_db_migrates_and_takes_flask_migrates_options(tmp_path: Path) -> None:
    """`flask db` (a stand-in until used) runs Flask-Migrate's commands with their options."""
    app = create_app(base_config(tmp_path))
    runner = app.test_cli_runner()
    directory = str(ROOT / "campaign" / "migrations")
    result = runner.invoke(args=["db", "-d", directory, "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert _differences() == []
        head = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
        db.engine.dispose()
    assert head is not None
    listed = runner.invoke(args=["db", "--help"])
    assert listed.exit_code == 0
    assert "upgrade" in listed.output
    assert "downgrade" in listed.output


def test_a_web_worker_does_not_load_alembic(tmp_path: Path) -> None:
    """Alembic and Mako (about 12 MB of each worker) load only when something migrates."""
    script = (
        "import sys\n"
        "from campaign import create_app\n"
        "app = create_app({'SECRET_KEY': 'x' * 40})\n"
        "assert app.test_client().get('/').status_code == 200\n"
        "print(sorted(m for m in ('alembic', 'mako', 'flask_migrate') if m in sys.modules))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAMPAIGN_")}
    env["CAMPAIGN_INSTANCE_PATH"] = str(tmp_path)
    migrate = [sys.executable, "-m", "flask", "--app", "campaign", "db", "upgrade"]
    subprocess.run(migrate, env=env, cwd=ROOT, check=True, capture_output=True)
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, check=True, capture_output=True
    )
    assert done.stdout.decode().strip() == "[]"


def test_there_is_one_head() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    directory = ROOT / "campaign" / "migrations"
    config = Config()
    config.set_main_option("script_location", str(directory))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_test_database_url_is_only_unset_off_ci() -> None:
    """On CI the PostgreSQL half of the suite must run, never skip."""
    if os.environ.get("CI"):
        assert TEST_DATABASE_URL, "CI must set TEST_DATABASE_URL"


@pytest.mark.parametrize("backend", ["sqlite"])
def test_upgrading_keeps_every_row_and_link(tmp_path: Path, backend: str) -> None:
    """A user's data survives the upgrade: the demo as it stands at 0001 is whole at head."""
    from campaign import demo

    app = migratable_app(base_config(tmp_path))
    with app.app_context():
        # The demo is built with today's models, then taken down to 0001 and brought back up.
        upgrade()
        demo.load()
        db.session.commit()
        db.session.remove()
        downgrade(revision="0001")
        tables = ("cases", "case_links", "events", "event_cases", "event_organisations", "messages")
        before = {
            t: db.session.scalar(sa.select(sa.func.count()).select_from(sa.table(t)))
            for t in tables
        }
        db.session.remove()
        upgrade()
        after = {
            t: db.session.scalar(sa.select(sa.func.count()).select_from(sa.table(t)))
            for t in tables
        }
        assert after == before
        assert db.session.execute(sa.text("PRAGMA foreign_key_check")).fetchall() == []
        assert db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        schema = db.session.execute(
            sa.text("SELECT sql FROM sqlite_master WHERE name = 'events'")
        ).scalar()
        assert "AUTOINCREMENT" in schema
        # 0006 indexed every case and event that was there.
        from campaign.search.queries import search

        documents = db.session.scalar(sa.text("SELECT count(*) FROM search_documents"))
        assert documents == after["cases"] + after["events"]
        assert search("Kurmanov Ainur", staff=False).hits[0].case.slug == "ainur-kurmanov"
        db.session.remove()
        db.engine.dispose()


def test_a_deleted_events_id_is_never_given_to_a_new_one(app: Flask, make_case, make_event) -> None:
    from campaign.models import Event

    case = make_case()
    first = make_event([case.id], title="first")
    last = make_event([case.id], title="to be deleted")
    with app.app_context():
        db.session.delete(db.session.get(Event, last.id))
        db.session.commit()
    replacement = make_event([case.id], title="new")
    assert replacement.id > last.id > first.id


def test_what_events_did_to_cases_moves_out_of_the_audit_trail(migrated_app: Flask) -> None:
    """0003 replays the trail's "#<id>" markers into case_event_effects, once; undo reads them."""
    from datetime import date

    from campaign.cases.status import effects_of, undo_event
    from campaign.models import (
        Case,
        CaseStatus,
        DatePrecision,
        Event,
    )
    from campaign.search.index import suspended

    with migrated_app.app_context(), suspended():  # no search index before 0006
        upgrade(revision="0002")
        # Today's models have columns 0002 lacks: the cases and events are written in SQL.
        case_id = _insert(
            "cases",
            slug="held",
            person_name="Held",
            status="detained",
            arrest_date=date(2010, 4, 27),
            arrest_date_precision="approximate",
        )
        arrest_id = _insert("events", type="arrest", title="Arrest", date=date(2010, 4, 27))
        release_id = _insert("events", type="release", title="Release", date=date(2010, 5, 12))
        for event_id in (arrest_id, release_id):
            _link(event_id, case_id)
        gone = arrest_id + release_id + 100  # an event deleted since
        # Written in SQL too: today's audit trail chains its entries, which 0002 cannot hold.
        _raw(
            "case_status_changes",
            case_id=case_id,
            old_status="at_risk",
            new_status="detained",
            effective_on=date(2010, 4, 27),
            changed_at=datetime(2010, 6, 1),
            event_id=arrest_id,
        )
        legacy = [
            {
                "status": ["at_risk", "detained"],
                "arrest_date": [None, "2010-04-27"],
                "arrest_date_precision": ["day", "approximate"],
                "caused_by_event": [None, f"#{arrest_id} Arrest"],
            },
            {
                "status": ["detained", "released"],
                "released_on": [None, "2010-05-12"],
                "caused_by_event": [None, f"#{release_id} Release"],
            },
            {
                "status": ["released", "detained"],
                "released_on": ["2010-05-12", None],
                "undone_event": [f"#{release_id} Release", None],
            },
            {"city": [None, "Almaty"], "caused_by_event": [None, f"#{gone} Transfer"]},
            {"city": ["Almaty", "Astana"]},  # an organiser's own edit: no marker
        ]
        for changes in legacy:
            _raw(
                "audit_entries",
                created_at=datetime(2010, 6, 1),
                actor="Dana",
                action="update",
                object_type="case",
                object_id=case_id,
                object_label="Held",
                changes=json.dumps(changes),
            )
        db.session.commit()
        db.session.remove()

    with migrated_app.app_context():
        upgrade()
        assert _differences() == []
        rows = db.session.execute(
            sa.text(
                "SELECT event_id, field, old_value, new_value FROM case_event_effects "
                "ORDER BY event_id, field"
            )
        ).all()
        assert [tuple(r) for r in rows] == [
            (arrest_id, "arrest_date", None, "2010-04-27"),
            (arrest_id, "arrest_date_approximate", "false", "true"),  # 0008 splits "approximate"
            (arrest_id, "arrest_date_precision", "day", "day"),
            (arrest_id, "status", "at_risk", "detained"),
        ]  # the undone release and the deleted event left nothing

        # The status rules read the moved data back: taking back the arrest restores the case.
        case = db.session.get(Case, case_id)
        arrest = db.session.get(Event, arrest_id)
        assert effects_of(case, db.session.get(Event, release_id)) == []
        undo_event(case, arrest, date(2010, 6, 1), None)
        db.session.commit()
        assert (case.status, case.arrest_date, case.arrest_date_precision) == (
            CaseStatus.AT_RISK,
            None,
            DatePrecision.DAY,
        )
        assert case.arrest_date_approximate is False
        assert effects_of(case, arrest) == []
        db.session.remove()
        db.engine.dispose()


def test_the_full_text_index_is_built_kept_in_step_and_taken_down(migrated_app: Flask) -> None:
    """0006's database-side objects (FTS5 table and triggers, or the GIN index) exist, follow
    the rows, and go on downgrade; create_all builds the same (campaign.models.search)."""
    from campaign.models import Case
    from campaign.search.queries import search

    with migrated_app.app_context():
        upgrade()
        inspector = sa.inspect(db.engine)
        if db.engine.dialect.name == "sqlite":
            names = {
                row[0]
                for row in db.session.execute(
                    sa.text("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
                )
            }
            assert {
                "search_fts",
                "search_documents_ai",
                "search_documents_ad",
                "search_documents_au",
            } <= names
        else:
            indexes = {i["name"] for i in inspector.get_indexes("search_documents")}
            assert "ix_search_documents_fulltext" in indexes
        db.session.add(Case(slug="ainur", person_name="Ainur Kurmanov", published=True))
        db.session.commit()
        assert [h.case.slug for h in search("kurmanov ainur", staff=False).hits] == ["ainur"]
        case = db.session.scalars(sa.select(Case)).one()
        case.person_name = "Yesenbek Ukteshbaev"
        db.session.commit()
        assert search("kurmanov", staff=False).total == 0
        assert search("yesenbek", staff=False).total == 1
        db.session.remove()
        downgrade(revision="0005")
        left = set(sa.inspect(db.engine).get_table_names())
        assert not {t for t in left if t.startswith("search_")}
        db.engine.dispose()


def test_0007_erases_what_supporters_wrote_from_the_trail_and_chains_it(
    migrated_app: Flask,
) -> None:
    """Old entries lose the supporters' words and names, the text as sent moves to the message
    while it waits for delivery, withdrawn messages are erased, old client hashes go, and
    the whole trail is chained so that ``audit verify`` finds it intact."""
    from campaign.history.chain import verify
    from campaign.models import Case, Message, MessageState

    with migrated_app.app_context():
        upgrade()  # the rows by today's models, then back to 0006 for the trail of that time
        case = Case(slug="held", person_name="Held")
        for name, state in (("Masha", MessageState.PENDING), ("Oleg", MessageState.WITHDRAWN)):
            db.session.add(
                Message(
                    case=case,
                    display_name=name,
                    country="DE",
                    organisation="IG Metall",
                    body="Edited text",
                    state=state,
                    client_hash="c0ffee",
                )
            )
        db.session.commit()
        db.session.remove()
        downgrade(revision="0006")
        with db.engine.begin() as connection:
            run = connection.exec_driver_sql
            run("DELETE FROM audit_entries")
            insert = sa.text(
                "INSERT INTO audit_entries (created_at, actor, action, object_type, object_id,"
                " object_label, changes) VALUES (:at, :actor, 'update', 'message', :id,"
                " :label, :changes)"
            )
            edited = '{"body": ["The judge Ivanov is corrupt", "Edited text"], ' + (
                '"display_name": ["Masha", "M."]}'
            )
            withdrawn = '{"state": ["pending", "withdrawn"]}'
            for at, actor, object_id, label, changes in (
                ("2026-01-01 11:00:00", "Dana", 1, "Message from Masha (DE)", edited),
                ("2026-01-01 12:00:00", "supporter", 2, "Message from Oleg (DE)", withdrawn),
            ):
                connection.execute(
                    insert,
                    {"at": at, "actor": actor, "id": object_id, "label": label, "changes": changes},
                )
        upgrade()
        with db.engine.connect() as connection:
            trail = connection.exec_driver_sql(
                "SELECT object_label, changes, chain_seq FROM audit_entries ORDER BY id"
            ).all()
            messages = connection.exec_driver_sql(
                "SELECT id, body, original_body, display_name, organisation, client_hash"
                " FROM messages ORDER BY id"
            ).all()
        text = str(trail)
        for words in ("Ivanov", "Masha", "Oleg"):
            assert words not in text
        assert [row[0] for row in trail] == ["Message #1 (DE)", "Message #2 (DE)"]
        assert [row[2] for row in trail] == [1, 2]
        assert tuple(messages[0]) == (
            1,
            "Edited text",
            "The judge Ivanov is corrupt",
            "Masha",
            "IG Metall",
            None,
        )
        assert tuple(messages[1]) == (2, "", None, None, None, None)
        verdict = verify()
        assert verdict.intact
        assert verdict.checked == 2
        db.session.remove()
        db.engine.dispose()


def test_accounts_and_sign_in_attempts_survive_0004_without_a_second_factor(
    migrated_app: Flask,
) -> None:
    """0004 adds the second factor: accounts keep their passwords and have none; failed
    sign-ins recorded before it are erased by 0007 with every hash made under the old keys."""
    from campaign.accounts import services, throttle
    from campaign.accounts.passwords import hash_password
    from campaign.database import utcnow
    from campaign.models import User

    with migrated_app.app_context():
        upgrade(revision="0003")
        db.session.execute(
            sa.text(
                "INSERT INTO users (email, display_name, password_hash, role, active, "
                "must_change_password, created_at) VALUES ('olga@example.org', 'Olga', :h, "
                "'organiser', true, false, CURRENT_TIMESTAMP)"
            ),
            {"h": hash_password("correct horse battery staple")},
        )
        # The key of that time: derived from the secret (0007 replaces it with random keys).
        secret = str(migrated_app.config["SECRET_KEY"]).encode()
        period = hmac.new(
            secret, b"client-hash:" + utcnow().strftime("%Y-%m-%d").encode(), hashlib.sha256
        ).digest()
        old_key = hmac.new(period, b"account:olga@example.org", hashlib.sha256).hexdigest()
        for _ in range(3):
            db.session.execute(
                sa.text(
                    "INSERT INTO login_attempts (scope, key_hash, succeeded, created_at) "
                    "VALUES ('account', :k, false, :t)"
                ),
                {"k": old_key, "t": utcnow()},
            )
        db.session.commit()
        db.session.remove()

        upgrade()
        assert _differences() == []
        user = db.session.scalars(sa.select(User)).one()
        assert not user.has_two_factor
        assert not services.two_factor_required()
        # 0007 erased the attempts hashed under the old, secret-derived keys (linkable).
        assert throttle.failed_sign_ins([user.email]) == {}
        assert services.unlock(user) == 0
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def _insert(table: str, **values: object) -> int:
    """Write a row as an old revision's schema has it (the defaults the models would give)."""
    defaults: dict[str, dict[str, object]] = {
        "cases": {
            "detention_address_public": False,
            "published": False,
            "arrest_date_precision": "day",
        },
        "events": {"date_precision": "day", "visibility": "public", "verification": "reported"},
    }
    now = datetime(2010, 6, 1)
    row = {**defaults[table], "created_at": now, "updated_at": now, "version": 1, **values}
    names = ", ".join(row)
    marks = ", ".join(f":{name}" for name in row)
    statement = f"INSERT INTO {table} ({names}) VALUES ({marks}) RETURNING id"  # noqa: S608
    return int(db.session.execute(sa.text(statement), row).scalar_one())


def _insert_case(slug: str, **values: object) -> int:
    """A case as every revision from 0013 has it (its original's language): the columns with no
    server default filled, its name made of its slug unless given."""
    row: dict[str, object] = {
        "person_name": slug.title(),
        "status": "detained",
        "arrest_date_approximate": False,
        "released_on_precision": "day",
        "released_on_approximate": False,
        "original_language": "en",
    }
    return _insert("cases", slug=slug, **{**row, **values})


def _raw(table: str, **values: object) -> None:
    """Write a row exactly as given, in SQL (an old revision's table, no model involved)."""
    names = ", ".join(values)
    marks = ", ".join(f":{name}" for name in values)
    statement = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
    db.session.execute(sa.text(statement), values)


def _link(event_id: int, case_id: int) -> None:
    db.session.execute(
        sa.text("INSERT INTO event_cases (event_id, case_id) VALUES (:e, :c)"),
        {"e": event_id, "c": case_id},
    )


def test_approximate_dates_split_into_precision_and_about(migrated_app: Flask) -> None:
    """0008: "approximate" becomes an approximate day; the release date takes its event's
    precision; events get the date they are told in order by."""
    from campaign.models import Case, Event

    with migrated_app.app_context():
        upgrade(revision="0007")
        case_id = _insert(
            "cases",
            slug="held",
            person_name="Held",
            status="released",
            arrest_date=date(2010, 4, 27),
            arrest_date_precision="approximate",
            released_on=date(2010, 5, 12),
        )
        other_id = _insert(
            "cases",
            slug="other",
            person_name="Other",
            status="released",
            released_on=date(2010, 5, 5),
        )
        arrest = _insert(
            "events",
            type="arrest",
            title="Arrest",
            date=date(2010, 4, 27),
            date_precision="approximate",
        )
        release = _insert(
            "events",
            type="release",
            title="Release",
            date=date(2010, 5, 12),
            date_precision="approximate",
        )
        appeal = _insert(
            "events",
            type="appeal_decision",
            title="Appeal",
            date=date(2010, 5, 1),
            date_precision="month",
        )
        year = _insert(
            "events", type="statement", title="Y", date=date(2010, 1, 1), date_precision="year"
        )
        for event_id in (arrest, release, appeal, year):
            _link(event_id, case_id)
        db.session.commit()
        db.session.remove()

        upgrade()
        assert _differences() == []
        held, other = db.session.get(Case, case_id), db.session.get(Case, other_id)
        assert (held.arrest_date_precision, held.arrest_date_approximate) == ("day", True)
        assert (held.released_on_precision, held.released_on_approximate) == ("day", True)
        # No release event on the timeline: the typed release date stays an exact day.
        assert (other.released_on_precision, other.released_on_approximate) == ("day", False)
        events = {e.id: e for e in db.session.scalars(sa.select(Event))}
        assert (events[arrest].date_precision, events[arrest].date_approximate) == ("day", True)
        assert (events[appeal].date_precision, events[appeal].date_approximate) == ("month", False)
        assert events[appeal].sort_date == date(2010, 5, 31)
        assert events[year].sort_date == date(2010, 12, 31)
        assert events[arrest].sort_date == date(2010, 4, 27)
        db.session.remove()

        downgrade(revision="0007")
        precisions = dict(
            db.session.execute(sa.text("SELECT id, date_precision FROM events")).all()
        )
        assert precisions[arrest] == "approximate"
        assert precisions[appeal] == "month"
        db.session.remove()
        db.engine.dispose()


def test_0009_adds_the_outbox_and_subscriptions_and_takes_them_down(
    migrated_app: Flask,
) -> None:
    from campaign.models import OutboxMail, Subscription, SubscriptionDelivery

    with migrated_app.app_context():
        upgrade(revision="0008")
        case_id = _insert(
            "cases",
            slug="ainur",
            person_name="Ainur Kurmanov",
            status="released",
            arrest_date_approximate=False,
            released_on_precision="day",
            released_on_approximate=False,
        )
        db.session.commit()
        db.session.remove()

        upgrade()
        assert _differences() == []
        subscription = Subscription(
            case_id=case_id, email="anna@example.org", frequency="each", unsubscribe_nonce="n"
        )
        db.session.add(subscription)
        db.session.flush()
        db.session.add(SubscriptionDelivery(subscription_id=subscription.id, update_key="event:1"))
        db.session.add(OutboxMail(kind="test", recipient="anna@example.org", subject="S"))
        db.session.commit()
        assert db.session.scalar(sa.select(OutboxMail.state)) == "pending"
        # The subscriber's address goes with the case.
        db.session.execute(sa.text("DELETE FROM cases WHERE id = :id"), {"id": case_id})
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscription)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SubscriptionDelivery)) == 0
        db.session.remove()

        downgrade(revision="0008")
        tables = set(sa.inspect(db.engine).get_table_names())
        assert not tables & {"outbox_mails", "subscriptions", "subscription_deliveries"}
        db.session.remove()
        db.engine.dispose()


def test_0010_gives_every_row_without_a_slug_a_key_of_its_own(migrated_app: Flask) -> None:
    """0010: events, sources, messages, packs, status changes and event effects get a unique
    key each, for the whole-campaign export; what they held stays."""
    from campaign.models import Event, Message, Source

    with migrated_app.app_context():
        upgrade(revision="0009")
        case_id = _insert(
            "cases",
            slug="held",
            person_name="Held",
            status="detained",
            arrest_date_approximate=False,
            released_on_precision="day",
            released_on_approximate=False,
        )
        events = [
            _insert(
                "events",
                type="picket",
                title=f"Picket {n}",
                date=date(2010, 5, n),
                sort_date=date(2010, 5, n),
                date_approximate=False,
            )
            for n in (1, 2)
        ]
        _raw("sources", title="Statement", created_at=datetime(2010, 6, 1))
        _raw(
            "messages",
            case_id=case_id,
            body="Stay strong",
            consent_to_publish=False,
            state="pending",
            created_at=datetime(2010, 6, 1),
        )
        _raw(
            "case_status_changes",
            case_id=case_id,
            new_status="detained",
            changed_at=datetime(2010, 6, 1),
        )
        db.session.commit()
        db.session.remove()

        upgrade()
        assert _differences() == []
        keys = [event.key for event in db.session.scalars(sa.select(Event).order_by(Event.id))]
        assert len(keys) == len(events) == len(set(keys))
        assert all(uuid.UUID(key) for key in keys)
        assert db.session.scalars(sa.select(Source.key)).one()
        message = db.session.scalars(sa.select(Message)).one()
        assert (message.body, len(message.key)) == ("Stay strong", 36)
        for table in ("case_status_changes", "case_event_effects", "delivery_packs"):
            nulls = f"SELECT count(*) FROM {table} WHERE key IS NULL"  # noqa: S608
            assert db.session.execute(sa.text(nulls)).scalar_one() == 0
        db.session.remove()

        downgrade(revision="0009")
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("events")}
        assert "key" not in columns
        db.session.remove()
        db.engine.dispose()


def test_0011_adds_appeals_beside_existing_cases_and_takes_them_down(
    migrated_app: Flask,
) -> None:
    """Appeals are new tables: a case from before keeps its letters address, gets appeals, and
    going down drops the appeals and nothing else."""
    with migrated_app.app_context():
        upgrade(revision="0010")
        case_id = _insert(
            "cases",
            slug="held",
            person_name="Held",
            status="detained",
            detention_address="Special detention centre, Almaty",
            detention_address_public=True,
            published=True,
            arrest_date_approximate=False,
            released_on_precision="day",
            released_on_approximate=False,
        )
        db.session.commit()
        db.session.remove()

        upgrade(revision="0011")
        now = datetime(2026, 12, 4)
        appeal_id = _insert_appeal(now)
        _raw("appeal_cases", appeal_id=appeal_id, case_id=case_id)
        _raw("appeal_targets", appeal_id=appeal_id, position=0, name="OSCE", role="osce")
        _raw("appeal_letters", appeal_id=appeal_id, position=0, language="en", text="Dear Sir")
        _raw("letter_reports", appeal_id=appeal_id, reported_on=date(2026, 12, 4))
        db.session.commit()
        db.session.remove()
        upgrade()  # today's models read the rows written at 0011
        from campaign.appeals import queries
        from campaign.models import Appeal, Case

        case = db.session.get(Case, case_id)
        assert case.detention_address == "Special detention centre, Almaty"
        appeal = db.session.get(Appeal, appeal_id)
        assert [c.id for c in appeal.cases] == [case_id]
        assert queries.letters_reported([appeal_id]) == {appeal_id: 1}
        db.session.remove()

        downgrade(revision="0010")
        tables = set(sa.inspect(db.engine).get_table_names())
        assert not tables & {"appeals", "appeal_cases", "appeal_targets", "letter_reports"}
        assert db.session.execute(sa.text("SELECT slug FROM cases")).scalars().all() == ["held"]
        db.session.remove()
        db.engine.dispose()


def _insert_appeal(now: datetime) -> int:
    row = {
        "title": "Release him",
        "asked": "Now.",
        "deadline": date(2026, 12, 20),
        "state": "open",
        "opened_on": date(2026, 12, 4),
        "created_at": now,
        "updated_at": now,
    }
    names = ", ".join(row)
    marks = ", ".join(f":{name}" for name in row)
    statement = f"INSERT INTO appeals ({names}) VALUES ({marks}) RETURNING id"  # noqa: S608
    return int(db.session.execute(sa.text(statement), row).scalar_one())


def test_accounts_keep_following_their_browser_after_0012(migrated_app: Flask) -> None:
    """0012 gives accounts a language of the staff area: none yet, so the browser's is used."""
    from campaign.models import User

    with migrated_app.app_context():
        upgrade(revision="0011")
        db.session.execute(
            sa.text(
                "INSERT INTO users (email, display_name, password_hash, role, active, "
                "must_change_password, created_at) VALUES ('olga@example.org', 'Olga', 'x', "
                "'organiser', true, false, CURRENT_TIMESTAMP)"
            )
        )
        db.session.commit()
        db.session.remove()

        upgrade()
        assert _differences() == []
        user = db.session.scalars(sa.select(User)).one()
        assert user.language is None
        user.language = "kk"
        db.session.commit()
        db.session.remove()

        downgrade(revision="0011")
        assert db.session.execute(sa.text("SELECT email FROM users")).scalar_one() == (
            "olga@example.org"
        )
        db.session.remove()
        db.engine.dispose()


def test_0013_content_gives_every_case_and_event_its_original_language(
    migrated_app: Flask,
) -> None:
    """0013: existing cases and events are written in the site's default language, and
    translations can be added, one per record and language."""
    from campaign.models import Case, CaseTranslation, Event, EventTranslation

    migrated_app.config["BABEL_DEFAULT_LOCALE"] = "ru"
    with migrated_app.app_context():
        upgrade(revision="0012")
        case_id = _insert(
            "cases",
            slug="held",
            person_name="Held",
            status="detained",
            arrest_date_approximate=False,
            released_on_precision="day",
            released_on_approximate=False,
        )
        event_id = _insert(
            "events",
            type="picket",
            title="Picket",
            date=date(2010, 5, 4),
            date_approximate=False,
            sort_date=date(2010, 5, 4),
            key="5b1c1a4e-0000-4000-8000-000000000001",
        )
        _link(event_id, case_id)
        db.session.commit()
        db.session.remove()

        upgrade()
        assert _differences() == []
        assert db.session.get(Case, case_id).original_language == "ru"
        assert db.session.get(Event, event_id).original_language == "ru"
        db.session.add(CaseTranslation(case_id=case_id, language="en", summary="Held."))
        db.session.add(EventTranslation(event_id=event_id, language="kk", title="Пикет"))
        db.session.commit()
        db.session.add(CaseTranslation(case_id=case_id, language="en", summary="Again."))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()
        db.session.remove()

        downgrade(revision="0012")
        tables = sa.inspect(db.engine).get_table_names()
        assert "case_translations" not in tables
        assert "event_translations" not in tables
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("cases")}
        assert "original_language" not in columns
        assert db.session.execute(sa.text("SELECT slug FROM cases")).scalar_one() == "held"
        db.session.remove()
        db.engine.dispose()


def test_0014_gives_appeals_and_what_belongs_to_them_keys(migrated_app: Flask) -> None:
    """0014: an appeal from before, its authority, letter, response and letter reported get a
    key each, for the whole-campaign export; going down takes the keys and nothing else."""
    with migrated_app.app_context():
        upgrade(revision="0013")
        appeal_id = _insert_appeal(datetime(2026, 12, 4))
        _raw("appeal_targets", appeal_id=appeal_id, position=0, name="OSCE", role="osce")
        target_id = db.session.execute(sa.text("SELECT id FROM appeal_targets")).scalar_one()
        _raw("appeal_letters", appeal_id=appeal_id, position=0, language="en", text="Dear Sir")
        _raw(
            "appeal_responses",
            appeal_id=appeal_id,
            target_id=target_id,
            received_on=date(2026, 12, 5),
            kind="acknowledged",
            published=False,
            created_at=datetime(2026, 12, 5),
        )
        _raw("letter_reports", appeal_id=appeal_id, reported_on=date(2026, 12, 4))
        db.session.commit()
        db.session.remove()

        upgrade(revision="0014")
        tables = (
            "appeals",
            "appeal_targets",
            "appeal_letters",
            "appeal_responses",
            "letter_reports",
        )
        keys = [
            db.session.execute(sa.text(f"SELECT key FROM {table}")).scalar_one()  # noqa: S608
            for table in tables
        ]
        assert len(set(keys)) == len(tables)
        assert all(uuid.UUID(key) for key in keys)
        db.session.remove()

        downgrade(revision="0013")
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("appeals")}
        assert "key" not in columns
        title = db.session.execute(sa.text("SELECT title FROM appeals")).scalar_one()
        assert title == "Release him"
        db.session.remove()
        db.engine.dispose()


def test_0015_sheets_adds_uploads_mappings_and_external_ids(migrated_app: Flask) -> None:
    from campaign.models import Case, SheetMapping

    with migrated_app.app_context():
        upgrade(revision="0014")
        case_id = _insert_case("ainur", person_name="Ainur Kurmanov")
        db.session.commit()
        db.session.remove()

        upgrade()
        assert _differences() == []
        case = db.session.get(Case, case_id)
        assert case is not None
        assert case.external_id is None
        case.external_id = "K-1"
        db.session.add(SheetMapping(kind="events", header_key="k", fields=["date", ""]))
        db.session.commit()
        assert db.session.scalar(sa.select(SheetMapping.fields)) == ["date", ""]
        db.session.remove()

        downgrade(revision="0014")
        inspector = sa.inspect(db.engine)
        assert not {"sheet_uploads", "sheet_mappings"} & set(inspector.get_table_names())
        assert "external_id" not in {c["name"] for c in inspector.get_columns("cases")}
        assert db.session.scalar(sa.text("SELECT slug FROM cases")) == "ainur"
        db.session.remove()
        db.engine.dispose()


def test_0016_photos_adds_the_photos_table(migrated_app: Flask) -> None:
    with migrated_app.app_context():
        upgrade(revision="0015")
        db.session.remove()
        upgrade()
        assert _differences() == []
        assert "photos" in sa.inspect(db.engine).get_table_names()
        db.session.remove()
        downgrade(revision="0015")
        assert "photos" not in sa.inspect(db.engine).get_table_names()
        db.session.remove()
        db.engine.dispose()


def test_0017_reach_counts_every_existing_case_and_takes_its_table_down(
    migrated_app: Flask,
) -> None:
    from campaign.timeline.reach import Reach, compute_reach, load_reach

    with migrated_app.app_context():
        upgrade(revision="0016")
        db.session.remove()
        case_id, quiet_id = (_insert_case(slug) for slug in ("ainur", "quiet"))
        picket, hearing = (
            _insert(
                "events",
                type=kind,
                title=kind.title(),
                date=date(2010, 5, 4),
                date_approximate=False,
                sort_date=date(2010, 5, 4),
                city="Vienna",
                country="AT",
                original_language="en",
                key=str(uuid.uuid4()),
            )
            for kind in ("picket", "hearing")
        )
        _link(picket, case_id)
        _link(hearing, case_id)
        for country, state in (("GB", "published"), ("GB", "published"), ("NG", "pending")):
            _raw(
                "messages",
                case_id=case_id,
                body="Stay strong",
                country=country,
                consent_to_publish=True,
                state=state,
                created_at=datetime(2010, 6, 1),
                key=str(uuid.uuid4()),
            )
        db.session.commit()
        db.session.remove()
        upgrade()
        assert _differences() == []
        reach = load_reach(case_id)
        assert reach == compute_reach([case_id])[case_id]
        assert (reach.actions, reach.cities, reach.countries, reach.messages) == (1, 1, 1, 2)
        assert load_reach(quiet_id) == Reach()
        kept = db.session.execute(sa.text("SELECT case_id FROM case_reach ORDER BY case_id"))
        assert [row[0] for row in kept] == [case_id, quiet_id]
        db.session.remove()
        downgrade(revision="0016")
        assert "case_reach" not in sa.inspect(db.engine).get_table_names()
        db.session.remove()
        db.engine.dispose()


def test_0018_portraits_re_encodes_hand_copied_photos_and_goes_back(
    migrated_app: Flask, tmp_path: Path
) -> None:
    """A photo copied into the folder by hand (with GPS in its EXIF) becomes a portrait made the
    way an upload is; a missing or unreadable file leaves its case as it was, unserved."""
    import io

    from PIL import Image

    from campaign.models import Case
    from campaign.photos import services

    folder = tmp_path / "photos"
    folder.mkdir()
    migrated_app.config["PHOTO_FOLDER"] = str(folder)
    image = Image.new("RGB", (1500, 1000), "navy")
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (43.0, 15.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    (folder / "ainur.jpg").write_bytes(out.getvalue())
    (folder / "broken.jpg").write_bytes(b"not an image")
    common = {
        "status": "detained",
        "arrest_date_approximate": False,
        "released_on_precision": "day",
        "released_on_approximate": False,
        "original_language": "en",
    }
    with migrated_app.app_context():
        upgrade(revision="0017")
        ids = {
            slug: _insert(
                "cases", slug=slug, person_name=slug.title(), photo_filename=filename, **common
            )
            for slug, filename in (
                ("ainur", "ainur.jpg"),
                ("broken", "broken.jpg"),
                ("missing", "missing.jpg"),
                ("climber", "../../etc/passwd"),
                ("none", None),
            )
        }
        db.session.commit()
        db.session.remove()

        upgrade()
        assert _differences() == []
        cases = {slug: db.session.get(Case, case_id) for slug, case_id in ids.items()}
        ainur = cases["ainur"]
        assert ainur is not None
        assert services.has_portrait(ainur)
        assert (ainur.photo_width, ainur.photo_height) == (1024, 683)
        with Image.open(services.portrait_file(ainur, "small", folder)) as small:
            assert small.size == (320, 213)
            assert not small.getexif()
        for slug, filename in (
            ("broken", "broken.jpg"),
            ("missing", "missing.jpg"),
            ("climber", "../../etc/passwd"),
        ):
            case = cases[slug]
            assert case is not None
            assert case.photo_filename == filename
            assert not services.has_portrait(case)
        name = ainur.photo_filename
        db.session.remove()

        downgrade(revision="0017")
        assert "photo_width" not in {c["name"] for c in sa.inspect(db.engine).get_columns("cases")}
        kept = db.session.execute(
            sa.text("SELECT photo_filename FROM cases WHERE slug = 'ainur'")
        ).scalar_one()
        assert kept == f"portraits/{name}.large.jpg"
        assert (folder / kept).is_file()  # what the old code serves
        db.session.remove()
        db.engine.dispose()


def test_0019_indexes_events_by_type_and_date_and_takes_the_index_down(
    migrated_app: Flask,
) -> None:
    def indexes() -> set[str]:
        return {str(i["name"]) for i in sa.inspect(db.engine).get_indexes("events")}

    with migrated_app.app_context():
        upgrade(revision="0018")
        db.session.remove()
        assert "ix_events_type_date" not in indexes()
        upgrade()
        assert "ix_events_type_date" in indexes()
        assert _differences() == []
        db.session.remove()
        downgrade(revision="0018")
        assert "ix_events_type_date" not in indexes()
        db.session.remove()
        db.engine.dispose()


def test_0020_indexes_events_by_when_they_were_logged_and_takes_them_down(
    migrated_app: Flask,
) -> None:
    added = {"ix_events_created_at_id", "ix_events_verification_created_at"}

    def indexes() -> set[str]:
        return {str(i["name"]) for i in sa.inspect(db.engine).get_indexes("events")}

    with migrated_app.app_context():
        upgrade(revision="0019")
        db.session.remove()
        assert not added & indexes()
        upgrade()
        assert added <= indexes()
        assert _differences() == []
        db.session.remove()
        downgrade(revision="0019")
        assert not added & indexes()
        db.session.remove()
        db.engine.dispose()


def test_0021_gives_each_link_of_a_case_its_events_place_in_the_story_and_goes_back(
    migrated_app: Flask,
) -> None:
    """The links already there get their events' sort date and rank; every link survives the
    way up and down, and the case's story reads in the same order."""
    from campaign.events.queries import case_events_page
    from campaign.models import Case

    with migrated_app.app_context():
        upgrade(revision="0020")
        db.session.remove()
        case_id, other_id = (_insert_case(slug) for slug in ("ainur", "other"))
        events = {}
        for title, day, precision, sort_date in (
            ("Year", date(2010, 1, 1), "year", date(2010, 12, 31)),
            ("May", date(2010, 5, 1), "month", date(2010, 5, 31)),
            ("Hearing", date(2010, 5, 31), "day", date(2010, 5, 31)),
            ("Picket", date(2010, 5, 4), "day", date(2010, 5, 4)),
        ):
            events[title] = _insert(
                "events",
                type="picket",
                title=title,
                date=day,
                date_precision=precision,
                date_approximate=False,
                sort_date=sort_date,
                original_language="en",
                key=str(uuid.uuid4()),
            )
            _link(events[title], case_id)
        _link(events["May"], other_id)
        db.session.commit()
        db.session.remove()

        def links() -> list[tuple[int, int]]:
            rows = db.session.execute(
                sa.text("SELECT event_id, case_id FROM event_cases ORDER BY event_id, case_id")
            )
            return [(row[0], row[1]) for row in rows]

        kept = links()
        db.session.remove()
        upgrade()
        assert _differences() == []
        assert links() == kept
        keys = db.session.execute(
            sa.text("SELECT event_id, sort_date, story_rank FROM event_cases WHERE case_id = :c"),
            {"c": case_id},
        )
        by_id = {row[0]: (str(row[1]), row[2]) for row in keys}
        assert by_id == {
            events["Year"]: ("2010-12-31", 2),
            events["May"]: ("2010-05-31", 1),
            events["Hearing"]: ("2010-05-31", 0),
            events["Picket"]: ("2010-05-04", 0),
        }
        case = db.session.get(Case, case_id)
        assert case is not None
        story = [e.title for e in case_events_page(case, 1).items]
        assert story == ["Year", "May", "Hearing", "Picket"]  # latest first
        db.session.remove()

        downgrade(revision="0020")
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("event_cases")}
        assert columns == {"event_id", "case_id"}
        assert links() == kept
        db.session.remove()
        db.engine.dispose()


def test_0022_starts_the_records_version_at_the_public_version_and_goes_back(
    migrated_app: Flask,
) -> None:
    """Every change so far counts as a change to the records: the pages kept under either number
    before the upgrade are never served for what came after."""

    with migrated_app.app_context():
        upgrade(revision="0021")
        db.session.remove()
        db.session.execute(
            sa.text("UPDATE public_versions SET version = 41, changed_at = :at"),
            {"at": datetime(2026, 12, 1, 9, 30)},
        )
        db.session.commit()
        before = db.session.execute(
            sa.text("SELECT version, changed_at FROM public_versions")
        ).one()
        db.session.remove()
        upgrade()
        assert _differences() == []
        values = db.session.execute(
            sa.text(
                "SELECT version, changed_at, records_version, records_changed_at "
                "FROM public_versions"
            )
        ).one()
        assert (values[0], str(values[1])) == (before[0], str(before[1]))
        assert (values[2], str(values[3])) == (before[0], str(before[1]))
        db.session.remove()
        downgrade(revision="0021")
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("public_versions")}
        assert columns == {"id", "version", "changed_at"}
        assert db.session.execute(sa.text("SELECT version FROM public_versions")).scalar() == 41
        db.session.remove()
        db.engine.dispose()


def test_code_ahead_of_the_database_serves_pages_uncached_until_0022(
    migrated_app: Flask,
) -> None:
    """Deployed before ``flask db upgrade``: no 500 for reading a column not there yet, and no
    page kept under a version that changes would not move."""
    with migrated_app.app_context():
        upgrade(revision="0021")
        db.session.remove()
    migrated_app.extensions.pop("campaign.public_version_table", None)
    client = migrated_app.test_client()
    first = client.get("/")
    assert first.status_code == 200
    assert "ETag" not in first.headers  # served as it was made, kept nowhere
    with migrated_app.app_context():
        upgrade()
        db.session.remove()
    migrated_app.extensions.pop("campaign.public_version_table", None)
    assert "ETag" in client.get("/").headers
    with migrated_app.app_context():
        db.engine.dispose()


def test_0023_takes_todays_translations_as_made_from_todays_originals_and_goes_back(
    migrated_app: Flask,
) -> None:
    """After the upgrade a translation reads as before; a change of its original afterwards
    puts the original in its place (campaign.util.localised.is_current)."""
    from campaign.models import Case, CaseTranslation
    from campaign.util.localised import shown

    with migrated_app.app_context():
        upgrade(revision="0022")
        db.session.remove()
        case_id = _insert_case(
            "ainur", person_name="Ainur", summary="Journalist.", sentence="15 days"
        )
        now = datetime(2010, 6, 1)
        _raw(
            "case_translations",
            key=str(uuid.uuid4()),
            case_id=case_id,
            language="ru",
            summary="Журналист.",
            sentence="15 суток",
            created_at=now,
            updated_at=now,
        )
        db.session.commit()
        db.session.remove()
        upgrade()
        assert _differences() == []
        translation = db.session.scalars(sa.select(CaseTranslation)).one()
        assert set(translation.made_from or {}) == {"summary", "sentence"}
        case = db.session.get(Case, case_id)
        assert case is not None
        assert shown(case, "sentence", "ru").text == "15 суток"
        case.sentence = "Two years"
        db.session.commit()
        assert shown(case, "sentence", "ru").text == "Two years"
        assert shown(case, "summary", "ru").text == "Журналист."
        db.session.remove()

        downgrade(revision="0022")
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("case_translations")}
        assert "made_from" not in columns
        assert db.session.execute(sa.text("SELECT sentence FROM case_translations")).scalar() == (
            "15 суток"
        )
        db.session.remove()
        db.engine.dispose()


def test_0024_gives_appeals_and_responses_the_language_of_their_cases_and_goes_back(
    migrated_app: Flask,
) -> None:
    """An appeal whose cases are all in one language is taken to be in it; one whose cases
    differ, or that has none, in the site's default; a response in its appeal's. The appeals
    and responses written before read as they did."""
    from campaign.models import Appeal, AppealResponse

    migrated_app.config["BABEL_DEFAULT_LOCALE"] = "ru"
    with migrated_app.app_context():
        upgrade(revision="0023")
        db.session.remove()
        kazakh = _insert_case("ainur", original_language="kk")
        also_kazakh = _insert_case("yesenbek", original_language="kk")
        english = _insert_case("vienna", original_language="en")
        now = datetime(2010, 5, 1)

        def appeal(title: str, case_ids: list[int]) -> int:
            row = {
                "key": str(uuid.uuid4()),
                "title": title,
                "asked": f"{title}: now.",
                "deadline": date(2010, 5, 12),
                "state": "open",
                "opened_on": date(2010, 4, 30),
                "created_at": now,
                "updated_at": now,
            }
            names, marks = ", ".join(row), ", ".join(f":{name}" for name in row)
            statement = f"INSERT INTO appeals ({names}) VALUES ({marks}) RETURNING id"  # noqa: S608
            appeal_id = int(db.session.execute(sa.text(statement), row).scalar_one())
            for case_id in case_ids:
                _raw("appeal_cases", appeal_id=appeal_id, case_id=case_id)
            _raw(
                "appeal_responses",
                key=str(uuid.uuid4()),
                appeal_id=appeal_id,
                received_on=date(2010, 5, 6),
                kind="refused",
                text=f"No to {title}",
                published=True,
                created_at=now,
            )
            return appeal_id

        agreed = appeal("Both in Kazakh", [kazakh, also_kazakh])
        mixed = appeal("Kazakh and English", [kazakh, english])
        alone = appeal("No case", [])
        db.session.commit()
        db.session.remove()

        upgrade()
        assert _differences() == []
        found = {a.id: a for a in db.session.scalars(sa.select(Appeal))}
        assert {i: (a.title, a.original_language) for i, a in found.items()} == {
            agreed: ("Both in Kazakh", "kk"),
            mixed: ("Kazakh and English", "ru"),
            alone: ("No case", "ru"),
        }
        responses = db.session.scalars(sa.select(AppealResponse)).all()
        assert {(r.appeal_id, r.text, r.original_language) for r in responses} == {
            (agreed, "No to Both in Kazakh", "kk"),
            (mixed, "No to Kazakh and English", "ru"),
            (alone, "No to No case", "ru"),
        }
        db.session.remove()

        downgrade(revision="0023")
        for table in ("appeals", "appeal_responses"):
            columns = {c["name"] for c in sa.inspect(db.engine).get_columns(table)}
            assert "original_language" not in columns
        texts = db.session.execute(sa.text("SELECT text FROM appeal_responses")).scalars()
        assert sorted(texts) == [
            "No to Both in Kazakh",
            "No to Kazakh and English",
            "No to No case",
        ]
        assert db.session.execute(sa.text("SELECT COUNT(*) FROM appeal_cases")).scalar() == 4
        db.session.remove()
        db.engine.dispose()


def test_0025_indexes_a_cases_public_messages_by_day_too_and_goes_back(
    migrated_app: Flask,
) -> None:
    def columns() -> list[str]:
        (index,) = [
            i
            for i in sa.inspect(db.engine).get_indexes("messages")
            if i["name"] == "ix_messages_case_public_country"
        ]
        return [str(c) for c in index["column_names"]]

    before = ["case_id", "state", "consent_to_publish", "country"]
    with migrated_app.app_context():
        upgrade(revision="0024")
        db.session.remove()
        assert columns() == before
        upgrade()
        assert columns() == [*before, "created_at"]
        assert _differences() == []
        db.session.remove()
        downgrade(revision="0024")
        assert columns() == before
        db.session.remove()
        db.engine.dispose()
