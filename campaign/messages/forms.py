"""The forms of a message of support: the supporter's form and withdrawal, the organiser's
safety edit and the delivery of a pack."""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import Any

import pycountry
from babel import Locale
from flask_babel import format_date, get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.form import BaseForm
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from campaign.models import DeliveryMethod
from campaign.util.collation import collation_key
from campaign.web.fields import CountryField, LongSelect
from campaign.web.validators import CountryCode, NoControlCharacters

MESSAGE_MAX_LENGTH = 2000
NAME_MAX_LENGTH = 120
ORGANISATION_MAX_LENGTH = 200
EMAIL_MAX_LENGTH = 254
# Percent-escapes of bytes that are not UTF-8 survive decoding as literal text ("Gr%FC%DFe").
_UNDECODED = re.compile(r"%[89A-Fa-f][0-9A-Fa-f]")
_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")


def clean_text(value: Any) -> Any:
    """Strip surrounding spaces and turn browsers' CRLF line breaks into one character each."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return value


class Readable:
    """Refuse text the browser sent in another encoding (it arrives with U+FFFD in it)."""

    def __call__(self, form: BaseForm, field: Field) -> None:
        if isinstance(field.data, str) and (
            "\ufffd" in field.data or _UNDECODED.search(field.data)
        ):
            raise ValidationError(
                _l("Part of this text could not be read. Please type it again and send it.")
            )


class EmailAddress:
    """A plausible e-mail address (it is only used to confirm; nothing is sent elsewhere)."""

    def __call__(self, form: BaseForm, field: Field) -> None:
        if field.data and not _EMAIL.match(field.data):
            raise ValidationError(
                _l("Enter an e-mail address like name@example.org, or leave it empty.")
            )


def language_choices() -> list[tuple[str, str]]:
    """Languages with a two-letter code, named in the current locale, for the message's language."""
    return list(_sorted_languages(str(get_locale() or "en")))


@cache
def _sorted_languages(locale_name: str) -> tuple[tuple[str, str], ...]:
    """The languages named in one locale, in its alphabet's order: made once per language, not
    once per page (pycountry holds some 8,000 languages to look through)."""
    locale = Locale.parse(locale_name)
    pairs = []
    for language in pycountry.languages:
        code = getattr(language, "alpha_2", None)
        if code:
            pairs.append((code, str(locale.languages.get(code) or language.name)))
    return tuple(sorted(pairs, key=lambda pair: collation_key(pair[1])))


class SupportForm(FlaskForm):
    """A message of support: the text, how to sign it, and whether it may be shown on the site."""

    body = TextAreaField(
        _l("Your message"),
        filters=[clean_text],
        validators=[
            DataRequired(_l("Write a message: it cannot be empty.")),
            Length(
                max=MESSAGE_MAX_LENGTH,
                message=_l("Keep the message under %(max)d characters.", max=MESSAGE_MAX_LENGTH),
            ),
            NoControlCharacters(),
            Readable(),
        ],
    )
    language = SelectField(
        _l("Language of your message"),
        validators=[Optional()],
        validate_choice=False,
        widget=LongSelect(),
    )
    display_name = StringField(
        _l("Your name, as it should appear"),
        filters=[clean_text],
        validators=[Optional(), Length(max=NAME_MAX_LENGTH), NoControlCharacters(), Readable()],
    )
    country_only = BooleanField(_l("Sign with my country only"))
    country = CountryField(
        _l("Your country"),
        blank=_l("Choose a country"),
        validators=[DataRequired(_l("Choose your country from the list.")), CountryCode()],
    )
    organisation = StringField(
        _l("Organisation (optional)"),
        filters=[clean_text],
        validators=[
            Optional(),
            Length(max=ORGANISATION_MAX_LENGTH),
            NoControlCharacters(),
            Readable(),
        ],
    )
    email = EmailField(
        _l("E-mail (optional)"),
        filters=[clean_text],
        validators=[Optional(), Length(max=EMAIL_MAX_LENGTH), EmailAddress(), Readable()],
    )
    # Optional: every approved message is delivered to the person; this consent only decides
    # whether it may also appear on the site (the case page, its timeline, the wall).
    consent = BooleanField(_l("You may publish my message on this site, after review"))
    website = StringField(_l("Leave this field empty"))
    form_token = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        locale = get_locale()
        locale_name = str(locale or "en")
        self.language.choices = list(_language_select(locale_name))
        if self.language.raw_data is None:
            # Shown afresh (nothing sent): it starts at the page's language, which most write
            # in; the sender may change it. A form sent back keeps what they chose, "not sure"
            # included, and a post without the field says nothing of the language.
            page_language = locale.language if locale is not None else "en"
            if page_language in _language_codes(locale_name):
                self.language.data = page_language

    def validate_language(self, field: Field) -> None:
        """Only a language from the list (or none)."""
        if field.data and field.data not in _language_codes(str(get_locale() or "en")):
            raise ValidationError(_l("Choose a language from the list."))


@cache
def _language_select(locale_name: str) -> tuple[SelectChoice, ...]:
    """The language field's options in one locale (*locale_name* is the request's: the first
    option's label is translated into it), made once per language."""
    languages = [("", str(_l("Not sure or several"))), *_sorted_languages(locale_name)]
    return tuple(SelectChoice(value, label) for value, label in languages)


@cache
def _language_codes(locale_name: str) -> frozenset[str]:
    return frozenset(code for code, _name in _sorted_languages(locale_name))


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
