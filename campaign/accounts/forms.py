"""Forms for signing in and out, choosing a password, and accepting an invitation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from campaign.accounts.passwords import MAX_LENGTH
from campaign.web.validators import NoControlCharacters


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class LogoutForm(FlaskForm):
    """An empty form: signing out is a POST with a CSRF token."""

    submit = SubmitField(_l("Sign out"))


class NewPasswordFields(FlaskForm):
    """A new password typed twice; the policy is checked by the view, which knows the account."""

    new_password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The two passwords are not the same.")),
        ],
    )


class ChangePasswordForm(NewPasswordFields):
    """The current password, then the new one twice."""

    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )
    submit = SubmitField(_l("Change password"))


class AcceptInvitationForm(NewPasswordFields):
    """The name colleagues will see, and a password of the person's own choosing."""

    display_name = StringField(
        _l("Your name"), validators=[DataRequired(), Length(max=120), NoControlCharacters()]
    )
    submit = SubmitField(_l("Create my account"))
