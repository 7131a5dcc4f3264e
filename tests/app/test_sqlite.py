"""SQLite done right: foreign keys, WAL, a busy timeout, writers that queue rather than fail."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from campaign import create_app
from campaign.database import begin_statement
from campaign.extensions import db
from campaign.models import Case, Organisation
from tests.conftest import base_config

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=False)


def _pragma(name: str) -> object:
    return db.session.execute(sa.text(f"PRAGMA {name}")).scalar()


def test_every_connection_has_foreign_keys_wal_and_a_busy_timeout(app: Flask) -> None:
    with app.app_context():
        assert _pragma("foreign_keys") == 1
        assert _pragma("journal_mode") == "wal"
        assert _pragma("busy_timeout") == app.config["SQLITE_BUSY_TIMEOUT_MS"]


@pytest.mark.parametrize("size", [64 * 1024 * 1024, 0])
def test_the_database_file_is_read_through_a_memory_map_of_the_configured_size(
    app: Flask, tmp_path: Path, size: int
) -> None:
    database = tmp_path / "mapped.sqlite"
    mapped = create_app(
        base_config(
            tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}", SQLITE_MMAP_BYTES=size
        )
    )
    with mapped.app_context():
        assert _pragma("mmap_size") == size
        db.engine.dispose()


def test_foreign_keys_are_enforced(app: Flask) -> None:
    with app.app_context(), pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.text("INSERT INTO event_cases (event_id, case_id) VALUES (999, 999)"))


def test_writes_begin_immediate_and_reads_do_not(app: Flask) -> None:
    from campaign.web.requests import may_write

    with app.test_request_context("/", method="GET"):
        assert begin_statement(may_write()) == "BEGIN"
    with app.test_request_context("/", method="POST"):
        assert begin_statement(may_write()) == "BEGIN IMMEDIATE"
    with app.app_context():  # command-line work may write
        assert begin_statement(may_write()) == "BEGIN IMMEDIATE"


def _writer(database: str, worker: int, rounds: int, errors: multiprocessing.Queue) -> None:
    """Read, then write, in one transaction: the pattern that fails under deferred BEGIN."""
    app = create_app(
        base_config(Path(database).parent, SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}")
    )
    try:
        with app.app_context():
            for n in range(rounds):
                db.session.scalar(sa.select(sa.func.count(Organisation.id)))
                db.session.add(Organisation(name=f"w{worker}-{n}", slug=f"w{worker}-{n}"))
                db.session.commit()
    except Exception as exc:  # reported to the parent, which fails the test
        errors.put(f"{type(exc).__name__}: {exc}")


@pytest.mark.slow  # four Python processes, each starting the app
def test_concurrent_writers_in_several_processes_never_see_database_is_locked(
    app: Flask, tmp_path: Path
) -> None:
    database = str(tmp_path / "test.sqlite")
    workers, rounds = 4, 25
    context = multiprocessing.get_context("spawn")
    errors: multiprocessing.Queue = context.Queue()
    processes = [
        context.Process(target=_writer, args=(database, w, rounds, errors)) for w in range(workers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    problems = []
    while not errors.empty():
        problems.append(errors.get())
    assert problems == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Organisation.id))) == workers * rounds


def test_lower_and_ilike_know_every_script(app: Flask, make_case) -> None:
    make_case(person_name="Айнур Курманов", slug="ak")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.lower("АЙНУР Straße"))) == "айнур straße"
        found = db.session.scalars(
            sa.select(Case.slug).where(Case.person_name.ilike("%курманов%"))
        ).all()
        assert found == ["ak"]


def test_writers_of_one_host_take_turns_on_a_lock_file_given_back_after_each_write(
    app: Flask,
) -> None:
    import fcntl
    import os

    with app.app_context():
        database = db.engine.url.database
        assert database
        lock = f"{database}-writers.lock"

        def free() -> bool:
            fd = os.open(lock, os.O_RDWR)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            finally:
                os.close(fd)  # closing lets go of a lock taken here
            return True

        db.session.add(Organisation(name="Turn", slug="turn"))
        db.session.flush()  # the write transaction has begun: this host's other writers wait
        assert not free()
        db.session.commit()
        assert free()
        assert os.stat(lock).st_mode & 0o777 == 0o600
        db.session.scalar(sa.select(sa.func.count(Organisation.id)))
        assert not free()  # work outside a request may write: it takes its turn too
        db.session.rollback()
        assert free()
    with app.test_request_context("/", method="GET"), app.app_context():
        db.session.scalar(sa.select(sa.func.count(Organisation.id)))
        assert free()  # a page that only reads never waits for the writers
        db.session.rollback()
