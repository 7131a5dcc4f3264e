"""Forms of the moderation area: the safety edit and the delivery of a pack."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from campaign.models import DeliveryMethod
from campaign.support.forms import MESSAGE_MAX_LENGTH, Readable, clean_text
from campaign.validators import NoControlCharacters


class SafetyEditForm(FlaskForm):
    """An organiser's edit of a message's text to keep the person safe (recorded in the audit)."""

    body = TextAreaField(
        _l("Message text"),
        filters=[clean_text],
        validators=[
            DataRequired(_l("The message cannot be empty: reject it instead.")),
            Length(max=MESSAGE_MAX_LENGTH),
            NoControlCharacters(),
            Readable(),
        ],
    )


class DeliveredForm(FlaskForm):
    """How and when a pack reached the person."""

    method = SelectField(
        _l("Delivered"),
        choices=[SelectChoice(value, label) for value, label in DeliveryMethod.choices()],
        validators=[DataRequired()],
    )
    delivered_on = DateField(_l("On"), validators=[DataRequired(_l("Give the date of delivery."))])
    note = TextAreaField(
        _l("Note (optional)"),
        filters=[clean_text],
        validators=[Optional(), Length(max=2000), NoControlCharacters()],
    )


class ActionForm(FlaskForm):
    """A CSRF-protected form with no fields, for buttons (decisions, building a pack)."""
