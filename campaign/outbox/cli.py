"""The ``flask outbox`` commands: the worker that sends the e-mails, and the outbox's state."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from campaign.extensions import db
from campaign.outbox import queries, sending, services, worker

outbox_cli = AppGroup("outbox", help="The outbox of e-mails and the worker that sends them.")


@outbox_cli.command("run")
@click.option("--once", is_flag=True, help="Send what is due now, then stop (for cron).")
def run_command(once: bool) -> None:
    """Send the queued e-mails: keep running (for a service manager), or once with --once."""
    if not sending.is_configured():
        raise click.ClickException(
            "MAIL_SERVER is not set: nothing can be sent (the e-mails stay in the outbox)."
        )
    if once:
        tally = worker.run_once()
        click.echo(
            f"Sent {tally.sent} e-mail(s); {tally.retried} to try again later, "
            f"{tally.failed} failed."
        )
        return
    worker.run_forever()


@outbox_cli.command("status")
def status_command() -> None:
    """How many e-mails are waiting, sent and failed."""
    for state, number in queries.counts().items():
        click.echo(f"{state.value}: {number}")


@outbox_cli.command("retry-failed")
def retry_failed_command() -> None:
    """Queue the failed e-mails once more (after fixing the mail settings, say)."""
    number = services.retry_failed()
    db.session.commit()
    click.echo(f"Queued {number} failed e-mail(s) again.")


@outbox_cli.command("purge")
def purge_command() -> None:
    """Erase the addresses of sent e-mails and of those that failed long ago."""
    number = services.purge()
    db.session.commit()
    click.echo(f"Erased the address of {number} outbox e-mail(s).")
