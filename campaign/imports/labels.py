"""How the import's kinds of sheet, fields and problems are named for people."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

KINDS: dict[str, LazyString] = {"events": _l("Events"), "cases": _l("Cases")}

EVENT_FIELDS: dict[str, LazyString] = {
    "id": _l("Tracker's event number"),
    "external_id": _l("Your own id"),
    "type": _l("Type"),
    "title": _l("Title"),
    "date": _l("Date"),
    "precision": _l("Date precision"),
    "approximate": _l("Approximate date"),
    "end_date": _l("End date"),
    "start_time": _l("Start time"),
    "cases": _l("Cases"),
    "also_concerns": _l("Also concerns"),
    "venue": _l("Venue"),
    "city": _l("City"),
    "country": _l("Country"),
    "participants": _l("Participants"),
    "organisations": _l("Organisations"),
    "sources": _l("Sources"),
    "description": _l("Description"),
    "outcome": _l("Outcome"),
    "authority": _l("Authority"),
    "authority_response": _l("Authority's response"),
    "visibility": _l("Visibility"),
    "verification": _l("Verification"),
    "kind": _l("Kind of row (timeline export)"),
}

CASE_FIELDS: dict[str, LazyString] = {
    "id": _l("Tracker's case number"),
    "external_id": _l("Your own id"),
    "slug": _l("Web address"),
    "person_name": _l("Name"),
    "person_name_original": _l("Name in original script"),
    "occupation": _l("Occupation"),
    "affiliation": _l("Affiliation"),
    "country": _l("Country"),
    "city": _l("City"),
    "status": _l("Status"),
    "arrest_date": _l("Arrest date"),
    "arrest_date_precision": _l("Arrest date precision"),
    "arrest_date_approximate": _l("Approximate arrest date"),
    "charges": _l("Charges"),
    "legal_article": _l("Legal article"),
    "court": _l("Court"),
    "judge": _l("Judge"),
    "sentence": _l("Sentence"),
    "expected_release": _l("Expected release"),
    "released_on": _l("Released on"),
    "detention_place": _l("Place of detention"),
    "detention_address": _l("Address for letters"),
    "summary": _l("Summary"),
    "internal_notes": _l("Internal notes"),
}

FIELDS = {"events": EVENT_FIELDS, "cases": CASE_FIELDS}
# The fields a sheet of each kind must map a column to.
REQUIRED = {"events": ("type", "title", "date"), "cases": ("person_name",)}


def sheet_error(reason: str, **values: object) -> str:
    """The message for a file that cannot be imported (see :class:`SheetError`'s reasons)."""
    if reason == "too_big":
        return _(
            "The file is larger than the limit of %(limit)s bytes: split it in parts.", **values
        )
    if reason == "too_many_rows":
        return _("The sheet has more than %(limit)s rows: split it in parts.", **values)
    if reason == "too_many_columns":
        return _("The sheet has more than %(limit)s columns.", **values)
    if reason == "empty":
        return _("The file holds no rows.")
    if reason == "undecodable":
        return _(
            "The file could not be read as text (tried UTF-8 and Windows-1251): save it as "
            "CSV UTF-8 and upload it again."
        )
    if reason == "broken_xlsx":
        return _("The XLSX file is damaged or not an XLSX workbook.")
    return _("The file is not a CSV or XLSX spreadsheet.")


ENCODINGS: dict[str, LazyString] = {
    "utf-8": _l("CSV, UTF-8"),
    "utf-8-sig": _l("CSV, UTF-8 with a byte-order mark"),
    "cp1251": _l("CSV, Windows-1251 (Cyrillic)"),
    "xlsx": _l("XLSX workbook"),
}

ACTIONS: dict[str, LazyString] = {
    "create": _l("will be created"),
    "update": _l("will update"),
    "unchanged": _l("no change"),
    "skip": _l("left out"),
}
