"""Reading the audit trail: an object's history, what others saved since a form was loaded."""

from __future__ import annotations

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from campaign.extensions import db
from campaign.models import AuditAction, AuditEntry


def history_of(obj_type: str, obj_id: int, page: int, per_page: int) -> Pagination:
    """A page of the audit entries of one object, newest first: a case edited for years, or a
    message moderated and edited again and again, has a history a page at a time."""
    return db.paginate(
        sa.select(AuditEntry)
        .where(AuditEntry.object_type == obj_type, AuditEntry.object_id == obj_id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()),
        page=page,
        per_page=per_page,
        error_out=False,
    )


def changes_since(obj_type: str, obj_id: int, count: int) -> list[AuditEntry]:
    """The *count* latest updates of an object: what others saved since a form was loaded."""
    if count <= 0:
        return []
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(
                AuditEntry.object_type == obj_type,
                AuditEntry.object_id == obj_id,
                AuditEntry.action == AuditAction.UPDATE,
            )
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
            .limit(count)
        )
    )


def deleted_events_of(case_id: int) -> list[AuditEntry]:
    """The deletion entries of events that concerned this case (deletions are rare)."""
    deletions = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.object_type == "event", AuditEntry.action == AuditAction.DELETE)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )
    return [
        entry
        for entry in deletions
        if case_id in ((entry.changes or {}).get("case_ids") or [[]])[0]
    ]
