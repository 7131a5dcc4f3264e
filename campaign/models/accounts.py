"""Staff accounts and what keeps them safe: server-side sessions, login attempts, invitations."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign.database import NEVER_REUSE_IDS, Audited, str_enum, utcnow
from campaign.extensions import db
from campaign.models.vocab import Role


class User(db.Model):  # type: ignore[name-defined]
    """A staff member: admin, organiser or activist. Supporters never have accounts."""

    __tablename__ = "users"
    __audit__ = Audited()

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role), default=Role.ACTIVIST)
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # The second factor: a base32 TOTP secret, set while enrolling and in use once confirmed.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_confirmed_at: Mapped[datetime | None]
    # The last time step whose code was accepted: a code works once, never again.
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    # The staff area's language for this account ("ru"); None: the browser's Accept-Language.
    language: Mapped[str | None] = mapped_column(sa.String(16))

    sessions: Mapped[list[UserSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def has_two_factor(self) -> bool:
        """Whether sign-in asks this account for a one-time code after the password."""
        return self.totp_confirmed_at is not None and self.totp_secret is not None

    # Flask-Login's interface, spelled out rather than inherited so nothing is implicit.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    def has_role(self, *roles: Role) -> bool:
        """Whether the user holds one of *roles*; admins hold every role."""
        return self.role == Role.ADMIN or self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class UserSession(db.Model):  # type: ignore[name-defined]
    """A signed-in browser, held on the server so logout and deactivation end it for real."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="sessions")


class LoginAttempt(db.Model):  # type: ignore[name-defined]
    """One login attempt, keyed by a hash of the account or the client, for throttling."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        sa.Index("ix_login_attempts_key_created", "key_hash", "created_at"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(sa.String(16))  # "account", "client", "pair" or "code"
    key_hash: Mapped[str] = mapped_column(sa.String(64))
    # The account's hash on every row of an attempt, so an admin's unlock finds them all.
    account_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    succeeded: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecoveryCode(db.Model):  # type: ignore[name-defined]
    """One single-use code that signs in without the authenticator app; only its hash is kept.

    Not audited row by row (ten entries per enrolment would bury the trail): the account's
    entry notes how many unused codes it had before and after each change.
    """

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="recovery_codes")


class SecurityPolicy(db.Model):  # type: ignore[name-defined]
    """The admins' site-wide security choices: one row (id 1), created when first changed."""

    __tablename__ = "security_policies"
    __audit__ = Audited()

    id: Mapped[int] = mapped_column(primary_key=True)
    require_two_factor: Mapped[bool] = mapped_column(default=False)

    @property
    def title(self) -> str:
        """How the history names the one policy."""
        return "for every staff account"


class Invitation(db.Model):  # type: ignore[name-defined]
    """A single-use, expiring link an admin sends so a new person can set their own password."""

    __tablename__ = "invitations"
    __audit__ = Audited()

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    display_name: Mapped[str] = mapped_column(sa.String(120), default="")
    role: Mapped[Role] = mapped_column(str_enum(Role))
    invited_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    invited_by: Mapped[User | None] = relationship()
