"""Reading an uploaded spreadsheet (CSV in any common encoding, or XLSX) into rows of text.

Nothing here evaluates a formula: a cell that starts with ``=``, ``+``, ``-`` or ``@`` is
text, and the quote the tracker's own CSV export puts before such a cell (see
:func:`campaign.util.spreadsheets.spreadsheet_safe`) is taken off again. Limits on the file's
size, its rows and its columns are checked while reading, so a huge file stops early.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from campaign.util.spreadsheets import from_spreadsheet

# The encodings a CSV is tried in, in this order: a byte-order mark says UTF-8 for sure; then
# UTF-8 without it; then Windows-1251, in which Russian and Kazakh Excel saves CSV.
ENCODINGS = ("utf-8-sig", "utf-8", "cp1251")
MAX_COLUMNS = 60
MAX_CELL_CHARACTERS = 10_000
XLSX_MAGIC = b"PK\x03\x04"


class SheetError(Exception):
    """The file cannot be read as a sheet; ``reason`` says why for the message shown."""

    def __init__(self, reason: str, **values: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.values = values


@dataclass(frozen=True)
class Sheet:
    """A sheet as text: its headings, its non-empty rows (each with its line number in the
    file, counting the headings as line 1) and how the file was read."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    encoding: str


def read_sheet(data: bytes, filename: str, *, max_rows: int, max_bytes: int) -> Sheet:
    """Read an uploaded CSV or XLSX file (told apart by its content, not its name).

    Raises :class:`SheetError` with reason ``too_big``, ``too_many_rows``, ``too_many_columns``,
    ``empty``, ``undecodable``, ``not_a_sheet`` or ``broken_xlsx``.
    """
    if len(data) > max_bytes:
        raise SheetError("too_big", limit=max_bytes)
    if data.startswith(XLSX_MAGIC) or filename.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data, max_rows)
    text, encoding = decode(data)
    return _read_csv(text, encoding, max_rows)


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding that read it (see :data:`ENCODINGS`)."""
    if b"\x00" in data:
        raise SheetError("not_a_sheet")
    for encoding in ENCODINGS:
        if encoding == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf"):
            continue
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise SheetError("undecodable")


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    """Commas, semicolons (spreadsheets in Russian and most of Europe) or tabs."""
    try:
        return csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _read_csv(text: str, encoding: str, max_rows: int) -> Sheet:
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text))
    try:
        return _collect_rows(((reader.line_num, row) for row in reader), encoding, max_rows)
    except csv.Error:
        raise SheetError("not_a_sheet") from None


def _collect_rows(rows: Any, encoding: str, max_rows: int) -> Sheet:
    """The headings and the non-empty rows, cells cleaned, within the limits."""
    header: list[str] | None = None
    kept: list[tuple[int, list[str]]] = []
    for number, cells in rows:
        cleaned = [_clean(cell) for cell in cells]
        while cleaned and not cleaned[-1]:
            cleaned.pop()
        if not cleaned:
            continue  # an empty row says nothing
        if len(cleaned) > MAX_COLUMNS:
            raise SheetError("too_many_columns", limit=MAX_COLUMNS)
        if header is None:
            header = cleaned
            continue
        if len(kept) >= max_rows:
            raise SheetError("too_many_rows", limit=max_rows)
        kept.append((number, cleaned))
    if header is None:
        raise SheetError("empty")
    return Sheet(header=header, rows=kept, encoding=encoding)


def _clean(value: Any) -> str:
    """A cell as text: dates in ISO 8601, whole numbers without ".0", formulas as text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date() if value.time() == time(0) else value.replace(microsecond=0)
    if isinstance(value, date | time):
        text = value.isoformat()
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    return from_spreadsheet(text.strip())[:MAX_CELL_CHARACTERS]


def _read_xlsx(data: bytes, max_rows: int) -> Sheet:
    """The first worksheet of an XLSX workbook, read in read-only mode with formulas as text."""
    from openpyxl import load_workbook  # only an XLSX upload pays for importing it

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise SheetError("broken_xlsx") from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise SheetError("empty")
        rows = (
            (number, list(values))
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        )
        return _collect_rows(rows, "xlsx", max_rows)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise SheetError("broken_xlsx") from None
    finally:
        book.close()
