"""The ``flask subscriptions`` commands, for cron: queue the news, delete what is stale."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from campaign.extensions import db
from campaign.subscriptions import services
from campaign.subscriptions.links import NoPublicAddress

subscriptions_cli = AppGroup("subscriptions", help="Supporters who follow cases by e-mail.")


@subscriptions_cli.command("send")
def send_command() -> None:
    """Queue each update and each due weekly digest in the outbox (run daily from cron)."""
    try:
        queued = services.send_updates()
    except NoPublicAddress as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Queued {queued.updates} update e-mail(s) and {queued.digests} digest(s).")


@subscriptions_cli.command("purge")
def purge_command() -> None:
    """Delete subscriptions never confirmed, with their addresses."""
    done = services.purge()
    db.session.commit()
    click.echo(f"Deleted {done.unconfirmed} unconfirmed subscription(s).")
