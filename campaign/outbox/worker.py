"""The worker that empties the outbox: claim due e-mails, send each with no transaction open,
record the outcome. ``run_once`` serves cron, ``run_forever`` a service manager (it stops
cleanly between two e-mails on SIGTERM or SIGINT).

Logs name e-mail ids and kinds only: an SMTP error can quote the address, so only its class is
logged or stored.
"""

from __future__ import annotations

import logging
import signal
import smtplib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

import sqlalchemy as sa
from flask import current_app

from campaign.database import utcnow
from campaign.extensions import db
from campaign.models import OutboxState
from campaign.outbox import sending, services

logger = logging.getLogger(__name__)

BATCH_SIZE = 10
# What a send may raise that is the server's or the network's problem (or a header the e-mail
# package refuses): the e-mail is tried again later. Anything else is a bug and propagates.
SEND_ERRORS = (smtplib.SMTPException, OSError, ValueError)


@dataclass
class Tally:
    """What one run did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    ids: list[int] = field(default_factory=list)


def _send_one(
    mail: services.Claimed, tally: Tally, send: Callable[[services.Claimed], None]
) -> None:
    try:
        send(mail)
    except SEND_ERRORS as error:
        db.session.rollback()
        state = services.mark_failed_attempt(
            mail.id,
            mail.claimed_by,
            type(error).__name__,
            permanent=sending.is_permanent(error),
        )
        db.session.commit()
        if state is OutboxState.FAILED:
            tally.failed += 1
            logger.warning(
                "outbox e-mail %s (%s) failed for good after %d attempt(s) (%s)",
                mail.id,
                mail.kind,
                mail.attempts,
                type(error).__name__,
            )
        else:
            tally.retried += 1
            logger.info(
                "outbox e-mail %s (%s) could not be sent, attempt %d (%s): tried again later",
                mail.id,
                mail.kind,
                mail.attempts,
                type(error).__name__,
            )
        return
    services.mark_sent(mail.id, mail.claimed_by)
    db.session.commit()
    tally.sent += 1
    tally.ids.append(mail.id)
    logger.info("outbox e-mail %s (%s) sent", mail.id, mail.kind)


def run_once(
    *,
    stop: threading.Event | None = None,
    send: Callable[[services.Claimed], None] | None = None,
    worker: str | None = None,
    batch_size: int = BATCH_SIZE,
) -> Tally:
    """Send every e-mail that is due now, batch by batch, then return (for cron). An e-mail
    that fails waits for its next turn: it is not tried again in the same run."""
    if send is None and not sending.is_configured():
        logger.warning("MAIL_SERVER is not set: the outbox keeps its e-mails until it is")
        return Tally()
    worker = worker or services.new_worker_id()
    send = send or sending.send
    tally = Tally()
    started = utcnow()
    while stop is None or not stop.is_set():
        try:
            batch = services.claim(worker, limit=batch_size, due_by=started)
        except sa.exc.OperationalError:
            db.session.rollback()
            logger.warning("the outbox could not be read (the database is busy or away)")
            break
        if not batch:
            break
        for mail in batch:
            if stop is not None and stop.is_set():
                break  # the rest of the claim expires with its lease
            _send_one(mail, tally, send)
    db.session.remove()
    return tally


def run_forever(stop: threading.Event | None = None) -> None:
    """Send what is due, sleep, again, until SIGTERM or SIGINT (for a service manager)."""
    stop = stop or threading.Event()
    poll = float(current_app.config["OUTBOX_POLL_SECONDS"])
    worker = services.new_worker_id()
    previous = _stop_on_signals(stop)
    logger.info("the outbox worker started")
    try:
        while not stop.is_set():
            run_once(stop=stop, worker=worker)
            stop.wait(poll)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    logger.info("the outbox worker stopped")


def _stop_on_signals(stop: threading.Event) -> dict[int, Any]:
    """Set *stop* on SIGTERM and SIGINT (main thread only); returns the handlers replaced."""
    if threading.current_thread() is not threading.main_thread():
        return {}

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous: dict[int, Any] = {}
    for signum in (signal.SIGTERM, signal.SIGINT):
        previous[signum] = signal.signal(signum, handler)
    return previous
