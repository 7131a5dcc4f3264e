"""The ``flask audit`` commands: checking that nobody changed the audit trail behind the app."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from campaign.history.chain import verify

audit_cli = AppGroup("audit", help="The audit trail.")


@audit_cli.command("verify")
def verify_command() -> None:
    """Check the chain of audit entries; name the first entry changed, inserted or deleted."""
    verdict = verify()
    if verdict.intact:
        click.echo(f"The audit trail is intact: {verdict.checked} entries checked.")
        return
    where = f"entry #{verdict.broken_id}" if verdict.broken_id is not None else "the trail"
    click.echo(
        f"The audit trail is broken at {where}: {verdict.reason} "
        f"({verdict.checked} entries before it are intact).",
        err=True,
    )
    sys.exit(1)
