"""Flask-Migrate for this app, loaded only when something migrates.

Flask-Migrate imports Alembic and Mako, about 12 MB of each web worker's resident memory, and a
web worker never migrates. So ``flask db`` is a stand-in command that binds Flask-Migrate on
its first use, and code that calls Flask-Migrate's functions itself (the migration tests, the
benchmarks) calls :func:`enable` first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import ScriptInfo

DIRECTORY = Path(__file__).parent / "migrations"


def enable(app: Flask) -> None:
    """Bind Flask-Migrate to *app* (once): ``flask db`` and ``flask_migrate.upgrade`` then work."""
    if "migrate" in app.extensions:
        return
    from flask_migrate import Migrate

    from campaign.extensions import db
    from campaign.models.search import include_name

    # The full-text index is no model: autogenerate must neither drop nor compare it.
    Migrate(
        app,
        db,
        directory=str(DIRECTORY),
        include_name=include_name,
        render_as_batch=True,
        compare_type=True,
    )


class _MigrationCommands(click.Command):
    """``flask db``: a stand-in that hands the command line over to Flask-Migrate's own group
    (its options, its commands, its help), binding Flask-Migrate first."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        """Flask-Migrate's group's context for these arguments."""
        info = parent.find_object(ScriptInfo) if parent is not None else None
        app = info.load_app() if info is not None else current_app._get_current_object()  # type: ignore[attr-defined]
        enable(app)
        group = app.cli.commands["db"]  # Flask-Migrate's group has taken this one's place
        return group.make_context(info_name, args, parent=parent, **extra)


def init_app(app: Flask) -> None:
    """Register ``flask db`` without importing Flask-Migrate."""
    app.cli.add_command(
        _MigrationCommands("db", help="Perform database migrations (Flask-Migrate).")
    )
