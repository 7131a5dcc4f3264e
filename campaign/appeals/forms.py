"""Forms for appeals: the organisers' appeal form, a response, a state change, and the
supporters' "I sent a letter" confirmation."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms import Form as SubForm
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from campaign.messages.forms import EmailAddress, language_choices
from campaign.models import (
    Appeal,
    AppealResponse,
    AppealState,
    AppealTarget,
    AuthorityRole,
    ResponseKind,
    Source,
)
from campaign.util.localised import default_language, language_name
from campaign.web.fields import (
    CheckboxListField,
    LongSelect,
    PlausibleDate,
    as_choices,
    column_limit,
    optional_text,
)
from campaign.web.validators import HttpUrl, NoControlCharacters


def original_language_field(label: Any) -> SelectField:
    """The language a text is written in: checked by the service, which says clearly what is
    wrong with an unknown code (as the original's language of a case or an event)."""
    return SelectField(label, validate_choice=False)


def offer_languages(field: SelectField) -> None:
    """Offer the site's languages, and the one the field holds if it is another (as for a case
    or an event); with none given or sent, the site's default is shown chosen, as for a new
    case (a value sent is kept as sent: the service says what is wrong with it)."""
    if not field.data and not field.raw_data:
        field.data = default_language()
    codes = [str(code) for code in current_app.config["LANGUAGES"]]
    if field.data and field.data not in codes:
        codes.append(str(field.data))
    field.choices = [(code, f"{language_name(code)} ({code})") for code in codes]


def chosen_language(field: SelectField) -> str | None:
    """The language the form sent, or None where it sent none (a page from before the field
    was there): the service then keeps the appeal's, or takes a response to be in it."""
    return str(field.data) if field.raw_data else None


class TargetEntry(SubForm):
    """One authority to write to: leave the name empty to leave the line out."""

    name = StringField(_l("Authority"), validators=optional_text(AppealTarget, "name"))
    role = SelectField(
        _l("Kind"), choices=AuthorityRole.choices(), default=AuthorityRole.OTHER.value
    )
    postal_address = TextAreaField(
        _l("Postal address"), validators=optional_text(AppealTarget, "postal_address")
    )
    email = StringField(
        _l("E-mail"),
        validators=[*optional_text(AppealTarget, "email"), EmailAddress()],
    )


class LetterEntry(SubForm):
    """The sample letter in one language: leave the text empty to leave the language out."""

    language = SelectField(
        _l("Language"), validators=[Optional()], validate_choice=False, widget=LongSelect()
    )
    text = TextAreaField(_l("Sample letter"), validators=optional_text(Appeal, "asked"))


class AppealForm(FlaskForm):
    """What is asked of whom, by when, for which cases, with the letter to send."""

    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(),
            Length(max=column_limit(Appeal, "title")),
            NoControlCharacters(),
        ],
    )
    cases = CheckboxListField(
        _l("Cases"), coerce=int, validators=[DataRequired(message=_l("Choose at least one case."))]
    )
    asked = TextAreaField(
        _l("What is asked, and why"),
        validators=[
            DataRequired(message=_l("Say what the appeal asks for, and why.")),
            Length(max=column_limit(Appeal, "asked")),
            NoControlCharacters(),
        ],
    )
    original_language = original_language_field(_l("Written in"))
    deadline = DateField(_l("Deadline"), validators=[InputRequired(), PlausibleDate()])
    follow_up_on = DateField(
        _l("Follow up on (optional)"), validators=[Optional(), PlausibleDate()]
    )
    targets = FieldList(FormField(TargetEntry), min_entries=3)
    letters = FieldList(FormField(LetterEntry), min_entries=2)
    outcome = TextAreaField(
        _l("What came of it (optional, shown to the public)"),
        validators=optional_text(Appeal, "outcome"),
    )
    submit = SubmitField(_l("Save the appeal"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", str(_l("Choose a language"))), *language_choices()]
        for entry in self.letters:
            entry.form.language.choices = as_choices(choices)
        offer_languages(self.original_language)

    def validate(self, extra_validators: Any = None) -> bool:
        """The field checks, then: a letter's language is a known one and not given twice."""
        ok = super().validate(extra_validators)
        known = {code for code, _name in language_choices()}
        seen: set[str] = set()
        for entry in self.letters:
            code = (entry.form.language.data or "").strip()
            text = (entry.form.text.data or "").strip()
            if text and code not in known:
                entry.form.language.errors = [
                    *entry.form.language.errors,
                    str(_l("Choose the language this letter is written in.")),
                ]
                ok = False
            elif code and not text:
                entry.form.text.errors = [
                    *entry.form.text.errors,
                    str(_l("Write the letter in this language, or choose no language.")),
                ]
                ok = False
            elif text and code in seen:
                entry.form.language.errors = [
                    *entry.form.language.errors,
                    str(_l("There is already a letter in this language.")),
                ]
                ok = False
            seen.add(code)
        for entry in self.targets:
            named = (entry.form.name.data or "").strip()
            if not named and any(
                (value or "").strip()
                for value in (entry.form.postal_address.data, entry.form.email.data)
            ):
                entry.form.name.errors = [
                    *entry.form.name.errors,
                    str(_l("Give the authority's name, or empty its address too.")),
                ]
                ok = False
        if not any((entry.form.name.data or "").strip() for entry in self.targets):
            first = self.targets[0].form.name
            first.errors = [*first.errors, str(_l("Name at least one authority to write to."))]
            ok = False
        return ok


class ResponseForm(FlaskForm):
    """An authority's response, with where it is documented."""

    received_on = DateField(_l("Received on"), validators=[InputRequired()])
    target = SelectField(_l("From"), validators=[Optional()], validate_choice=False)
    kind = SelectField(_l("Response"), choices=ResponseKind.choices())
    text = TextAreaField(_l("What it says"), validators=optional_text(AppealResponse, "text"))
    original_language = original_language_field(_l("Written in"))
    source_title = StringField(
        _l("Source: title or citation (optional)"), validators=optional_text(Source, "title")
    )
    source_url = StringField(
        _l("Source: link (optional)"),
        validators=[Length(max=column_limit(Source, "url")), HttpUrl()],
    )
    published = BooleanField(_l("Show this response on the public pages"))
    submit = SubmitField(_l("Record the response"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_languages(self.original_language)


class StateForm(FlaskForm):
    """Open, mark answered, close or return to draft: one button per state."""

    state = HiddenField(_l("State"))


def state_choices() -> list[AppealState]:
    """The states an organiser may choose, in the order of an appeal's life."""
    return list(AppealState)


class LetterSentForm(FlaskForm):
    """A supporter's "I sent a letter": nothing to fill in but the field bots fill in."""

    form_token = HiddenField()
    website = StringField(_l("Leave this field empty"))
    submit = SubmitField(_l("Yes, I sent a letter"))
