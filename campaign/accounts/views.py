"""Staff accounts: signing in and out, changing one's password and accepting an invitation
(public, blueprint ``accounts``), then inviting people and managing accounts (admins, blueprint
``users`` under /manage/users)."""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from campaign.accounts import sessions, throttle
from campaign.accounts.forms import (
    AcceptInvitationForm,
    ActionForm,
    ChangePasswordForm,
    InviteForm,
    LoginForm,
    LogoutForm,
    RoleForm,
)
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
from campaign.models import Invitation, Role, User
from campaign.web.access import ADMINS, allow
from campaign.web.redirects import local_target

public_bp = Blueprint("accounts", __name__)
bp = Blueprint("users", __name__, url_prefix="/manage/users")


def _generic_failure() -> str:
    """The one message for an unknown e-mail, a wrong password and a deactivated account alike."""
    return _("That e-mail and password do not match an active account.")


def _client() -> str:
    return request.remote_addr or "unknown"


@public_bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    """Sign in with e-mail and password; one message for every kind of failure, throttled."""
    if current_user.is_authenticated:
        return redirect(url_for("manage.dashboard"))
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return render_template("accounts/login.html", form=form)

    email = (form.email.data or "").strip().lower()
    password = form.password.data or ""
    throttle.prune()
    waits = throttle.waits(email, _client())
    if waits:
        db.session.commit()
        n = throttle.minutes(max(waits.values()))
        flash(
            ngettext(
                "Too many sign-in attempts. Try again in %(num)d minute.",
                "Too many sign-in attempts. Try again in %(num)d minutes.",
                n,
            ),
            "error",
        )
        if throttle.ACCOUNT in waits:
            # Said for unknown e-mails too (they lock alike), so it reveals no account.
            flash(
                _("If this is your account, an admin can unlock sign-in for it sooner."),
                "info",
            )
        return render_template("accounts/login.html", form=form), 429

    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        spend_verification_time(password)
        matched = False
    else:
        matched = verify_password(user.password_hash, password) and user.active
    throttle.record(email, _client(), succeeded=matched)
    if user is None or not matched:
        db.session.commit()
        flash(_generic_failure(), "error")
        return render_template("accounts/login.html", form=form)

    if user.password_hash and needs_rehash(user.password_hash):
        with acting_as(user):
            user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    sessions.begin(user)
    db.session.commit()
    if user.must_change_password:
        flash(_("Welcome. Please choose your own password before you go on."), "warning")
        return redirect(url_for("accounts.change_password"))
    return redirect(local_target(form.next.data, url_for("manage.dashboard")))


@public_bp.post("/logout")
def logout() -> Response:
    """Sign out (POST only, with a CSRF token); the server-side session ends for good."""
    form = LogoutForm()
    if form.validate_on_submit():
        sessions.end()
        db.session.commit()
        flash(_("You are signed out."), "success")
    return redirect(url_for("public.index"))


@public_bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> str | Response:
    """Change one's own password (current, new, again); every other session is signed out."""
    user: User = current_user._get_current_object()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        new = form.new_password.data or ""
        if not verify_password(user.password_hash, form.current_password.data or ""):
            form.current_password.errors.append(_("This is not your current password."))
        elif new == form.current_password.data:
            form.new_password.errors.append(_("Choose a password different from the current one."))
        elif problem := password_problem(new, context_words(user.email, user.display_name)):
            form.new_password.errors.append(problem)
        else:
            user.password_hash = hash_password(new)
            user.must_change_password = False
            sessions.revoke_all(user, keep=sessions.current())
            db.session.commit()
            flash(
                _("Your password is changed; any other signed-in browser is signed out."),
                "success",
            )
            return redirect(url_for("manage.dashboard"))
    return render_template("accounts/change_password.html", form=form)


def _invitation_or_abort(token: str) -> Invitation:
    """Load an invitation by its token or 404; a used or expired one renders its own 410 page."""
    invitation = db.session.scalar(
        sa.select(Invitation).where(Invitation.token_hash == sessions.token_digest(token))
    )
    if invitation is None:
        abort(404)
    if invitation.used_at is not None or invitation.expires_at <= utcnow():
        abort(_unusable(invitation))
    return invitation


def _unusable(invitation: Invitation) -> Response:
    used = invitation.used_at is not None
    page = render_template("accounts/invitation_unusable.html", used=used, invitation=invitation)
    response = Response(page, status=410, mimetype="text/html")
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@public_bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> Response:
    """Accept an invitation (single use, expiring): choose a password and get the account."""
    invitation = _invitation_or_abort(token)
    if current_user.is_authenticated:
        flash(_("Sign out first to accept an invitation for someone else."), "warning")
        return redirect(url_for("manage.dashboard"))
    form = AcceptInvitationForm(display_name=invitation.display_name)
    if form.validate_on_submit():
        name = (form.display_name.data or "").strip()
        new = form.new_password.data or ""
        taken = db.session.scalar(sa.select(User.id).where(User.email == invitation.email))
        if taken is not None:
            flash(_("An account with this e-mail already exists; sign in instead."), "error")
            return redirect(url_for("accounts.login"))
        if problem := password_problem(new, context_words(invitation.email, name)):
            form.new_password.errors.append(problem)
        else:
            # Claim the link atomically: of two simultaneous submissions only one gets a row.
            claimed = db.session.execute(
                sa.update(Invitation)
                .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
                .values(used_at=utcnow())
            )
            if not getattr(claimed, "rowcount", 0):
                db.session.rollback()
                abort(_unusable(invitation))
            user = User(
                email=invitation.email,
                display_name=name,
                role=invitation.role,
                password_hash=hash_password(new),
            )
            with acting_as(user):  # the new account is who created it
                db.session.add(user)
            user.last_login_at = utcnow()
            sessions.begin(user)
            db.session.commit()
            flash(_("Welcome, %(name)s. Your account is ready.", name=name), "success")
            return redirect(url_for("manage.dashboard"))
    page = render_template("accounts/invitation.html", form=form, invitation=invitation)
    response = Response(page, mimetype="text/html")
    # The token is in the address: never send it to another page as a referrer.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# -- staff accounts (admins) --------------------------------------------------------------


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
        "accounts/users.html",
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
            db.session.commit()
            session[LINK_KEY] = url_for("accounts.accept_invitation", token=token, _external=True)
            return redirect(url_for("users.invitation_link", invitation_id=invitation.id))
    hours = int(_invitation_lifetime().total_seconds() // 3600)
    return render_template("accounts/invite.html", form=form, hours=hours)


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
    return render_template("accounts/invitation_link.html", invitation=invitation, link=link)


@bp.post("/invitations/<int:invitation_id>/withdraw")
@allow(*ADMINS)
def withdraw_invitation(invitation_id: int) -> Response:
    """Delete an open invitation so its link stops working."""
    invitation = get_invitation_or_404(invitation_id)
    if ActionForm().validate_on_submit():
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
    if user.role != role:
        user.role = role
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
        note(user, **changes)
        db.session.commit()
        flash(_("%(name)s can sign in again now.", name=user.display_name), "success")
    else:
        flash(_("%(name)s has no failed sign-ins to clear.", name=user.display_name), "info")
    return redirect(url_for("users.index"))
