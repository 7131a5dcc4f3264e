"""Fixtures and shared helpers: an app on a fresh database per test (SQLite always, PostgreSQL
when configured), factories for its rows, and the forms the tests fill in.

No test file imports from another: what two of them need lives here, or in the conftest.py of
the one folder that needs it.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from jinja2.bccache import Bucket, BytecodeCache

from campaign import create_app
from campaign.accounts.passwords import hash_password
from campaign.extensions import db
from campaign.models import (
    AuditEntry,
    Case,
    CaseStatus,
    Event,
    EventType,
    Message,
    MessageState,
    Role,
    User,
    Visibility,
)

# The checkout: the package, the templates and the static files the tests read.
ROOT = Path(__file__).resolve().parents[1]

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
NO_POSTGRES = "TEST_DATABASE_URL is not set: the PostgreSQL run of the suite is skipped"

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def base_config(tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    """A test configuration: cheap password hashing, CSRF off unless a test turns it on."""
    config: dict[str, Any] = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.sqlite'}",
        "WTF_CSRF_ENABLED": False,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 8,
        "ARGON2_PARALLELISM": 1,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return config


# Under pytest-xdist each worker has its own PostgreSQL schema, so workers never share a table.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
POSTGRES_SCHEMA = f"test_{XDIST_WORKER}" if XDIST_WORKER else None


def _postgres_url() -> str:
    """The PostgreSQL the tests use: TEST_DATABASE_URL, in this worker's own schema if any."""
    assert TEST_DATABASE_URL
    if POSTGRES_SCHEMA is None:
        return TEST_DATABASE_URL
    url = sa.engine.make_url(TEST_DATABASE_URL).update_query_dict(
        {"options": f"-csearch_path={POSTGRES_SCHEMA}"}
    )
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def _postgres_schema() -> Iterator[None]:
    """Create the tables on PostgreSQL once per run; each test then empties them."""
    if not TEST_DATABASE_URL:
        yield
        return
    config = base_config(Path("/nonexistent"), SQLALCHEMY_DATABASE_URI=TEST_DATABASE_URL)
    if POSTGRES_SCHEMA is not None:
        admin = create_app(config)
        with admin.app_context(), db.engine.begin() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{POSTGRES_SCHEMA}"')
        with admin.app_context():
            db.engine.dispose()
    app = create_app({**config, "SQLALCHEMY_DATABASE_URI": _postgres_url()})
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        db.create_all()
    yield
    with app.app_context():
        db.drop_all()
        if POSTGRES_SCHEMA is not None:
            with db.engine.begin() as connection:
                connection.exec_driver_sql(f'DROP SCHEMA "{POSTGRES_SCHEMA}" CASCADE')
        db.engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Which database this test runs on."""
    if request.param == "postgres":
        if not TEST_DATABASE_URL:
            pytest.skip(NO_POSTGRES)  # from here, so the summary folds all of them into one line
        request.getfixturevalue("_postgres_schema")
    return str(request.param)


@pytest.fixture
def app_config(backend: str, tmp_path: Path) -> dict[str, Any]:
    """The configuration the ``app`` fixture builds from; tests may change it before use."""
    config = base_config(tmp_path)
    if backend == "postgres":
        config["SQLALCHEMY_DATABASE_URI"] = _postgres_url()
    return config


class _CompiledTemplates(BytecodeCache):
    """Templates compiled once per run, not once per test: a new app has a new Jinja environment.

    Jinja keys each entry by the template's file and checks it against a checksum of the source,
    so a template that changes is compiled afresh.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = _CompiledTemplates()


# The apps a test made (make_app), whose database connections close when it ends.
_MADE_APPS: list[Flask] = []


def make_app(config: dict[str, Any]) -> Flask:
    """``create_app(config)``, sharing the run's compiled templates with every other test app.
    Its engine is disposed of when the test ends (:func:`_close_made_apps`)."""
    app = create_app(config)
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    _MADE_APPS.append(app)
    return app


@pytest.fixture(autouse=True)
def _close_made_apps() -> Iterator[None]:
    """Close the connections of every app the test made, the second apps of a test too ("a
    second worker"): left to the garbage collector, a PostgreSQL connection still open warns
    (ResourceWarning) in whichever later test the collector happens to run, and fails it."""
    made_before = len(_MADE_APPS)
    yield
    while len(_MADE_APPS) > made_before:
        made = _MADE_APPS.pop()
        with made.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def _empty_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database with the current schema and no rows, made once per run (per worker)."""
    path = tmp_path_factory.mktemp("schema") / "empty.sqlite"
    app = create_app(base_config(path.parent, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}"))
    with app.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()  # the last connection folds the write-ahead log into the file
    return path


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL, or None for another database or one in memory."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return None if parsed.database == ":memory:" else Path(parsed.database)


@pytest.fixture
def app(
    app_config: dict[str, Any], backend: str, request: pytest.FixtureRequest
) -> Iterator[Flask]:
    """The app on an empty database with the current schema."""
    database = _sqlite_file(str(app_config["SQLALCHEMY_DATABASE_URI"]))
    fresh_copy = backend == "sqlite" and database is not None and not database.exists()
    if fresh_copy:  # a copy of the empty database costs far less than creating every table
        shutil.copyfile(request.getfixturevalue("_empty_sqlite"), database)
    app = make_app(app_config)
    if backend == "sqlite" and not fresh_copy:
        with app.app_context():
            db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        if backend == "postgres":
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as connection:
                connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser without JavaScript."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """The ``flask`` command line."""
    return app.test_cli_runner()


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    """An application context for tests that use the models directly."""
    with app.app_context():
        yield app


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Create a user (committed); ``password`` defaults to one that passes the policy."""
    counter = iter(range(1, 10_000))

    def factory(role: Role | str = Role.ORGANISER, **overrides: Any) -> User:
        n = next(counter)
        password = overrides.pop("password", "correct horse battery staple")
        with app.app_context():
            user = User(
                email=overrides.pop("email", f"user{n}@example.org"),
                display_name=overrides.pop("display_name", f"User {n}"),
                role=Role(role),
                password_hash=hash_password(password),
                **overrides,
            )
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
        return user

    return factory


@pytest.fixture
def make_case(app: Flask) -> Callable[..., Case]:
    """Create a published case (committed) with sensible defaults."""
    counter = iter(range(1, 10_000))

    def factory(**overrides: Any) -> Case:
        n = next(counter)
        with app.app_context():
            case = Case(
                slug=overrides.pop("slug", f"person-{n}"),
                person_name=overrides.pop("person_name", f"Person {n}"),
                status=overrides.pop("status", CaseStatus.DETAINED),
                published=overrides.pop("published", True),
                **overrides,
            )
            db.session.add(case)
            db.session.commit()
            db.session.refresh(case)
            db.session.expunge(case)
        return case

    return factory


@pytest.fixture
def make_event(app: Flask) -> Callable[..., Event]:
    """Create an event (committed) for the cases given by id in ``case_ids``."""

    def factory(case_ids: list[int], **overrides: Any) -> Event:
        with app.app_context():
            cases = [db.session.get(Case, cid) for cid in case_ids]
            event = Event(
                type=overrides.pop("type", EventType.PICKET),
                title=overrides.pop("title", "A picket"),
                date=overrides.pop("date", date(2010, 5, 4)),
                cases=cases,
                **overrides,
            )
            db.session.add(event)
            db.session.commit()
            db.session.refresh(event)
            db.session.expunge(event)
        return event

    return factory


@pytest.fixture
def login(app: Flask) -> Callable[..., FlaskClient]:
    """Sign a test client in through the real login form; returns the client."""

    def sign_in(
        client: FlaskClient, user: User, password: str = "correct horse battery staple"
    ) -> FlaskClient:
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return sign_in


@pytest.fixture
def staff_client(
    app: Flask, make_user: Callable[..., User], login: Callable[..., FlaskClient]
) -> Callable[..., FlaskClient]:
    """A new test client signed in as a new user with the given role."""

    def factory(role: Role | str = Role.ORGANISER, **overrides: Any) -> FlaskClient:
        user = make_user(role, **overrides)
        client = app.test_client()
        client.user = user  # type: ignore[attr-defined]
        return login(client, user)

    return factory


@pytest.fixture
def make_message(app: Flask) -> Callable[..., int]:
    """Create a message of support (committed, pending review unless told) and return its id."""

    def factory(case_id: int, **overrides: Any) -> int:
        with app.app_context():
            message = Message(
                case_id=case_id,
                body=overrides.pop("body", "Stay strong"),
                country=overrides.pop("country", "DE"),
                consent_to_publish=overrides.pop("consent_to_publish", True),
                **overrides,
            )
            db.session.add(message)
            db.session.commit()
            return int(message.id)

    return factory


def fetch(app: Flask, model: type[Any], object_id: int) -> Any:
    """Load one row afresh, detached from the session, for assertions."""
    with app.app_context():
        row = db.session.get(model, object_id)
        assert row is not None, f"{model.__name__} {object_id} does not exist"
        db.session.expunge(row)
        return row


def audit_entries(
    app: Flask, object_type: str, object_id: int, action: str | None = None
) -> list[AuditEntry]:
    """The audit trail of one object (of one *action* if given), oldest first, detached."""
    with app.app_context():
        query = sa.select(AuditEntry).where(
            AuditEntry.object_type == object_type, AuditEntry.object_id == object_id
        )
        if action is not None:
            query = query.where(AuditEntry.action == action)
        entries = list(db.session.scalars(query.order_by(AuditEntry.id)))
        db.session.expunge_all()
        return entries


def count_rows(model: type[Any]) -> int:
    """How many rows a table holds (call inside an app context)."""
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def version_of(html: str) -> str:
    """The record version a staff form carries, to send back with the edit."""
    match = re.search(r'name="version" type="hidden" value="(\d+)"', html) or re.search(
        r'type="hidden" name="version" value="(\d+)"', html
    )
    assert match, "the form carries the loaded version"
    return match.group(1)


def loaded_of(html: str) -> str:
    """What a staff edit form says it showed, field by field, to send back with the edit."""
    match = re.search(r'name="loaded" type="hidden" value="([^"]*)"', html) or re.search(
        r'type="hidden" name="loaded" value="([^"]*)"', html
    )
    assert match, "the form carries the fingerprints of what it showed"
    return match.group(1)


def case_form(**overrides: Any) -> dict[str, Any]:
    """A valid submission of the staff case form."""
    data: dict[str, Any] = {
        "person_name": "Ainur Kurmanov",
        "person_name_original": "Айнур Курманов",
        "slug": "",
        "country": "KZ",
        "city": "Almaty",
        "status": "detained",
        "arrest_date": "2010-04-27",
        "arrest_date_precision": "day",
        "arrest_date_approximate": "y",
        "sentence": "15 days",
    }
    data.update(overrides)
    return data


def event_form(case_ids: list[int], **overrides: Any) -> dict[str, Any]:
    """A valid submission of the full staff event form."""
    data: dict[str, Any] = {
        "type": "picket",
        "title": "Picket at the embassy",
        "cases": case_ids,
        "date": "2010-05-04",
        "date_precision": "day",
        "venue": "Embassy of Kazakhstan",
        "city": "Moscow",
        "country": "RU",
        "participants": "40",
        "organisations-0": "CWI Russia",
        "organisations-1": "Vpered",
        "organisations-2": "",
        "visibility": "public",
        "sources-0-url": "https://example.org/report",
        "sources-0-title": "Report of the picket",
        "sources-1-url": "",
        "sources-1-title": "",
    }
    data.update(overrides)
    return data


def picket_form(case_ids: list[int], **overrides: Any) -> dict[str, Any]:
    """A valid submission of the quick picket form."""
    data: dict[str, Any] = {
        "type": "picket",
        "cases": case_ids,
        "organisation": "CWI Austria (SLP)",
        "venue": "OSCE building",
        "city": "Vienna",
        "date": "2010-05-06",
        "participants": "",
        "link": "",
        "note": "",
    }
    data.update(overrides)
    return data


# The public message form, filled in the way a supporter does.
SUPPORT_FORM = {
    "body": "Stay strong, Ainur. Greetings from the workers of Vienna.",
    "display_name": "Anna",
    "country": "AT",
    "organisation": "SLP",
    "email": "anna@example.org",
    "language": "en",
    "consent": "y",
}


def aged_token(app: Flask, seconds: float = 60) -> str:
    """A support-form token as if the form had been shown *seconds* ago."""
    from campaign.messages import spam

    with app.app_context():
        return spam.issue_form_token(now=time.time() - seconds)


def post_message(
    client: FlaskClient, app: Flask, slug: str, token: str | None = None, **fields: Any
) -> Any:
    """Send the support form the way a browser does, after a human pause."""
    data = {**SUPPORT_FORM, "form_token": token or aged_token(app), **fields}
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(f"/cases/{slug}/support", data=data)


def stored(app: Flask) -> list[Message]:
    """Every stored message of support, oldest first."""
    with app.app_context():
        return list(db.session.scalars(sa.select(Message).order_by(Message.id)))


@pytest.fixture
def make_published_message(make_message: Callable[..., int]) -> Callable[..., int]:
    """``make_message`` with public-side defaults: published, and with an e-mail to hide."""

    def factory(case_id: int, **overrides: Any) -> int:
        overrides.setdefault("body", "Solidarity!")
        overrides.setdefault("country", "AT")
        overrides.setdefault("state", MessageState.PUBLISHED)
        overrides.setdefault("email", "supporter@example.net")
        return make_message(case_id, **overrides)

    return factory


LONG_HISTORY_COUNTRIES = ("RU", "AT", "GB", "DE", "CA", "US", "ZA", "NG", "AU", "LK")


def add_long_history(
    case_id: int, *, events: int, messages: int, start: date = date(2020, 1, 1)
) -> None:
    """Add many public events (one a day, alternating families) and public messages to a case.

    Call inside an app context.
    """
    case = db.session.get(Case, case_id)
    assert case is not None
    types = (EventType.PICKET, EventType.HEARING, EventType.LETTER, EventType.TRANSFER)
    rows = [
        Event(
            type=types[i % len(types)],
            title=f"Event {i}",
            date=start + timedelta(days=i),
            city="Vienna",
            country="AT",
            visibility=Visibility.PUBLIC,
            cases=[case],
        )
        for i in range(events)
    ]
    db.session.add_all(rows)
    countries = LONG_HISTORY_COUNTRIES
    db.session.add_all(
        Message(
            case_id=case_id,
            body=f"Message {i}",
            country=countries[i % len(countries)],
            state=MessageState.PUBLISHED,
            consent_to_publish=True,
            created_at=datetime(start.year, start.month, start.day, 12, tzinfo=UTC)
            + timedelta(hours=i * 7),
        )
        for i in range(messages)
    )
    db.session.commit()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A browser test is a slow one, even if its module forgets to say so (make test-fast)."""
    for item in items:
        if item.get_closest_marker("browser") and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say once per reason, visibly, which tests were skipped and why (not once per test)."""
    from collections import Counter

    reasons: Counter[str] = Counter()
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reasons[reason.removeprefix("Skipped: ")] += 1
    for reason, count in sorted(reasons.items()):
        terminalreporter.write_line(f"{count} skipped: {reason}", yellow=True)


# -- a real SMTP server for the outbox worker (tests/outbox, tests/subscriptions) -------------


def _free_port() -> int:
    """A port nothing listens on now: fixed ports collide with other runs on a shared machine."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SMTPInbox:
    """What the local SMTP server received, and how it answers: ``refuse_with`` set to an
    SMTP reply ("451 4.3.0 Try again later") makes it refuse every message."""

    def __init__(self, port: int) -> None:
        import threading

        self.port = port
        self.received: list[tuple[list[str], Any]] = []
        self.attempts = 0
        self.refuse_with: str | None = None
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        from email import message_from_bytes, policy

        with self._lock:
            self.attempts += 1
            if self.refuse_with:
                return self.refuse_with
            message = message_from_bytes(envelope.content, policy=policy.default)
            self.received.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    @property
    def messages(self) -> list[Any]:
        return [message for _recipients, message in self.received]

    def config(self) -> dict[str, Any]:
        """The app's settings to send here."""
        return {
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": self.port,
            "MAIL_USE_TLS": False,
            "MAIL_USERNAME": None,
            "MAIL_FROM": "Campaign <campaign@example.org>",
        }


@pytest.fixture
def smtp_server() -> Iterator[SMTPInbox]:
    """An SMTP server (aiosmtpd) on a local port for the test; what it receives is kept."""
    import logging

    from aiosmtpd.controller import Controller

    # The test server logs each recipient: quiet, so a test can check the app's logs for them.
    server_log = logging.getLogger("mail.log")
    level = server_log.level
    server_log.setLevel(logging.WARNING)
    port = _free_port()
    inbox = SMTPInbox(port)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
        server_log.setLevel(level)
