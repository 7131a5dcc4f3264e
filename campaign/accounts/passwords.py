"""Password hashing (argon2id) and the password policy: long enough, hard to guess."""

from __future__ import annotations

import functools
import re
import secrets
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _

MAX_LENGTH = 1024
# Fewer different characters than this is a keyboard pattern or a repetition, however long.
MIN_DISTINCT_CHARACTERS = 5
_REPEATED = re.compile(r"^(.+?)\1+$", re.DOTALL)
# Trailing digits and punctuation people add to a common word to get past a length rule.
_DECORATION = "0123456789!?.,;:-_*#@$%&+=~"

# zxcvbn's time grows with the length; what follows the first 100 characters only adds strength.
SCORED_LENGTH = 100

# One decoy hash per parameter set, so an unknown e-mail costs as much time as a wrong password.
_decoy_hashes: dict[tuple[int, int, int], str] = {}


def _parameters() -> tuple[int, int, int]:
    config = current_app.config
    return (config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST"], config["ARGON2_PARALLELISM"])


def _hasher() -> PasswordHasher:
    time_cost, memory_cost, parallelism = _parameters()
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def hash_password(password: str) -> str:
    """Hash a password with argon2id at the configured strength."""
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password against its hash; a missing or corrupt hash never matches."""
    if not password_hash:
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def spend_verification_time(password: str) -> None:
    """Verify against a decoy hash, so a missing account takes as long as a wrong password."""
    key = _parameters()
    if key not in _decoy_hashes:
        _decoy_hashes[key] = hash_password(secrets.token_urlsafe(16))
    verify_password(_decoy_hashes[key], password)


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash was made with weaker parameters than the current ones."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@functools.cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of leaked corpora (zxcvbn's list), loaded on first use."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def _fold(text: str) -> str:
    """Lower-case without whitespace, so "Pass Word" and "password" compare equal."""
    return "".join(text.split()).lower()


def is_guessable(password: str, context: Iterable[str] = ()) -> bool:
    """Whether a password is common, a repetition, or built from the account's own name or e-mail.

    *context* holds words an attacker knows about the account (its e-mail, its display name).
    """
    folded = _fold(password)
    if len(set(folded)) < MIN_DISTINCT_CHARACTERS or _REPEATED.match(folded):
        return True
    common = common_passwords()
    stem = folded.rstrip(_DECORATION)
    if folded in common or (stem and stem in common):
        return True
    for word in context:
        known = _fold(word)
        if known and known in (folded, stem):
            return True
    return False


def strength(password: str, context: Iterable[str] = ()) -> int:
    """zxcvbn's score from 0 (guessed at once) to 4 (safe even offline), with what an attacker
    knows about the account (*context*) among its dictionaries."""
    from zxcvbn import zxcvbn

    inputs = [word for word in context if word]
    score: int = zxcvbn(password[:SCORED_LENGTH], user_inputs=inputs)["score"]
    return score


def password_problem(password: str, context: Iterable[str] = ()) -> str | None:
    """Say what is wrong with a new password under the policy, or None if it is acceptable."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return _(
            "Use at least %(n)d characters; a few unrelated words are easy to remember.", n=minimum
        )
    if len(password) > MAX_LENGTH:
        return _("Use at most %(n)d characters.", n=MAX_LENGTH)
    context = list(context)
    if is_guessable(password, context):
        return _(
            "This password is too common or too easy to guess. Try a few unrelated words instead."
        )
    if strength(password, context) < current_app.config["PASSWORD_MIN_SCORE"]:
        return _(
            "This password is too easy to guess: sequences such as abcdef, rows of keys such as "
            "qwerty, dates and names are tried first. Try a few unrelated words instead."
        )
    return None


def context_words(email: str, display_name: str) -> list[str]:
    """What an attacker knows about an account: its e-mail, the e-mail's local part, its name."""
    words = [email, email.split("@", 1)[0], display_name, *display_name.split()]
    return [w for w in words if w]
