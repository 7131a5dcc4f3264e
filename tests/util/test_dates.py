"""Partial dates are shown as what is known, no more."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask

from campaign.models import DatePrecision
from campaign.util.dates import format_partial_date, precision_contradiction

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


@pytest.mark.parametrize(
    ("value", "precision", "shown"),
    [
        (date(2010, 5, 12), DatePrecision.DAY, "12 May 2010"),
        (date(2010, 5, 1), DatePrecision.MONTH, "May 2010"),
        (date(2010, 1, 1), DatePrecision.YEAR, "2010"),
        (date(2010, 4, 27), DatePrecision.APPROXIMATE, "about 27 April 2010"),
        (None, DatePrecision.DAY, ""),
    ],
)
def test_dates_show_only_what_is_known(
    app: Flask, value: date | None, precision: DatePrecision, shown: str
) -> None:
    with app.test_request_context("/"):
        assert format_partial_date(value, precision) == shown


def test_month_and_year_dates_must_start_their_period(app: Flask) -> None:
    with app.test_request_context("/"):
        assert precision_contradiction(date(2010, 5, 12), DatePrecision.MONTH)
        assert precision_contradiction(date(2010, 5, 1), DatePrecision.MONTH) is None
        assert precision_contradiction(date(2010, 5, 1), DatePrecision.YEAR)
        assert precision_contradiction(date(2010, 1, 1), DatePrecision.YEAR) is None
        assert precision_contradiction(date(2010, 5, 12), DatePrecision.APPROXIMATE) is None
