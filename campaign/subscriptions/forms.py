"""The form to follow a case by e-mail, and the buttons that confirm and leave."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, Field, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.form import BaseForm
from wtforms.validators import DataRequired, Length, ValidationError

from campaign.models import Frequency
from campaign.subscriptions.services import EMAIL_MAX_LENGTH, InvalidEmail, normalise_email


class Deliverable:
    """An address an e-mail can be sent to (the service's own check, so both say the same)."""

    def __call__(self, form: BaseForm, field: Field) -> None:
        try:
            normalise_email(str(field.data or ""))
        except InvalidEmail:
            raise ValidationError(_l("Enter an e-mail address like name@example.org.")) from None


class FollowForm(FlaskForm):
    """An address and how often to hear: nothing else is asked."""

    email = EmailField(
        _l("Your e-mail address"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Length(max=EMAIL_MAX_LENGTH, message=_l("This address is too long.")),
            Deliverable(),
        ],
    )
    frequency = RadioField(
        _l("How often"),
        choices=[
            SelectChoice(Frequency.EACH.value, _l("An e-mail at each update")),
            SelectChoice(Frequency.WEEKLY.value, _l("A weekly digest")),
        ],
        default=Frequency.EACH.value,
        validators=[DataRequired(_l("Choose how often you want to hear."))],
    )


class ButtonForm(FlaskForm):
    """A button's form: its CSRF token alone."""
