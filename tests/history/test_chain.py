"""The audit trail shows tampering: ``flask audit verify`` names the first entry changed,
inserted or deleted directly in the database, and concurrent writers never fork the chain."""

from __future__ import annotations

import threading
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from campaign.extensions import db
from campaign.models import AuditEntry, Case


def _make_trail(app: Flask, make_case: Callable[..., Case], count: int = 4) -> list[int]:
    """A few cases, each with its creation entry; returns the entries' ids in order."""
    for n in range(count):
        make_case(person_name=f"Person {n}")
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEntry.id).order_by(AuditEntry.chain_seq)))


def _sql(app: Flask, statement: str, **values: object) -> None:
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(sa.text(statement), values)


def test_an_untouched_trail_is_intact(
    app: Flask, runner: FlaskCliRunner, make_case: Callable[..., Case]
) -> None:
    ids = _make_trail(app, make_case)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert f"intact: {len(ids)} entries checked" in result.output


def test_an_edited_entry_is_named(
    app: Flask, runner: FlaskCliRunner, make_case: Callable[..., Case]
) -> None:
    ids = _make_trail(app, make_case)
    _sql(app, "UPDATE audit_entries SET actor = 'Someone else' WHERE id = :id", id=ids[1])
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"broken at entry #{ids[1]}: it was changed" in result.output


def test_an_entry_edited_together_with_its_hash_is_named_too(
    app: Flask, runner: FlaskCliRunner, make_case: Callable[..., Case]
) -> None:
    """Without the key a new hash cannot be made: a plain SHA-256 in its place is refused."""
    ids = _make_trail(app, make_case)
    _sql(
        app,
        "UPDATE audit_entries SET object_label = 'x', chain_hash = :fake WHERE id = :id",
        id=ids[2],
        fake="0" * 64,
    )
    assert f"broken at entry #{ids[2]}" in runner.invoke(args=["audit", "verify"]).output


def test_a_deleted_entry_is_noticed_at_the_entry_after_it(
    app: Flask, runner: FlaskCliRunner, make_case: Callable[..., Case]
) -> None:
    ids = _make_trail(app, make_case)
    _sql(app, "DELETE FROM audit_entries WHERE id = :id", id=ids[1])
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"broken at entry #{ids[2]}: the entry before it in the chain was deleted" in (
        result.output
    )


def test_entries_deleted_from_the_end_are_noticed(
    app: Flask, runner: FlaskCliRunner, make_case: Callable[..., Case]
) -> None:
    ids = _make_trail(app, make_case)
    _sql(app, "DELETE FROM audit_entries WHERE id = :id", id=ids[-1])
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"broken at entry #{ids[-2]}" in result.output
    assert "entries after it were deleted" in result.output


def test_an_inserted_entry_is_named(
    app: Flask, runner: FlaskCliRunner, make_case: Callable[..., Case]
) -> None:
    ids = _make_trail(app, make_case)
    insert = (
        "INSERT INTO audit_entries (created_at, actor, action, object_type, object_id,"
        " object_label, changes, chain_seq, chain_hash) VALUES ('2026-01-01 10:00:00', 'Dana',"
        " 'delete', 'case', 1, 'Person 0', '{}', :seq, :fake)"
    )
    _sql(app, insert, seq=len(ids) + 1, fake="f" * 64)
    with app.app_context():
        forged = db.session.scalar(sa.select(sa.func.max(AuditEntry.id)))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"broken at entry #{forged}: it was changed or inserted" in result.output
    _sql(app, "UPDATE audit_entries SET chain_seq = NULL WHERE id = :id", id=forged)
    assert f"broken at entry #{forged}: it is not in the chain" in (
        runner.invoke(args=["audit", "verify"]).output
    )


def test_concurrent_writers_never_fork_the_chain(
    app: Flask, runner: FlaskCliRunner, backend: str
) -> None:
    """Writers in several threads (each its own connection) all land in one unbroken chain."""

    def write(n: int) -> None:
        with app.app_context():
            for k in range(3):
                db.session.add(Case(slug=f"c-{n}-{k}", person_name=f"Case {n} {k}"))
                db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact: 12 entries checked" in result.output
