"""Supporters' addresses cannot be recovered: client hashes use random keys that every worker
shares, and once the retention window has passed the hashes and their keys are gone."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from campaign import create_app, ephemeral, hashkeys
from campaign.extensions import db
from campaign.messages import services
from campaign.models import Case, ClientHashKey, Message
from campaign.util.privacy import keyed_hash, period_of
from tests.conftest import base_config

ADDRESS = "203.0.113.9"


def _every_key_on_the_server(app: Flask) -> list[bytes]:
    """Every key the server could hash with: the shared store's, and any derived from the secret."""
    with ephemeral.engine().connect() as connection:
        stored = [bytes.fromhex(k) for k in connection.scalars(sa.select(ClientHashKey.key))]
    secret = str(app.config["SECRET_KEY"]).encode()
    derived = [
        hmac.new(secret, b"client-hash:" + period.encode(), hashlib.sha256).digest()
        for period in (period_of(datetime.now(UTC) - timedelta(days=d)) for d in range(10))
    ]
    return stored + derived


def test_the_key_is_random_not_derived_from_the_secret(app: Flask, tmp_path: Path) -> None:
    """Two installations with the same secret hash the same address differently."""
    other = create_app(base_config(tmp_path / "other", SECRET_KEY=app.config["SECRET_KEY"]))
    (tmp_path / "other").mkdir(exist_ok=True)
    with app.app_context():
        here = keyed_hash(ADDRESS)
        assert keyed_hash(ADDRESS) == here  # stable within the period
    with other.app_context():
        db.create_all()
        assert keyed_hash(ADDRESS) != here
        db.engine.dispose()


def test_every_worker_uses_the_same_key(app: Flask, app_config: dict) -> None:
    """A second app on the same database (another gunicorn worker) hashes alike."""
    worker = create_app(app_config)
    try:
        with app.app_context():
            first = keyed_hash(ADDRESS)
        with worker.app_context():
            assert keyed_hash(ADDRESS) == first
    finally:
        with worker.app_context():
            db.engine.dispose()


def test_an_old_hash_can_no_longer_be_linked_to_an_address(
    app: Flask, make_case: Callable[..., Case]
) -> None:
    case = make_case()
    now = datetime.now(UTC)
    old = now - timedelta(hours=30)  # within the 48 hours: still linkable today
    # Once 48 hours have passed since the end of old's day (and old's message is older than that).
    later = old + timedelta(hours=73)
    with app.app_context():
        old_hash = keyed_hash(ADDRESS, now=old)
        new_hash = keyed_hash(ADDRESS, now=now)
        for created_at, client_hash in ((old, old_hash), (now, new_hash)):
            db.session.add(
                Message(
                    case_id=case.id,
                    body=f"sent {created_at:%d}",
                    country="DE",
                    client_hash=client_hash,
                    created_at=created_at,
                )
            )
        db.session.commit()
        # Before the window ends the moderators can still see "same sender".
        assert any(
            hmac.new(key, ADDRESS.encode(), hashlib.sha256).hexdigest() == old_hash
            for key in _every_key_on_the_server(app)
        )

        assert services.purge(later).client_hashes == 1
        db.session.commit()
        assert hashkeys.purge(later) == 1

        stored = set(db.session.scalars(sa.select(Message.client_hash)))
        assert stored == {None, new_hash}  # today's hash stays for the rate limits
        for key in _every_key_on_the_server(app):
            assert hmac.new(key, ADDRESS.encode(), hashlib.sha256).hexdigest() != old_hash
        # This worker forgets the deleted key as well: asking again makes a new, unrelated one.
        assert keyed_hash(ADDRESS, now=old) != old_hash
        assert keyed_hash(ADDRESS, now=now) == new_hash


def test_the_purge_runs_by_itself_when_a_supporter_sends(
    app: Flask, make_case: Callable[..., Case]
) -> None:
    case = make_case()
    with app.app_context():
        db.session.add(
            Message(
                case_id=case.id,
                body="long ago",
                country="DE",
                client_hash="a" * 64,
                created_at=datetime.now(UTC) - timedelta(days=3),
            )
        )
        db.session.commit()
        services.submit(
            db.session.get(Case, case.id),
            services.Submission(body="Today", country="AT"),
            nonce="n-1",
            client_hash="b" * 64,
        )
        db.session.commit()
        hashes = set(db.session.scalars(sa.select(Message.client_hash)))
        assert hashes == {None, "b" * 64}
