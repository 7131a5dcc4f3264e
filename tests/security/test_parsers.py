"""The parsers of what people type and what addresses carry, against any text (Hypothesis):
partial dates, timeline cursors and filters, slugs, CSV cells. Each either reads the text or
says it cannot; none fails with an exception a page would turn into a 500."""

from __future__ import annotations

import csv
import io
import re
import string
from datetime import date

import pytest
from flask import Flask
from hypothesis import example, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from wtforms import Form

from campaign import create_app
from campaign.models import DatePrecision
from campaign.timeline.build import FILTERS, encode_cursor, parse_cursor, parse_show
from campaign.util.slugs import slugify
from campaign.util.spreadsheets import FORMULA_CHARACTERS, spreadsheet_safe, to_csv
from campaign.web.fields import PartialDateField
from tests.conftest import base_config

# Deterministic (the same examples on every run and machine), no example database on disk,
# and no deadline: the suite asserts behaviour, never timings.
PARSER = settings(max_examples=300, derandomize=True, database=None, deadline=None)

# Text as browsers and probes send it: any code point but lone surrogates, which no request
# can carry (the request guard refuses their bytes before a parser sees them).
ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
DIGITS_AND_DASHES = st.text(st.sampled_from("0123456789-²٣１ "), max_size=12)


@pytest.fixture(scope="module")
def plain_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """An app for the forms' messages; the parsers touch no database."""
    return create_app(
        base_config(tmp_path_factory.mktemp("parsers"), SQLALCHEMY_DATABASE_URI="sqlite://")
    )


class _DateForm(Form):
    when = PartialDateField()


def _typed(app: Flask, text: str) -> tuple[PartialDateField, list[str]]:
    with app.test_request_context():
        form = _DateForm(MultiDict({"when": text}))
        form.validate()
        return form.when, [str(e) for e in form.when.errors]


@PARSER
@given(text=st.one_of(ANY_TEXT, DIGITS_AND_DASHES))
@example(text="2010-02-30")
@example(text="0000")
@example(text="\u0662\u0660\u0661\u0660-\u0660\u0665")  # 2010-05 in Arabic-Indic digits
@example(text="2010-5-4\x00")
def test_a_partial_date_is_read_or_refused_with_a_message(plain_app: Flask, text: str) -> None:
    field, errors = _typed(plain_app, text)
    if errors:
        assert field.data is None
        assert field.granularity is None
    elif text.strip():
        assert isinstance(field.data, date)
        assert field.granularity in {DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR}
    else:
        assert field.data is None


@PARSER
@given(
    day=st.dates(min_value=date(1000, 1, 1)), precision=st.sampled_from(["day", "month", "year"])
)
def test_a_partial_date_reads_back_what_it_shows(
    plain_app: Flask, day: date, precision: str
) -> None:
    shown = {
        "day": day.isoformat(),
        "month": f"{day.year:04d}-{day.month:02d}",
        "year": f"{day.year:04d}",
    }[precision]
    field, errors = _typed(plain_app, shown)
    assert errors == []
    assert field.granularity == DatePrecision(precision)
    assert (
        field.data
        == {
            "day": day,
            "month": day.replace(day=1),
            "year": day.replace(month=1, day=1),
        }[precision]
    )


@PARSER
@given(
    text=st.one_of(st.none(), ANY_TEXT, st.from_regex(r"\d{4}-\d{2}-\d{2}\.[012]\.[012]\.\d{1,12}"))
)
def test_a_timeline_cursor_is_read_or_means_the_first_page(text: str | None) -> None:
    key = parse_cursor(text)
    if key is not None:
        day, first, second, event_id = key
        assert isinstance(day, date)
        assert 0 <= first <= 2
        assert 0 <= second <= 2
        assert 0 <= event_id < 10**12
        assert parse_cursor(encode_cursor(key)) == key


@PARSER
@given(values=st.lists(ANY_TEXT, max_size=5))
def test_a_timeline_filter_is_a_known_family_or_all_of_them(values: list[str]) -> None:
    assert parse_show(values) <= frozenset(FILTERS)
    assert parse_show(values)


@PARSER
@given(text=ANY_TEXT, max_length=st.integers(min_value=1, max_value=80))
@example(text="Айнур Курманов", max_length=80)
@example(text="!!!", max_length=80)
def test_a_slug_is_plain_lower_case_words_within_its_length(text: str, max_length: int) -> None:
    slug = slugify(text, max_length=max_length)
    assert len(slug) <= max_length
    assert slug == "" or re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug)


SPACES = st.text(st.sampled_from(" \t\r\n\u00a0\u3000\u2003\ufeff\u200b"), max_size=3)


@PARSER
@given(
    lead=SPACES,
    start=st.sampled_from(sorted(FORMULA_CHARACTERS)),
    rest=st.text(string.printable, max_size=10),
)
@example(lead=" ", start="=", rest="1+1")
@example(lead="", start="\uff1d", rest='HYPERLINK("http://x")')
def test_a_cell_that_a_spreadsheet_would_run_is_written_as_text(
    lead: str, start: str, rest: str
) -> None:
    value = lead + start + rest
    assert spreadsheet_safe(value) == "'" + value


@PARSER
@given(value=ANY_TEXT)
def test_every_cell_reads_back_as_written_or_quoted_as_text(value: str) -> None:
    safe = spreadsheet_safe(value)
    assert safe in (value, "'" + value)
    assert safe.lstrip(" \t\r\n\u00a0\u3000\ufeff\u200b")[:1] not in FORMULA_CHARACTERS
    (row,) = list(csv.reader(io.StringIO(to_csv(["cell"], [{"cell": value}]), newline="")))[1:]
    assert row == [safe]
