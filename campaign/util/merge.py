"""Three-way merge of a record's fields, for two people editing one record at once.

An edit form carries, besides the record's version, a fingerprint of each field as it was when
the form was loaded (:func:`fingerprints`). When someone else saved the record meanwhile, the
fields the form's sender left as they were take the other person's values, the fields only the
sender changed keep the sender's, and a field both changed to different values is a clash
that a person must decide (:func:`merge`). Saving the whole form over the newer record would
quietly undo the other person's changes to fields the sender never touched.

The records are frozen or plain dataclasses of plain values (a service's ``CaseRecord``,
``EventDetails``). Values are compared as a form shows them: surrounding spaces and empty text
do not count, nor the blank rows of a list, nor the order of a list of ids. A fingerprint is
a short digest, not the value: the form carries no second copy of what it shows.

Written here rather than taken from a library: merge libraries (``merge3``, ``diff3``) merge
lines of text; this merges a record's fields, about forty lines.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, TypeVar

Record = TypeVar("Record")

# Bytes of digest per field: a collision would only make an edit look like no edit.
_DIGEST_BYTES = 6


def comparable(value: Any) -> Any:
    """*value* as an edit form would show it: what differs only in blanks compares equal."""
    if isinstance(value, Enum):
        return comparable(value.value)
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [comparable(item) for item in value]
        kept = [item for item in items if item not in (None, ())]
        if kept and all(isinstance(item, int) and not isinstance(item, bool) for item in kept):
            kept.sort()  # ids: a set, in whatever order the form listed them
        return tuple(kept)
    return value


def fingerprint(value: Any) -> str:
    """A short digest of *value* as :func:`comparable` sees it."""
    text = repr(comparable(value)).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=_DIGEST_BYTES).hexdigest()


def fingerprints(record: Any, names: Iterable[str]) -> str:
    """The hidden field's text: each named field of *record* and its fingerprint."""
    return " ".join(f"{name}:{fingerprint(getattr(record, name))}" for name in names)


def read_fingerprints(text: str | None) -> dict[str, str]:
    """The fingerprints a form sent back; unreadable parts are left out (an empty dict when
    there is nothing usable, so the caller treats the form as one loaded without them)."""
    found: dict[str, str] = {}
    for part in (text or "").split()[:200]:
        name, _, digest = part.partition(":")
        if name and len(digest) == 2 * _DIGEST_BYTES:
            found[name] = digest
    return found


@dataclass(frozen=True)
class Merged(Generic[Record]):
    """The outcome of :func:`merge`.

    *record* holds the sender's changes and the other person's; *theirs* names the fields it
    took from the newer record; *clashes* names the fields both changed differently (there
    *record* holds the sender's value, and a person must decide).
    """

    record: Record
    theirs: tuple[str, ...]
    clashes: tuple[str, ...]


def merge(
    loaded: Mapping[str, str], mine: Record, theirs: Record, names: Iterable[str]
) -> Merged[Record]:
    """Merge the sender's record *mine* into the newer *theirs*, field by field.

    *loaded* holds the fingerprints of the fields when the sender's form was loaded. A field
    without one is treated as changed by both, and clashes unless both values agree.
    """
    taken: dict[str, Any] = {}
    took: list[str] = []
    clashes: list[str] = []
    for name in names:
        my_value, their_value = getattr(mine, name), getattr(theirs, name)
        base = loaded.get(name)
        mine_print, theirs_print = fingerprint(my_value), fingerprint(their_value)
        if mine_print == theirs_print:
            continue
        if base is not None and mine_print == base:
            taken[name] = their_value  # left as it was by the sender: the newer value stands
            took.append(name)
        elif base is None or theirs_print != base:
            clashes.append(name)  # both changed it, differently
    record = dataclasses.replace(mine, **taken) if taken else mine  # type: ignore[type-var]
    return Merged(record, tuple(took), tuple(clashes))
