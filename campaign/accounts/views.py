"""Staff accounts: signing in and out, changing one's password and accepting an invitation
(public, blueprint ``accounts``), then inviting people and managing accounts (admins, blueprint
``users`` under /manage/users)."""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
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
from markupsafe import Markup
from werkzeug.wrappers import Response

from campaign.accounts import queries, services, sessions, throttle, twofactor
from campaign.accounts.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    CodeForm,
    EnrolForm,
    InviteForm,
    LanguageForm,
    LoginForm,
    PasswordCheckForm,
    RoleForm,
    TwoFactorPolicyForm,
)
from campaign.extensions import db
from campaign.models import Invitation, Role, User
from campaign.web.access import ADMINS, acting_user, add_gate, allow
from campaign.web.clients import client_address
from campaign.web.i18n import language_choices, without_language
from campaign.web.redirects import local_target

public_bp = Blueprint("accounts", __name__)
bp = Blueprint("users", __name__, url_prefix="/manage/users")

# The fresh link waits here, in the admin's own session, for the one page that shows it.
LINK_KEY = "_invitation_link"


# -- signing in and out, one's own password, invitations (public) ----------------------------


def _throttled_page(
    template: str, throttled: services.SignInThrottled, **context: object
) -> tuple[str, int]:
    """The 429 page of a throttled sign-in step: how long to wait, and who can help sooner."""
    flash(
        ngettext(
            "Too many sign-in attempts. Try again in %(num)d minute.",
            "Too many sign-in attempts. Try again in %(num)d minutes.",
            throttle.minutes(throttled.wait),
        ),
        "error",
    )
    if throttled.account_locked:
        # Said for unknown e-mails too (they are slowed alike), so it reveals no account.
        flash(_("If this is your account, an admin can clear its failed sign-ins."), "info")
    return render_template(template, **context), 429


def _signed_in(user: User, next_target: str | None) -> Response:
    """Start the session of a complete sign-in, remember this browser, and go on."""
    sessions.begin(user)
    db.session.commit()
    if user.must_change_password:
        flash(_("Welcome. Please choose your own password before you go on."), "warning")
        response = redirect(url_for("accounts.change_password"))
    else:
        response = redirect(local_target(next_target, url_for("manage.dashboard")))
    return sessions.remember_device(response, user)


@public_bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    """Sign in with e-mail and password; one message for every kind of failure, throttled."""
    if current_user.is_authenticated:
        return redirect(url_for("manage.dashboard"))
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return render_template("accounts/login.html", form=form)
    try:
        user = services.sign_in(
            form.email.data or "",
            form.password.data or "",
            client_address(),
            device=sessions.known_device(),
        )
    except services.SignInThrottled as throttled:
        db.session.commit()
        return _throttled_page("accounts/login.html", throttled, form=form)
    except services.SignInRefused:
        db.session.commit()  # the failed attempt counts
        flash(_("That e-mail and password do not match an active account."), "error")
        return render_template("accounts/login.html", form=form)
    if user.has_two_factor:
        sessions.hold_for_second_factor(user, form.next.data or "")
        db.session.commit()
        return redirect(url_for("accounts.second_factor"))
    return _signed_in(user, form.next.data)


@public_bp.route("/login/code", methods=["GET", "POST"])
def second_factor() -> str | Response | tuple[str, int]:
    """The second step of a sign-in: a code from the app, or a recovery code (throttled)."""
    waiting = sessions.held()
    if waiting is None:
        flash(_("Please sign in again."), "warning")
        return redirect(url_for("accounts.login"))
    user, next_target = waiting
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("accounts/second_factor.html", form=form)
    try:
        services.verify_second_factor(user, form.code.data or "")
    except services.SignInThrottled as throttled:
        db.session.commit()
        sessions.drop_held()
        return _throttled_page("accounts/second_factor.html", throttled, form=form)
    except services.WrongCode:
        db.session.commit()  # the wrong code counts
        form.code.errors.append(_("This code is not right, or was used already."))
        return render_template("accounts/second_factor.html", form=form)
    return _signed_in(user, next_target)


@public_bp.post("/logout")
def logout() -> Response:
    """Sign out (POST only, with a CSRF token); the server-side session ends for good."""
    sessions.end()
    db.session.commit()
    flash(_("You are signed out."), "success")
    response = redirect(url_for("public.index"))
    # What this browser kept for the staff app (picket reports waiting to be sent, the cached
    # picket form, the service worker) goes too: a shared phone keeps nothing of this member.
    # Cookies are not named: the flash message above travels in one.
    response.headers["Clear-Site-Data"] = '"storage"'
    return response


@public_bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> str | Response:
    """Change one's own password (current, new, again); every other session is signed out."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                acting_user(),
                form.current_password.data or "",
                form.new_password.data or "",
                keep=sessions.current(),
            )
        except services.WrongPassword:
            form.current_password.errors.append(_("This is not your current password."))
        except services.SamePassword:
            form.new_password.errors.append(_("Choose a password different from the current one."))
        except services.PasswordRefused as refused:
            form.new_password.errors.append(str(refused))
        else:
            db.session.commit()
            flash(
                _("Your password is changed; any other signed-in browser is signed out."),
                "success",
            )
            return redirect(url_for("manage.dashboard"))
    return render_template(
        "accounts/change_password.html", form=form, language_form=_language_form(sent=False)
    )


def _language_form(*, sent: bool) -> LanguageForm:
    """The account's language, among the configured ones or the browser's choice; *sent*:
    read what this request posted (else show the saved choice)."""
    form = LanguageForm() if sent else LanguageForm(formdata=None)
    form.language.choices = [("", _("As my browser asks")), *language_choices()]
    if not sent:
        form.language.data = acting_user().language or ""
    return form


@public_bp.post("/account/language")
@login_required
def set_language() -> str | Response:
    """Choose the staff area's language; the account page then opens in it (no prefix)."""
    form = _language_form(sent=True)
    if form.validate_on_submit():
        try:
            services.set_language(acting_user(), form.language.data or None)
        except services.UnknownLanguage:
            form.language.errors = [_("Choose one of the languages in the list.")]
        else:
            db.session.commit()
            flash(_("Your language is saved."), "success")
            return redirect(without_language(url_for("accounts.change_password")))
    return render_template(
        "accounts/change_password.html", form=ChangePasswordForm(formdata=None), language_form=form
    )


def _private(page: str) -> Response:
    """A page with secrets on it: never stored by the browser or a proxy."""
    response = Response(page, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def _recovery_codes_page(codes: list[str]) -> Response:
    """Show fresh recovery codes once, in the answer to the POST itself: they are kept nowhere
    readable (not in the session cookie), so there is no later page that could show them."""
    return _private(render_template("accounts/recovery_codes.html", codes=codes))


@public_bp.get("/account/two-factor")
@login_required
def two_factor() -> Response:
    """One's second factor: set it up (QR code, then a first code), or renew or turn it off."""
    user = acting_user()
    qr = secret = None
    if user.totp_secret and not user.has_two_factor:
        uri = twofactor.provisioning_uri(user.totp_secret, user.email)
        # segno draws only paths from the address's bits: markup we made, nothing typed by anyone.
        qr = Markup(twofactor.qr_svg(uri))  # noqa: S704  # nosec B704  # see the line above
        secret = twofactor.grouped(user.totp_secret)
    page = render_template(
        "accounts/two_factor.html",
        user=user,
        qr=qr,
        secret=secret,
        enrol_form=EnrolForm(),
        renew_form=PasswordCheckForm(prefix="renew"),
        off_form=PasswordCheckForm(prefix="off"),
        required=services.two_factor_required(),
        codes_left=services.recovery_codes_left(user) if user.has_two_factor else 0,
    )
    return _private(page)


@public_bp.post("/account/two-factor/start")
@login_required
def start_two_factor() -> Response:
    """Make a fresh secret for the app to read from the QR code."""
    try:
        services.start_two_factor(acting_user())
    except services.TwoFactorActive:
        flash(_("Two-factor sign-in is on already."), "info")
    else:
        db.session.commit()
    return redirect(url_for("accounts.two_factor"))


@public_bp.post("/account/two-factor/confirm")
@login_required
def confirm_two_factor() -> Response | tuple[str, int]:
    """Turn two-factor sign-in on with the app's first code; show the recovery codes once."""
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = services.confirm_two_factor(
                acting_user(), form.code.data or "", keep=sessions.current()
            )
        except (services.TwoFactorActive, services.NoEnrolment):
            return redirect(url_for("accounts.two_factor"))
        except services.SignInThrottled as throttled:
            db.session.commit()
            flash(
                ngettext(
                    "Too many wrong codes. Try again in %(num)d minute.",
                    "Too many wrong codes. Try again in %(num)d minutes.",
                    throttle.minutes(throttled.wait),
                ),
                "error",
            )
            return redirect(url_for("accounts.two_factor"))
        except services.WrongCode:
            db.session.commit()  # the wrong code counts
            flash(
                _("This code is not right. Check the clock of your phone and try the next one."),
                "error",
            )
            return redirect(url_for("accounts.two_factor"))
        db.session.commit()
        flash(_("Two-factor sign-in is on; any other signed-in browser is signed out."), "success")
        return _recovery_codes_page(codes)
    flash(_("Type the six digits your app shows."), "error")
    return redirect(url_for("accounts.two_factor"))


@public_bp.post("/account/two-factor/recovery-codes")
@login_required
def renew_recovery_codes() -> Response:
    """Ten new recovery codes (the old ones stop working), shown once."""
    form = PasswordCheckForm(prefix="renew")
    if form.validate_on_submit():
        try:
            codes = services.renew_recovery_codes(
                acting_user(), form.password.data or "", keep=sessions.current()
            )
        except services.WrongPassword:
            flash(_("This is not your current password."), "error")
        except services.NoEnrolment:
            flash(_("Two-factor sign-in is off."), "info")
        else:
            db.session.commit()
            flash(_("Your old recovery codes no longer work."), "success")
            return _recovery_codes_page(codes)
    return redirect(url_for("accounts.two_factor"))


@public_bp.post("/account/two-factor/off")
@login_required
def turn_off_two_factor() -> Response:
    """Turn one's second factor off, unless the admins require it."""
    form = PasswordCheckForm(prefix="off")
    if form.validate_on_submit():
        try:
            services.turn_off_two_factor(
                acting_user(), form.password.data or "", keep=sessions.current()
            )
        except services.WrongPassword:
            flash(_("This is not your current password."), "error")
        except services.TwoFactorRequired:
            flash(_("The admins require two-factor sign-in; it cannot be turned off."), "error")
        else:
            db.session.commit()
            flash(_("Two-factor sign-in is off."), "success")
    return redirect(url_for("accounts.two_factor"))


def two_factor_gate() -> Response | None:
    """The staff area's detour: while admins require a second factor, enrol before anything."""
    user = acting_user()
    if user.has_two_factor or not services.two_factor_required():
        return None
    flash(_("The admins require two-factor sign-in. Set it up to continue."), "warning")
    return redirect(url_for("accounts.two_factor"))


@public_bp.record_once
def _register_gate(state: object) -> None:
    app: Flask = state.app  # type: ignore[attr-defined]
    add_gate(app, two_factor_gate)


def _invitation_or_abort(token: str) -> Invitation:
    """Load an invitation by its token or 404; a used or expired one renders its own 410 page."""
    invitation = services.invitation_by_token(token)
    if invitation is None:
        abort(404)
    if not services.is_usable(invitation):
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
        try:
            user = services.accept_invitation(
                invitation, form.display_name.data or "", form.new_password.data or ""
            )
        except services.EmailTaken:
            flash(_("An account with this e-mail already exists; sign in instead."), "error")
            return redirect(url_for("accounts.login"))
        except services.PasswordRefused as refused:
            form.new_password.errors.append(str(refused))
        except services.InvitationUsed:
            db.session.rollback()
            abort(_unusable(invitation))
        else:
            sessions.begin(user)
            db.session.commit()
            flash(_("Welcome, %(name)s. Your account is ready.", name=user.display_name), "success")
            return sessions.remember_device(redirect(url_for("manage.dashboard")), user)
    page = render_template("accounts/invitation.html", form=form, invitation=invitation)
    response = Response(page, mimetype="text/html")
    # The token is in the address: never send it to another page as a referrer.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# -- staff accounts (admins) ----------------------------------------------------------------


def get_user_or_404(user_id: int) -> User:
    """Load a staff account or 404; the caller is an admin (the guard checked), so no 403 here."""
    user = db.get_or_404(User, user_id)
    return user


def get_invitation_or_404(invitation_id: int) -> Invitation:
    """Load an invitation or 404; the caller is an admin (the guard checked), so no 403 here."""
    invitation = db.get_or_404(Invitation, invitation_id)
    return invitation


@bp.get("/")
@allow(*ADMINS)
def index() -> str:
    """Every account with its role, state and last sign-in, and the invitations still open."""
    users = queries.accounts()
    role_forms = {user.id: RoleForm(prefix=f"u{user.id}", role=user.role.value) for user in users}
    return render_template(
        "accounts/users.html",
        users=users,
        invitations=queries.open_invitations(),
        role_forms=role_forms,
        failed_sign_ins=queries.failed_sign_ins(users),
        window_minutes=throttle.minutes(current_app.config["LOGIN_THROTTLE_WINDOW"]),
        policy_form=TwoFactorPolicyForm(require_two_factor=services.two_factor_required()),
    )


@bp.route("/invite", methods=["GET", "POST"])
@allow(*ADMINS)
def invite() -> str | Response:
    """Create a single-use, expiring invitation and show its link to send by hand."""
    form = InviteForm()
    if form.validate_on_submit():
        try:
            made = services.invite(
                form.email.data or "",
                form.display_name.data or "",
                Role(form.role.data),
                acting_user(),
            )
        except services.EmailTaken:
            form.email.errors.append(_("There is already an account with this e-mail."))
        else:
            db.session.commit()
            session[LINK_KEY] = url_for(
                "accounts.accept_invitation", token=made.token, _external=True
            )
            return redirect(url_for("users.invitation_link", invitation_id=made.invitation.id))
    hours = int(current_app.config["INVITATION_LIFETIME"].total_seconds() // 3600)
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
    services.withdraw_invitation(get_invitation_or_404(invitation_id))
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
    try:
        changed = services.change_role(user, role)
    except services.LastAdmin:
        flash(_("%(name)s is the last active admin.", name=user.display_name), "error")
        return redirect(url_for("users.index"))
    if changed:
        db.session.commit()
        flash(_("%(name)s is now: %(role)s.", name=user.display_name, role=role.label), "success")
    return redirect(url_for("users.index"))


@bp.post("/<int:user_id>/deactivate")
@allow(*ADMINS)
def deactivate(user_id: int) -> Response:
    """Deactivate an account and end all its sessions at once."""
    user = get_user_or_404(user_id)
    try:
        if services.deactivate(user, acting_user()):
            db.session.commit()
            flash(_("%(name)s is deactivated and signed out.", name=user.display_name), "success")
    except services.OwnAccount:
        flash(_("You cannot deactivate your own account."), "error")
    except services.LastAdmin:
        flash(_("%(name)s is the last active admin.", name=user.display_name), "error")
    return redirect(url_for("users.index"))


@bp.post("/<int:user_id>/reactivate")
@allow(*ADMINS)
def reactivate(user_id: int) -> Response:
    """Let a deactivated account sign in again (with its old password)."""
    user = get_user_or_404(user_id)
    if services.reactivate(user):
        db.session.commit()
        flash(_("%(name)s can sign in again.", name=user.display_name), "success")
    return redirect(url_for("users.index"))


@bp.post("/two-factor-policy")
@allow(*ADMINS)
def two_factor_policy() -> Response:
    """Require a second factor of every staff account, or stop requiring it (audited)."""
    form = TwoFactorPolicyForm()
    if form.validate_on_submit() and services.require_two_factor(
        bool(form.require_two_factor.data)
    ):
        db.session.commit()
        if form.require_two_factor.data:
            flash(_("Every staff account now needs two-factor sign-in."), "success")
        else:
            flash(_("Two-factor sign-in is no longer required."), "success")
    return redirect(url_for("users.index"))


@bp.post("/<int:user_id>/two-factor/reset")
@allow(*ADMINS)
def reset_two_factor(user_id: int) -> Response:
    """Take away a member's second factor (a lost phone): they sign in with the password and
    set it up again; every session of theirs ends."""
    user = get_user_or_404(user_id)
    own = sessions.current() if user.id == acting_user().id else None
    if services.reset_two_factor(user, keep=own):
        db.session.commit()
        if own is not None:
            flash(
                _("Your two-factor sign-in is reset; your other browsers are signed out."),
                "success",
            )
        else:
            flash(
                _(
                    "%(name)s's two-factor sign-in is reset and they are signed out.",
                    name=user.display_name,
                ),
                "success",
            )
    else:
        flash(_("%(name)s has no two-factor sign-in to reset.", name=user.display_name), "info")
    return redirect(url_for("users.index"))


@bp.post("/<int:user_id>/unlock")
@allow(*ADMINS)
def unlock(user_id: int) -> Response:
    """Clear an account's failed sign-ins, so no client of its owner waits and it is not slowed."""
    user = get_user_or_404(user_id)
    if services.unlock(user):
        db.session.commit()
        flash(_("%(name)s's failed sign-ins are cleared.", name=user.display_name), "success")
    else:
        flash(_("%(name)s has no failed sign-ins to clear.", name=user.display_name), "info")
    return redirect(url_for("users.index"))
