"""How the translated fields, and a language refused for a text, are named for people."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from campaign.content.services import site_languages

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


def unknown_language(code: str) -> str:
    """Why the language *code* a text is said to be in was refused (none given, or one neither
    the site nor Babel knows): the same words for a case's, an event's or an appeal's text."""
    known = ", ".join(site_languages())
    if not code:
        return _("Choose a language: this site's are %(known)s.", known=known)
    return _(
        "“%(code)s” is not one of this site's languages (%(known)s).",
        code=code,
        known=known,
    )
