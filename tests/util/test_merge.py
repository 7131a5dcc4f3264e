"""The three-way merge of two people's edits of one record, field by field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from campaign.util.merge import fingerprints, merge, read_fingerprints


class Status(Enum):
    DETAINED = "detained"
    RELEASED = "released"


@dataclass(frozen=True)
class Record:
    name: str
    city: str | None = None
    summary: str | None = None
    status: Status = Status.DETAINED
    arrested: date | None = None
    related: tuple[int, ...] = ()


NAMES = ("name", "city", "summary", "status", "arrested", "related")
LOADED = Record("Ainur", city="Almaty", summary="Detained.", arrested=date(2010, 4, 27))


def loaded() -> dict[str, str]:
    return read_fingerprints(fingerprints(LOADED, NAMES))


def test_each_keeps_what_they_changed_and_nothing_of_the_other_is_undone() -> None:
    theirs = Record(**{**LOADED.__dict__, "summary": "Sentenced to 15 days."})
    mine = Record(**{**LOADED.__dict__, "city": "Astana"})
    merged = merge(loaded(), mine, theirs, NAMES)
    assert merged.record == Record(
        **{**LOADED.__dict__, "city": "Astana", "summary": theirs.summary}
    )
    assert (merged.theirs, merged.clashes) == (("summary",), ())


def test_a_field_both_changed_differently_is_a_clash_holding_my_value() -> None:
    theirs = Record(**{**LOADED.__dict__, "city": "Karaganda", "status": Status.RELEASED})
    mine = Record(**{**LOADED.__dict__, "city": "Astana"})
    merged = merge(loaded(), mine, theirs, NAMES)
    assert merged.clashes == ("city",)
    assert merged.theirs == ("status",)
    assert (merged.record.city, merged.record.status) == ("Astana", Status.RELEASED)


def test_the_same_change_made_by_both_is_no_clash() -> None:
    both = Record(**{**LOADED.__dict__, "city": "Astana"})
    assert merge(loaded(), both, both, NAMES).clashes == ()


def test_blanks_and_the_order_of_ids_are_no_change() -> None:
    """A form sends empty text for None, spaces around text, ids in the order it lists them."""
    base = Record("Ainur", related=(3, 1))
    prints = read_fingerprints(fingerprints(base, NAMES))
    as_sent = Record(" Ainur ", city="", summary="  ", related=(1, 3))
    theirs = Record("Ainur", city="Astana", related=(1, 3, 7))
    merged = merge(prints, as_sent, theirs, NAMES)
    assert merged.clashes == ()
    assert merged.record.city == "Astana"
    assert merged.record.related == (1, 3, 7)


def test_a_field_whose_fingerprint_is_missing_or_forged_cannot_be_taken_for_unchanged() -> None:
    theirs = Record(**{**LOADED.__dict__, "summary": "Sentenced."})
    mine = Record(**{**LOADED.__dict__, "summary": "Released."})
    assert merge({}, mine, theirs, NAMES).clashes == ("summary",)
    forged = read_fingerprints("summary:zz name " + "x" * 5000)
    assert forged == {}
    assert merge(forged, mine, theirs, NAMES).clashes == ("summary",)
