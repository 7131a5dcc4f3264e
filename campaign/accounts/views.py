"""Signing in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from campaign.accounts.forms import LoginForm, LogoutForm
from campaign.accounts.passwords import verify_password
from campaign.extensions import db
from campaign.models import User

bp = Blueprint("accounts", __name__)


def safe_next(target: str | None) -> str:
    """Only follow ?next= to a path on this site, never to another host."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("manage.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    """Sign in with e-mail and password; one message for every kind of failure."""
    if current_user.is_authenticated:
        return redirect(url_for("manage.dashboard"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        email = (form.email.data or "").strip().lower()
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if (
            user is not None
            and user.active
            and verify_password(user.password_hash, form.password.data or "")
        ):
            login_user(user)
            return redirect(safe_next(form.next.data))
        flash(_("That e-mail and password do not match an active account."), "error")
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    """Sign out (POST only, with a CSRF token)."""
    form = LogoutForm()
    if form.validate_on_submit():
        logout_user()
        flash(_("You are signed out."), "success")
    return redirect(url_for("public.index"))
