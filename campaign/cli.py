"""Command-line commands: first-run set-up and the demo; each package adds its own group."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from campaign import demo
from campaign.accounts import services as accounts
from campaign.accounts.cli import user_cli
from campaign.extensions import db
from campaign.messages.cli import messages_cli
from campaign.search.cli import search_cli


def init_app(app: Flask) -> None:
    """Register the commands on ``app.cli``."""
    app.cli.add_command(demo_command)
    app.cli.add_command(init_command)
    app.cli.add_command(user_cli)
    app.cli.add_command(messages_cli)
    app.cli.add_command(search_cli)


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the Kazakhstan 2010 demo campaign (does nothing if it is already loaded)."""
    if demo.load():
        db.session.commit()
        click.echo("Loaded the demo campaign: /cases/ainur-kurmanov")
    else:
        click.echo("The demo campaign is already loaded.")


@click.command("init")
@with_appcontext
@click.option(
    "--demo/--no-demo", "with_demo", default=True, help="Load the demo into an empty database."
)
def init_command(with_demo: bool) -> None:
    """First-run set-up: the demo campaign into an empty database, and an admin if none exists."""
    if with_demo and demo.database_is_empty():
        demo.load()
        db.session.commit()
        click.echo("Loaded the demo campaign: /cases/ainur-kurmanov")
    email = current_app.config["ADMIN_EMAIL"]
    password = accounts.create_first_admin(email)
    if password is None:
        click.echo("Accounts exist already: no admin created, no password changed.")
        return
    db.session.commit()
    click.echo("")
    click.echo("Created the first admin account. Sign in at /login with:")
    click.echo(f"  e-mail:   {email}")
    click.echo(f"  password: {password}   (one-time: you will be asked to choose your own)")
    click.echo("")
