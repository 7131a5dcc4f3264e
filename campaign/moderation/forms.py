"""Forms of the moderation area: the safety edit and the delivery of a pack."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Field, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from campaign.models import DeliveryMethod
from campaign.support.forms import MESSAGE_MAX_LENGTH, Readable, clean_text
from campaign.web.validators import NoControlCharacters


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
        choices=DeliveryMethod.choices(),
        validators=[DataRequired()],
    )
    delivered_on = DateField(_l("On"), validators=[DataRequired(_l("Give the date of delivery."))])
    note = TextAreaField(
        _l("Note (optional)"),
        filters=[clean_text],
        validators=[Optional(), Length(max=2000), NoControlCharacters()],
    )

    def __init__(
        self, *args: Any, earliest: date | None = None, latest: date | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.earliest = earliest
        self.latest = latest

    def validate_delivered_on(self, field: Field) -> None:
        """No delivery in the future, nor long before the pack was built (a typing error)."""
        if field.data is None:
            return
        if self.latest is not None and field.data > self.latest:
            raise ValidationError(_l("A delivery cannot be dated in the future."))
        if self.earliest is not None and field.data < self.earliest:
            raise ValidationError(
                _l(
                    "This date is more than a year before the pack was built: "
                    "give a date from %(date)s on.",
                    date=format_date(self.earliest, "d MMMM y"),
                )
            )


class ActionForm(FlaskForm):
    """A CSRF-protected form with no fields, for buttons (decisions, building a pack)."""
