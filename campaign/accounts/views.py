"""Signing in and out, changing one's password, and accepting an invitation."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from campaign import audit
from campaign.accounts import sessions, throttle
from campaign.accounts.forms import AcceptInvitationForm, ChangePasswordForm, LoginForm, LogoutForm
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
from campaign.models import AuditAction, Invitation, User
from campaign.web.redirects import local_target

bp = Blueprint("accounts", __name__)


def _generic_failure() -> str:
    """The one message for an unknown e-mail, a wrong password and a deactivated account alike."""
    return _("That e-mail and password do not match an active account.")


def _client() -> str:
    return request.remote_addr or "unknown"


@bp.route("/login", methods=["GET", "POST"])
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
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    sessions.begin(user)
    db.session.commit()
    if user.must_change_password:
        flash(_("Welcome. Please choose your own password before you go on."), "warning")
        return redirect(url_for("accounts.change_password"))
    return redirect(local_target(form.next.data, url_for("manage.dashboard")))


@bp.post("/logout")
def logout() -> Response:
    """Sign out (POST only, with a CSRF token); the server-side session ends for good."""
    form = LogoutForm()
    if form.validate_on_submit():
        sessions.end()
        db.session.commit()
        flash(_("You are signed out."), "success")
    return redirect(url_for("public.index"))


@bp.route("/account/password", methods=["GET", "POST"])
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
            audit.record(AuditAction.UPDATE, user, audit.pending_changes(user))
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


@bp.route("/invite/<token>", methods=["GET", "POST"])
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
            db.session.add(user)
            db.session.flush()
            audit.record(AuditAction.CREATE, user, actor=user)
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
