"""The ``flask appeals`` commands: the organisers' daily reminder of what is due."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from campaign.appeals import reminders
from campaign.extensions import db
from campaign.subscriptions.links import NoPublicAddress
from campaign.util.dates import today_utc

appeals_cli = AppGroup("appeals", help="Appeals (urgent actions).")


@appeals_cli.command("remind")
def remind_command() -> None:
    """E-mail organisers and admins the appeals whose follow-up or deadline has come (daily)."""
    if not reminders.enabled():
        click.echo("APPEAL_REMINDERS is off: no reminder queued.")
        return
    try:
        number = reminders.queue_reminders(today_utc())
    except NoPublicAddress as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Queued {number} reminder(s) of the appeals due.")
