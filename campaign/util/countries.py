"""Countries by ISO 3166-1 alpha-2 code, with names in the current locale."""

from __future__ import annotations

from functools import cache

import pycountry
from babel import Locale
from flask_babel import get_locale


@cache
def country_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code."""
    return frozenset(c.alpha_2 for c in pycountry.countries)


def is_country_code(code: str | None) -> bool:
    """Whether *code* is a known ISO 3166-1 alpha-2 code (upper case)."""
    return bool(code) and code in country_codes()


def country_name(code: str | None) -> str:
    """The country's name in the current locale, or the code itself if unknown."""
    if not code:
        return ""
    locale = get_locale() or Locale("en")
    name = locale.territories.get(code)
    if name:
        return str(name)
    country = pycountry.countries.get(alpha_2=code)
    return str(country.name) if country else code


def country_choices(blank: str | None = None) -> list[tuple[str, str]]:
    """(code, name) pairs sorted by name in the current locale, for a select field."""
    pairs = list(_sorted_countries(str(get_locale() or "en")))
    return [("", blank), *pairs] if blank is not None else pairs


@cache
def _sorted_countries(locale_name: str) -> tuple[tuple[str, str], ...]:
    """Every country named in one locale, sorted by name: the same for every form in that
    language, so it is made once per language, not once per page."""
    locale = Locale.parse(locale_name)

    def name(code: str) -> str:
        found = locale.territories.get(code)
        if found:
            return str(found)
        country = pycountry.countries.get(alpha_2=code)
        return str(country.name) if country else code

    return tuple(sorted(((code, name(code)) for code in country_codes()), key=lambda p: p[1]))
