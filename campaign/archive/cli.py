"""The ``flask export``, ``import``, ``backup`` and ``restore`` commands.

Each prints one sentence on success and, on bad input, a message naming the place in the file
(or the file of the backup) and exits with status 1, never a traceback.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click
from flask.cli import with_appcontext

from campaign.archive import backups
from campaign.archive.records import KINDS
from campaign.archive.services import (
    ArchiveInvalid,
    export_campaign,
    export_json,
    import_campaign,
    read_json,
)
from campaign.extensions import db


def _fail(heading: str, problems: list[str]) -> None:
    """Say what is wrong on standard error and exit with status 1."""
    click.echo(heading, err=True)
    for problem in problems:
        click.echo(f"  {problem}", err=True)
    raise SystemExit(1)


def write_atomically(path: Path, text: str) -> None:
    """Write a file whole or not at all (a full disk leaves the old file, not half a new one)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@click.command("export")
@click.argument(
    "file", type=click.Path(dir_okay=False, writable=True, allow_dash=True, path_type=Path)
)
@with_appcontext
def export_command(file: Path) -> None:
    """Write the whole campaign to FILE as one JSON document (no accounts, e-mails or hashes).

    FILE "-" writes to standard output, to pipe into an encryption tool.
    """
    document = export_campaign()
    db.session.rollback()
    text = export_json(document)
    counts = ", ".join(
        f"{len(document[kind.name])} {kind.name.replace('_', ' ')}" for kind in KINDS
    )
    if str(file) == "-":
        click.echo(text, nl=False)
        click.echo(f"Exported the campaign: {counts}.", err=True)
        return
    try:
        write_atomically(file, text)
    except OSError as exc:
        _fail(f"Could not write {file}: {exc.strerror or exc}.", [])
    click.echo(f"Exported the campaign to {file}: {counts}.")


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def import_command(file: Path) -> None:
    """Load a campaign export from FILE: into an empty database, or merged by identifiers.

    All of it or nothing: a file with any problem changes nothing.
    """
    try:
        data = file.read_bytes()
    except OSError as exc:
        _fail(f"Could not read {file}: {exc.strerror or exc}.", [])
    try:
        report = import_campaign(read_json(data))
    except ArchiveInvalid as exc:
        db.session.rollback()
        _fail(
            f"Nothing was imported: {file} has {len(exc.problems)} problem(s) "
            "(each after the place in the file, as a JSON pointer):",
            [str(problem) for problem in exc.problems],
        )
    db.session.commit()
    click.echo(
        f"Imported {file}: {report.total_created} record(s) created, "
        f"{report.total_updated} updated."
    )


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(directory: Path) -> None:
    """Copy the live database (and the photos) into DIRECTORY, with a manifest of checksums."""
    try:
        manifest = backups.backup(directory)
    except backups.BackupError as exc:
        _fail(f"No backup was made: {exc}", [])
    click.echo(
        f"Backed up the {manifest['database']} database "
        f"({sum(manifest['tables'].values())} rows) and {len(manifest['files']) - 1} photo "
        f"file(s) to {directory}."
    )


@click.command("restore")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Replace a database that already holds data.")
@with_appcontext
def restore_command(directory: Path, replace: bool) -> None:
    """Restore a backup made by ``flask backup``: every file is checked before anything changes."""
    try:
        manifest = backups.restore(directory, replace=replace)
    except backups.BackupError as exc:
        _fail(f"Nothing was restored: {exc}", [])
    click.echo(
        f"Restored the backup of {manifest['created_at']} from {directory}: "
        f"{sum(manifest['tables'].values())} rows."
    )


COMMANDS = (export_command, import_command, backup_command, restore_command)
