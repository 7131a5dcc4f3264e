"""The second factor's arithmetic: TOTP codes (RFC 6238, via pyotp), the enrolment QR code
(drawn here as SVG by segno, so no third party ever sees the secret), and recovery codes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

import pyotp
import segno

ISSUER = "campaign"
STEP_SECONDS = 30
# Codes from one step before and after are accepted: phones' clocks drift, people type slowly.
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
# Four groups of four characters of base32: 80 random bits, typed without ambiguity.
_RECOVERY_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
_RECOVERY_GROUPS = 4


def new_secret() -> str:
    """A fresh random TOTP secret (160 bits, base32), as authenticator apps expect."""
    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, account: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code of *uri* as inline SVG markup: paths only, no script and no style."""
    code = segno.make(uri, error="m")
    svg: str = code.svg_inline(scale=5, border=2, dark="#000", light="#fff", omitsize=True)
    return svg


def grouped(secret: str) -> str:
    """The secret in groups of four, for people who type it into their app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def time_step(now: datetime | None = None) -> int:
    """The TOTP time step (counter) of *now*."""
    moment = now or datetime.now(UTC)
    return int(moment.timestamp()) // STEP_SECONDS


def matching_step(secret: str, code: str, now: datetime | None = None) -> int | None:
    """The time step near *now* whose code is *code*, or None if no step's code matches."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = time_step(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    """Ten fresh recovery codes, such as ``k7qm-2xfa-9tne-wb4c``."""
    return [
        "-".join(
            "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(4))
            for _ in range(_RECOVERY_GROUPS)
        )
        for _ in range(RECOVERY_CODE_COUNT)
    ]


def looks_like_recovery_code(text: str) -> bool:
    """Whether typed text has the shape of a recovery code (rather than a six-digit code)."""
    return len(normalise_recovery_code(text)) == 4 * _RECOVERY_GROUPS


def normalise_recovery_code(text: str) -> str:
    """A typed recovery code without spaces and dashes, in lower case."""
    return "".join(ch for ch in text.lower() if ch not in " -\t")


def recovery_code_digest(code: str) -> str:
    """The SHA-256 kept in place of a recovery code (80 random bits need no slow hash)."""
    return hashlib.sha256(normalise_recovery_code(code).encode()).hexdigest()
