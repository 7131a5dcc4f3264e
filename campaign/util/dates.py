"""Partial dates: how a date with a precision is shown, checked and sorted."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from functools import cache, lru_cache

from babel.dates import format_skeleton, get_month_names
from flask_babel import get_locale
from flask_babel import gettext as _

from campaign.models.vocab import DatePrecision

# The languages whose month names a typed date may use ("15 July 2025", "15 июля 2025"),
# whatever the interface language: a Russian-speaking organiser types Russian in an English UI.
MONTH_NAME_LOCALES = ("en", "ru", "de", "fr", "es", "kk")
_ISO = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_NUMERIC_DAY = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})")
_NUMERIC_MONTH = re.compile(r"(\d{1,2})[./](\d{4})")
# The Russian word for "year" (abbreviated, or in full) that may follow the year.
RUSSIAN_YEAR_WORDS = frozenset({"\u0433", "\u0433\u043e\u0434", "\u0433\u043e\u0434\u0430"})
_WORDS = re.compile(r"[^\W\d_]+\.?|\d+", re.UNICODE)
# What each precision shows, as CLDR skeletons: each language orders and declines the parts
# its own way ("27 April 2010"; in Russian and Kazakh with their words for "year").
DATE_SKELETONS = {
    DatePrecision.DAY: "yMMMMd",
    DatePrecision.MONTH: "yMMMM",
    DatePrecision.YEAR: "y",
}
# The tracker's English writes the day first, as the rest of the world does ("27 April 2010"):
# CLDR's plain "en" is American English ("April 27, 2010").
_DATE_LOCALES = {"en": "en_GB"}


class UnreadableDate(ValueError):
    """The text is not a date in any form the tracker reads."""


class NoSuchDate(ValueError):
    """The text has the form of a date that does not exist (31 April)."""


def today_utc() -> date:
    """Today in UTC: the day counters count to and the limit of dates that cannot be future."""
    return datetime.now(UTC).date()


def format_partial_date(
    value: date | None,
    precision: DatePrecision | str = DatePrecision.DAY,
    approximate: bool = False,
) -> str:
    """Show only what is known: "12 May 2010", "May 2010", "2010", "about August 2023"."""
    if value is None:
        return ""
    return _formatted(value, DatePrecision(precision), bool(approximate), str(get_locale() or ""))


def format_partial_date_in(
    locale_name: str,
    value: date | None,
    precision: DatePrecision | str = DatePrecision.DAY,
    approximate: bool = False,
) -> str:
    """:func:`format_partial_date` in the locale named *locale_name* (the templates' filter
    names the request's locale once, not once per date)."""
    if value is None:
        return ""
    return _formatted(value, DatePrecision(precision), bool(approximate), locale_name)


@lru_cache(maxsize=8192)
def _formatted(value: date, precision: DatePrecision, approximate: bool, locale_name: str) -> str:
    """One date as one locale writes it, worked out once: a timeline shows hundreds of dates
    and Babel's formatting is most of what a date costs (*locale_name* is the cache's key).
    "About" is one translated sentence around the date, so each language places it."""
    locale = _DATE_LOCALES.get(locale_name, locale_name or "en_GB")
    shown = format_skeleton(DATE_SKELETONS[precision], value, locale=locale)
    return _("about %(date)s", date=shown) if approximate else shown


def start_of_period(value: date, precision: DatePrecision | str) -> date:
    """The first day of the month or year a date falls in, as month and year dates are stored."""
    precision = DatePrecision(precision)
    if precision == DatePrecision.MONTH:
        return value.replace(day=1)
    if precision == DatePrecision.YEAR:
        return value.replace(month=1, day=1)
    return value


def coarser(first: DatePrecision, second: DatePrecision) -> DatePrecision:
    """The less precise of two precisions: what is known when two sources disagree."""
    order = (DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR)
    return max(first, second, key=order.index)


@cache
def _month_numbers() -> dict[str, int]:
    """Month names and abbreviations, in every reading language and grammatical case, to 1-12."""
    names: dict[str, int] = {}
    for locale in MONTH_NAME_LOCALES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale).items():
                    names.setdefault(_fold(name), number)
    return names


def _fold(word: str) -> str:
    """A month word as compared: lower case, without accents or a final full stop."""
    decomposed = unicodedata.normalize("NFKD", word.strip().rstrip(".").casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _month_of(word: str) -> int | None:
    """The number of a month named in full or abbreviated ("July", "Jul", "июля"), or None."""
    return _month_numbers().get(_fold(word))


def _build(year: int, month: int, day: int | None) -> date:
    try:
        return date(year, month, day or 1)
    except ValueError:
        raise NoSuchDate(f"{year}-{month}-{day}") from None


def parse_partial_date(text: str) -> tuple[date, DatePrecision]:
    """Read a date as people type it, and how much of it the text says.

    ISO (2025-07-15, 2025-07, 2025), day first with dots, slashes or dashes (15.07.2025,
    15/07/2025; 07/15/2025 only where no other reading exists), a month and year (07.2025,
    July 2025, июль 2025) and a day with a month name in English or Russian (15 July 2025,
    July 15, 2025, 15 июля 2025, with the Russian "year" after it or not). The date is the
    first day of what is known. Raises :class:`UnreadableDate` or :class:`NoSuchDate`.
    """
    raw = " ".join(text.split())
    if match := _ISO.fullmatch(raw):
        year, month, day = match.groups()
        precision = (
            DatePrecision.DAY if day else DatePrecision.MONTH if month else DatePrecision.YEAR
        )
        return _build(int(year), int(month or 1), int(day) if day else None), precision
    if match := _NUMERIC_DAY.fullmatch(raw):
        first, second, year = (int(g) for g in match.groups())
        if second > 12 >= first:  # only a month-first reading exists (07/15/2025)
            first, second = second, first
        return _build(year, second, first), DatePrecision.DAY
    if match := _NUMERIC_MONTH.fullmatch(raw):
        month, year = (int(g) for g in match.groups())
        return _build(year, month, None), DatePrecision.MONTH
    return _parse_words(raw)


def _parse_words(raw: str) -> tuple[date, DatePrecision]:
    """A date with a month name: "15 July 2025", "July 15, 2025", "July 2025", "15 июля 2025"."""
    tokens = _WORDS.findall(raw.replace(",", " "))
    if tokens and _fold(tokens[-1]) in RUSSIAN_YEAR_WORDS:
        tokens = tokens[:-1]
    numbers = [t for t in tokens if t.isdigit()]
    words = [t for t in tokens if not t.isdigit()]
    if len(words) != 1 or not 1 <= len(numbers) <= 2 or len(numbers[-1]) != 4:
        raise UnreadableDate(raw)
    month = _month_of(words[0])
    if month is None or tokens[-1] != numbers[-1]:
        raise UnreadableDate(raw)
    year = int(numbers[-1])
    if len(numbers) == 1:
        return _build(year, month, None), DatePrecision.MONTH
    if len(numbers[0]) > 2:
        raise UnreadableDate(raw)
    return _build(year, month, int(numbers[0])), DatePrecision.DAY
