"""Which text of a translated record a reader sees, and in which language it is.

A case or an event is written in its ``original_language``; organisers may add translations of
some of its fields (``TRANSLATED``), one object per language in ``translations``. The rule, the
same on the public page, the timeline, the feeds and the exports:

1. a reader whose language is the original reads the original;
2. otherwise the field's translation into the reader's language, when there is one and it was
   made from the original as it reads now (:func:`is_current`: a translation of last week's
   summary would tell Russian readers last week's facts);
3. otherwise the original, marked with its language, so the page can say "(in English)" and
   set ``lang`` on the text.

Nothing here touches the database or the request: the record's translations are read as loaded,
and the reader's language is Flask-Babel's locale unless a caller names one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from babel import Locale, UnknownLocaleError
from flask import current_app, has_app_context
from flask_babel import get_locale


class Translation(Protocol):
    """What is read of a translation: its language (its fields are read by name)."""

    language: str


class Translatable(Protocol):
    """What is read of a case, an event, an appeal or an appeal's response. An appeal and a
    response have no translations: their readers read the original, marked with its language.
    An original language of None (an appeal written by a host still on older code during an
    upgrade) is the site's default."""

    TRANSLATED: tuple[str, ...]

    @property
    def original_language(self) -> str | None: ...

    @property
    def translations(self) -> Iterable[Any]: ...


@dataclass(frozen=True)
class Shown:
    """One field's text as a reader sees it: the text, its language, and the reader's."""

    text: str | None
    language: str
    reader: str

    @property
    def foreign(self) -> bool:
        """Whether the text is in another language than the reader's: the page says which."""
        return bool(self.text) and not same_language(self.language, self.reader)

    def __str__(self) -> str:
        return self.text or ""

    def __bool__(self) -> bool:
        return bool(self.text)


def primary(code: str | None) -> str:
    """The language of a code without its region or script: "pt_BR" and "pt-br" are "pt"."""
    return (code or "").replace("-", "_").split("_")[0].lower()


def same_language(one: str | None, other: str | None) -> bool:
    """Whether two codes name the same language ("ru" and "ru_RU" do)."""
    return primary(one) == primary(other) != ""


def default_language() -> str:
    """The site's default language (the original language of what has none recorded)."""
    if has_app_context():
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    return "en"


def reader_language() -> str:
    """The reader's language: the locale Flask-Babel chose for this request (or command)."""
    if not has_app_context():
        return "en"
    return str(get_locale() or default_language())


def translation_for(record: Translatable, language: str) -> Any | None:
    """The record's translation into *language* (exactly, else the same language in another
    region), or None."""
    close = None
    for translation in record.translations:
        if translation.language == language:
            return translation
        if close is None and same_language(translation.language, language):
            close = translation
    return close


def fingerprint(text: str | None) -> str:
    """A short digest of an original text: what a translation records it was made from."""
    return hashlib.sha256((text or "").encode()).hexdigest()[:16]


def is_current(translation: Any, field: str, original: str | None) -> bool:
    """Whether *translation*'s *field* was made from *original* as it reads now. A translation
    that kept no record of its originals (``made_from`` None, or the field missing) counts as
    current: it was made before anyone kept track, or moved from another campaign."""
    made_from = getattr(translation, "made_from", None)
    if not made_from or field not in made_from:
        return True
    return bool(made_from[field] == fingerprint(original))


def outdated_fields(record: Translatable, translation: Any) -> tuple[str, ...]:
    """The fields of *translation* whose original changed since they were translated."""
    return tuple(
        field
        for field in record.TRANSLATED
        if getattr(translation, field)
        and not is_current(translation, field, getattr(record, field))
    )


def shown(record: Translatable, field: str, language: str | None = None) -> Shown:
    """One field of *record* as a reader of *language* (by default, this request's) sees it."""
    if field not in record.TRANSLATED:
        raise KeyError(field)
    reader = language or reader_language()
    original_language = record.original_language or default_language()
    original = getattr(record, field)
    if not same_language(original_language, reader):
        translation = translation_for(record, reader)
        if (
            translation is not None
            and getattr(translation, field)
            and is_current(translation, field, original)
        ):
            return Shown(getattr(translation, field), translation.language, reader)
    return Shown(original, original_language, reader)


def localise(record: Translatable, language: str | None = None) -> dict[str, Shown]:
    """Every translated field of *record* as a reader of *language* sees it."""
    reader = language or reader_language()
    return {field: shown(record, field, reader) for field in record.TRANSLATED}


def text(record: Translatable, field: str, language: str | None = None) -> str | None:
    """Just the text a reader of *language* sees (for feeds and exports)."""
    return shown(record, field, language).text


def language_name(code: str | None, language: str | None = None) -> str:
    """A language's name in the reader's language ("ru" -> "Russian", "русский"), or the code."""
    if not code:
        return ""
    try:
        reader = Locale.parse(language or reader_language())
        return str(reader.languages.get(code) or reader.languages.get(primary(code)) or code)
    except (UnknownLocaleError, ValueError):
        return code
