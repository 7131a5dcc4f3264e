"""Template filters and globals shared by every page."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from campaign.util.countries import country_name
from campaign.util.dates import format_partial_date
from campaign.util.highlight import excerpt, highlight
from campaign.util.localised import language_name, shown


def csrf_field() -> Markup:
    """The hidden CSRF token of a form that sends nothing else (a button that changes something).

    The app-wide CSRF protection checks it; forms with fields carry it through Flask-WTF.
    """
    return Markup('<input name="csrf_token" type="hidden" value="{}">').format(generate_csrf())


def form_error_list(form: Any) -> list[tuple[str | None, str, str]]:
    """Every error of a long form as (field id to link to, field label, message), in order.

    The summary above a long form (templates/_error_summary.html) lists them, so an error far
    below the fold is not missed.
    """
    found: list[tuple[str | None, str, str]] = []

    def visit(field: Any, label: str | None = None) -> None:
        if field.type == "FieldList":
            for entry in field.entries:
                visit(entry, str(field.label.text))
            return
        if field.type == "FormField":
            for sub in field.form:
                visit(sub, label)
            return
        messages = field.errors if isinstance(field.errors, list) else []
        hidden = field.type in {"HiddenField", "CSRFTokenField"}
        name = str(field.label.text) if not label else f"{label}: {field.label.text}"
        for message in messages:
            found.append((None if hidden else field.id, name, str(message)))

    for field in form:
        visit(field)
    return found


def init_app(app: Flask) -> None:
    """Register the filters the templates use for dates and countries, and the CSRF field."""
    app.add_template_filter(format_partial_date, "partial_date")
    app.add_template_filter(country_name, "country_name")
    app.add_template_filter(highlight, "highlight")
    app.add_template_filter(excerpt, "excerpt")
    # Translated content: a field of a case or an event in the reader's language, or the original.
    app.add_template_filter(language_name, "language_name")
    app.add_template_global(shown, "shown")
    app.add_template_global(get_locale, "get_locale")
    app.add_template_global(csrf_field, "csrf_field")
    app.add_template_global(form_error_list, "form_error_list")
