"""Reading accounts: the staff list, the invitations still open, the failed sign-ins."""

from __future__ import annotations

import sqlalchemy as sa

from campaign.accounts import throttle
from campaign.database import utcnow
from campaign.extensions import db
from campaign.models import Invitation, User


def accounts() -> list[User]:
    """Every staff account, active ones first, by name."""
    return list(
        db.session.scalars(
            sa.select(User).order_by(User.active.desc(), sa.func.lower(User.display_name), User.id)
        )
    )


def open_invitations() -> list[Invitation]:
    """The invitations not used and not expired, newest first."""
    return list(
        db.session.scalars(
            sa.select(Invitation)
            .where(Invitation.used_at.is_(None), Invitation.expires_at > utcnow())
            .order_by(Invitation.created_at.desc())
        )
    )


def failed_sign_ins(users: list[User]) -> dict[int, int]:
    """The accounts among *users* with failed sign-ins in the throttle's window, by id: how many."""
    counts = throttle.failed_sign_ins(user.email for user in users)
    return {user.id: counts[user.email.lower()] for user in users if user.email.lower() in counts}


def account_exists(email: str) -> bool:
    """Whether a staff account has this e-mail (compared in lower case)."""
    found = db.session.scalar(sa.select(User.id).where(User.email == email.strip().lower()))
    return found is not None
