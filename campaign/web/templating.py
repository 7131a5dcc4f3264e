"""Template filters and globals shared by every page."""

from __future__ import annotations

from flask import Flask
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from campaign.util.countries import country_name
from campaign.util.dates import format_partial_date


def csrf_field() -> Markup:
    """The hidden CSRF token of a form that sends nothing else (a button that changes something).

    The app-wide CSRF protection checks it; forms with fields carry it through Flask-WTF.
    """
    return Markup('<input name="csrf_token" type="hidden" value="{}">').format(generate_csrf())


def init_app(app: Flask) -> None:
    """Register the filters the templates use for dates and countries, and the CSRF field."""
    app.add_template_filter(format_partial_date, "partial_date")
    app.add_template_filter(country_name, "country_name")
    app.add_template_global(get_locale, "get_locale")
    app.add_template_global(csrf_field, "csrf_field")
