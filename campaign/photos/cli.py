"""The ``flask photos`` commands: finding and removing image files no record refers to."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from campaign.photos import services

photos_cli = AppGroup("photos", help="Event photos and case portraits on disk.")


@photos_cli.command("orphans")
@click.option("--delete", is_flag=True, help="Remove the files listed.")
def orphans_command(delete: bool) -> None:
    """List the image files of event photos and case portraits that no record refers to."""
    folder = current_app.config["PHOTO_FOLDER"]
    paths = services.orphans(folder) + services.portrait_orphans(folder)
    for path in paths:
        click.echo(str(path))
        if delete:
            path.unlink(missing_ok=True)
    verb = "Removed" if delete else "Found"
    click.echo(f"{verb} {len(paths)} orphaned file(s).")
