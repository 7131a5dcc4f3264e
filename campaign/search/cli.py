"""The ``flask search`` commands: the search index by hand, after a change of what it holds."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from campaign.extensions import db
from campaign.search.index import rebuild

search_cli = AppGroup("search", help="The search index of cases and events.")


@search_cli.command("rebuild")
def rebuild_command() -> None:
    """Write every case's and event's search document afresh (it is kept in step otherwise)."""
    count = rebuild()
    db.session.commit()
    click.echo(f"Indexed {count} cases and events.")
