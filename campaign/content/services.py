"""The translations' domain actions: save (or clear) a record's texts in one language, and say
which language its original text is in.

Each takes plain values, adds and flushes but never commits, and raises a named error. The
history records every change (the texts are public, so it shows them), and the public-data
version moves with the commit (campaign.public.version), so cached pages show the new text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from babel import Locale, UnknownLocaleError
from flask import current_app

from campaign.extensions import db
from campaign.models import Case, CaseTranslation, Event, EventTranslation
from campaign.util.localised import fingerprint, same_language

Record = Case | Event
Translation = CaseTranslation | EventTranslation


class TranslationError(ValueError):
    """A translation that cannot be saved as asked."""

    def __init__(self, language: str) -> None:
        super().__init__(language)
        self.language = language


class UnknownLanguage(TranslationError):
    """The language is not one the site is configured for (LANGUAGES), or no language at all."""


class SameAsOriginal(TranslationError):
    """A translation into the language the record is written in: it would never be shown."""


class TranslatedAlready(TranslationError):
    """The original cannot be said to be in a language the record has a translation into."""


def site_languages() -> tuple[str, ...]:
    """The languages readers may read the site in (the LANGUAGES setting)."""
    return tuple(str(code) for code in current_app.config["LANGUAGES"])


def known_language(code: str, languages: Sequence[str] | None = None) -> str:
    """*code* if it is one of the site's languages; else :class:`UnknownLanguage`."""
    value = (code or "").strip()
    if value not in (languages if languages is not None else site_languages()):
        raise UnknownLanguage(value)
    return value


def _real_language(code: str) -> str:
    """The code of the language *code* names, if Babel knows it ("ar", "fa", "kk"), in the
    form the site stores ("pt-br" and "pt_BR.UTF-8" are "pt_BR": a system's locale pasted in
    keeps no encoding or modifier); else UnknownLanguage."""
    value = (code or "").strip()
    if not value or len(value) > 16:
        raise UnknownLanguage(value)
    try:
        found = Locale.parse(value.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        raise UnknownLanguage(value) from None
    return "_".join(part for part in (found.language, found.script, found.territory) if part)


def _clean(value: str | None) -> str | None:
    """The text exactly as given, or None for nothing (whitespace alone is nothing)."""
    if value is None or not value.strip():
        return None
    return value


def save_translation(
    record: Record, language: str, texts: Mapping[str, str | None]
) -> Translation | None:
    """Give *record*'s translated fields in *language*; fields not in *texts* keep their text.
    Each field given is recorded as made from the original as it reads now: it is current
    again (campaign.util.localised.is_current).

    All of them empty removes the translation (returns None). The language must be one of the
    site's and not the original's.
    """
    code = known_language(language)
    if same_language(code, record.original_language):
        raise SameAsOriginal(code)
    translation = next((t for t in record.translations if t.language == code), None)
    values = {field: _clean(texts[field]) for field in record.TRANSLATED if field in texts}
    if translation is None:
        if not any(values.values()):
            return None
        model = CaseTranslation if isinstance(record, Case) else EventTranslation
        translation = model(language=code)
        record.translations.append(translation)
    for field, value in values.items():
        if getattr(translation, field) != value:
            setattr(translation, field, value)
    # Each field saved was translated from the original as it reads now (saved unchanged too:
    # the translator read it against the new original and kept it).
    made_from = dict(translation.made_from or {})
    for field, value in values.items():
        if value:
            made_from[field] = fingerprint(getattr(record, field))
        else:
            made_from.pop(field, None)
    if made_from != (translation.made_from or {}):
        translation.made_from = made_from
    if not any(getattr(translation, field) for field in record.TRANSLATED):
        record.translations.remove(translation)
        db.session.flush()
        return None
    db.session.flush()
    return translation


def original_language_code(language: str) -> str:
    """*language* if a record's own texts may be said to be in it: one of the site's, or any
    language Babel knows (a case written in Arabic on an English and Russian site); else
    :class:`UnknownLanguage`. Appeals and their responses are held to the same rule."""
    return language.strip() if language.strip() in site_languages() else _real_language(language)


def set_original_language(record: Record, language: str) -> None:
    """Say which language *record*'s own texts are in (:func:`original_language_code`)."""
    code = original_language_code(language)
    if any(same_language(t.language, code) for t in record.translations):
        raise TranslatedAlready(code)
    if record.original_language != code:
        record.original_language = code
        db.session.flush()
