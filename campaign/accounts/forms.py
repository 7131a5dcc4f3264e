"""Forms of staff accounts: signing in and out, passwords, invitations, roles (admins)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from campaign.accounts.passwords import MAX_LENGTH
from campaign.models import Role
from campaign.web.validators import NoControlCharacters


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


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


class LanguageForm(FlaskForm):
    """The staff area's language for one's own account; the view fills the choices."""

    language = SelectField(_l("Language of the staff area"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Save language"))


class AcceptInvitationForm(NewPasswordFields):
    """The name colleagues will see, and a password of the person's own choosing."""

    display_name = StringField(
        _l("Your name"), validators=[DataRequired(), Length(max=120), NoControlCharacters()]
    )
    submit = SubmitField(_l("Create my account"))


# Deliberately loose: the person proves the address by receiving the link.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class InviteForm(FlaskForm):
    """Who to invite and with which role; the link is shown to the admin to send by hand."""

    email = EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(),
            Length(max=254),
            Regexp(EMAIL_PATTERN, message=_l("Enter an e-mail address such as name@example.org.")),
        ],
    )
    display_name = StringField(_l("Name"), validators=[Length(max=120), NoControlCharacters()])
    role = SelectField(_l("Role"), choices=Role.choices, default=Role.ACTIVIST.value)
    submit = SubmitField(_l("Create the invitation link"))


class RoleForm(FlaskForm):
    """A new role for an existing account."""

    role = SelectField(_l("Role"), choices=Role.choices)
    submit = SubmitField(_l("Change role"))


class CodeForm(FlaskForm):
    """A six-digit code from the authenticator app, or one of the recovery codes."""

    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=40), NoControlCharacters()],
    )
    submit = SubmitField(_l("Continue"))


class EnrolForm(FlaskForm):
    """The first code from the app, which proves it holds the secret."""

    code = StringField(
        _l("Code from the app"),
        validators=[DataRequired(), Length(max=40), NoControlCharacters()],
    )
    submit = SubmitField(_l("Turn on two-factor sign-in"))


class PasswordCheckForm(FlaskForm):
    """The current password, asked again before a change to the second factor."""

    password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )
    submit = SubmitField(_l("Confirm"))


class TwoFactorPolicyForm(FlaskForm):
    """Whether every staff account must have a second factor (admins)."""

    require_two_factor = BooleanField(_l("Require two-factor sign-in for every staff account"))
    submit = SubmitField(_l("Save"))
