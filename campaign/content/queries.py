"""What the staff pages show of a record's translations: per language, what is there and what
is missing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from campaign.content.services import Record, site_languages
from campaign.util.localised import same_language, translation_for


@dataclass(frozen=True)
class LanguageState:
    """One of the site's languages for one record: its translation (or None) and the fields
    that have an original text but no translation yet."""

    language: str
    translation: Any | None
    missing: tuple[str, ...]


def translation_states(record: Record) -> list[LanguageState]:
    """Every site language other than the record's original, in the configured order."""
    states = []
    written = [f for f in record.TRANSLATED if getattr(record, f)]
    for language in site_languages():
        if same_language(language, record.original_language):
            continue
        translation = translation_for(record, language)
        missing = tuple(f for f in written if translation is None or not getattr(translation, f))
        states.append(LanguageState(language, translation, missing))
    return states


def missing_count(record: Record) -> int:
    """How many (language, field) texts are still to translate."""
    return sum(len(state.missing) for state in translation_states(record))
