"""Rate limits hold across worker processes without Redis (counters in the database), in Redis
when it is configured, and in the database again (with a warning) when Redis goes away."""

from __future__ import annotations

import logging
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from campaign import create_app, ephemeral, ratelimits
from campaign.extensions import db
from campaign.models import Case, RateLimit
from tests.conftest import ROOT, post_message, stored

BIN = Path(sys.executable).parent


def _limited(app_config: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    app_config.update(
        RATELIMIT_ENABLED=True,
        RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}",
        SUPPORT_SEND_LIMIT="2 per 10 minutes",
        SUPPORT_ATTEMPT_LIMIT="10 per 10 minutes",
        **overrides,
    )
    return app_config


class TestTheDefaultStoreIsTheDatabase:
    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        return _limited(app_config)

    def test_a_client_is_limited_and_the_counter_is_in_the_database(
        self, client: FlaskClient, app: Flask, make_case: Callable[..., Case]
    ) -> None:
        assert app.config["RATELIMIT_STORAGE_URI"] == "database://"
        make_case(slug="ainur")
        assert post_message(client, app, "ainur", body="First").status_code == 302
        assert post_message(client, app, "ainur", body="Second").status_code == 302
        third = post_message(client, app, "ainur", body="Third")
        assert third.status_code == 429
        assert "Third" in third.get_data(as_text=True)
        assert len(stored(app)) == 2
        with app.app_context(), ephemeral.engine().connect() as connection:
            keys = list(connection.scalars(sa.select(RateLimit.key)))
        assert any("support-sent" in key for key in keys)
        assert not any("127.0.0.1" in key for key in keys)
        database = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and database:
            shared = Path(database).with_name(Path(database).stem + "-shared.sqlite")
            assert shared.stat().st_mode & 0o777 == 0o600  # owner-only, like the database

    def test_two_workers_on_one_database_share_the_limit(
        self, app: Flask, app_config: dict[str, Any], make_case: Callable[..., Case]
    ) -> None:
        make_case(slug="ainur")
        worker = create_app(app_config)  # another process's app, on the same database
        try:
            assert post_message(app.test_client(), app, "ainur", body="One").status_code == 302
            assert post_message(worker.test_client(), app, "ainur", body="Two").status_code == 302
            assert post_message(app.test_client(), app, "ainur", body="Three").status_code == 429
            assert post_message(worker.test_client(), app, "ainur", body="Four").status_code == 429
        finally:
            with worker.app_context():
                db.engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_request_reads_its_clients_counters_at_once_without_the_write_lock(app: Flask) -> None:
    storage = ratelimits.DatabaseStorage()
    one, other, longer = "LIMITER/c1/", "LIMITER/c2/", "LIMITER/c10/"
    with app.app_context():
        storage.incr(f"{one}sent/2/10/minute", 600)
        storage.incr(f"{one}sent/2/10/minute", 600)
        storage.incr(f"{other}tries/10/10/minute", 600)
        for _ in range(5):
            storage.incr(f"{longer}tries/10/10/minute", 600)
        seen: list[str] = []
        sa.event.listen(
            ephemeral.engine(), "before_cursor_execute", lambda *args: seen.append(args[2])
        )
        ratelimits._start_request()
        try:
            assert storage.get(f"{one}tries/10/10/minute") == 0
            reads = list(seen)
            assert storage.get(f"{one}sent/2/10/minute") == 2
            assert seen == reads  # it was read with the first
            assert storage.get(f"{longer}tries/10/10/minute") == 5
            assert storage.incr(f"{one}tries/10/10/minute", 600) == 1
            assert storage.get(f"{one}tries/10/10/minute") == 1
        finally:
            ratelimits._end_request()
        # The next request reads afresh: another worker may have counted in between.
        storage.incr(f"{one}sent/2/10/minute", 600, amount=3)
        ratelimits._start_request()
        try:
            assert storage.get(f"{one}sent/2/10/minute") == 5
        finally:
            ratelimits._end_request()
    assert [s.split()[0] for s in reads] == ["BEGIN", "SELECT"]  # no BEGIN IMMEDIATE


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again when the block ends


class TestRedisGoneAway:
    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        return _limited(app_config, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{_closed_port()}/5")

    def test_the_database_keeps_the_limits_with_a_warning(
        self,
        client: FlaskClient,
        app: Flask,
        make_case: Callable[..., Case],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        make_case(slug="ainur")
        caplog.set_level(logging.WARNING, logger="campaign")
        assert post_message(client, app, "ainur", body="First").status_code == 302
        assert post_message(client, app, "ainur", body="Second").status_code == 302
        assert post_message(client, app, "ainur", body="Third").status_code == 429
        assert "rate-limit store is unreachable (ConnectionError)" in caplog.text
        assert len(stored(app)) == 2


def _free_port() -> int:
    """A free port in this worktree's range (5500-5599)."""
    for port in range(5550, 5600):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 5550 and 5599")


def _send(base: str, body: str) -> int:
    """GET the form (for its timing token), then POST it, as a browser without cookies does."""
    page = urllib.request.urlopen(f"{base}/cases/ainur-kurmanov/support", timeout=10)  # noqa: S310
    token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page.read().decode())
    assert token
    data = urllib.parse.urlencode(
        {"body": body, "country": "AT", "consent": "y", "form_token": token.group(1)}
    ).encode()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        return int(opener.open(f"{base}/cases/ainur-kurmanov/support", data, timeout=10).status)
    except urllib.error.HTTPError as error:
        return int(error.code)


@pytest.mark.slow
def test_four_gunicorn_workers_share_one_limit(tmp_path: Path) -> None:
    """The probe's figure: 4 workers let one client send 74 of 100 against a limit of 20."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAMPAIGN_")}
    env.update(
        CAMPAIGN_INSTANCE_PATH=str(tmp_path),
        CAMPAIGN_SECRET_KEY="rate-limit-test-" + "x" * 40,
        CAMPAIGN_WTF_CSRF_ENABLED="false",
        CAMPAIGN_SUPPORT_FORM_MIN_SECONDS="0",
        CAMPAIGN_SUPPORT_ATTEMPT_LIMIT="1000 per 10 minutes",
    )
    flask = [str(BIN / "flask"), "--app", "campaign"]
    for command in (["db", "upgrade"], ["demo"]):
        subprocess.run([*flask, *command], env=env, cwd=ROOT, check=True, capture_output=True)
    port = _free_port()
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--no-control-socket",
                "--workers",
                "4",
                "--bind",
                f"127.0.0.1:{port}",
                "campaign:create_app()",
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(150):
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=1)  # noqa: S310
                    break
                except OSError:
                    time.sleep(0.1)
            statuses = Counter(_send(base, f"Greetings number {n}") for n in range(60))
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert statuses == {302: 20, 429: 40}, (statuses, log_path.read_text()[-2000:])


def test_the_store_returns_to_redis_once_it_answers_again(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the first store fails the database counts; after the pause the first one again."""
    from campaign import ratelimits

    storage = ratelimits.FallbackStorage(primary="memory://")
    calls: list[str] = []
    real_incr = storage.primary.incr

    def broken(*_args: Any) -> int:
        calls.append("refused")
        raise ValueError("connection refused")

    monkeypatch.setattr(type(storage.primary), "base_exceptions", ValueError, raising=False)
    monkeypatch.setattr(storage.primary, "incr", broken)
    clock = [1000.0]
    monkeypatch.setattr(ratelimits.time, "monotonic", lambda: clock[0])
    with app.app_context():
        assert storage.incr("k", 60) == 1  # the database stands in
        assert storage.incr("k", 60) == 2  # without asking the broken store again
        assert calls == ["refused"]
        clock[0] += ratelimits.RETRY_SECONDS + 1
        monkeypatch.setattr(storage.primary, "incr", real_incr)
        assert storage.incr("k", 60) == 1  # the first store counts again
        assert storage.fallback.get("k") == 2
