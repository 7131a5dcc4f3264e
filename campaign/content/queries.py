"""What the staff pages show of a record's translations: per language, what is there and what
is missing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from campaign.content.services import Record, site_languages
from campaign.util.localised import outdated_fields, same_language, translation_for


@dataclass(frozen=True)
class LanguageState:
    """One of the site's languages for one record: its translation (or None), the fields that
    have an original text but no translation yet, and those whose original changed since they
    were translated (readers see the original until they are translated again)."""

    language: str
    translation: Any | None
    missing: tuple[str, ...]
    outdated: tuple[str, ...] = ()

    @property
    def to_translate(self) -> int:
        """How many of its texts wait for a translation, or to be translated again."""
        return len(self.missing) + len(self.outdated)


def translation_states(record: Record) -> list[LanguageState]:
    """Every site language other than the record's original, in the configured order."""
    states = []
    written = [f for f in record.TRANSLATED if getattr(record, f)]
    for language in site_languages():
        if same_language(language, record.original_language):
            continue
        translation = translation_for(record, language)
        missing = tuple(f for f in written if translation is None or not getattr(translation, f))
        outdated = outdated_fields(record, translation) if translation is not None else ()
        states.append(LanguageState(language, translation, missing, outdated))
    return states


def missing_count(record: Record) -> int:
    """How many (language, field) texts are still to translate, or to translate again."""
    return sum(state.to_translate for state in translation_states(record))
