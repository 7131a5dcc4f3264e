"""Forms for cases: the case record, its portrait, and the one-click actions (publish, archive)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp

from campaign.models import Case, CaseStatus, DatePrecision
from campaign.web.fields import (
    CheckboxListField,
    CountryField,
    NotInFuture,
    PartialDateField,
    PlausibleDate,
    column_limit,
    optional_text,
    settle_precision,
)
from campaign.web.validators import NoControlCharacters

RELEASE_YEARS_AHEAD = 100


class CaseForm(FlaskForm):
    """Everything organisers keep about a case."""

    person_name = StringField(
        _l("Name"),
        validators=[
            DataRequired(),
            Length(max=column_limit(Case, "person_name")),
            NoControlCharacters(),
        ],
    )
    person_name_original = StringField(
        _l("Name in the original script"), validators=optional_text(Case, "person_name_original")
    )
    slug = StringField(
        _l("Web address"),
        validators=[
            Optional(),
            Length(max=column_limit(Case, "slug")),
            Regexp(
                r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                message=_l("Use lower-case Latin letters, digits and hyphens only."),
            ),
        ],
    )
    occupation = StringField(_l("Occupation"), validators=optional_text(Case, "occupation"))
    affiliation = StringField(_l("Affiliation"), validators=optional_text(Case, "affiliation"))
    country = CountryField(_l("Country"))
    city = StringField(_l("City"), validators=optional_text(Case, "city"))
    status = SelectField(_l("Status"), choices=CaseStatus.choices())
    arrest_date = PartialDateField(
        _l("Arrest date"), validators=[Optional(), PlausibleDate(), NotInFuture()]
    )
    arrest_date_precision = SelectField(
        _l("How much of the arrest date is known"),
        choices=DatePrecision.choices(),
        default=DatePrecision.DAY.value,
    )
    arrest_date_approximate = BooleanField(_l("About: the arrest date is a best guess"))
    add_arrest_event = BooleanField(_l("Add the arrest to the timeline"), default=True)
    charges = TextAreaField(_l("Charges"), validators=optional_text(Case, "charges"))
    legal_article = StringField(
        _l("Article of the code"), validators=optional_text(Case, "legal_article")
    )
    court = StringField(_l("Court"), validators=optional_text(Case, "court"))
    judge = StringField(_l("Judge"), validators=optional_text(Case, "judge"))
    sentence = StringField(_l("Sentence"), validators=optional_text(Case, "sentence"))
    # A long sentence ends decades ahead; the five-year limit of events would refuse it.
    expected_release = DateField(
        _l("Expected release"),
        validators=[Optional(), PlausibleDate(years_ahead=RELEASE_YEARS_AHEAD)],
    )
    released_on = DateField(
        _l("Released on"), validators=[Optional(), PlausibleDate(), NotInFuture()]
    )
    detention_place = StringField(
        _l("Place of detention"), validators=optional_text(Case, "detention_place")
    )
    detention_address = TextAreaField(
        _l("Postal address for letters"), validators=optional_text(Case, "detention_address")
    )
    detention_address_public = BooleanField(_l("Show the postal address to the public"))
    summary = TextAreaField(_l("Summary (public)"), validators=optional_text(Case, "summary"))
    internal_notes = TextAreaField(
        _l("Internal notes (staff only)"), validators=optional_text(Case, "internal_notes")
    )
    related = CheckboxListField(_l("Related cases"), coerce=int, validators=[Optional()])
    version = HiddenField()
    # What the form showed, field by field, to merge a save with a colleague's newer one.
    loaded = HiddenField()
    submit = SubmitField(_l("Save the case"))

    def validate(self, extra_validators: Any = None) -> bool:
        """The field checks, then dates that must agree with each other."""
        ok = super().validate(extra_validators)
        arrest = self.arrest_date.data
        if arrest is not None:
            if not self.arrest_date_precision.errors:  # a tampered choice is refused already
                chosen = DatePrecision(self.arrest_date_precision.data)
                self.arrest_date_precision.data = settle_precision(self.arrest_date, chosen).value
                arrest = self.arrest_date.data
            for later in (self.released_on, self.expected_release):
                if later.data is not None and later.data < arrest:
                    later.errors.append(str(_l("This date is before the arrest date.")))
                    ok = False
        return ok


class PortraitForm(FlaskForm):
    """A new portrait for a case: any photo; the site re-encodes it and keeps nothing else."""

    photo = FileField(
        _l("Photo"), validators=[FileRequired(message=_l("Choose a photo to upload."))]
    )
    submit = SubmitField(_l("Upload the photo"))
