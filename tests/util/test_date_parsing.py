"""Dates are read as people type them: day first, with month names, or only a month or year."""

from __future__ import annotations

from datetime import date

import pytest

from campaign.models import DatePrecision
from campaign.util.dates import NoSuchDate, UnreadableDate, parse_partial_date


@pytest.mark.parametrize(
    ("typed", "value", "precision"),
    [
        ("2025-07-15", date(2025, 7, 15), DatePrecision.DAY),
        ("15.07.2025", date(2025, 7, 15), DatePrecision.DAY),
        ("15/07/2025", date(2025, 7, 15), DatePrecision.DAY),
        ("5.7.2025", date(2025, 7, 5), DatePrecision.DAY),
        ("07/15/2025", date(2025, 7, 15), DatePrecision.DAY),  # only one reading exists
        ("15 July 2025", date(2025, 7, 15), DatePrecision.DAY),
        ("July 15, 2025", date(2025, 7, 15), DatePrecision.DAY),
        ("15 июля 2025", date(2025, 7, 15), DatePrecision.DAY),
        ("15 июля 2025 \u0433.", date(2025, 7, 15), DatePrecision.DAY),
        ("July 2025", date(2025, 7, 1), DatePrecision.MONTH),
        ("jul 2025", date(2025, 7, 1), DatePrecision.MONTH),
        ("июль 2025", date(2025, 7, 1), DatePrecision.MONTH),
        ("2025-07", date(2025, 7, 1), DatePrecision.MONTH),
        ("07.2025", date(2025, 7, 1), DatePrecision.MONTH),
        ("2025", date(2025, 1, 1), DatePrecision.YEAR),
        ("  15.07.2025 ", date(2025, 7, 15), DatePrecision.DAY),
    ],
)
def test_dates_are_read_as_people_type_them(
    typed: str, value: date, precision: DatePrecision
) -> None:
    assert parse_partial_date(typed) == (value, precision)


@pytest.mark.parametrize("typed", ["31.04.2025", "2025-02-30", "30 февраля 2025"])
def test_a_date_that_does_not_exist_is_told_apart(typed: str) -> None:
    with pytest.raises(NoSuchDate):
        parse_partial_date(typed)


@pytest.mark.parametrize("typed", ["soon", "15 Foo 2025", "July", "15.07.25", "2025 July 15 16"])
def test_what_is_no_date_is_refused(typed: str) -> None:
    with pytest.raises(UnreadableDate):
        parse_partial_date(typed)
