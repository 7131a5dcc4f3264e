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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, TypeVar

from campaign.errors import EditConflict

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


def _items(value: Any) -> tuple[Any, ...] | None:
    """The items of a list field, as they are, but for blank ones (a form's empty rows);
    None for any other field."""
    if not isinstance(value, (list, tuple, set, frozenset)):
        return None
    return tuple(item for item in value if comparable(item) not in (None, ()))


def fingerprints(record: Any, names: Iterable[str]) -> str:
    """The hidden field's text: each named field of *record* and its fingerprint, and for a
    list (organisations, sources, linked cases) each item's too (``name+:digest.digest``), so
    that two people's additions to one list both stay."""
    parts = []
    for name in names:
        value = getattr(record, name)
        parts.append(f"{name}:{fingerprint(value)}")
        items = _items(value)
        if items is not None:
            parts.append(f"{name}+:" + ".".join(fingerprint(item) for item in items))
    return " ".join(parts)


def _is_digest(text: str) -> bool:
    return len(text) == 2 * _DIGEST_BYTES and all(c in "0123456789abcdef" for c in text)


def read_fingerprints(text: str | None) -> dict[str, str]:
    """The fingerprints a form sent back; unreadable parts are left out (an empty dict when
    there is nothing usable, so the caller treats the form as one loaded without them)."""
    found: dict[str, str] = {}
    for part in (text or "").split()[:200]:
        name, _, digest = part.partition(":")
        if not name:
            continue
        if name.endswith("+"):
            if digest == "" or all(_is_digest(d) for d in digest.split(".")[:1000]):
                found[name] = digest
        elif _is_digest(digest):
            found[name] = digest
    return found


def _merged_list(base: str, mine: Any, theirs: Any) -> tuple[Any, ...] | None:
    """*theirs* without the items the sender took out, with the items the sender added;
    None when either value is no list."""
    mine_items, theirs_items = _items(mine), _items(theirs)
    if mine_items is None or theirs_items is None:
        return None
    loaded = set(base.split(".")) - {""}
    mine_prints = {fingerprint(item) for item in mine_items}
    theirs_prints = {fingerprint(item) for item in theirs_items}
    taken_out = loaded - mine_prints
    added = [item for item in mine_items if fingerprint(item) not in loaded | theirs_prints]
    return tuple(i for i in theirs_items if fingerprint(i) not in taken_out) + tuple(added)


@dataclass(frozen=True)
class Merged(Generic[Record]):
    """The outcome of :func:`merge`.

    *record* holds the sender's changes and the other person's; *theirs* names the fields it
    took from the newer record; *clashes* names the fields both changed differently, or
    changed apart in a group that merges as one (there *record* holds the sender's value
    where the sender changed the field, else the other person's, and a person must decide).
    """

    record: Record
    theirs: tuple[str, ...]
    clashes: tuple[str, ...]


def merge(
    loaded: Mapping[str, str],
    mine: Record,
    theirs: Record,
    names: Iterable[str],
    groups: Iterable[Iterable[str]] = (),
) -> Merged[Record]:
    """Merge the sender's record *mine* into the newer *theirs*, field by field.

    *loaded* holds the fingerprints of the fields when the sender's form was loaded. A field
    without one is treated as changed by both, and clashes unless both values agree.

    The fields of one of *groups* merge as one: a date with its precision, or dates that must
    agree with each other (a release after the arrest). Taking one person's day and the
    other's precision, or one's arrest and the other's release, could make a record neither
    wrote and the form would refuse; when both changed a group, its differing fields clash.
    """
    grouped = [tuple(group) for group in groups]
    in_group = {name for group in grouped for name in group}
    units = grouped + [(name,) for name in names if name not in in_group]
    taken: dict[str, Any] = {}
    took: list[str] = []
    clashes: list[str] = []
    for unit in units:
        prints = {
            name: (fingerprint(getattr(mine, name)), fingerprint(getattr(theirs, name)))
            for name in unit
        }
        differing = [name for name in unit if prints[name][0] != prints[name][1]]
        if not differing:
            continue
        mine_changed = any(loaded.get(name) != prints[name][0] for name in unit)
        theirs_changed = any(loaded.get(name) != prints[name][1] for name in unit)
        name = unit[0]
        listed = f"{name}+" in loaded and len(unit) == 1 and mine_changed and theirs_changed
        combined = (
            _merged_list(loaded[f"{name}+"], getattr(mine, name), getattr(theirs, name))
            if listed
            else None
        )
        if combined is not None:
            # A list both changed: the other person's items, without those the sender took
            # out, with those the sender added.
            taken[name] = combined
            took.append(name)
        elif not mine_changed:
            # Left as it was by the sender: the newer values stand.
            taken.update({name: getattr(theirs, name) for name in differing})
            took.extend(differing)
        elif theirs_changed:
            # Both changed it, differently: each field keeps the change made to it (the
            # sender's where both changed it), and the person decides looking at them all.
            clashes.extend(differing)
            taken.update(
                {
                    name: getattr(theirs, name)
                    for name in differing
                    if loaded.get(name) == prints[name][0]
                }
            )
    record = dataclasses.replace(mine, **taken) if taken else mine  # type: ignore[type-var]
    order = list(names)
    took.sort(key=order.index)
    clashes.sort(key=order.index)
    return Merged(record, tuple(took), tuple(clashes))


def reconcile(
    kind: str,
    object_id: int,
    versions: tuple[int, int | None],
    loaded: str | None,
    mine: Record,
    theirs: Callable[[], Record],
    names: Iterable[str],
    groups: Iterable[Iterable[str]] = (),
) -> tuple[Record, tuple[str, ...]]:
    """What to save of an edit form: *mine* when the record is still at the version the form
    was loaded at (*versions*: the record's, the form's), else *mine* merged into the newer
    record (*theirs*, read only then), with the fields that kept the newer values.

    Raises :class:`campaign.errors.EditConflict` when the form carries no fingerprints
    (*loaded*: its hidden field's text) or a field clashes, with the merged record to show.
    """
    current, seen = versions
    if seen == current:
        return mine, ()
    prints = read_fingerprints(loaded)
    if not prints:
        raise EditConflict(kind, object_id, current, seen)
    merged = merge(prints, mine, theirs(), names, groups)
    if merged.clashes:
        raise EditConflict(
            kind, object_id, current, seen, clashes=merged.clashes, merged=merged.record
        )
    return merged.record, merged.theirs
