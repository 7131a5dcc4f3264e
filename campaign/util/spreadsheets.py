"""CSV that spreadsheets open safely: every cell guarded against formula injection."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

# A cell starting with one of these is a formula to a spreadsheet; prefix it with a quote.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(fields: Sequence[str], rows: Iterable[dict[str, Any]]) -> str:
    """Rows as CSV with a header of *fields*, every cell passed through :func:`spreadsheet_safe`."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(fields)
    for row in rows:
        writer.writerow([spreadsheet_safe(row.get(name)) for name in fields])
    return out.getvalue()
