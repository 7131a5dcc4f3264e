"""The forms of the Translations section: one language's texts, and the original's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField

from campaign.models import CaseTranslation, EventTranslation
from campaign.web.fields import optional_text


class CaseTranslationForm(FlaskForm):
    """A case's public texts in one language (prefixed by the language: one per language)."""

    summary = TextAreaField(_l("Summary"), validators=optional_text(CaseTranslation, "summary"))
    charges = TextAreaField(_l("Charges"), validators=optional_text(CaseTranslation, "charges"))
    sentence = StringField(_l("Sentence"), validators=optional_text(CaseTranslation, "sentence"))


class EventTranslationForm(FlaskForm):
    """An event's public texts in one language (prefixed by the language: one per language)."""

    title = StringField(_l("Title"), validators=optional_text(EventTranslation, "title"))
    description = TextAreaField(
        _l("Description"), validators=optional_text(EventTranslation, "description")
    )
    outcome = TextAreaField(_l("Outcome"), validators=optional_text(EventTranslation, "outcome"))


class OriginalLanguageForm(FlaskForm):
    """The language the record's own texts are written in."""

    # Checked by the service, which says clearly what is wrong with an unknown code.
    language = SelectField(_l("The original text is in"), validate_choice=False)
