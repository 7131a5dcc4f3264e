"""Command-line commands: the demo campaign, first-run set-up, and scripted user creation."""

from __future__ import annotations

import secrets
import sys

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from campaign import demo
from campaign.accounts.passwords import hash_password, password_problem
from campaign.extensions import db
from campaign.history.recorder import acting_as
from campaign.messages.cli import messages_cli
from campaign.models import Role, User

user_cli = AppGroup("user", help="Manage staff accounts.")


def init_app(app: Flask) -> None:
    """Register the commands on ``app.cli``."""
    app.cli.add_command(demo_command)
    app.cli.add_command(init_command)
    app.cli.add_command(user_cli)
    app.cli.add_command(messages_cli)


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
    if db.session.scalar(sa.select(sa.func.count(User.id))):
        click.echo("Accounts exist already: no admin created, no password changed.")
    else:
        email = current_app.config["ADMIN_EMAIL"]
        password = secrets.token_urlsafe(15)
        user = User(
            email=email,
            display_name="Admin",
            role=Role.ADMIN,
            password_hash=hash_password(password),
            must_change_password=True,
        )
        with acting_as(label="first run"):
            db.session.add(user)
        db.session.commit()
        click.echo("")
        click.echo("Created the first admin account. Sign in at /login with:")
        click.echo(f"  e-mail:   {email}")
        click.echo(f"  password: {password}   (one-time: you will be asked to choose your own)")
        click.echo("")


def _read_password() -> str:
    """The new password: from standard input when it is not a terminal, else asked twice."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@user_cli.command("create")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.ACTIVIST.value,
    show_default=True,
)
@click.option(
    "--name", "display_name", default=None, help="Display name (default: the e-mail's local part)."
)
def create_user(email: str, role: str, display_name: str | None) -> None:
    """Create a staff account; the password is read from standard input when piped."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise click.ClickException(f"'{email}' is not an e-mail address.")
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise click.ClickException(
            f"A user with the e-mail {email} already exists; nothing changed."
        )
    password = _read_password()
    problem = password_problem(password)
    if problem:
        raise click.ClickException(problem)
    user = User(
        email=email,
        display_name=(display_name or email.split("@", 1)[0])[:120],
        role=Role(role),
        password_hash=hash_password(password),
    )
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} {email}.")
