"""Forms for organisations and venues."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from campaign.models import Organisation, OrganisationKind, Venue
from campaign.web.fields import CountryField, column_limit
from campaign.web.validators import HttpUrl, NoControlCharacters


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
    country = CountryField(_l("Country"))
    website = StringField(
        _l("Website"), validators=[Length(max=column_limit(Organisation, "website")), HttpUrl()]
    )
    submit = SubmitField(_l("Save"))


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
    country = CountryField(_l("Country"))
    submit = SubmitField(_l("Save"))
