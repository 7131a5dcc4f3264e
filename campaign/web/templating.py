"""Template filters and globals shared by every page."""

from __future__ import annotations

from flask import Flask, current_app
from flask_babel import get_locale

from campaign.util.countries import country_name
from campaign.util.dates import format_partial_date


def has_endpoint(name: str) -> bool:
    """Whether a view exists, so a template can link to a feature only once it is there."""
    return name in current_app.view_functions


def init_app(app: Flask) -> None:
    """Register the filters the templates use for dates and countries."""
    app.add_template_filter(format_partial_date, "partial_date")
    app.add_template_filter(country_name, "country_name")
    app.add_template_global(get_locale, "get_locale")
    app.add_template_global(has_endpoint, "has_endpoint")
