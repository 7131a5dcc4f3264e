"""Forms for organisations and venues."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from campaign.countries import country_choices
from campaign.events.fields import as_choices, column_limit
from campaign.models import Organisation, OrganisationKind, Venue
from campaign.validators import CountryCode, HttpUrl, NoControlCharacters


class OrganisationForm(FlaskForm):
    """Who an organisation is."""

    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(),
            Length(max=column_limit(Organisation, "name")),
            NoControlCharacters(),
        ],
    )
    kind = SelectField(_l("Kind"), choices=OrganisationKind.choices())
    country = SelectField(
        _l("Country"), choices=[], validators=[CountryCode()], validate_choice=False
    )
    website = StringField(
        _l("Website"), validators=[Length(max=column_limit(Organisation, "website")), HttpUrl()]
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = as_choices(country_choices(blank=str(_l("(not given)"))))


class VenueForm(FlaskForm):
    """Where a reusable venue is."""

    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=column_limit(Venue, "name")), NoControlCharacters()],
    )
    address = StringField(
        _l("Address"),
        validators=[Optional(), Length(max=column_limit(Venue, "address")), NoControlCharacters()],
    )
    city = StringField(
        _l("City"),
        validators=[Optional(), Length(max=column_limit(Venue, "city")), NoControlCharacters()],
    )
    country = SelectField(
        _l("Country"), choices=[], validators=[CountryCode()], validate_choice=False
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = as_choices(country_choices(blank=str(_l("(not given)"))))
