"""Countries by ISO 3166-1 alpha-2 code, with names in the current locale."""

from __future__ import annotations

from functools import cache, lru_cache

import pycountry
from babel import Locale
from flask_babel import get_locale

from campaign.util.collation import collation_key


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
    return country_name_in(code, str(get_locale() or "en"))


@lru_cache(maxsize=4096)
def country_name_in(code: str, locale_name: str) -> str:
    """The country's name in one locale, or the code itself if unknown; worked out once per
    locale and code, as a page names the same few countries hundreds of times."""
    if not code:
        return ""
    name = Locale.parse(locale_name).territories.get(code)
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
    """Every country named in one locale, in its alphabet's order: the same for every form in
    that language, so it is made once per language, not once per page."""
    locale = Locale.parse(locale_name)

    def name(code: str) -> str:
        found = locale.territories.get(code)
        if found:
            return str(found)
        country = pycountry.countries.get(alpha_2=code)
        return str(country.name) if country else code

    pairs = ((code, name(code)) for code in country_codes())
    return tuple(sorted(pairs, key=lambda pair: collation_key(pair[1])))


# The languages whose country names a sheet may use, whatever the interface language.
NAME_LOCALES = ("en", "ru", "kk", "de", "fr", "es")


def country_from_text(text: str | None) -> str | None:
    """The ISO code of a country given by its code ("KZ", "KAZ") or its name in one of
    :data:`NAME_LOCALES` ("Kazakhstan", "Казахстан"), or None when it names no country."""
    wanted = " ".join((text or "").split()).casefold()
    if not wanted:
        return None
    return _country_names().get(wanted)


@cache
def _country_names() -> dict[str, str]:
    """Codes, English common and official names and every locale's names, to the code."""
    names: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        for value in (
            code,
            country.alpha_3,
            country.name,
            getattr(country, "common_name", None),
            getattr(country, "official_name", None),
        ):
            if value:
                names.setdefault(str(value).casefold(), code)
    for locale_name in NAME_LOCALES:
        territories = Locale.parse(locale_name).territories
        for code in country_codes():
            name = territories.get(code)
            if name:
                names.setdefault(str(name).casefold(), code)
    return names
