"""Forms for inviting people and changing what their accounts may do (admins)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Regexp

from campaign.models import Role
from campaign.web.validators import NoControlCharacters

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


class ActionForm(FlaskForm):
    """An empty form: a POST with a CSRF token (deactivate, reactivate, withdraw)."""
