"""Recording changes in the audit trail: who changed which fields of what, from what to what."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa
from flask import has_request_context
from flask_login import current_user

from campaign.extensions import db
from campaign.models import AuditAction, AuditEntry, DeliveryPack, Message, User

# Never copied into the trail: secrets and supporters' personal data.
REDACTED_FIELDS = frozenset(
    {
        "password_hash",
        "email",
        "token_hash",
        "withdraw_token_hash",
        "client_hash",
        "body_fingerprint",
    }
)
IGNORED_FIELDS = frozenset({"updated_at", "version", "created_at"})


def _render(value: Any) -> Any:
    """Turn a column value into something JSON keeps and people can read."""
    if isinstance(value, enum.Enum):
        return value.value
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return sorted(_label(v) for v in value)
    return _label(value)


def _label(obj: Any) -> str:
    """A short human label for a related object (never an e-mail, never a Python repr)."""
    if isinstance(obj, DeliveryPack):
        # The history shows the kind ("Delivery pack") in front of this label.
        return f"#{obj.id} for {obj.case.person_name}" if obj.case else f"#{obj.id}"
    if isinstance(obj, Message):
        sender = obj.display_name or "a supporter"
        return f"Message from {sender}" + (f" ({obj.country})" if obj.country else "")
    for attr in ("person_name", "display_name", "name", "title", "slug"):
        value = getattr(obj, attr, None)
        if value:
            return str(value)
    object_id = getattr(obj, "id", None)
    return f"{type(obj).__name__} {object_id}" if object_id is not None else type(obj).__name__


def pending_changes(obj: Any, *, include_relationships: bool = True) -> dict[str, list[Any]]:
    """Fields of *obj* changed in this session and not yet flushed: ``{field: [old, new]}``."""
    state = sa.inspect(obj)
    changes: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in IGNORED_FIELDS:
            continue
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old == new:
            continue
        changes[key] = (
            ["(hidden)", "(hidden)"] if key in REDACTED_FIELDS else [_render(old), _render(new)]
        )
    if include_relationships:
        for rel in state.mapper.relationships:
            if not rel.uselist or rel.viewonly:
                continue
            history = state.attrs[rel.key].history
            if not history.has_changes():
                continue
            unchanged = list(history.unchanged)
            old_items = unchanged + list(history.deleted)
            new_items = unchanged + list(history.added)
            changes[rel.key] = [_render(old_items), _render(new_items)]
    return changes


def snapshot(obj: Any) -> dict[str, list[Any]]:
    """Every non-empty field of a new or deleted object as ``{field: [None, value]}``."""
    state = sa.inspect(obj)
    result: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in IGNORED_FIELDS or key == "id":
            continue
        value = getattr(obj, key)
        if value in (None, ""):
            continue
        result[key] = [None, "(hidden)" if key in REDACTED_FIELDS else _render(value)]
    return result


def _actor() -> tuple[User | None, str]:
    if has_request_context() and current_user.is_authenticated:
        return current_user, current_user.display_name
    return None, "command line"


def record(
    action: AuditAction,
    obj: Any,
    changes: dict[str, list[Any]] | None = None,
    *,
    actor: User | None = None,
    actor_label: str | None = None,
) -> AuditEntry | None:
    """Add an audit entry for *obj* to the session (the view commits). Skips empty updates.

    For CREATE and DELETE the changes default to a snapshot; for UPDATE pass
    :func:`pending_changes` taken before the flush.
    """
    if changes is None:
        changes = snapshot(obj) if action != AuditAction.UPDATE else {}
    if action == AuditAction.UPDATE and not changes:
        return None
    user, label = (actor, actor.display_name) if actor is not None else _actor()
    if obj.id is None:
        db.session.flush()
    entry = AuditEntry(
        user_id=user.id if user is not None else None,
        actor=actor_label or label,
        action=action,
        object_type=type(obj).__name__.lower(),
        object_id=obj.id,
        object_label=_label(obj)[:300],
        changes=changes,
    )
    db.session.add(entry)
    return entry


def history_of(obj_type: str, obj_id: int) -> list[AuditEntry]:
    """The audit entries of one object, newest first."""
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.object_type == obj_type, AuditEntry.object_id == obj_id)
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        )
    )
