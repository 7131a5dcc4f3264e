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


def test_a_group_merges_as_one_and_shows_both_changes_marked() -> None:
    """One person moves the arrest, the other dates the release: taken apart, the record
    could say released before arrested, which the form refuses."""
    together = (("arrested", "status"),)
    theirs = Record(**{**LOADED.__dict__, "arrested": date(2010, 5, 20)})
    mine = Record(**{**LOADED.__dict__, "status": Status.RELEASED})
    merged = merge(loaded(), mine, theirs, NAMES, together)
    assert merged.clashes == ("status", "arrested")
    assert merged.theirs == ()
    # Each field keeps the change made to it, for the person to look at together.
    assert (merged.record.arrested, merged.record.status) == (date(2010, 5, 20), Status.RELEASED)

    # A group only one of them changed merges as before.
    unchanged = Record(**{**LOADED.__dict__, "city": "Astana"})
    assert merge(loaded(), unchanged, theirs, NAMES, together).theirs == ("arrested",)


@dataclass(frozen=True)
class Event:
    title: str
    organisations: tuple[str, ...] = ()
    sources: tuple[tuple[str | None, str | None], ...] = ()


EVENT_NAMES = ("title", "organisations", "sources")


def test_two_people_adding_to_one_list_both_keep_their_additions() -> None:
    """B adds "PEN" and a report; A, on an older form, adds "Amnesty" and takes out "Vpered":
    saving again dropped B's additions."""
    base = Event("Picket", ("CWI Russia", "Vpered"), (("https://example.org/a", ""),))
    prints = read_fingerprints(fingerprints(base, EVENT_NAMES))
    theirs = Event(
        "Picket",
        ("CWI Russia", "Vpered", "PEN"),
        (("https://example.org/a", ""), ("", "Report of the picket")),
    )
    mine = Event(
        "Picket", ("CWI Russia", "Amnesty", ""), (("https://example.org/a", None), ("", ""))
    )
    merged = merge(prints, mine, theirs, EVENT_NAMES)
    assert merged.clashes == ()
    assert merged.record.organisations == ("CWI Russia", "PEN", "Amnesty")
    # The other person's source stays as it was typed: a title without a link.
    assert merged.record.sources == theirs.sources
    assert merged.theirs == ("organisations", "sources")
