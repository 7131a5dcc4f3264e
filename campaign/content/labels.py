"""How the translated fields are named for people."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

FIELD_LABELS = {
    "summary": _l("summary"),
    "charges": _l("charges"),
    "sentence": _l("sentence"),
    "title": _l("title"),
    "description": _l("description"),
    "outcome": _l("outcome"),
}


def field_label(field: str) -> str:
    """A translated field's name in the reader's language ("summary", "сводка")."""
    return str(FIELD_LABELS.get(field, field))
