"""Defences of the public message form that need no third party: honeypot, timing, duplicates.

The per-client rate limit sits on the view (Flask-Limiter) and the body-size cap on the request;
behind all of these, every message still waits for an organiser's decision.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from campaign.database import UTCDateTime
from campaign.extensions import db
from campaign.models import Message, MessageState

FORM_TOKEN_SALT = "support-form-token"  # noqa: S105  # nosec B105  # a salt name, not a secret
_WHITESPACE = re.compile(r"\s+")


class TokenProblem(enum.StrEnum):
    """Why a form's signed timing token was not accepted."""

    MISSING = "missing"
    INVALID = "invalid"
    TOO_FAST = "too_fast"
    EXPIRED = "expired"


@dataclass(frozen=True)
class TokenCheck:
    """The outcome of reading a form token: its one-time nonce, or the problem with it."""

    nonce: str | None
    problem: TokenProblem | None

    @property
    def ok(self) -> bool:
        """Whether the form may be accepted as far as timing goes."""
        return self.problem is None


def _secret() -> bytes:
    secret = current_app.config["SECRET_KEY"]
    return secret.encode() if isinstance(secret, str) else bytes(secret)


def _derived_key(purpose: str) -> bytes:
    """A key for one purpose, derived from the app secret, so keys never mix between uses."""
    return hmac.new(_secret(), b"campaign-spam:" + purpose.encode(), hashlib.sha256).digest()


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(_secret(), salt=FORM_TOKEN_SALT)


def honeypot_filled(value: str | None) -> bool:
    """Whether the field that people never see (and bots fill in) holds anything."""
    return bool(value and value.strip())


def issue_form_token(*, nonce: str | None = None, now: float | None = None) -> str:
    """A signed token carrying the time the form was shown and a one-time nonce."""
    issued = int(now if now is not None else time.time())
    return str(_serializer().dumps({"n": nonce or secrets.token_urlsafe(16), "t": issued}))


def check_form_token(
    token: str | None,
    *,
    min_seconds: float | None = None,
    max_seconds: float | None = None,
    now: float | None = None,
) -> TokenCheck:
    """Check that the form was shown by us, at least *min_seconds* and at most *max_seconds* ago.

    Both default to the settings ``SUPPORT_FORM_MIN_SECONDS`` and ``SUPPORT_FORM_MAX_SECONDS``.
    """
    config = current_app.config
    if min_seconds is None:
        min_seconds = float(config["SUPPORT_FORM_MIN_SECONDS"])
    if max_seconds is None:
        max_seconds = float(config["SUPPORT_FORM_MAX_SECONDS"])
    if not token:
        return TokenCheck(None, TokenProblem.MISSING)
    try:
        payload = _serializer().loads(token)
        nonce, issued = str(payload["n"]), int(payload["t"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return TokenCheck(None, TokenProblem.INVALID)
    age = (now if now is not None else time.time()) - issued
    if age < min_seconds:
        return TokenCheck(nonce, TokenProblem.TOO_FAST)
    if age > max_seconds:
        return TokenCheck(nonce, TokenProblem.EXPIRED)
    return TokenCheck(nonce, None)


def normalise_text(text: str) -> str:
    """The text as compared for duplicates: Unicode-normalised, case-folded, spaces collapsed."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def body_fingerprint(case_id: int, body: str) -> str:
    """A keyed hash of the normalised text for one case: the same text to another case differs."""
    data = f"{case_id}:{normalise_text(body)}".encode()
    return hmac.new(_derived_key("body-fingerprint"), data, hashlib.sha256).hexdigest()


def find_duplicate(
    case_id: int,
    fingerprint: str,
    client_hash: str,
    *,
    window: timedelta | None = None,
    now: datetime | None = None,
) -> Message | None:
    """A message with the same text sent to the same case by the same sender (*client_hash*)
    within *window*, if there is one. Another sender's same words are their own message: a
    slogan sent by hundreds is hundreds of messages, and a stranger must not learn from a
    refusal that someone sent those words.

    The window defaults to the setting ``SUPPORT_DUPLICATE_WINDOW_HOURS``.
    """
    statement = _duplicates(case_id, fingerprint, client_hash, window=window, now=now)
    found = db.session.scalar(statement)
    return None if found is None else db.session.get(Message, found)


def is_duplicate(case_id: int, fingerprint: str, client_hash: str) -> bool:
    """Whether the same sender sent the same text to the same case within
    ``SUPPORT_DUPLICATE_WINDOW_HOURS`` (one index lookup, no message loaded)."""
    return db.session.scalar(_duplicates(case_id, fingerprint, client_hash)) is not None


def _duplicates(
    case_id: int,
    fingerprint: str,
    client_hash: str,
    *,
    window: timedelta | None = None,
    now: datetime | None = None,
) -> sa.Select[int]:
    """The id of one message with this text for this case from this sender within *window*
    (an index lookup: the case's messages with this text are few)."""
    if window is None:
        window = timedelta(hours=float(current_app.config["SUPPORT_DUPLICATE_WINDOW_HOURS"]))
    since = (now or datetime.now(UTC)) - window
    return (
        sa.select(Message.id)
        .where(
            Message.case_id == case_id,
            Message.body_fingerprint == fingerprint,
            Message.created_at >= since,
            Message.client_hash == client_hash,
            Message.state != MessageState.WITHDRAWN,
        )
        .limit(1)
    )


@dataclass(frozen=True)
class Earlier:
    """What is already stored that a new message must not repeat: the message this form sent
    (its id, fingerprint and case), if any, and whether the same sender's same text reached
    the case within the duplicate window through another form."""

    same_form: tuple[int, str | None, int] | None
    duplicate: bool


# Fixed text, the same on SQLite and PostgreSQL (as the rate-limit counters'): built once, it
# skips the expression building and cache-key work of a Core statement, which cost more than
# the two lookups themselves, and it runs while the write lock is held. The second branch is
# :func:`_duplicates` (tests/messages/test_spam_lookups.py checks both use their index).
_EARLIER = sa.text(
    "SELECT 1 AS form, id, body_fingerprint, case_id FROM messages "
    "WHERE withdraw_token_hash = :token "
    "UNION ALL "
    "SELECT 0, id, NULL, NULL FROM (SELECT id FROM messages "
    "WHERE case_id = :case_id AND body_fingerprint = :fingerprint AND created_at >= :since "
    "AND client_hash = :client AND state != :withdrawn LIMIT 1) AS duplicate"
).bindparams(sa.bindparam("since", type_=UTCDateTime()))


def earlier_messages(
    case_id: int, fingerprint: str, hashed_token: str, client_hash: str
) -> Earlier:
    """Both checks a post makes before it stores a message, in one statement of two index
    lookups: the form's withdrawal-token hash (unique), and the sender's duplicate text within
    ``SUPPORT_DUPLICATE_WINDOW_HOURS`` (as :func:`is_duplicate`). Made while the write lock is
    held, so a round trip fewer there is a wait fewer for every other post."""
    window = timedelta(hours=float(current_app.config["SUPPORT_DUPLICATE_WINDOW_HOURS"]))
    # On the session's connection, in its transaction: a plain read needs none of the ORM's
    # execute hooks.
    rows = (
        db.session.connection()
        .execute(
            _EARLIER,
            {
                "token": hashed_token,
                "case_id": case_id,
                "fingerprint": fingerprint,
                "client": client_hash,
                "since": datetime.now(UTC) - window,
                "withdrawn": MessageState.WITHDRAWN.value,
            },
        )
        .all()
    )
    form = next((row for row in rows if row[0] == 1), None)
    return Earlier(
        same_form=(int(form[1]), form[2], int(form[3])) if form is not None else None,
        duplicate=any(row[0] == 0 for row in rows),
    )


def withdraw_token_for(nonce: str) -> str:
    """The withdrawal token for the form with *nonce*: unguessable without the app secret.

    Deriving it from the form's one-time nonce means a double-clicked form yields the same token,
    so its hash (unique in the table) lets the second request find the first message.
    """
    digest = hmac.new(_derived_key("withdraw-token"), nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    """The stored form of a withdrawal token (the token itself is never stored)."""
    return hashlib.sha256(token.encode()).hexdigest()
