"""The outbox: e-mails queued with what caused them, sent by the worker through a real SMTP
server, retried with backoff, failed for good after the last attempt, never sent twice and
never logged with their address."""

from __future__ import annotations

import logging
import os
import signal
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from campaign.database import utcnow
from campaign.extensions import db
from campaign.models import OutboxMail, OutboxState
from campaign.outbox import queries, services, worker
from tests.conftest import SMTPInbox

ADDRESS = "anna@example.org"


def queue(app: Flask, count: int = 1, **overrides: object) -> list[int]:
    """Queue *count* e-mails and commit, as a feature's request would."""
    with app.app_context():
        ids = []
        for n in range(count):
            values: dict[str, object] = {
                "kind": "test",
                "recipient": f"person{n}@example.org" if count > 1 else ADDRESS,
                "subject": f"Mail {n}",
                "text": f"Body {n}\n",
            }
            values.update(overrides)
            ids.append(services.enqueue(**values).id)  # type: ignore[arg-type]
        db.session.commit()
        return ids


def rows(app: Flask) -> list[OutboxMail]:
    with app.app_context():
        found = list(db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id)))
        db.session.expunge_all()
        return found


def run_once(app: Flask) -> worker.Tally:
    with app.app_context():
        return worker.run_once()


class TestEnqueue:
    def test_it_joins_the_callers_transaction_and_never_commits(self, app_ctx: Flask) -> None:
        mail = services.enqueue(kind="test", recipient=ADDRESS, subject="Hello", text="Hi\n")
        assert mail.id is not None  # flushed
        db.session.rollback()  # what caused it failed: the e-mail goes with it
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail)) == 0

    def test_an_e_mail_without_an_address_is_refused(self, app_ctx: Flask) -> None:
        with pytest.raises(services.NoRecipient):
            services.enqueue(kind="test", recipient="", subject="Hello", text="Hi\n")


class TestSending:
    def test_run_once_sends_through_smtp_and_blanks_the_address(
        self, app: Flask, runner: FlaskCliRunner, smtp_server: SMTPInbox
    ) -> None:
        queue(
            app,
            headers={
                "List-Unsubscribe": "<https://campaign.example.org/unsubscribe/x>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        result = runner.invoke(args=["outbox", "run", "--once"])
        assert result.exit_code == 0
        assert "Sent 1 e-mail(s)" in result.output
        [(recipients, message)] = smtp_server.received
        assert recipients == [ADDRESS]
        assert message["To"] == ADDRESS
        assert message["From"] == "Campaign <campaign@example.org>"
        assert message["Subject"] == "Mail 0"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message.get_content().replace("\r\n", "\n") == "Body 0\n"
        [row] = rows(app)
        assert row.state == OutboxState.SENT
        assert row.attempts == 1
        assert (row.recipient, row.body_text, row.headers) == (None, None, None)
        assert row.sent_at is not None
        assert row.erased_at is not None
        # A second run has nothing to do: sent is sent.
        assert "Sent 0 e-mail(s)" in runner.invoke(args=["outbox", "run", "--once"]).output
        assert len(smtp_server.received) == 1
        status = runner.invoke(args=["outbox", "status"]).output
        assert "sent: 1" in status
        assert ADDRESS not in status

    def test_an_html_alternative_travels_with_the_text(
        self, app: Flask, smtp_server: SMTPInbox
    ) -> None:
        queue(app, html="<p>Body</p>")
        run_once(app)
        [message] = smtp_server.messages
        assert message.get_content_type() == "multipart/alternative"
        assert message.get_body(("plain",)).get_content().strip() == "Body 0"
        assert "<p>Body</p>" in message.get_body(("html",)).get_content()

    def test_nothing_is_sent_before_it_is_due(self, app: Flask, smtp_server: SMTPInbox) -> None:
        [mail_id] = queue(app)
        with app.app_context():
            db.session.get(OutboxMail, mail_id).next_attempt_at = utcnow() + timedelta(hours=1)
            db.session.commit()
        assert run_once(app).sent == 0
        assert smtp_server.received == []


class TestFailures:
    def test_a_refusing_server_means_retries_with_backoff_then_failed_with_the_row_kept(
        self, app: Flask, smtp_server: SMTPInbox, caplog: pytest.LogCaptureFixture
    ) -> None:
        smtp_server.refuse_with = "451 4.3.0 Try again later"
        [mail_id] = queue(app)
        waits = []
        with caplog.at_level(logging.INFO):
            for attempt in (1, 2, 3):
                tally = run_once(app)
                assert tally.sent == 0
                [row] = rows(app)
                assert row.attempts == attempt
                assert row.last_error == "SMTPDataError"
                if attempt < 3:
                    assert row.state == OutboxState.PENDING
                    waits.append(row.next_attempt_at - utcnow())
                    with app.app_context():  # time passes: the next attempt is due
                        db.session.get(OutboxMail, mail_id).next_attempt_at = utcnow()
                        db.session.commit()
        assert smtp_server.attempts == 3
        # Exponential backoff: 60 s after the first failure, 120 s after the second.
        assert timedelta(seconds=50) < waits[0] <= timedelta(seconds=60)
        assert timedelta(seconds=110) < waits[1] <= timedelta(seconds=120)
        [row] = rows(app)
        assert row.state == OutboxState.FAILED
        assert row.failed_at is not None
        assert row.recipient == ADDRESS  # never lost: kept for `outbox retry-failed`
        assert "failed for good" in caplog.text
        assert ADDRESS not in caplog.text
        # A failed e-mail is not tried again by itself...
        run_once(app)
        assert smtp_server.attempts == 3

    def test_retry_failed_queues_them_again(
        self, app: Flask, runner: FlaskCliRunner, smtp_server: SMTPInbox
    ) -> None:
        smtp_server.refuse_with = "554 5.7.1 Refused"  # every attempt, until the server is fixed
        queue(app)
        with app.app_context():
            app.config["OUTBOX_MAX_ATTEMPTS"] = 1
        run_once(app)
        assert rows(app)[0].state == OutboxState.FAILED
        smtp_server.refuse_with = None
        assert "Queued 1 failed" in runner.invoke(args=["outbox", "retry-failed"]).output
        run_once(app)
        assert rows(app)[0].state == OutboxState.SENT
        assert len(smtp_server.received) == 1

    def test_a_recipient_refused_for_good_fails_at_once(self, app: Flask) -> None:
        import smtplib

        queue(app)

        def refuse(mail: services.Claimed) -> None:
            raise smtplib.SMTPRecipientsRefused({mail.recipient: (550, b"no such user")})

        with app.app_context():
            tally = worker.run_once(send=refuse)
        assert tally.failed == 1
        assert rows(app)[0].state == OutboxState.FAILED

    def test_an_unreachable_server_is_retried(self, app: Flask) -> None:
        app.config["MAIL_PORT"] = 5169  # nothing listens there
        queue(app)
        assert run_once(app).retried == 1
        [row] = rows(app)
        assert (row.state, row.last_error) == (OutboxState.PENDING, "ConnectionRefusedError")


class TestClaims:
    def test_a_crashed_workers_claim_expires_with_its_lease(self, app: Flask) -> None:
        [mail_id] = queue(app)
        with app.app_context():
            [claimed] = services.claim("crashed")  # ...and the worker dies before sending
            assert services.claim("other") == []
            later = utcnow() + timedelta(seconds=app.config["OUTBOX_LEASE_SECONDS"] + 1)
            [again] = services.claim("other", now=later)
            assert again.id == claimed.id == mail_id
            assert again.attempts == 2
            # The first worker comes back: its claim is gone, so it records nothing.
            services.mark_sent(mail_id, "crashed")
            db.session.commit()
            assert db.session.get(OutboxMail, mail_id).state == OutboxState.PENDING

    def test_the_backoff_doubles_up_to_its_ceiling(self, app_ctx: Flask) -> None:
        app_ctx.config.update(OUTBOX_RETRY_SECONDS=10, OUTBOX_RETRY_MAX_SECONDS=50)
        assert [services.backoff(n).total_seconds() for n in (1, 2, 3, 4, 5)] == [
            10,
            20,
            40,
            50,
            50,
        ]

    def test_two_workers_send_fifty_e_mails_each_exactly_once(
        self, app: Flask, smtp_server: SMTPInbox, backend: str
    ) -> None:
        if backend != "postgres":
            pytest.skip("several workers at once are for PostgreSQL (SKIP LOCKED)")
        queue(app, 50)
        tallies: list[worker.Tally] = []
        errors: list[BaseException] = []
        start = threading.Barrier(2)

        def work() -> None:
            try:
                with app.app_context():
                    start.wait()
                    tallies.append(worker.run_once(batch_size=3))
            except BaseException as error:  # reported by the main thread
                errors.append(error)

        threads = [threading.Thread(target=work) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        subjects = sorted(message["Subject"] for message in smtp_server.messages)
        assert subjects == sorted(f"Mail {n}" for n in range(50))  # each once, none twice
        assert sum(t.sent for t in tallies) == 50
        assert sorted(i for t in tallies for i in t.ids) == sorted(r.id for r in rows(app))
        assert {r.state for r in rows(app)} == {OutboxState.SENT}


class TestWorkerProcess:
    def test_run_keeps_going_and_stops_cleanly_on_sigterm(
        self, app: Flask, smtp_server: SMTPInbox
    ) -> None:
        queue(app, 3)
        app.config["OUTBOX_POLL_SECONDS"] = 0.05
        stop = threading.Event()

        def stop_when_all_arrived() -> None:
            for _ in range(400):
                if len(smtp_server.received) == 3:
                    break
                stop.wait(0.05)
            os.kill(os.getpid(), signal.SIGTERM)

        watcher = threading.Thread(target=stop_when_all_arrived)
        before = signal.getsignal(signal.SIGTERM)
        watcher.start()
        with app.app_context():
            worker.run_forever()  # returns on SIGTERM, between two e-mails
        watcher.join()
        assert len(smtp_server.received) == 3
        assert signal.getsignal(signal.SIGTERM) is before  # the handler is given back


class TestHousekeeping:
    def test_purge_erases_addresses_of_old_failures_and_keeps_the_rows(
        self, app: Flask, runner: FlaskCliRunner
    ) -> None:
        [old, recent] = queue(app, 2)
        with app.app_context():
            now = utcnow()
            for mail_id, failed_at in ((old, now - timedelta(days=40)), (recent, now)):
                row = db.session.get(OutboxMail, mail_id)
                row.state = OutboxState.FAILED
                row.failed_at = failed_at
            db.session.commit()
        assert "Erased the address of 1" in runner.invoke(args=["outbox", "purge"]).output
        by_id = {r.id: r for r in rows(app)}
        assert by_id[old].recipient is None
        assert by_id[old].state == OutboxState.FAILED
        assert by_id[recent].recipient is not None
        with app.app_context():
            assert queries.counts()[OutboxState.FAILED] == 2

    def test_the_messages_purge_covers_the_outbox(self, app: Flask, runner: FlaskCliRunner) -> None:
        [mail_id] = queue(app)
        with app.app_context():
            row = db.session.get(OutboxMail, mail_id)
            row.state = OutboxState.FAILED
            row.failed_at = utcnow() - timedelta(days=400)
            db.session.commit()
        output = runner.invoke(args=["messages", "purge"]).output
        assert "1 outbox address(es)" in output
        assert rows(app)[0].recipient is None


def test_without_a_mail_server_the_worker_says_so_and_keeps_everything(
    app: Flask, runner: FlaskCliRunner
) -> None:
    queue(app)
    app.config["MAIL_SERVER"] = None
    result = runner.invoke(args=["outbox", "run", "--once"])
    assert result.exit_code != 0
    assert "MAIL_SERVER is not set" in result.output
    assert run_once(app).sent == 0
    [row] = rows(app)
    assert (row.state, row.attempts, row.recipient) == (OutboxState.PENDING, 0, ADDRESS)
