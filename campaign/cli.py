"""Command-line commands: first-run set-up and the demo; each package adds its own group."""

from __future__ import annotations

import ipaddress

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from campaign import demo
from campaign.accounts import services as accounts
from campaign.accounts.cli import user_cli
from campaign.appeals.cli import appeals_cli
from campaign.archive import cli as archive_cli
from campaign.extensions import db
from campaign.history.cli import audit_cli
from campaign.messages.cli import messages_cli
from campaign.outbox.cli import outbox_cli
from campaign.photos.cli import photos_cli
from campaign.search.cli import search_cli
from campaign.subscriptions.cli import subscriptions_cli
from campaign.util.terminal import boxed


def init_app(app: Flask) -> None:
    """Register the commands on ``app.cli``."""
    app.cli.add_command(demo_command)
    app.cli.add_command(init_command)
    app.cli.add_command(serve_command)
    app.cli.add_command(user_cli)
    app.cli.add_command(messages_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(photos_cli)
    app.cli.add_command(subscriptions_cli)
    app.cli.add_command(appeals_cli)
    for command in archive_cli.COMMANDS:
        app.cli.add_command(command)


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the Kazakhstan 2010 demo campaign (does nothing if it is already loaded)."""
    if demo.load():
        db.session.commit()
        click.echo("Loaded the demo campaign: /cases/ainur-kurmanov")
    else:
        click.echo("The demo campaign is already loaded.")


DEFAULT_SIGN_IN_URL = "http://127.0.0.1:5000/login"
NETWORK_HINT = (
    "To serve on the network, use gunicorn (no debugger) behind a TLS proxy, with\n"
    'CAMPAIGN_PRODUCTION=true and a secret key as the README\'s "Deploying" shows:\n'
    "  .venv/bin/gunicorn --bind 0.0.0.0:8000 'campaign:create_app()'"
)


def reset_hint(email: str) -> list[str]:
    """How to make a new one-time password when the admin's is lost."""
    return [
        "Lost the password? Make a new one-time password with:",
        f"  .venv/bin/flask --app campaign user reset-password {email}",
    ]


@click.command("init")
@with_appcontext
@click.option(
    "--demo/--no-demo", "with_demo", default=True, help="Load the demo into an empty database."
)
@click.option(
    "--sign-in-url",
    default=DEFAULT_SIGN_IN_URL,
    show_default=True,
    help="The sign-in address printed with the first admin's password.",
)
def init_command(with_demo: bool, sign_in_url: str) -> None:
    """First-run set-up: the demo campaign into an empty database, and an admin if none exists."""
    if with_demo and demo.database_is_empty():
        demo.load()
        db.session.commit()
        click.echo("Loaded the demo campaign: /cases/ainur-kurmanov")
    email = current_app.config["ADMIN_EMAIL"]
    password = accounts.create_first_admin(email)
    if password is None:
        click.echo("Accounts exist already: no admin created, no password changed.")
        click.echo(f"Sign in at {sign_in_url}.")
        click.echo("\n".join(reset_hint(email)))
        return
    db.session.commit()
    click.echo("")
    click.echo(
        boxed(
            [
                "The first admin account was created. Sign in at:",
                f"  {sign_in_url}",
                f"  e-mail:   {email}",
                f"  password: {password}",
                "This password works once: you will be asked to choose your own.",
                "",
                *reset_hint(email),
            ]
        )
    )
    click.echo("")


def is_loopback(host: str) -> bool:
    """Whether *host* is this machine only: localhost or a loopback address."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@click.command("serve")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--check", is_flag=True, help="Only check the address (make run, before set-up).")
def serve_command(host: str, port: int, check: bool) -> None:
    """Serve with the reloader and Werkzeug's debugger, on this machine only (make run).

    The debugger runs any Python a visitor types into an error page, so it never listens on a
    network address: that is refused, with the way to serve on the network instead.
    """
    if not is_loopback(host):
        raise click.ClickException(
            f"Refusing to start the debugger on {host}: it would let anyone who reaches this "
            f"address run code on this machine. It only listens on 127.0.0.1, ::1 or "
            f"localhost.\n{NETWORK_HINT}"
        )
    if check:
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    app.debug = True  # errors reach the debugger instead of the error page
    run_simple(host, port, app, use_reloader=True, use_debugger=True)
