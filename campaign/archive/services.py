"""A whole campaign as one JSON document: written out, checked, and read back in.

Export and import read the table of record kinds (campaign.archive.records); nothing here
knows a model's fields. An import either applies the whole file or raises
:class:`ArchiveInvalid` before changing anything: every check (the format, the schema, unknown
fields, duplicate identifiers, references, values) runs before the first write. Records are
matched to the database by their identifiers: a record the database has is brought up to the
file's version of it, one it lacks is created, and nothing the file does not name is touched.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from campaign.archive.records import (
    BY_NAME,
    FORMAT,
    FORMAT_VERSION,
    KINDS,
    Kind,
    Ref,
    load_schema,
)
from campaign.extensions import db
from campaign.history.recorder import COMMAND_LINE, acting_as
from campaign.models import User
from campaign.util.localised import default_language

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

# At most this many problems are reported: the first ones say what is wrong with the file.
MAX_PROBLEMS = 20
_CHUNK = 500


@dataclass(frozen=True)
class Problem:
    """What is wrong at one place of the file (a JSON pointer, RFC 6901)."""

    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message}"


class ArchiveInvalid(Exception):
    """The file cannot be imported; nothing was changed."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass
class ImportReport:
    """What an import did, per kind of record."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    @property
    def total_created(self) -> int:
        """Records made new."""
        return sum(self.created.values())

    @property
    def total_updated(self) -> int:
        """Records that were there and changed."""
        return sum(self.updated.values())


def pointer(*parts: str | int) -> str:
    """A JSON pointer to a place in the document."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


# --- export ---------------------------------------------------------------------------------


def _identifiers(kind: Kind) -> dict[int, str]:
    """Every row's id and identifier, for writing references as identifiers."""
    column = kind.column(kind.identity)
    rows = db.session.execute(sa.select(kind.column("id"), column))
    return {int(row_id): str(identifier) for row_id, identifier in rows}


def _export_record(kind: Kind, row: Any, names: dict[str, dict[int, str]]) -> dict[str, Any]:
    record: dict[str, Any] = {kind.identity: getattr(row, kind.identity)}
    for name in kind.fields:
        value = getattr(row, name)
        record[name] = None if value is None else kind.codec(name).encode(value)
    for ref in kind.refs:
        target = BY_NAME[ref.kind]
        if ref.many:
            related = getattr(row, str(ref.relationship))
            record[ref.name] = sorted(getattr(item, target.identity) for item in related)
        else:
            target_id = getattr(row, str(ref.column))
            record[ref.name] = None if target_id is None else names[ref.kind][target_id]
    return record


def export_campaign() -> dict[str, Any]:
    """The whole campaign as one document (see campaign/archive/schema/), records sorted by
    their identifiers, so the same data always gives the same document."""
    document: dict[str, Any] = {"format": FORMAT, "format_version": FORMAT_VERSION}
    names = {kind.name: _identifiers(kind) for kind in KINDS}
    for kind in KINDS:
        query = sa.select(kind.model).order_by(kind.column(kind.identity))
        for ref in kind.refs:
            if ref.many:
                query = query.options(selectinload(getattr(kind.model, str(ref.relationship))))
        records = [_export_record(kind, row, names) for row in db.session.scalars(query).unique()]
        document[kind.name] = records
    return document


def export_json(document: dict[str, Any]) -> str:
    """The document as a file holds it: UTF-8 text, keys in the table's order, indented."""
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


# --- checks ---------------------------------------------------------------------------------


def read_json(data: bytes | str) -> Any:
    """Parse a file's text, or say where it stops being JSON."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise ArchiveInvalid(
            [
                Problem(
                    "",
                    _(
                        "this is not a campaign export: not UTF-8 text (byte %(byte)d)",
                        byte=exc.start,
                    ),
                )
            ]
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ArchiveInvalid(
            [
                Problem(
                    "",
                    _(
                        "this is not a campaign export: not JSON "
                        "(line %(line)d, column %(column)d: %(reason)s)",
                        line=exc.lineno,
                        column=exc.colno,
                        reason=exc.msg,
                    ),
                )
            ]
        ) from None
    except RecursionError:
        raise ArchiveInvalid(
            [Problem("", _("this is not a campaign export: nested too deeply"))]
        ) from None


def _check_format(document: Any) -> None:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ArchiveInvalid(
            [
                Problem(
                    pointer("format"),
                    _('this is not a campaign export (no "format": "%(format)s")', format=FORMAT),
                )
            ]
        )
    version = document.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ArchiveInvalid(
            [Problem(pointer("format_version"), _("the format version must be a whole number"))]
        )
    if version > FORMAT_VERSION:
        raise ArchiveInvalid(
            [
                Problem(
                    pointer("format_version"),
                    _(
                        "the file is format version %(version)d, made by a newer version of "
                        "the tracker; this one reads version %(known)d: upgrade it first",
                        version=version,
                        known=FORMAT_VERSION,
                    ),
                )
            ]
        )


def _listed(document: dict[str, Any], name: str) -> list[Any]:
    """The records of a kind in a file not yet checked against the schema ([] if not a list)."""
    records = document.get(name)
    return records if isinstance(records, list) else []


def _string(value: Any) -> str | None:
    """*value* if it is a string (an identifier, in a file not yet checked), else None."""
    return value if isinstance(value, str) else None


def _strings(value: Any) -> list[str]:
    """The strings of a list (identifiers, in a file not yet checked)."""
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _lacks_language(record: Any) -> bool:
    """Whether a record of a version 1 file needs the language version 2 added to it."""
    return isinstance(record, dict) and "original_language" not in record


def _stored_languages(kind: Kind, identifiers: set[str | None]) -> dict[str, str | None]:
    """The original language of each record of *kind* the database has, by identifier."""
    wanted = sorted(identifier for identifier in identifiers if identifier is not None)
    rows = _existing(kind, wanted) if wanted else {}
    return {identifier: row.original_language for identifier, row in rows.items()}


# What version 1 gained while it kept its number, so that a version 1 file written before
# may lack it: kinds of record (none of them in such a file), and fields of cases and events.
_LATER_KINDS = (
    "case_translations",
    "event_translations",
    "photos",
    "appeals",
    "appeal_targets",
    "appeal_letters",
    "appeal_responses",
    "letter_reports",
)
_LATER_FIELDS = {
    "cases": ("original_language", "external_id", "photo_width", "photo_height"),
    "events": ("original_language", "external_id"),
}


def _with_later_fields(document: dict[str, Any]) -> dict[str, Any]:
    """An early version 1 file with what version 1 gained later: no records of the later
    kinds, and each case's and event's later fields. A record the database has keeps its own
    values of them (an import changes nothing the file does not say); a new one is in the
    site's default language, with no external id and no portrait's dimensions."""
    upgraded: dict[str, list[Any]] = {name: [] for name in _LATER_KINDS if name not in document}
    for name, fields in _LATER_FIELDS.items():
        kind = BY_NAME[name]
        records = _listed(document, name)
        lacking = [r for r in records if isinstance(r, dict) and not set(fields) <= r.keys()]
        if not lacking:
            continue
        named = sorted({i for r in lacking if (i := _string(r.get(kind.identity))) is not None})
        stored = _existing(kind, named) if named else {}
        upgraded[name] = [
            {f: _later_value(kind, stored.get(str(r.get(kind.identity))), f) for f in fields} | r
            if isinstance(r, dict)
            else r
            for r in records
        ]
    return dict(document, **upgraded) if upgraded else document


def _later_value(kind: Kind, row: Any, field: str) -> Any:
    """A later field's value for a record of an early file: the database's (*row*), as the
    document writes it, or for a new record the site's default language or nothing."""
    if row is None:
        return default_language() if field == "original_language" else None
    found = getattr(row, field)
    return None if found is None else kind.codec(field).encode(found)


def _from_version_1(document: dict[str, Any]) -> dict[str, Any]:
    """A version 1 file as version 2 has it: each appeal and response with the language it is
    written in. One the database has keeps its own (an import changes nothing the file does
    not say); a new one gets the guess migration 0024 made: an appeal is in the language all
    its cases are in, else in the site's default; a response is in its appeal's. A file from
    before version 1 gained its later kinds and fields gets them first
    (:func:`_with_later_fields`)."""
    document = _with_later_fields(document)
    appeals = _listed(document, "appeals")
    responses = _listed(document, "appeal_responses")
    new_appeals = [record for record in appeals if _lacks_language(record)]
    new_responses = [record for record in responses if _lacks_language(record)]
    stored_appeals = _stored_languages(
        BY_NAME["appeals"],
        {_string(r.get("key")) for r in new_appeals}
        | {_string(r.get("appeal")) for r in new_responses},
    )
    stored_responses = _stored_languages(
        BY_NAME["appeal_responses"], {_string(r.get("key")) for r in new_responses}
    )
    in_file = {
        slug: _string(record.get("original_language"))
        for record in _listed(document, "cases")
        if isinstance(record, dict) and (slug := _string(record.get("slug"))) is not None
    }
    named: set[str | None] = {slug for r in new_appeals for slug in _strings(r.get("cases"))}
    case_languages = {**_stored_languages(BY_NAME["cases"], named - in_file.keys()), **in_file}

    def appeal_language(record: dict[str, Any]) -> str | None:
        key = _string(record.get("key"))
        if key is not None and key in stored_appeals:
            return stored_appeals[key]
        found = {case_languages.get(slug) for slug in _strings(record.get("cases"))}
        agreed = found.pop() if len(found) == 1 else None
        return agreed or default_language()

    upgraded_appeals = [
        dict(record, original_language=appeal_language(record))
        if _lacks_language(record)
        else record
        for record in appeals
    ]
    appeal_languages = dict(stored_appeals)
    for record in upgraded_appeals:
        if isinstance(record, dict) and (key := _string(record.get("key"))) is not None:
            appeal_languages[key] = record.get("original_language")

    def response_language(record: dict[str, Any]) -> str | None:
        key = _string(record.get("key"))
        if key is not None and key in stored_responses:
            return stored_responses[key]
        appeal = _string(record.get("appeal"))
        return appeal_languages.get(appeal) if appeal is not None else None

    upgraded = dict(document, format_version=2)
    if "appeals" in document:
        upgraded["appeals"] = upgraded_appeals
    if "appeal_responses" in document:
        upgraded["appeal_responses"] = [
            dict(record, original_language=response_language(record))
            if _lacks_language(record)
            else record
            for record in responses
        ]
    return upgraded


def upgrade(document: dict[str, Any]) -> dict[str, Any]:
    """A file of an earlier format version as this version reads it (the file's own object is
    left as it was); a file of this version as it is. Called before any check of its content,
    so it expects nothing of the file but a known version."""
    if document.get("format_version") == 1:
        document = _from_version_1(document)
    return document


def _schema_problem(error: ValidationError) -> Problem:
    """A schema error in words, at the exact place (an unknown field's own name included)."""
    path = list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        unknown = sorted(str(key) for key in error.instance if key not in allowed)
        if unknown:
            return Problem(
                pointer(*path, unknown[0]), _("unknown field %(name)s", name=repr(unknown[0]))
            )
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [name for name in error.validator_value if name not in error.instance]
        if missing:
            return Problem(
                pointer(*path, missing[0]), _("missing field %(name)s", name=repr(missing[0]))
            )
    return Problem(pointer(*path), error.message)


def _check_schema(document: dict[str, Any]) -> None:
    # Imported here: only an import of a campaign file needs it (3 MB of each web worker).
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(load_schema())
    problems = []
    for error in sorted(
        validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path))
    ):
        problems.append(_schema_problem(error))
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise ArchiveInvalid(problems)


def _existing(kind: Kind, identifiers: list[str]) -> dict[str, Any]:
    """The rows of a kind the database already has, by identifier."""
    column = kind.column(kind.identity)
    found: dict[str, Any] = {}
    for start in range(0, len(identifiers), _CHUNK):
        chunk = identifiers[start : start + _CHUNK]
        for row in db.session.scalars(sa.select(kind.model).where(column.in_(chunk))):
            found[getattr(row, kind.identity)] = row
    return found


def _known_identifiers(kind: Kind, wanted: set[str]) -> set[str]:
    column = kind.column(kind.identity)
    known: set[str] = set()
    listed = sorted(wanted)
    for start in range(0, len(listed), _CHUNK):
        chunk = listed[start : start + _CHUNK]
        known.update(db.session.scalars(sa.select(column).where(column.in_(chunk))))
    return known


def _check_identities(document: dict[str, Any], problems: list[Problem]) -> dict[str, set[str]]:
    """Each identifier once per kind; returns every kind's identifiers in the file."""
    named: dict[str, set[str]] = {}
    for kind in KINDS:
        first: dict[str, int] = {}
        for index, record in enumerate(document[kind.name]):
            identifier = record[kind.identity]
            if identifier in first:
                problems.append(
                    Problem(
                        pointer(kind.name, index, kind.identity),
                        _(
                            "duplicate identifier %(identifier)s (also at %(place)s)",
                            identifier=repr(identifier),
                            place=pointer(kind.name, first[identifier]),
                        ),
                    )
                )
            else:
                first[identifier] = index
        named[kind.name] = set(first)
    return named


def _references(document: dict[str, Any]) -> Iterator[tuple[str, Ref, str]]:
    """Every reference in the file: its place, what it refers to, and the identifier."""
    for kind in KINDS:
        for index, record in enumerate(document[kind.name]):
            for ref in kind.refs:
                value = record[ref.name]
                if ref.many:
                    for position, identifier in enumerate(value):
                        yield pointer(kind.name, index, ref.name, position), ref, identifier
                elif value is not None:
                    yield pointer(kind.name, index, ref.name), ref, value


def _check_references(
    document: dict[str, Any], named: dict[str, set[str]], problems: list[Problem]
) -> None:
    wanted: dict[str, set[str]] = {kind.name: set() for kind in KINDS}
    for _place, ref, identifier in _references(document):
        if identifier not in named[ref.kind]:
            wanted[ref.kind].add(identifier)
    known = {name: _known_identifiers(BY_NAME[name], ids) for name, ids in wanted.items() if ids}
    for place, ref, identifier in _references(document):
        if identifier not in named[ref.kind] and identifier not in known.get(ref.kind, set()):
            singular = ref.kind.removesuffix("s").replace("_", " ")
            problems.append(
                Problem(
                    place,
                    _(
                        "broken reference: no %(kind)s %(identifier)s in the file or the database",
                        kind=singular,
                        identifier=repr(identifier),
                    ),
                )
            )


def _check_values(document: dict[str, Any], problems: list[Problem]) -> None:
    """Values the schema lets through but the columns cannot hold (30 February, say)."""
    for kind in KINDS:
        for index, record in enumerate(document[kind.name]):
            for name in kind.fields:
                value = record[name]
                if value is None:
                    continue
                try:
                    kind.codec(name).decode(value)
                except (ValueError, TypeError) as exc:
                    problems.append(
                        Problem(
                            pointer(kind.name, index, name),
                            _(
                                "%(value)s cannot be read: %(reason)s",
                                value=repr(value),
                                reason=str(exc),
                            ),
                        )
                    )


def _check_unique(document: dict[str, Any], problems: list[Problem]) -> None:
    """Other unique columns (an organisation's name): not taken by another record."""
    for kind in KINDS:
        table = kind.model.__table__
        for constraint in table.constraints:
            if not isinstance(constraint, sa.UniqueConstraint):
                continue
            columns = [column.name for column in constraint.columns]
            if kind.identity in columns or not set(columns) <= set(kind.fields):
                continue
            _check_unique_columns(kind, columns, document, problems)


def _check_unique_columns(
    kind: Kind, columns: list[str], document: dict[str, Any], problems: list[Problem]
) -> None:
    seen: dict[tuple[Any, ...], str] = {}
    for index, record in enumerate(document[kind.name]):
        value = tuple(record[name] for name in columns)
        if None in value:
            continue
        if value in seen and seen[value] != record[kind.identity]:
            problems.append(
                Problem(
                    pointer(kind.name, index, columns[0]),
                    _(
                        "%(value)s is already used by %(holder)s in the file",
                        value=repr(", ".join(map(str, value))),
                        holder=repr(seen[value]),
                    ),
                )
            )
        seen[value] = record[kind.identity]
    if not seen:
        return
    identity = kind.column(kind.identity)
    query = sa.select(identity, *(kind.column(name) for name in columns))
    taken = {tuple(row[1:]): row[0] for row in db.session.execute(query)}
    for index, record in enumerate(document[kind.name]):
        value = tuple(record[name] for name in columns)
        holder = taken.get(value)
        if holder is not None and holder != record[kind.identity]:
            problems.append(
                Problem(
                    pointer(kind.name, index, columns[0]),
                    _(
                        "%(value)s is already used by %(holder)s in the database",
                        value=repr(", ".join(map(str, value))),
                        holder=repr(holder),
                    ),
                )
            )


def check_document(document: Any) -> dict[str, Any]:
    """Every check an import makes before writing: raises :class:`ArchiveInvalid`. Returns the
    document as this format version has it (an earlier version's brought up to it)."""
    _check_format(document)
    document = upgrade(document)
    _check_schema(document)
    problems: list[Problem] = []
    named = _check_identities(document, problems)
    _check_references(document, named, problems)
    _check_values(document, problems)
    _check_unique(document, problems)
    if problems:
        raise ArchiveInvalid(problems[:MAX_PROBLEMS])
    return document


# --- import ---------------------------------------------------------------------------------


def _apply(
    kind: Kind,
    row: Any,
    record: dict[str, Any],
    ids: dict[str, dict[str, int]],
    rows_of: dict[str, dict[str, Any]],
) -> None:
    """Bring one row to the record's values (references to earlier kinds by their ids)."""
    for name in kind.fields:
        value = record[name]
        value = None if value is None else kind.codec(name).decode(value)
        if getattr(row, name) != value:
            setattr(row, name, value)
    for ref in kind.refs:
        if ref.many:
            if ref.kind in rows_of and ref.kind != kind.name:  # an earlier kind: set it now
                _set_many(row, ref, record, rows_of)
            continue
        identifier = record[ref.name]
        target_id = None if identifier is None else ids[ref.kind][identifier]
        if getattr(row, str(ref.column)) != target_id:
            setattr(row, str(ref.column), target_id)
    if kind.derive is not None:
        kind.derive(row)


def _id_map(kind: Kind, rows: dict[str, Any]) -> dict[str, int]:
    """Identifier to id for every row the file names and every row the database has."""
    mapping = {identifier: int(row.id) for identifier, row in rows.items()}
    mapping.update(
        {str(identifier): int(row_id) for row_id, identifier in _identifiers(kind).items()}
    )
    return mapping


def _count(tally: dict[str, int], kind: Kind) -> None:
    tally[kind.name] = tally.get(kind.name, 0) + 1


def _import(document: dict[str, Any], report: ImportReport) -> None:
    ids: dict[str, dict[str, int]] = {}
    rows_of: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        records = document[kind.name]
        with db.session.no_autoflush:
            existing = _existing(kind, [record[kind.identity] for record in records])
            rows: dict[str, Any] = {}
            for record in records:
                identifier = record[kind.identity]
                row = existing.get(identifier)
                if row is None:
                    row = kind.model(**{kind.identity: identifier})
                    db.session.add(row)
                    _count(report.created, kind)
                    _apply(kind, row, record, ids, rows_of)
                else:
                    _apply(kind, row, record, ids, rows_of)
                    changed = db.session.is_modified(row, include_collections=False)
                    _count(report.updated if changed else report.unchanged, kind)
                rows[identifier] = row
        db.session.flush()
        rows_of[kind.name] = rows
        ids[kind.name] = _id_map(kind, rows)
    for kind in KINDS:
        _link_many(kind, document[kind.name], rows_of)
    db.session.flush()


def _link_many(
    kind: Kind, records: list[dict[str, Any]], rows_of: dict[str, dict[str, Any]]
) -> None:
    """Lists of references to the kind itself (a case's related cases), once all exist."""
    for ref in kind.refs:
        if not ref.many or ref.kind != kind.name:
            continue
        for record in records:
            _set_many(rows_of[kind.name][record[kind.identity]], ref, record, rows_of)


def _set_many(
    row: Any, ref: Ref, record: dict[str, Any], rows_of: dict[str, dict[str, Any]]
) -> None:
    """Set a list of references (an event's cases) to exactly the record's."""
    target = BY_NAME[ref.kind]
    wanted = set(record[ref.name])
    current = getattr(row, str(ref.relationship))
    if {getattr(item, target.identity) for item in current} == wanted:
        return
    rows = rows_of.get(ref.kind, {})
    missing = sorted(wanted - rows.keys())
    stored = _existing(target, missing) if missing else {}
    related = [rows[name] if name in rows else stored[name] for name in sorted(wanted)]
    setattr(row, str(ref.relationship), related)


def import_campaign(document: Any, user: User | None = None) -> ImportReport:
    """Load a whole-campaign document, in full or not at all, recorded in the audit trail as
    *user*'s change (or the command line's). Flushes; the caller commits, or rolls back on an
    error."""
    document = check_document(document)
    report = ImportReport()
    try:
        with acting_as(user, None if user is not None else COMMAND_LINE):
            _import(document, report)
    except sa.exc.IntegrityError as exc:
        # A constraint the checks above do not know of: the caller rolls the whole file back.
        detail = str(exc.orig).splitlines()[0] if exc.orig is not None else "a constraint"
        raise ArchiveInvalid(
            [Problem("", _("the file conflicts with the database (%(detail)s)", detail=detail))]
        ) from None
    return report
