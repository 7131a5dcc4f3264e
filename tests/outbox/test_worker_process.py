"""The worker as a service manager runs it: ``flask --app campaign outbox run`` in a process of
its own sends what is queued, keeps running, and ends cleanly (status 0) on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from campaign import create_app
from campaign.extensions import db
from campaign.outbox import services
from tests.conftest import ROOT, SMTPInbox

BIN = Path(sys.executable).parent


@pytest.mark.slow
def test_the_worker_process_sends_and_stops_cleanly_on_sigterm(
    tmp_path: Path, smtp_server: SMTPInbox
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAMPAIGN_")}
    env.update(
        CAMPAIGN_INSTANCE_PATH=str(tmp_path),
        CAMPAIGN_SECRET_KEY="outbox-worker-test-" + "x" * 40,
        CAMPAIGN_MAIL_SERVER="127.0.0.1",
        CAMPAIGN_MAIL_PORT=str(smtp_server.port),
        CAMPAIGN_MAIL_USE_TLS="false",
        CAMPAIGN_OUTBOX_POLL_SECONDS="0.2",
    )
    flask = [str(BIN / "flask"), "--app", "campaign"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    app = create_app(
        {
            "SECRET_KEY": "x" * 40,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'campaign.sqlite'}",
            "TESTING": True,
        }
    )
    with app.app_context():
        for n in range(3):
            services.enqueue(
                kind="test", recipient=f"p{n}@example.org", subject=f"Mail {n}", text="Hi\n"
            )
        db.session.commit()
        db.engine.dispose()
    worker = subprocess.Popen(
        [*flask, "outbox", "run"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(300):  # up to 30 s on a busy machine
            if len(smtp_server.received) == 3 or worker.poll() is not None:
                break
            time.sleep(0.1)
        assert len(smtp_server.received) == 3
        assert worker.poll() is None  # still running, waiting for more
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == 0, output.decode(errors="replace")
    assert sorted(m["Subject"] for m in smtp_server.messages) == ["Mail 0", "Mail 1", "Mail 2"]
    assert b"example.org" not in output  # ids, never addresses, in its log
