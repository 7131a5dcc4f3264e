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

from campaign.accounts import sessions, throttle
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
from campaign.models import Invitation, Role, User, UserSession

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
        """Whether the account (not only the client) must wait."""
        return throttle.ACCOUNT in self.waits


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


def sign_in(email: str, password: str, client: str) -> User:
    """Check an e-mail and password from *client*, throttled per account and per client.

    Raises :class:`SignInThrottled` while either must wait, :class:`SignInRefused` for an
    unknown e-mail, a wrong password or a deactivated account alike (each costs the same time).
    A hash made with weaker parameters than today's is replaced.
    """
    email = email.strip().lower()
    throttle.prune()
    waits = throttle.waits(email, client)
    if waits:
        raise SignInThrottled(waits)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        spend_verification_time(password)
        matched = False
    else:
        matched = verify_password(user.password_hash, password) and user.active
    throttle.record(email, client, succeeded=matched)
    if user is None or not matched:
        raise SignInRefused
    with acting_as(user):
        if user.password_hash and needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.last_login_at = utcnow()
    return user


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
    """Clear an account's failed sign-ins, so its owner need not wait out the lock; returns how
    many were cleared (the history says how many, and until when it was locked)."""
    until = throttle.locked_accounts([user.email]).get(user.email.lower())
    cleared = throttle.unlock(user.email)
    if cleared:
        facts: dict[str, list[object]] = {"failed_sign_ins": [cleared, 0]}
        if until is not None:
            facts["sign_in_locked_until"] = [until.isoformat(timespec="minutes"), None]
        note(user, **facts)
        db.session.flush()
    return cleared


def create_account(email: str, role: Role, display_name: str | None, password: str) -> User:
    """An account made from the command line, with a password the policy accepts.

    Raises :class:`EmailTaken` or :class:`PasswordRefused` (with its reason).
    """
    email = email.strip().lower()
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise EmailTaken(email)
    problem = password_problem(password)
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
    its sessions end and the password must be changed at the next sign-in (a lost admin
    password, from the command line). Raises :class:`NoSuchAccount`."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NoSuchAccount(email)
    password = secrets.token_urlsafe(15)
    user.password_hash = hash_password(password)
    user.must_change_password = True
    sessions.revoke_all(user)
    db.session.flush()
    return password
