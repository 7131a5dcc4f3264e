"""The ``flask messages`` commands: housekeeping for supporters' messages, meant for cron."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from campaign import hashkeys
from campaign.appeals.services import purge_report_hashes
from campaign.extensions import db
from campaign.messages.services import purge, purge_expired_emails
from campaign.outbox import services as outbox
from campaign.subscriptions import services as subscriptions

messages_cli = AppGroup("messages", help="Housekeeping for supporters' messages.")


@messages_cli.command("purge-emails")
def purge_emails_command() -> None:
    """Erase supporters' e-mails once the retention period after the decision has passed."""
    erased = purge_expired_emails()
    db.session.commit()
    click.echo(f"Erased {erased} supporter e-mail address(es).")


@messages_cli.command("purge")
def purge_command() -> None:
    """Erase everything due: e-mails, old client hashes and their keys, texts as sent, the
    addresses left in the outbox, subscriptions never confirmed, and the client hashes behind
    appeals' "I sent a letter" counts."""
    done = purge()
    mails = outbox.purge()
    followers = subscriptions.purge()
    letters = purge_report_hashes()
    db.session.commit()
    keys = hashkeys.purge()
    click.echo(
        f"Erased {done.emails} supporter e-mail address(es), {done.client_hashes} client "
        f"hash(es), {keys} expired hash key(s) and {done.originals} text(s) as sent; "
        f"{letters} client hash(es) of letters reported for appeals."
    )
    click.echo(
        f"Erased {mails} outbox address(es) and {followers.unconfirmed} unconfirmed "
        "subscription(s)."
    )
