"""The ``flask messages`` commands: housekeeping for supporters' messages, meant for cron."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from campaign.extensions import db
from campaign.messages.services import purge_expired_emails

messages_cli = AppGroup("messages", help="Housekeeping for supporters' messages.")


@messages_cli.command("purge-emails")
def purge_emails_command() -> None:
    """Erase supporters' e-mails once the retention period after the decision has passed."""
    erased = purge_expired_emails()
    db.session.commit()
    click.echo(f"Erased {erased} supporter e-mail address(es).")
