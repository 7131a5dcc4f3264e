"""Reading accounts: the staff list, the invitations still open, the locked sign-ins."""

from __future__ import annotations

from datetime import datetime

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


def locked_until(users: list[User]) -> dict[int, datetime]:
    """The accounts among *users* whose sign-in is locked now, by id, with when it lifts."""
    locked = throttle.locked_accounts(user.email for user in users)
    return {user.id: locked[user.email.lower()] for user in users if user.email.lower() in locked}


def account_exists(email: str) -> bool:
    """Whether a staff account has this e-mail (compared in lower case)."""
    found = db.session.scalar(sa.select(User.id).where(User.email == email.strip().lower()))
    return found is not None
