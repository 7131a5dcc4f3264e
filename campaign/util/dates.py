"""Partial dates: how a date with a precision is shown, checked and sorted."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache

from flask_babel import format_date, get_locale
from flask_babel import gettext as _

from campaign.models.vocab import DatePrecision


def today_utc() -> date:
    """Today in UTC: the day counters count to and the limit of dates that cannot be future."""
    return datetime.now(UTC).date()


def format_partial_date(
    value: date | None, precision: DatePrecision | str = DatePrecision.DAY
) -> str:
    """Show only what is known: "12 May 2010", "May 2010", "2010", "about 27 April 2010"."""
    if value is None:
        return ""
    return _formatted(value, DatePrecision(precision), str(get_locale() or ""))


@lru_cache(maxsize=8192)
def _formatted(value: date, precision: DatePrecision, locale_name: str) -> str:
    """One date as one locale writes it, worked out once: a timeline shows hundreds of dates
    and Babel's formatting is most of what a date costs (*locale_name* is the cache's key)."""
    if precision == DatePrecision.MONTH:
        return format_date(value, "LLLL y")
    if precision == DatePrecision.YEAR:
        return format_date(value, "y")
    day = format_date(value, "d MMMM y")
    if precision == DatePrecision.APPROXIMATE:
        return _("about %(date)s", date=day)
    return day


def precision_contradiction(value: date, precision: DatePrecision | str) -> str | None:
    """Explain why a date cannot carry this precision (month and year dates start their period)."""
    precision = DatePrecision(precision)
    if precision == DatePrecision.MONTH and value.day != 1:
        return _("A date known only to the month is stored as the first day of that month.")
    if precision == DatePrecision.YEAR and (value.month, value.day) != (1, 1):
        return _("A date known only to the year is stored as 1 January of that year.")
    return None
