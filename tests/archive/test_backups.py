"""`flask backup` and `flask restore`: a consistent copy, and restores that check first.

The PostgreSQL half runs pg_dump and pg_restore (processes), so it is marked slow.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from campaign.archive import backups
from campaign.extensions import db
from campaign.models import Case, Event, PublicVersion
from tests.archive.conftest import fill_campaign
from tests.conftest import count_rows

Snapshot = Callable[[], dict[str, list[tuple[Any, ...]]]]


@pytest.fixture
def site(stamped: Flask, tmp_path: Path) -> Flask:
    """A site with a full campaign and a photo, its database at the migrations' head."""
    photos = tmp_path / "photos"
    (photos / "cases").mkdir(parents=True)
    (photos / "kurmanov.jpg").write_bytes(b"\xff\xd8 a photo")
    (photos / "cases" / "other.jpg").write_bytes(b"\xff\xd8 another")
    stamped.config["PHOTO_FOLDER"] = str(photos)
    with stamped.app_context():
        fill_campaign()
    return stamped


def _invoke(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=list(args))


def _rows(app: Flask, snapshot: Snapshot) -> dict[str, list[tuple[Any, ...]]]:
    with app.app_context():
        return snapshot()


def _spoil(app: Flask) -> None:
    """Change the live database after the backup: a new case, an event gone, a case edited."""
    with app.app_context():
        db.session.add(Case(slug="after-the-backup", person_name="After"))
        event = db.session.scalars(sa.select(Event).order_by(Event.id)).first()
        db.session.delete(event)
        case = db.session.scalars(sa.select(Case).order_by(Case.id)).first()
        assert case is not None
        case.summary = "Changed after the backup"
        db.session.commit()


def test_backup_then_restore_reproduces_every_row_and_photo(
    site: Flask, snapshot: Snapshot, tmp_path: Path
) -> None:
    before = _rows(site, snapshot)
    target = tmp_path / "backup"
    result = _invoke(site, "backup", str(target))
    assert result.exit_code == 0, result.output
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "campaign-backup"
    assert manifest["database"] in {"sqlite", "postgresql"}
    assert manifest["alembic_revision"] == backups.code_revision()
    assert manifest["tables"]["cases"] == len(before["cases"])
    assert set(manifest["tables"]) == set(before)
    assert {"photos/kurmanov.jpg", "photos/cases/other.jpg"} <= set(manifest["files"])

    _spoil(site)
    (Path(site.config["PHOTO_FOLDER"]) / "kurmanov.jpg").unlink()
    refused = _invoke(site, "restore", str(target))
    assert refused.exit_code == 1
    assert "--replace" in refused.output
    assert _rows(site, snapshot) != before

    with site.app_context():
        version = db.session.scalar(sa.select(PublicVersion.version))
    result = _invoke(site, "restore", str(target), "--replace")
    assert result.exit_code == 0, result.output
    after = _rows(site, snapshot)
    # The public-data version moves past the site's, so no page cached before is served.
    moved = after.pop("public_versions")[0]
    assert moved[1] > version
    assert moved[3] == moved[1]  # the records' version too: calendars and feeds made again
    assert after == {k: v for k, v in before.items() if k != "public_versions"}
    photos = Path(site.config["PHOTO_FOLDER"])
    assert (photos / "kurmanov.jpg").read_bytes() == b"\xff\xd8 a photo"
    assert (photos / "cases" / "other.jpg").read_bytes() == b"\xff\xd8 another"
    verify = _invoke(site, "audit", "verify")
    assert verify.exit_code == 0, verify.output


def test_a_restore_into_an_empty_database_needs_no_replace(
    site: Flask, snapshot: Snapshot, tmp_path: Path
) -> None:
    before = _rows(site, snapshot)
    target = tmp_path / "backup"
    assert _invoke(site, "backup", str(target)).exit_code == 0
    with site.app_context():
        for table in reversed(db.metadata.sorted_tables):
            if table.name != "public_versions":
                db.session.execute(table.delete())
        db.session.commit()
        assert count_rows(Case) == 0
    result = _invoke(site, "restore", str(target))
    assert result.exit_code == 0, result.output
    after, before = _rows(site, snapshot), dict(before)
    after.pop("public_versions")
    before.pop("public_versions")
    assert after == before


def _damage(target: Path, how: str) -> str:
    """Damage a backup; returns words the refusal must say."""
    manifest_path = target / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    database = next(name for name in manifest["files"] if name.startswith("database."))
    if how == "checksum":
        with (target / "photos" / "kurmanov.jpg").open("ab") as stream:
            stream.write(b"!")
        return "photos/kurmanov.jpg does not match its checksum"
    if how == "missing file":
        (target / "photos" / "cases" / "other.jpg").unlink()
        return "photos/cases/other.jpg is missing"
    if how == "missing manifest":
        manifest_path.unlink()
        return "manifest.json is missing"
    if how == "truncated dump":
        data = (target / database).read_bytes()
        (target / database).write_bytes(data[: len(data) // 2])
        return "does not match its checksum"
    if how == "truncated and checksum forged":
        data = (target / database).read_bytes()
        (target / database).write_bytes(data[: len(data) // 2])
        manifest["files"][database] = backups._sha256(target / database)
        manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
        return "Nothing was restored"
    if how == "revision":
        manifest["alembic_revision"] = "0001"
        manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
        return "revision '0001'"
    if how == "outside":
        manifest["files"]["../../etc/passwd"] = "0" * 64
        manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
        return "outside the backup"
    if how == "not a manifest":
        manifest_path.write_text("[1, 2", encoding="utf-8")
        return "cannot be read"
    raise AssertionError(how)


@pytest.mark.parametrize(
    "how",
    [
        "checksum",
        "missing file",
        "missing manifest",
        "truncated dump",
        "truncated and checksum forged",
        "revision",
        "outside",
        "not a manifest",
    ],
)
def test_a_damaged_or_incomplete_backup_stops_before_changing_anything(
    site: Flask, snapshot: Snapshot, tmp_path: Path, how: str
) -> None:
    target = tmp_path / "backup"
    assert _invoke(site, "backup", str(target)).exit_code == 0
    _spoil(site)
    spoiled = _rows(site, snapshot)
    words = _damage(target, how)
    result = _invoke(site, "restore", str(target), "--replace")
    assert result.exit_code == 1
    assert "Nothing was restored" in result.output
    assert words in result.output
    assert "Traceback" not in result.output
    assert _rows(site, snapshot) == spoiled
    assert (Path(site.config["PHOTO_FOLDER"]) / "kurmanov.jpg").exists()


def test_a_backup_refuses_a_folder_that_holds_files(site: Flask, tmp_path: Path) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "keep.txt").write_text("mine", encoding="utf-8")
    result = _invoke(site, "backup", str(target))
    assert result.exit_code == 1
    assert "not an empty directory" in result.output
    assert sorted(p.name for p in target.iterdir()) == ["keep.txt"]


def test_the_sqlite_copy_is_one_consistent_file(site: Flask, backend: str, tmp_path: Path) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite's copy")
    target = tmp_path / "backup"
    assert _invoke(site, "backup", str(target)).exit_code == 0
    assert sorted(p.name for p in target.iterdir()) == [
        "database.sqlite",
        "manifest.json",
        "photos",
    ]
    copy = sqlite3.connect(target / "database.sqlite")
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        copy.close()


def test_without_pg_dump_the_backup_says_what_to_install(
    site: Flask, backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if backend != "postgres":
        pytest.skip("pg_dump is PostgreSQL's")
    monkeypatch.setenv("PATH", str(tmp_path / "empty-path"))
    result = _invoke(site, "backup", str(tmp_path / "backup"))
    assert result.exit_code == 1
    assert "pg_dump was not found on PATH" in result.output
    assert not (tmp_path / "backup").exists()


def test_a_backup_of_another_kind_of_database_is_refused(
    site: Flask, backend: str, tmp_path: Path
) -> None:
    target = tmp_path / "backup"
    assert _invoke(site, "backup", str(target)).exit_code == 0
    manifest_path = target / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["database"] = "postgresql" if backend == "sqlite" else "sqlite"
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    result = _invoke(site, "restore", str(target), "--replace")
    assert result.exit_code == 1
    assert "export and import" in result.output


def test_a_backup_that_cannot_be_written_says_why(site: Flask, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    result = _invoke(site, "backup", str(tmp_path / "a-file" / "backup"))
    assert result.exit_code == 1
    assert "No backup was made" in result.output
    assert "Traceback" not in result.output
