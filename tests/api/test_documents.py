"""The API's pieces that need no client: cursors, partial dates, the badge's drawing."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaign.api import badges, documents
from campaign.models import Case, CaseStatus, DatePrecision


@given(
    day=st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)),
    rank=st.integers(0, 3),
    order=st.integers(0, 2),
    tiebreak=st.integers(0, 10**12 - 1),
)
def test_a_cursor_reads_back_as_its_key(day: date, rank: int, order: int, tiebreak: int) -> None:
    key = (day, rank, order, tiebreak)
    text = documents.cursor_text(key)
    assert text.isascii()
    assert "=" not in text
    assert documents.read_cursor(text) == key


@given(st.text(max_size=80))
def test_any_other_text_is_a_bad_cursor_or_a_real_one(text: str) -> None:
    try:
        key = documents.read_cursor(text)
    except documents.BadCursor:
        return
    assert documents.cursor_text(key) == text


@pytest.mark.parametrize(
    "text", ["", "x" * 65, "MjAxMC0xMy00NS4xLjAuMQ", "MjAxMC0wNS0wNC4xLjAuMTc="]
)
def test_bad_cursors(text: str) -> None:
    with pytest.raises(documents.BadCursor):
        documents.read_cursor(text)


def test_a_partial_date_says_how_much_is_known() -> None:
    assert documents.partial_date(None, DatePrecision.DAY, False) is None
    assert documents.partial_date(date(2010, 5, 1), DatePrecision.MONTH, True) == {
        "date": "2010-05-01",
        "precision": "month",
        "approximate": True,
    }


def test_wider_text_gets_a_wider_badge() -> None:
    assert badges.text_width("Day 9 in detention") < badges.text_width("Day 999 in detention")
    assert badges.text_width("") == 1
    assert badges.text_width("漢字") > badges.text_width("ab")


@pytest.mark.parametrize(
    ("status", "colour"),
    [
        (CaseStatus.DETAINED, badges.HELD_COLOUR),
        (CaseStatus.RELEASED, badges.FREE_COLOUR),
        (CaseStatus.IN_EXILE, badges.OTHER_COLOUR),
    ],
)
def test_the_badge_colour_follows_the_status(status: CaseStatus, colour: str) -> None:
    svg = badges.badge_svg(Case(person_name="A & <B>", status=status), "Day 1 in detention")
    assert f'fill="{colour}"' in svg
    assert "A &amp; &lt;B&gt;" in svg
    assert "<script" not in svg


def test_a_long_name_is_shortened() -> None:
    svg = badges.badge_svg(Case(person_name="N" * 200, status=CaseStatus.DETAINED), "x")
    assert "N" * badges.NAME_MAX not in svg
    assert "…" in svg
