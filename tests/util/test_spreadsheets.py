"""Cells that a spreadsheet would run as a formula are written as text."""

from __future__ import annotations

from campaign.util.spreadsheets import spreadsheet_safe, to_csv


def test_spreadsheet_safe_prefixes_formula_starts() -> None:
    for value in ("=1+1", "+1", "-1", "@SUM(A1)"):
        assert spreadsheet_safe(value) == "'" + value
    assert spreadsheet_safe("plain") == "plain"
    assert spreadsheet_safe(None) == ""


def test_to_csv_guards_every_cell() -> None:
    text = to_csv(("a", "b"), [{"a": "=1+1", "b": None}, {"a": "@x", "b": True}])
    assert text.splitlines() == ["a,b", "'=1+1,", "'@x,True"]


def test_formulas_behind_spaces_or_in_fullwidth_forms_are_written_as_text() -> None:
    fullwidth = ("\uff1d1+1", "\uff0b1", "\uff0d1", "\uff20SUM(A1)")
    for value in (" =1+1", "\n=cmd|' /C calc'!A0", "\u00a0+1", *fullwidth):
        assert spreadsheet_safe(value) == "'" + value, value
    assert spreadsheet_safe(" plain") == " plain"
    assert spreadsheet_safe("a = b") == "a = b"
