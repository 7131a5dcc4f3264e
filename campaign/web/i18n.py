"""Locale selection: the visitor's preferred language among the ones the site has catalogues for."""

from __future__ import annotations

from flask import current_app, has_request_context, request


def select_locale() -> str | None:
    """Pick the best match from Accept-Language, falling back to the default locale."""
    default = str(current_app.config["BABEL_DEFAULT_LOCALE"])
    if not has_request_context():  # command line: the default locale
        return default
    return request.accept_languages.best_match(current_app.config["LANGUAGES"]) or default
