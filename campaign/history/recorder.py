"""The audit trail, written by one SQLAlchemy flush hook instead of calls in every view.

A model is audited when it declares ``__audit__ = Audited(...)`` (see campaign.database). Before
each flush the hook reads what is about to change: new objects, changed fields (and the audited
relationships, by the names of what they point to), deleted objects. After the flush, once new
rows have their ids, it inserts one :class:`AuditEntry` row per object into the same
transaction, chained at once (campaign.history.chain.append), so an entry is never saved without
the change it records, nor the change without it.

Who acted comes from, in order: :func:`acting_as` (a supporter, the first run, a person who has
just accepted an invitation); the request's signed-in user, through the resolver the app gives
:func:`init_app`; "command line" outside requests. Facts that are no column of the object (what
caused a change, how many failed sign-ins an unlock cleared) travel with :func:`note`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import Session, attributes, object_session

from campaign.database import Audited, utcnow
from campaign.extensions import db
from campaign.history import chain
from campaign.history.render import (
    IGNORED_FIELDS,
    LABEL_LENGTH,
    kind_of,
    label,
    render,
    render_field,
)
from campaign.models import AuditAction, User

COMMAND_LINE = "command line"

# Keys of Session.info: the entries waiting for the end of the flush, notes, the actor override.
_PENDING = "campaign.audit.pending"
_NOTES = "campaign.audit.notes"
_ACTOR = "campaign.audit.actor"
_RESOLVER = "campaign.audit_actor"

ActorResolver = Callable[[], "tuple[User | None, str] | None"]


@dataclass
class Actor:
    """Who an entry names: a staff account (or none), and the name to show."""

    user: User | None
    label: str


@dataclass
class _Pending:
    """A change seen before a flush, turned into an entry after it."""

    action: AuditAction
    obj: Any
    changes: dict[str, list[Any]] = field(default_factory=dict)


def init_app(app: Flask, resolve_actor: ActorResolver) -> None:
    """Record changes of audited models; *resolve_actor* names who acts in a request."""
    app.extensions[_RESOLVER] = resolve_actor
    for name, listener in (
        ("before_flush", _before_flush),
        ("before_flush", chain.chain_new_entries),
        ("after_flush_postexec", _after_flush),
        ("after_soft_rollback", _forget),
    ):
        if not sa.event.contains(db.session, name, listener):
            sa.event.listen(db.session, name, listener)


def policy(obj: Any) -> Audited | None:
    """The audit policy of an object's model, or None when the model is not audited."""
    found = getattr(type(obj), "__audit__", None)
    return found if isinstance(found, Audited) else None


@contextmanager
def acting_as(user: User | None = None, label: str | None = None) -> Iterator[None]:
    """Name who acts for the changes made inside the block (flushed when it ends).

    For changes no signed-in user makes: a supporter's message, the first admin made at the first
    run, the account someone has just created from an invitation.
    """
    session = db.session()
    previous = session.info.get(_ACTOR)
    session.info[_ACTOR] = Actor(user, label or (user.display_name if user else COMMAND_LINE))
    try:
        yield
        session.flush()
    finally:
        if previous is None:
            session.info.pop(_ACTOR, None)
        else:
            session.info[_ACTOR] = previous


def note(obj: Any, **facts: list[Any]) -> None:
    """Record *facts* (``name=[old, new]``) with the object's next entry, or alone if nothing
    else of it changes: what no column of the object says, such as the event behind a change."""
    session = object_session(obj) or db.session()
    notes: dict[int, tuple[Any, dict[str, list[Any]]]] = session.info.setdefault(_NOTES, {})
    _obj, known = notes.setdefault(id(obj), (obj, {}))
    known.update(facts)
    if sa.inspect(obj).persistent:
        attributes.flag_dirty(obj)  # travels through the flush without an UPDATE of its own


def _notes_of(session: Session, obj: Any) -> dict[str, list[Any]]:
    notes = session.info.get(_NOTES) or {}
    found = notes.pop(id(obj), None)
    return dict(found[1]) if found else {}


def _column_changes(session: Session, obj: Any) -> dict[str, list[Any]]:
    """Fields changed in this session and not yet flushed: ``{field: [old, new]}``."""
    state = sa.inspect(obj)
    found: dict[str, tuple[Any, Any]] = {}
    unknown: list[str] = []
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in IGNORED_FIELDS:
            continue
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        new = history.added[0] if history.added else None
        if history.deleted:
            found[key] = (history.deleted[0], new)
        else:
            # Set after a commit expired it: the old value was never loaded, so ask the row.
            found[key] = (None, new)
            unknown.append(key)
    if unknown and state.identity is not None:
        found.update(_stored_values(session, state, unknown, found))
    hidden = (policy(obj) or Audited()).hidden
    return {
        key: [render_field(key, old, hidden), render_field(key, new, hidden)]
        for key, (old, new) in found.items()
        if old != new
    }


def _stored_values(
    session: Session, state: Any, keys: list[str], found: dict[str, tuple[Any, Any]]
) -> dict[str, tuple[Any, Any]]:
    """The values *keys* hold in the database row of *state*, paired with their new values."""
    mapper = state.mapper
    columns = [mapper.column_attrs[key].columns[0] for key in keys]
    where = [
        column == value for column, value in zip(mapper.primary_key, state.identity, strict=True)
    ]
    row = session.execute(sa.select(*columns).where(*where)).first()
    if row is None:
        return {}
    return {key: (row[index], found[key][1]) for index, key in enumerate(keys)}


def _relation_changes(obj: Any, audited: Audited) -> dict[str, list[Any]]:
    """The audited relationships changed in this session, by the labels of what they hold."""
    state = sa.inspect(obj)
    changes: dict[str, list[Any]] = {}
    for name in audited.relations:
        history = state.attrs[name].history
        if not history.has_changes():
            continue
        if state.mapper.relationships[name].uselist:
            kept = list(history.unchanged)
            old, new = render(kept + list(history.deleted)), render(kept + list(history.added))
        else:
            before = (history.deleted or history.unchanged or [None])[0]
            after = (history.added or [None])[0]
            old, new = _optional_label(before), _optional_label(after)
        if old != new:
            changes[name] = [old, new]
    return changes


def _optional_label(obj: Any) -> str | None:
    return label(obj) if obj is not None else None


def _snapshot(obj: Any, audited: Audited) -> dict[str, Any]:
    """Every non-empty field and audited relationship of an object: ``{field: value}``."""
    state = sa.inspect(obj)
    values: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in IGNORED_FIELDS or key == "id":
            continue
        value = getattr(obj, key)
        if value in (None, ""):
            continue
        values[key] = render_field(key, value, audited.hidden)
    for name in audited.relations:
        related = getattr(obj, name)
        if related in (None, []):
            continue
        values[name] = render(related) if isinstance(related, list) else label(related)
    for name in audited.ids_of:
        ids = sorted(item.id for item in getattr(obj, name) if item.id is not None)
        values[f"{name.removesuffix('s')}_ids"] = ids
    return values


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    """Read what the flush is about to write, while the old values are still known."""
    # A fresh list each time: what a failed flush had read is no longer what will be written.
    pending: list[_Pending] = []
    session.info[_PENDING] = pending
    for obj in list(session.new):
        if policy(obj) is not None:
            pending.append(_Pending(AuditAction.CREATE, obj, _notes_of(session, obj)))
    for obj in list(session.dirty):
        audited = policy(obj)
        if audited is None or obj in session.deleted:
            continue
        changes = _column_changes(session, obj)
        changes.update(_relation_changes(obj, audited))
        changes.update(_notes_of(session, obj))
        if changes:
            pending.append(_Pending(AuditAction.UPDATE, obj, changes))
    for obj in list(session.deleted):
        audited = policy(obj)
        if audited is not None:
            snapshot = _snapshot(obj, audited)
            snapshot = {name: [value, None] for name, value in snapshot.items()}
            pending.append(_Pending(AuditAction.DELETE, obj, snapshot))


def _after_flush(session: Session, _context: Any) -> None:
    """Turn what the flush wrote into entries; new rows have their ids now."""
    pending: list[_Pending] = session.info.pop(_PENDING, [])
    if not pending:
        return
    actor = _actor(session)
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for item in pending:
        changes = item.changes
        if item.action == AuditAction.CREATE:
            audited = policy(item.obj) or Audited()
            changes = {n: [None, v] for n, v in _snapshot(item.obj, audited).items()} | changes
        rows.append(
            {
                "created_at": now,
                "user_id": actor.user.id if actor.user is not None else None,
                "actor": actor.label[:120],
                "action": item.action,
                "object_type": kind_of(item.obj),
                "object_id": item.obj.id,
                "object_label": label(item.obj)[:LABEL_LENGTH],
                "changes": changes,
            }
        )
    # In this transaction, at once, chained in this order: an entry is never saved without
    # the change it records, nor the change without it.
    chain.append(session.connection(), rows)


def _forget(session: Session, _previous: Any) -> None:
    """A rollback undoes the changes: forget what was waiting to be recorded with them."""
    session.info.pop(_PENDING, None)
    session.info.pop(_NOTES, None)
    session.info.pop(chain.ORDER, None)


def _actor(session: Session) -> Actor:
    """Who acts: an explicit acting_as(), else the request's user, else the command line."""
    chosen = session.info.get(_ACTOR)
    if isinstance(chosen, Actor):
        return chosen
    resolver: ActorResolver | None = (
        current_app.extensions.get(_RESOLVER) if has_app_context() else None
    )
    found = resolver() if resolver is not None else None
    if found is None:
        return Actor(None, COMMAND_LINE)
    user, name = found
    return Actor(user, name)
