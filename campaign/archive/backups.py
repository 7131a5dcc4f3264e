"""Backups of the live database and the photos, and restores that check before they change.

A backup is a directory: the database (``database.sqlite``, copied with SQLite's online backup
API, or ``database.pgdump``, ``pg_dump --format=custom`` of one snapshot), the photos folder
under ``photos/``, and ``manifest.json``, written last: the format, when, the kind of database,
its Alembic revision, every table's row count and each file's SHA-256. A restore reads the
manifest and checks every file, the revision and the database copy itself before it touches
the live database; then it replaces the database in one transaction.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess  # nosec B404  # pg_dump and pg_restore, found on PATH, given a list of arguments
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app

from campaign.database import utcnow
from campaign.extensions import db
from campaign.models import PublicVersion
from campaign.models.site import VERSION_ROW

FORMAT = "campaign-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite"
POSTGRES_FILE = "database.pgdump"
PHOTOS = "photos"
# Tables whose rows say nothing about whether a database is in use (made with the schema, or
# short-lived counters and keys): a database holding only these counts as empty.
BOOKKEEPING = frozenset({"public_versions", "rate_limits", "client_hash_keys", "alembic_version"})
_CHUNK = 1 << 20
MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


class BackupError(Exception):
    """A backup cannot be made, or a restore cannot go ahead; nothing was changed."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _tables() -> list[str]:
    return [table.name for table in db.metadata.sorted_tables]


def _counts(connection: sa.Connection | sqlite3.Connection) -> dict[str, int]:
    """Every model table's row count, read through *connection* (one snapshot)."""
    counts: dict[str, int] = {}
    for name in _tables():
        statement = f'SELECT count(*) FROM "{name}"'  # noqa: S608  # nosec B608  # a model's table
        if isinstance(connection, sqlite3.Connection):
            counts[name] = int(connection.execute(statement).fetchone()[0])
        else:
            counts[name] = int(connection.exec_driver_sql(statement).scalar_one())
    return counts


def _revision(connection: sa.Connection | sqlite3.Connection) -> str | None:
    """The Alembic revision a database is at (None when it was not made by migrations)."""
    statement = "SELECT version_num FROM alembic_version"
    try:
        if isinstance(connection, sqlite3.Connection):
            row = connection.execute(statement).fetchone()
        else:
            with connection.begin_nested():
                row = connection.exec_driver_sql(statement).first()
    except (sqlite3.Error, sa.exc.DBAPIError):
        return None
    return None if row is None else str(row[0])


def code_revision() -> str | None:
    """The revision this version of the app's migrations ends at."""
    from alembic.script import ScriptDirectory  # not at the top: a web worker spares Alembic

    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def _sqlite_path() -> Path:
    database = db.engine.url.database
    if not database or database == ":memory:":
        raise BackupError("the database is in memory: there is nothing on disk to copy")
    return Path(database)


def _postgres_command(program: str) -> tuple[list[str], dict[str, str]]:
    """A PostgreSQL client program and the connection to give it (the password by env)."""
    found = shutil.which(program)
    if found is None:
        raise BackupError(
            f"{program} was not found on PATH: install PostgreSQL's client programs, of the "
            "server's major version or newer (Debian: apt install postgresql-client)"
        )
    url = db.engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None, query={})
    arguments = [found, f"--dbname={plain.render_as_string(hide_password=False)}"]
    options = url.query.get("options")
    schema = re.search(r"search_path=([\w$]+)", str(options or ""))
    if schema and program == "pg_dump":
        arguments.append(f"--schema={schema.group(1)}")
    return arguments, env


def _run(arguments: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(  # noqa: S603  # nosec B603  # a fixed program, no shell
        arguments, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        name = Path(arguments[0]).name
        raise BackupError(f"{name} failed: {lines[-1] if lines else f'status {result.returncode}'}")


def _copy_sqlite(target: Path) -> tuple[dict[str, int], str | None]:
    source = sqlite3.connect(_sqlite_path())
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # the online backup API: a consistent copy while others write
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        return _counts(copy), _revision(copy)
    finally:
        copy.close()
        source.close()


def _dump_postgres(target: Path) -> tuple[dict[str, int], str | None]:
    arguments, env = _postgres_command("pg_dump")
    with db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            counts, revision = _counts(connection), _revision(connection)
            # The dump reads the very snapshot the counts were taken in.
            _run([*arguments, "--format=custom", f"--snapshot={snapshot}", f"--file={target}"], env)
    return counts, revision


def _photo_folder() -> Path:
    return Path(current_app.config["PHOTO_FOLDER"])


def _files(directory: Path) -> Iterator[Path]:
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            yield path


def backup(directory: Path) -> dict[str, Any]:
    """Copy the live database and the photos into *directory* (new or empty); returns the
    manifest. A failure leaves no half-made backup behind."""
    try:
        busy = directory.exists() and (not directory.is_dir() or any(directory.iterdir()))
    except OSError as exc:
        raise BackupError(str(exc)) from None
    if busy:
        raise BackupError(f"{directory} is not an empty directory: choose a new one")
    created = not directory.exists()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        return _backup(directory)
    except (OSError, sqlite3.Error) as exc:
        _discard(directory, created)
        raise BackupError(str(exc)) from None
    except BaseException:
        _discard(directory, created)
        raise


def _discard(directory: Path, created: bool) -> None:
    """Take away what a failed backup made: its directory, or what it put in one."""
    try:
        if created:
            shutil.rmtree(directory, ignore_errors=True)
        else:
            for child in directory.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
    except OSError:
        pass  # the error that stopped the backup is the one to report


def _backup(directory: Path) -> dict[str, Any]:
    kind = db.engine.dialect.name
    db.session.remove()
    if kind == "sqlite":
        name = SQLITE_FILE
        counts, revision = _copy_sqlite(directory / name)
    elif kind == "postgresql":
        name = POSTGRES_FILE
        counts, revision = _dump_postgres(directory / name)
    else:
        raise BackupError(f"backups of a {kind} database are not supported")
    photos = _photo_folder()
    if photos.is_dir():
        shutil.copytree(photos, directory / PHOTOS)
    files = {name: _sha256(directory / name)}
    for path in _files(directory / PHOTOS) if (directory / PHOTOS).is_dir() else ():
        files[path.relative_to(directory).as_posix()] = _sha256(path)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": kind,
        "alembic_revision": revision,
        "tables": counts,
        "files": files,
    }
    _write_json(directory / MANIFEST, manifest)
    return manifest


def _write_json(path: Path, data: dict[str, Any]) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".manifest.", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(data, stream, indent=2, sort_keys=False)
        stream.write("\n")
    os.replace(temporary, path)


# --- restore --------------------------------------------------------------------------------


def read_manifest(directory: Path) -> dict[str, Any]:
    """The manifest of a backup, checked for shape (not yet against the files)."""
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(f"{path} is missing: this is not a backup, or an incomplete one")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise BackupError(f"{path} cannot be read: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not the manifest of a campaign backup")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{path} is of backup format {manifest.get('format_version')!r}; "
            f"this version of the app reads format {FORMAT_VERSION}"
        )
    shapes = {
        "created_at": str,
        "database": str,
        "tables": dict,
        "files": dict,
    }
    for key, kind in shapes.items():
        if not isinstance(manifest.get(key), kind):
            raise BackupError(f"{path}: {key!r} is missing or malformed")
    return manifest


def _inside(directory: Path, name: Any) -> Path:
    """A file named in the manifest, refused if the name leads out of the backup."""
    if not isinstance(name, str) or not name or name.startswith("/") or "\\" in name:
        raise BackupError(f"the manifest names a file badly: {name!r}")
    path = (directory / name).resolve()
    if directory.resolve() not in path.parents:
        raise BackupError(f"the manifest names a file outside the backup: {name!r}")
    return path


def check(directory: Path) -> dict[str, Any]:
    """Everything a restore checks before it changes anything; returns the manifest."""
    manifest = read_manifest(directory)
    kind = db.engine.dialect.name
    if manifest["database"] != kind:
        raise BackupError(
            f"this is a backup of a {manifest['database']} database and this site runs on "
            f"{kind}: move a campaign between kinds of database with export and import"
        )
    database = SQLITE_FILE if kind == "sqlite" else POSTGRES_FILE
    if database not in manifest["files"]:
        raise BackupError(f"the manifest lists no {database}: the backup is incomplete")
    for name, checksum in manifest["files"].items():
        path = _inside(directory, name)
        if not path.is_file():
            raise BackupError(f"{name} is missing from the backup")
        if _sha256(path) != checksum:
            raise BackupError(f"{name} does not match its checksum: the backup is damaged")
    expected = code_revision()
    if manifest.get("alembic_revision") != expected:
        raise BackupError(
            f"the backup is of database revision {manifest.get('alembic_revision')!r} and this "
            f"version of the app needs {expected!r}: restore it with the version that made it, "
            "then upgrade"
        )
    if kind == "sqlite":
        _check_sqlite_copy(directory / database, manifest)
    else:
        arguments, env = _postgres_command("pg_restore")
        _run([arguments[0], "--list", str(directory / database)], env)
    return manifest


def _check_sqlite_copy(path: Path, manifest: dict[str, Any]) -> None:
    """The copy opens, passes SQLite's integrity check and holds what the manifest says."""
    try:
        copy = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                raise BackupError(f"{path.name} fails SQLite's integrity check: {verdict}")
            if _revision(copy) != manifest.get("alembic_revision"):
                raise BackupError(f"{path.name} is not at the revision the manifest says")
            if _counts(copy) != manifest["tables"]:
                raise BackupError(f"{path.name} does not hold the rows the manifest counts")
        finally:
            copy.close()
    except sqlite3.Error as exc:
        raise BackupError(f"{path.name} cannot be read as a SQLite database: {exc}") from None


def holds_data() -> bool:
    """Whether the live database holds anything a restore would destroy."""
    inspector = sa.inspect(db.engine)
    present = set(inspector.get_table_names())
    for name in _tables():
        if name in BOOKKEEPING or name not in present:
            continue
        statement = sa.text(f'SELECT 1 FROM "{name}" LIMIT 1')  # noqa: S608  # nosec B608
        if db.session.execute(statement).first() is not None:
            return True
    return False


@contextmanager
def _released() -> Iterator[None]:
    """No connection of this process open on the database while it is replaced."""
    db.session.remove()
    db.engine.dispose()
    try:
        yield
    finally:
        db.engine.dispose()


def restore(directory: Path, *, replace: bool = False) -> dict[str, Any]:
    """Restore a backup into the live database (and photos folder); returns its manifest."""
    try:
        manifest = check(directory)
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(f"the backup cannot be read: {exc}") from None
    if holds_data() and not replace:
        raise BackupError(
            "the database already holds data: restore with --replace to overwrite all of it"
        )
    before = _public_version()
    with _released():
        if manifest["database"] == "sqlite":
            _restore_sqlite(directory / SQLITE_FILE)
        else:
            arguments, env = _postgres_command("pg_restore")
            _run(
                [
                    *arguments,
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    "--exit-on-error",
                    str(directory / POSTGRES_FILE),
                ],
                env,
            )
    _move_public_version_past(before)
    try:
        _restore_photos(directory / PHOTOS)
    except OSError as exc:
        raise BackupError(
            f"the database was restored, but the photos could not be ({exc}): copy the "
            f"backup's {PHOTOS} folder to {_photo_folder()} by hand"
        ) from None
    return manifest


def _public_version() -> int:
    """The live public-data version (0 where there is none yet)."""
    try:
        found = db.session.scalar(sa.select(sa.func.max(PublicVersion.version)))
    except sa.exc.DBAPIError:
        found = None
    db.session.rollback()
    return int(found or 0)


def _move_public_version_past(before: int) -> None:
    """Past both the version the site had and the one restored: a page cached before the
    restore (under either number) is never served for the restored data."""
    number, now = max(before, _public_version()) + 1, utcnow()
    db.session.execute(
        sa.update(PublicVersion)
        .where(PublicVersion.id == VERSION_ROW)
        .values(version=number, changed_at=now, records_version=number, records_changed_at=now),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()


def _restore_sqlite(copy: Path) -> None:
    source = sqlite3.connect(f"{copy.resolve().as_uri()}?mode=ro", uri=True)
    live = sqlite3.connect(_sqlite_path(), timeout=30)
    try:
        source.backup(live)  # one write transaction on the live file: all of it or none
    except sqlite3.Error as exc:
        raise BackupError(f"the database could not be replaced: {exc}") from None
    finally:
        live.close()
        source.close()


def _restore_photos(photos: Path) -> None:
    """The photos folder becomes the backup's (left alone when the backup has none)."""
    if not photos.is_dir():
        return
    folder = _photo_folder()
    folder.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".photos-restore-"))
    shutil.copytree(photos, fresh, dirs_exist_ok=True)
    old = folder.with_name(f".{folder.name}-replaced")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        folder.rename(old)
    fresh.rename(folder)
    shutil.rmtree(old, ignore_errors=True)
