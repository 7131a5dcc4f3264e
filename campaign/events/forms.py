"""Forms for events: the organisers' full form and the activists' quick picket form."""

from __future__ import annotations

import uuid
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms import Form as SubForm
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from campaign.models import (
    DatePrecision,
    Event,
    EventType,
    Organisation,
    Source,
    Venue,
    Visibility,
)
from campaign.web.fields import (
    CheckboxListField,
    CountryField,
    PartialDateField,
    PlausibleDate,
    WholeNumberField,
    as_choices,
    column_limit,
    optional_text,
    settle_precision,
)
from campaign.web.validators import HttpUrl, NoControlCharacters

MAX_PARTICIPANTS = 1_000_000
NO_SOURCE_MESSAGE = _l("Add the source you checked it against to save it as verified.")
BAD_CLIENT_KEY = _l(
    "This report's key is damaged, so it cannot be told apart from a copy: "
    "reload the form and send it again."
)
PICKET_TYPES = (EventType.PICKET, EventType.DEMONSTRATION, EventType.VIGIL)
# What the quick form says once it logged each kind of action.
LOGGED = {
    EventType.PICKET: _l("Thank you: the picket was logged."),
    EventType.DEMONSTRATION: _l("Thank you: the demonstration was logged."),
    EventType.VIGIL: _l("Thank you: the vigil was logged."),
}
# A report sent again (the phone's answer was lost) or typed twice within moments.
LOGGED_ALREADY = _l("This report was logged already: it was not added a second time.")


def participants_field(label: Any) -> IntegerField:
    """How many people took part: optional, from 0 to a million (more is a typing error)."""
    return WholeNumberField(
        label,
        validators=[
            Optional(),
            NumberRange(
                min=0,
                max=MAX_PARTICIPANTS,
                message=_l("Enter a number of people between 0 and 1,000,000."),
            ),
        ],
    )


class SourceEntry(SubForm):
    """One source line: a link and/or a title or citation."""

    url = StringField(_l("Link"), validators=[Length(max=column_limit(Source, "url")), HttpUrl()])
    title = StringField(_l("Title or citation"), validators=optional_text(Source, "title"))


class EventForm(FlaskForm):
    """Every field of an event, several cases, organisations and sources at once."""

    type = SelectField(_l("What happened"), choices=EventType.choices())
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(),
            Length(max=column_limit(Event, "title")),
            NoControlCharacters(),
        ],
    )
    cases = CheckboxListField(
        _l("Cases"),
        coerce=int,
        validators=[DataRequired(message=_l("Choose at least one case."))],
    )
    date = PartialDateField(_l("Date"), validators=[InputRequired(), PlausibleDate()])
    date_precision = SelectField(
        _l("How much of the date is known"),
        choices=DatePrecision.choices(),
        default=DatePrecision.DAY.value,
    )
    date_approximate = BooleanField(_l("About: the date is a best guess"))
    placed_on = DateField(
        _l("On the timeline, after the events of (optional)"), validators=[Optional()]
    )
    start_time = TimeField(_l("Start time (local)"), validators=[Optional()])
    end_date = DateField(_l("End date"), validators=[Optional(), PlausibleDate()])
    venue = StringField(_l("Venue"), validators=optional_text(Venue, "name"))
    city = StringField(_l("City"), validators=optional_text(Event, "city"))
    country = CountryField(_l("Country"))
    participants = participants_field(_l("Participants"))
    organisations = FieldList(
        StringField(_l("Organisation"), validators=optional_text(Organisation, "name")),
        min_entries=3,
    )
    description = TextAreaField(_l("Description"), validators=optional_text(Event, "description"))
    outcome = TextAreaField(_l("Outcome"), validators=optional_text(Event, "outcome"))
    authority = StringField(_l("Authority addressed"), validators=optional_text(Event, "authority"))
    authority_response = TextAreaField(
        _l("The authority's response"), validators=optional_text(Event, "authority_response")
    )
    visibility = SelectField(
        _l("Who may see it"),
        choices=Visibility.choices(),
        default=Visibility.PUBLIC.value,
    )
    sources = FieldList(FormField(SourceEntry), min_entries=2)
    verified = BooleanField(_l("Verified: I checked it against the sources above"))
    version = HiddenField()
    # What the form showed, field by field, to merge a save with a colleague's newer one.
    loaded = HiddenField()
    submit = SubmitField(_l("Save the event"))

    def validate(self, extra_validators: Any = None) -> bool:
        """The field checks, then the checks across fields (dates, precision)."""
        ok = super().validate(extra_validators)
        if self.date.data is not None and not self.date_precision.errors:
            chosen = DatePrecision(self.date_precision.data)
            self.date_precision.data = settle_precision(self.date, chosen).value
            placed = self.placed_on.data
            if placed is not None and self.date_precision.data != DatePrecision.DAY.value:
                period_end = DatePrecision(self.date_precision.data).period_end(self.date.data)
                if not self.date.data <= placed <= period_end:
                    self.placed_on.errors = [
                        *self.placed_on.errors,
                        str(_l("Choose a day within the month or year of the date.")),
                    ]
                    ok = False
            start = self.date.data
            if self.end_date.data is not None and self.end_date.data < start:
                self.end_date.errors.append(str(_l("The end date is before the start date.")))
                ok = False
        if self.verified.data and not any(
            (entry.form.url.data or "").strip() or (entry.form.title.data or "").strip()
            for entry in self.sources
        ):
            self.verified.errors = [*self.verified.errors, str(NO_SOURCE_MESSAGE)]
            ok = False
        return ok


class PicketForm(FlaskForm):
    """The quick form: what, which case(s), who, where, when; the rest is optional."""

    type = SelectField(
        _l("What"),
        choices=as_choices((t.value, t.label) for t in PICKET_TYPES),
        default=EventType.PICKET.value,
    )
    cases = CheckboxListField(
        _l("For whom"),
        coerce=int,
        validators=[DataRequired(message=_l("Choose at least one case."))],
        gone_message=_l(
            "A case chosen is no longer in the list (archived or removed since): choose again."
        ),
    )
    organisation = StringField(
        _l("Organised by"),
        validators=[
            DataRequired(message=_l("Say who organised it.")),
            Length(max=column_limit(Organisation, "name")),
            NoControlCharacters(),
        ],
    )
    venue = StringField(_l("Where (venue)"), validators=optional_text(Venue, "name"))
    city = StringField(_l("City"), validators=optional_text(Event, "city"))
    # Optional: a city used before gives its country; a new city needs one for the case's reach.
    country = CountryField(_l("Country"))
    date = DateField(_l("Date"), validators=[InputRequired(), PlausibleDate()])
    participants = participants_field(_l("How many people came"))
    link = StringField(
        _l("Link (photo, report)"),
        validators=[Length(max=column_limit(Source, "url")), HttpUrl()],
    )
    note = TextAreaField(_l("Note"), validators=optional_text(Event, "description"))
    # Made with the form (by the server, or by the phone for a report saved offline): sending
    # the same report twice logs one event.
    client_key = HiddenField()
    submit = SubmitField(_l("Log it"))

    def validate_client_key(self, field: HiddenField) -> None:
        """A UUID in any usual spelling, kept in its canonical form; blank is allowed."""
        text = (field.data or "").strip()
        if not text:
            field.data = None
            return
        try:
            key = uuid.UUID(text)
        except ValueError:
            key = None
        if key is None or key.int == 0 or len(text) > 38:
            raise ValidationError(str(BAD_CLIENT_KEY))
        field.data = str(key)

    def validate(self, extra_validators: Any = None) -> bool:
        """The field checks, then: a venue or a city, so the action can be placed."""
        ok = super().validate(extra_validators)
        if self.client_key.errors:
            self.form_errors.append(str(BAD_CLIENT_KEY))
        if not (self.venue.data or "").strip() and not (self.city.data or "").strip():
            self.venue.errors = [
                *self.venue.errors,
                str(_l("Give the venue or at least the city.")),
            ]
            ok = False
        return ok
