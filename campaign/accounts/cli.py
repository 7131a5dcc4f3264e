"""The ``flask user`` commands: staff accounts made from the command line, for scripts."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from campaign.accounts import queries, services
from campaign.extensions import db
from campaign.models import Role
from campaign.util.terminal import boxed

user_cli = AppGroup("user", help="Manage staff accounts.")


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
    if queries.account_exists(email):  # before asking for a password in vain
        raise click.ClickException(
            f"A user with the e-mail {email} already exists; nothing changed."
        )
    try:
        services.create_account(email, Role(role), display_name, _read_password())
    except services.PasswordRefused as refused:
        raise click.ClickException(str(refused)) from None
    db.session.commit()
    click.echo(f"Created {role} {email}.")


@user_cli.command("reset-password")
@click.argument("email")
def reset_password(email: str) -> None:
    """Give an account a new one-time password (a lost admin password); its sessions end."""
    try:
        password = services.reset_to_one_time_password(email)
    except services.NoSuchAccount:
        raise click.ClickException(f"No account has the e-mail {email}; nothing changed.") from None
    db.session.commit()
    click.echo(
        boxed(
            [
                f"New one-time password for {email.strip().lower()}:",
                f"  {password}",
                "Sign in with it at /login: you will be asked to choose your own.",
            ]
        )
    )
