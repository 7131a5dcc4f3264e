"""Staff accounts: invitations, roles, deactivation (admins)."""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from campaign import audit
from campaign.accounts import sessions, throttle
from campaign.database import utcnow
from campaign.extensions import db
from campaign.models import AuditAction, Invitation, Role, User
from campaign.users.forms import ActionForm, InviteForm, RoleForm
from campaign.web.access import ADMINS, allow

bp = Blueprint("users", __name__, url_prefix="/manage/users")

DEFAULT_INVITATION_LIFETIME = timedelta(hours=72)
# The fresh link waits here, in the admin's own session, for the one page that shows it.
LINK_KEY = "_invitation_link"


def get_user_or_404(user_id: int) -> User:
    """Load a staff account or 404; the caller is an admin (the guard checked), so no 403 here."""
    user = db.get_or_404(User, user_id)
    return user


def get_invitation_or_404(invitation_id: int) -> Invitation:
    """Load an invitation or 404; the caller is an admin (the guard checked), so no 403 here."""
    invitation = db.get_or_404(Invitation, invitation_id)
    return invitation


def _invitation_lifetime() -> timedelta:
    value = current_app.config.get("INVITATION_LIFETIME", DEFAULT_INVITATION_LIFETIME)
    return value if isinstance(value, timedelta) else timedelta(seconds=int(value))


def _other_active_admins(user: User) -> int:
    """How many active admins there are besides *user*."""
    return int(
        db.session.scalar(
            sa.select(sa.func.count(User.id)).where(
                User.role == Role.ADMIN, User.active.is_(True), User.id != user.id
            )
        )
        or 0
    )


@bp.get("/")
@allow(*ADMINS)
def index() -> str:
    """Every account with its role, state and last sign-in, and the invitations still open."""
    users = db.session.scalars(
        sa.select(User).order_by(User.active.desc(), sa.func.lower(User.display_name), User.id)
    ).all()
    invitations = db.session.scalars(
        sa.select(Invitation)
        .where(Invitation.used_at.is_(None), Invitation.expires_at > utcnow())
        .order_by(Invitation.created_at.desc())
    ).all()
    role_forms = {user.id: RoleForm(prefix=f"u{user.id}", role=user.role.value) for user in users}
    locked = throttle.locked_accounts(user.email for user in users)
    return render_template(
        "users/index.html",
        users=users,
        invitations=invitations,
        role_forms=role_forms,
        locked_until={
            user.id: locked[user.email.lower()] for user in users if user.email.lower() in locked
        },
        action_form=ActionForm(),
    )


@bp.route("/invite", methods=["GET", "POST"])
@allow(*ADMINS)
def invite() -> str | Response:
    """Create a single-use, expiring invitation and show its link to send by hand."""
    form = InviteForm()
    if form.validate_on_submit():
        email = (form.email.data or "").strip().lower()
        if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
            form.email.errors.append(_("There is already an account with this e-mail."))
        else:
            token = secrets.token_urlsafe(32)
            invitation = Invitation(
                token_hash=sessions.token_digest(token),
                email=email,
                display_name=(form.display_name.data or "").strip(),
                role=Role(form.role.data),
                invited_by_id=current_user.id,
                expires_at=utcnow() + _invitation_lifetime(),
            )
            db.session.add(invitation)
            audit.record(AuditAction.CREATE, invitation)
            db.session.commit()
            session[LINK_KEY] = url_for("accounts.accept_invitation", token=token, _external=True)
            return redirect(url_for("users.invitation_link", invitation_id=invitation.id))
    hours = int(_invitation_lifetime().total_seconds() // 3600)
    return render_template("users/invite.html", form=form, hours=hours)


@bp.get("/invitations/<int:invitation_id>/link")
@allow(*ADMINS)
def invitation_link(invitation_id: int) -> str | Response:
    """Show a new invitation's link once; only its hash is kept, so it cannot be shown again."""
    invitation = get_invitation_or_404(invitation_id)
    link = session.pop(LINK_KEY, None)
    if not link:
        flash(
            _("The link is shown only once. Withdraw the invitation and create a new one."),
            "warning",
        )
        return redirect(url_for("users.index"))
    return render_template("users/invitation_link.html", invitation=invitation, link=link)


@bp.post("/invitations/<int:invitation_id>/withdraw")
@allow(*ADMINS)
def withdraw_invitation(invitation_id: int) -> Response:
    """Delete an open invitation so its link stops working."""
    invitation = get_invitation_or_404(invitation_id)
    if ActionForm().validate_on_submit():
        audit.record(AuditAction.DELETE, invitation)
        db.session.delete(invitation)
        db.session.commit()
        flash(_("The invitation is withdrawn; its link no longer works."), "success")
    return redirect(url_for("users.index"))


@bp.post("/<int:user_id>/role")
@allow(*ADMINS)
def change_role(user_id: int) -> Response:
    """Give an account another role; the last active admin keeps theirs."""
    user = get_user_or_404(user_id)
    form = RoleForm(prefix=f"u{user.id}")
    if not form.validate_on_submit():
        flash(_("Choose a role from the list."), "error")
        return redirect(url_for("users.index"))
    role = Role(form.role.data)
    demoted = role != Role.ADMIN and user.role == Role.ADMIN and user.active
    if demoted and _other_active_admins(user) == 0:
        flash(_("%(name)s is the last active admin.", name=user.display_name), "error")
        return redirect(url_for("users.index"))
    user.role = role
    changes = audit.pending_changes(user)
    if changes:
        audit.record(AuditAction.UPDATE, user, changes)
        db.session.commit()
        flash(_("%(name)s is now: %(role)s.", name=user.display_name, role=role.label), "success")
    return redirect(url_for("users.index"))


@bp.post("/<int:user_id>/deactivate")
@allow(*ADMINS)
def deactivate(user_id: int) -> Response:
    """Deactivate an account and end all its sessions at once."""
    user = get_user_or_404(user_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("users.index"))
    if user.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "error")
    elif user.role == Role.ADMIN and user.active and _other_active_admins(user) == 0:
        flash(_("%(name)s is the last active admin.", name=user.display_name), "error")
    elif user.active:
        user.active = False
        audit.record(AuditAction.UPDATE, user, audit.pending_changes(user))
        sessions.revoke_all(user)
        db.session.commit()
        flash(_("%(name)s is deactivated and signed out.", name=user.display_name), "success")
    return redirect(url_for("users.index"))


@bp.post("/<int:user_id>/reactivate")
@allow(*ADMINS)
def reactivate(user_id: int) -> Response:
    """Let a deactivated account sign in again (with its old password)."""
    user = get_user_or_404(user_id)
    if ActionForm().validate_on_submit() and not user.active:
        user.active = True
        audit.record(AuditAction.UPDATE, user, audit.pending_changes(user))
        db.session.commit()
        flash(_("%(name)s can sign in again.", name=user.display_name), "success")
    return redirect(url_for("users.index"))


@bp.post("/<int:user_id>/unlock")
@allow(*ADMINS)
def unlock(user_id: int) -> Response:
    """Clear an account's failed sign-in attempts, so its owner need not wait out the lock."""
    user = get_user_or_404(user_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("users.index"))
    until = throttle.locked_accounts([user.email]).get(user.email.lower())
    cleared = throttle.unlock(user.email)
    if cleared:
        changes: dict[str, list[object]] = {"failed_sign_ins": [cleared, 0]}
        if until is not None:
            changes["sign_in_locked_until"] = [until.isoformat(timespec="minutes"), None]
        audit.record(AuditAction.UPDATE, user, changes)
        db.session.commit()
        flash(_("%(name)s can sign in again now.", name=user.display_name), "success")
    else:
        flash(_("%(name)s has no failed sign-ins to clear.", name=user.display_name), "info")
    return redirect(url_for("users.index"))
