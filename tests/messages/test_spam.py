"""The form's defences as plain functions: honeypot, signed timing token, duplicates, tokens."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from campaign.extensions import db
from campaign.messages import spam
from campaign.models import Case, Message, MessageState


def test_the_honeypot_is_filled_only_by_text() -> None:
    assert not spam.honeypot_filled(None)
    assert not spam.honeypot_filled("")
    assert not spam.honeypot_filled("   ")
    assert spam.honeypot_filled("http://spam.example")


def test_a_fresh_token_is_accepted_between_the_minimum_and_the_maximum(app_ctx: Flask) -> None:
    now = time.time()
    token = spam.issue_form_token(now=now - 10)
    check = spam.check_form_token(token, min_seconds=3, max_seconds=3600, now=now)
    assert check.ok
    assert check.nonce


def test_a_form_sent_too_quickly_is_refused(app_ctx: Flask) -> None:
    now = time.time()
    token = spam.issue_form_token(now=now - 1)
    check = spam.check_form_token(token, min_seconds=3, max_seconds=3600, now=now)
    assert check.problem is spam.TokenProblem.TOO_FAST


def test_a_form_kept_open_too_long_is_refused(app_ctx: Flask) -> None:
    now = time.time()
    token = spam.issue_form_token(now=now - 9 * 3600)
    check = spam.check_form_token(token, min_seconds=3, max_seconds=8 * 3600, now=now)
    assert check.problem is spam.TokenProblem.EXPIRED


@pytest.mark.parametrize("token", [None, "", "not-a-token", "eyJuIjoieCIsInQiOjB9.forged"])
def test_a_missing_or_forged_token_is_refused(app_ctx: Flask, token: str | None) -> None:
    assert not spam.check_form_token(token, min_seconds=0).ok


def test_a_token_signed_with_another_secret_is_refused(app: Flask) -> None:
    with app.app_context():
        token = spam.issue_form_token(now=time.time() - 10)
    app.config["SECRET_KEY"] = "another secret"
    with app.app_context():
        assert spam.check_form_token(token, min_seconds=0).problem is spam.TokenProblem.INVALID


def test_the_fingerprint_ignores_case_and_spacing_but_not_the_case_it_is_for(
    app_ctx: Flask,
) -> None:
    one = spam.body_fingerprint(1, "Stay strong,\n  Ainur!")
    assert one == spam.body_fingerprint(1, "stay strong, ainur!  ")
    assert one != spam.body_fingerprint(2, "Stay strong, Ainur!")
    assert one != spam.body_fingerprint(1, "Stay strong, Yesenbek!")
    assert "strong" not in one
    assert len(one) == 64


def test_duplicates_are_found_within_the_window_only(
    app_ctx: Flask, make_case: Callable[..., Case]
) -> None:
    case = make_case()
    fingerprint = spam.body_fingerprint(case.id, "Solidarity from Vienna")
    sent = datetime.now(UTC) - timedelta(days=2)
    db.session.add(
        Message(
            case_id=case.id,
            body="Solidarity from Vienna",
            body_fingerprint=fingerprint,
            created_at=sent,
            client_hash="sender",
        )
    )
    db.session.commit()
    week, day = timedelta(days=7), timedelta(days=1)
    assert spam.find_duplicate(case.id, fingerprint, "sender", window=week) is not None
    assert spam.find_duplicate(case.id, fingerprint, "sender", window=day) is None
    other = spam.body_fingerprint(case.id, "Another text")
    assert spam.find_duplicate(case.id, other, "sender", window=week) is None
    # Another supporter's same words are their own message.
    assert spam.find_duplicate(case.id, fingerprint, "someone else", window=week) is None


def test_a_withdrawn_message_is_not_a_duplicate(
    app_ctx: Flask, make_case: Callable[..., Case]
) -> None:
    case = make_case()
    fingerprint = spam.body_fingerprint(case.id, "text")
    db.session.add(
        Message(
            case_id=case.id,
            body="text",
            body_fingerprint=fingerprint,
            state=MessageState.WITHDRAWN,
            client_hash="sender",
        )
    )
    db.session.commit()
    assert spam.find_duplicate(case.id, fingerprint, "sender") is None


def test_the_withdraw_token_follows_the_nonce_and_only_its_hash_is_stored(app_ctx: Flask) -> None:
    token = spam.withdraw_token_for("nonce-1")
    assert token == spam.withdraw_token_for("nonce-1")
    assert token != spam.withdraw_token_for("nonce-2")
    assert len(token) >= 40
    assert spam.token_hash(token) != token
    assert len(spam.token_hash(token)) == 64
