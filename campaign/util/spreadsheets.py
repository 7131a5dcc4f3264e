"""CSV that spreadsheets open safely: every cell guarded against formula injection."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

# A cell starting with one of these is a formula to a spreadsheet; prefix it with a quote.
# Spreadsheets skip leading spaces before looking, and some read the fullwidth forms (typed by
# East Asian input methods) as the ASCII ones.
FORMULA_CHARACTERS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
# Besides whitespace (str.isspace), the invisible characters a cell can hide a formula behind.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


_FIRST_VISIBLE = re.compile(rf"[\s{INVISIBLE}]*(.)", re.DOTALL)


def _looks_like_formula(text: str) -> bool:
    if text.startswith(("\t", "\r")):
        return True
    first = _FIRST_VISIBLE.match(text)
    return first is not None and first.group(1) in FORMULA_CHARACTERS


def spreadsheet_safe(value: Any) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if _looks_like_formula(text) else text


def to_csv(fields: Sequence[str], rows: Iterable[dict[str, Any]]) -> str:
    """Rows as CSV with a header of *fields*, every cell passed through :func:`spreadsheet_safe`."""
    return csv_line(fields) + "".join(csv_row(fields, row) for row in rows)


def csv_row(fields: Sequence[str], row: dict[str, Any]) -> str:
    """One row's line of :func:`to_csv` (a line is written the same alone or among others)."""
    return csv_line([spreadsheet_safe(row.get(name)) for name in fields])


def csv_line(cells: Sequence[Any]) -> str:
    """*cells* as one line of CSV, as the standard library's writer quotes them."""
    out = io.StringIO()
    csv.writer(out).writerow(cells)
    return out.getvalue()


def from_spreadsheet(text: str) -> str:
    """A cell as the tracker's own export meant it: the quote :func:`spreadsheet_safe` put
    before a formula-like cell is taken off again (the cell stays text, never a formula)."""
    if text.startswith("'") and _looks_like_formula(text[1:]):
        return text[1:]
    return text
