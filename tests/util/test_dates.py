"""Partial dates are shown as what is known, no more."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask

from campaign.models import DatePrecision
from campaign.util.dates import format_partial_date

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


@pytest.mark.parametrize(
    ("value", "precision", "approximate", "shown"),
    [
        (date(2010, 5, 12), DatePrecision.DAY, False, "12 May 2010"),
        (date(2010, 5, 1), DatePrecision.MONTH, False, "May 2010"),
        (date(2010, 1, 1), DatePrecision.YEAR, False, "2010"),
        (date(2010, 4, 27), DatePrecision.DAY, True, "about 27 April 2010"),
        (date(2023, 8, 1), DatePrecision.MONTH, True, "about August 2023"),
        (date(2023, 1, 1), DatePrecision.YEAR, True, "about 2023"),
        (None, DatePrecision.DAY, False, ""),
    ],
)
def test_dates_show_only_what_is_known(
    app: Flask, value: date | None, precision: DatePrecision, approximate: bool, shown: str
) -> None:
    with app.test_request_context("/"):
        assert format_partial_date(value, precision, approximate) == shown
