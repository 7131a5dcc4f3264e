"""The accounts' domain actions: signing in, passwords, invitations, roles, deactivation.

Each takes plain values and the acting user, adds and flushes but never commits (the view or
the command line commits once), and raises a named error. Starting and ending the browser's
session is the request's business (campaign.accounts.sessions); revoking sessions on the
server is done here. The history records every change by itself.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from campaign.accounts import sessions, throttle, twofactor
from campaign.accounts.passwords import (
    context_words,
    hash_password,
    needs_rehash,
    password_problem,
    spend_verification_time,
    verify_password,
)
from campaign.database import utcnow
from campaign.extensions import db
from campaign.history.recorder import acting_as, note
from campaign.models import Invitation, RecoveryCode, Role, SecurityPolicy, User, UserSession

FIRST_RUN = "first run"


class AccountError(Exception):
    """An account action that cannot be done; the view says why."""


class SignInRefused(AccountError):
    """The e-mail and password do not match an active account (which one is never said)."""


class SignInThrottled(AccountError):
    """Too many failed attempts for this account or from this client: wait this long."""

    def __init__(self, waits: dict[str, timedelta]) -> None:
        super().__init__("throttled")
        self.waits = waits

    @property
    def wait(self) -> timedelta:
        """The longest of the waits."""
        return max(self.waits.values())

    @property
    def account_locked(self) -> bool:
        """Whether the wait concerns the account (so an admin clearing it helps), not only the
        client's guesses over many accounts."""
        return bool(self.waits.keys() & {throttle.ACCOUNT, throttle.PAIR, throttle.CODE})


class WrongCode(AccountError):
    """The one-time or recovery code is wrong, or was used already."""


class TwoFactorActive(AccountError):
    """The account has a second factor already (reset it before enrolling again)."""


class NoEnrolment(AccountError):
    """No enrolment is under way: there is no secret waiting for its first code."""


class TwoFactorRequired(AccountError):
    """The admins require a second factor, so it cannot be turned off."""


class PasswordRefused(AccountError):
    """A new password the policy refuses; the message says why, for the person."""


class WrongPassword(AccountError):
    """The current password given is not the account's."""


class SamePassword(AccountError):
    """The new password is the current one."""


class EmailTaken(AccountError):
    """An account with this e-mail exists already."""


class InvitationUsed(AccountError):
    """The invitation was used (by a simultaneous submission, or before)."""


class LastAdmin(AccountError):
    """The change would leave no active admin."""


class NoSuchAccount(AccountError):
    """No staff account has this e-mail."""


class OwnAccount(AccountError):
    """Admins cannot deactivate their own account."""


def sign_in(
    email: str, password: str, client: str, *, device: tuple[int, str] | None = None
) -> User:
    """Check an e-mail and password from *client*, throttled (see :mod:`throttle`).

    *device* is the (user id, device id) of a browser that signed in before: for that account
    it stands in for the client and escapes the limits strangers cause. Raises
    :class:`SignInThrottled` while a limit holds, :class:`SignInRefused` for an unknown e-mail,
    a wrong password or a deactivated account alike (each costs the same time). A hash made
    with weaker parameters than today's is replaced. With a second factor, the caller asks for
    a code (:func:`verify_second_factor`) before the sign-in counts.
    """
    email = email.strip().lower()
    throttle.prune()
    user = db.session.scalar(sa.select(User).where(User.email == email))
    known = device[1] if device and user is not None and device[0] == user.id else None
    try:
        attempt = throttle.claim(email, client, device=known)
    except throttle.Throttled as throttled:
        raise SignInThrottled(throttled.waits) from None
    if user is None:
        spend_verification_time(password)
        matched = False
    else:
        matched = verify_password(user.password_hash, password) and user.active
    if user is None or not matched:
        raise SignInRefused
    throttle.succeeded(attempt)
    with acting_as(user):
        if user.password_hash and needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        if not user.has_two_factor:
            user.last_login_at = utcnow()
    return user


def verify_second_factor(user: User, code: str, *, now: datetime | None = None) -> None:
    """Accept a one-time code (each once only) or an unused recovery code to finish a sign-in.

    Raises :class:`SignInThrottled` after too many wrong codes, :class:`WrongCode` otherwise.
    Both checks are single UPDATEs, so the same code sent twice at once is accepted once.
    """
    try:
        attempt = throttle.claim_code(user.email, now=now)
    except throttle.Throttled as throttled:
        raise SignInThrottled(throttled.waits) from None
    if not (user.active and user.has_two_factor and user.totp_secret):
        raise WrongCode
    if twofactor.looks_like_recovery_code(code):
        _use_recovery_code(user, code, now or utcnow())
    else:
        _use_totp(user, user.totp_secret, code, now)
    throttle.succeeded(attempt)
    with acting_as(user):
        user.last_login_at = utcnow()


def _use_totp(user: User, secret: str, code: str, now: datetime | None) -> None:
    """Accept a code whose time step is later than the last one accepted, atomically."""
    step = twofactor.matching_step(secret, code, now)
    if step is None:
        raise WrongCode
    claimed = db.session.execute(
        sa.update(User)
        .where(
            User.id == user.id,
            sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(user, ["totp_last_step"])
    if not getattr(claimed, "rowcount", 0):
        raise WrongCode


def _use_recovery_code(user: User, code: str, now: datetime) -> None:
    """Spend an unused recovery code, atomically; the trail notes how many are left."""
    spent = db.session.execute(
        sa.update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == twofactor.recovery_code_digest(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if not getattr(spent, "rowcount", 0):
        raise WrongCode
    left = recovery_codes_left(user)
    with acting_as(user):
        note(user, recovery_codes=[left + 1, left])
    db.session.flush()


def recovery_codes_left(user: User) -> int:
    """How many of the account's recovery codes are still unused."""
    return int(
        db.session.scalar(
            sa.select(sa.func.count(RecoveryCode.id)).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        )
        or 0
    )


def start_two_factor(user: User) -> str:
    """Begin enrolment: a fresh secret waits for its first code; returns the secret.

    Raises :class:`TwoFactorActive` when the account has a confirmed second factor.
    """
    if user.has_two_factor:
        raise TwoFactorActive
    user.totp_secret = twofactor.new_secret()
    user.totp_confirmed_at = None
    user.totp_last_step = None
    db.session.flush()
    return user.totp_secret


def confirm_two_factor(
    user: User, code: str, *, keep: UserSession | None = None, now: datetime | None = None
) -> list[str]:
    """Finish enrolment with a first code from the app; returns the ten recovery codes, which
    are shown once (only their hashes are kept). Every other session of the account ends.

    Raises :class:`NoEnrolment`, :class:`TwoFactorActive`, :class:`WrongCode` or
    :class:`SignInThrottled` (wrong codes count as at sign-in).
    """
    if user.has_two_factor:
        raise TwoFactorActive
    if not user.totp_secret:
        raise NoEnrolment
    try:
        attempt = throttle.claim_code(user.email, now=now)
    except throttle.Throttled as throttled:
        raise SignInThrottled(throttled.waits) from None
    _use_totp(user, user.totp_secret, code, now)
    throttle.succeeded(attempt)
    codes = _replace_recovery_codes(user)
    user.totp_confirmed_at = utcnow()
    db.session.flush()
    sessions.revoke_all(user, keep=keep)
    return codes


def _replace_recovery_codes(user: User) -> list[str]:
    """Ten new codes in place of the old; the history notes the count, never a code."""
    before = _delete_recovery_codes(user)
    codes = twofactor.new_recovery_codes()
    for code in codes:
        user.recovery_codes.append(RecoveryCode(code_hash=twofactor.recovery_code_digest(code)))
    note(user, recovery_codes=[before, len(codes)])
    return codes


def _delete_recovery_codes(user: User) -> int:
    """Delete the account's recovery codes; returns how many were still unused."""
    unused = recovery_codes_left(user)
    for old in list(user.recovery_codes):
        db.session.delete(old)
    db.session.flush()
    return unused


def renew_recovery_codes(
    user: User, password: str, *, keep: UserSession | None = None
) -> list[str]:
    """Ten new recovery codes in place of the old ones (which stop working); every other
    session ends. Raises :class:`WrongPassword` or :class:`NoEnrolment` (no second factor)."""
    if not verify_password(user.password_hash, password):
        raise WrongPassword
    if not user.has_two_factor:
        raise NoEnrolment
    codes = _replace_recovery_codes(user)
    db.session.flush()
    sessions.revoke_all(user, keep=keep)
    return codes


def _clear_two_factor(user: User) -> bool:
    """Take the secret and the recovery codes away; returns whether there was a secret."""
    had = user.totp_secret is not None
    unused = _delete_recovery_codes(user)
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    if unused:
        note(user, recovery_codes=[unused, 0])
    db.session.flush()
    return had


def turn_off_two_factor(user: User, password: str, *, keep: UserSession | None = None) -> None:
    """Turn one's own second factor off (with the password); every other session ends.

    Raises :class:`WrongPassword`, :class:`TwoFactorRequired` while the admins require it.
    """
    if not verify_password(user.password_hash, password):
        raise WrongPassword
    if two_factor_required():
        raise TwoFactorRequired
    _clear_two_factor(user)
    sessions.revoke_all(user, keep=keep)


def reset_two_factor(user: User, *, keep: UserSession | None = None) -> bool:
    """An admin's reset of a member's second factor (a lost phone): secret and recovery codes
    go, every session of the account ends (but *keep*, the admin's own when they reset their
    own); returns whether there was anything to reset."""
    if not _clear_two_factor(user):
        return False
    sessions.revoke_all(user, keep=keep)
    return True


def two_factor_required() -> bool:
    """Whether the admins require a second factor of every staff account."""
    policy = db.session.get(SecurityPolicy, 1)
    return bool(policy and policy.require_two_factor)


def require_two_factor(required: bool) -> bool:
    """Set whether every staff account needs a second factor; returns whether it changed."""
    policy = db.session.get(SecurityPolicy, 1)
    if policy is None:
        if not required:
            return False
        db.session.add(SecurityPolicy(id=1, require_two_factor=True))
        db.session.flush()
        return True
    if policy.require_two_factor == required:
        return False
    policy.require_two_factor = required
    db.session.flush()
    return True


def _check_new_password(password: str, email: str, name: str) -> None:
    problem = password_problem(password, context_words(email, name))
    if problem:
        raise PasswordRefused(problem)


def change_password(user: User, current: str, new: str, *, keep: UserSession | None = None) -> None:
    """Change one's own password; every other signed-in browser of the account is signed out.

    Raises :class:`WrongPassword`, :class:`SamePassword` or :class:`PasswordRefused`.
    """
    if not verify_password(user.password_hash, current):
        raise WrongPassword
    if new == current:
        raise SamePassword
    _check_new_password(new, user.email, user.display_name)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    db.session.flush()
    sessions.revoke_all(user, keep=keep)


class UnknownLanguage(AccountError):
    """The language is not one the site is configured to speak."""


def set_language(user: User, language: str | None) -> None:
    """Choose the staff area's language for one's own account (None: follow the browser).

    Raises :class:`UnknownLanguage` for a language not in the ``LANGUAGES`` setting.
    """
    if language and language not in current_app.config["LANGUAGES"]:
        raise UnknownLanguage(language)
    user.language = language or None
    db.session.flush()


@dataclass(frozen=True)
class NewInvitation:
    """An invitation and the token of its link (only the token's hash is kept)."""

    invitation: Invitation
    token: str


def invite(email: str, display_name: str, role: Role, actor: User) -> NewInvitation:
    """A single-use link, valid for ``INVITATION_LIFETIME``, for a new person to join.

    Raises :class:`EmailTaken` if an account with this e-mail exists.
    """
    email = email.strip().lower()
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise EmailTaken(email)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        token_hash=sessions.token_digest(token),
        email=email,
        display_name=display_name.strip(),
        role=role,
        invited_by_id=actor.id,
        expires_at=utcnow() + current_app.config["INVITATION_LIFETIME"],
    )
    db.session.add(invitation)
    db.session.flush()
    return NewInvitation(invitation, token)


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation a link's token names, used or not."""
    digest = sessions.token_digest(token)
    return db.session.scalar(sa.select(Invitation).where(Invitation.token_hash == digest))


def is_usable(invitation: Invitation, now: datetime | None = None) -> bool:
    """Whether an invitation may still be accepted: not used, not expired."""
    return invitation.used_at is None and invitation.expires_at > (now or utcnow())


def accept_invitation(invitation: Invitation, display_name: str, password: str) -> User:
    """Create the invited person's account with their own name and password.

    Raises :class:`EmailTaken`, :class:`PasswordRefused`, or :class:`InvitationUsed` when a
    simultaneous submission claimed the link first (the claim is one atomic UPDATE).
    """
    name = display_name.strip()
    taken = db.session.scalar(sa.select(User.id).where(User.email == invitation.email))
    if taken is not None:
        raise EmailTaken(invitation.email)
    _check_new_password(password, invitation.email, name)
    claimed = db.session.execute(
        sa.update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if not getattr(claimed, "rowcount", 0):
        raise InvitationUsed
    user = User(
        email=invitation.email,
        display_name=name,
        role=invitation.role,
        password_hash=hash_password(password),
        last_login_at=utcnow(),
    )
    with acting_as(user):  # the new account is who created it
        db.session.add(user)
    return user


def withdraw_invitation(invitation: Invitation) -> None:
    """Delete an open invitation so its link stops working."""
    db.session.delete(invitation)
    db.session.flush()


def _other_active_admins(user: User) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count(User.id)).where(
                User.role == Role.ADMIN, User.active.is_(True), User.id != user.id
            )
        )
        or 0
    )


def change_role(user: User, role: Role) -> bool:
    """Give an account another role; returns whether it changed. The last active admin keeps
    theirs (:class:`LastAdmin`)."""
    if role == user.role:
        return False
    if user.role == Role.ADMIN and user.active and _other_active_admins(user) == 0:
        raise LastAdmin
    user.role = role
    db.session.flush()
    return True


def deactivate(user: User, actor: User) -> bool:
    """Deactivate an account and end all its sessions at once; returns whether it was active.

    Raises :class:`OwnAccount` for the actor's own account, :class:`LastAdmin` for the last
    active admin.
    """
    if user.id == actor.id:
        raise OwnAccount
    if user.role == Role.ADMIN and user.active and _other_active_admins(user) == 0:
        raise LastAdmin
    if not user.active:
        return False
    user.active = False
    db.session.flush()
    sessions.revoke_all(user)
    return True


def reactivate(user: User) -> bool:
    """Let a deactivated account sign in again (with its old password)."""
    if user.active:
        return False
    user.active = True
    db.session.flush()
    return True


def unlock(user: User) -> int:
    """Clear an account's failed sign-ins and wrong codes, so no client of its owner waits and
    the account is no longer slowed; returns how many failed sign-ins were cleared (the history
    says how many)."""
    cleared = throttle.unlock(user.email)
    if cleared:
        note(user, failed_sign_ins=[cleared, 0])
        db.session.flush()
    return cleared


def create_account(email: str, role: Role, display_name: str | None, password: str) -> User:
    """An account made from the command line, with a password the policy accepts.

    Raises :class:`EmailTaken` or :class:`PasswordRefused` (with its reason).
    """
    email = email.strip().lower()
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise EmailTaken(email)
    problem = password_problem(password, context_words(email, display_name or ""))
    if problem:
        raise PasswordRefused(problem)
    user = User(
        email=email,
        display_name=(display_name or email.split("@", 1)[0])[:120],
        role=role,
        password_hash=hash_password(password),
    )
    db.session.add(user)
    db.session.flush()
    return user


def create_first_admin(email: str) -> str | None:
    """The first admin, with a random one-time password returned to print once; None (and
    nothing changed) when accounts exist already."""
    if db.session.scalar(sa.select(sa.func.count(User.id))):
        return None
    password = secrets.token_urlsafe(15)
    user = User(
        email=email,
        display_name="Admin",
        role=Role.ADMIN,
        password_hash=hash_password(password),
        must_change_password=True,
    )
    with acting_as(label=FIRST_RUN):
        db.session.add(user)
    return password


def reset_to_one_time_password(email: str) -> str:
    """Give the account of *email* a new random one-time password, returned to print once;
    its sessions end, its failed sign-ins are cleared and the password must be changed at the
    next sign-in (a lost admin password, from the command line). Raises :class:`NoSuchAccount`."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NoSuchAccount(email)
    password = secrets.token_urlsafe(15)
    user.password_hash = hash_password(password)
    user.must_change_password = True
    sessions.revoke_all(user)
    unlock(user)  # the failed tries of whoever lost it do not slow the new password
    db.session.flush()
    return password
