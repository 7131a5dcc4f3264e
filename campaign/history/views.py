"""The audit trail, read-only: the history of a case, an event, or everything.

There is deliberately no route here that edits or deletes an audit entry.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request
from flask_babel import lazy_gettext as _l

from campaign.audit import history_of
from campaign.events.views import case_events
from campaign.extensions import db
from campaign.manage.access import ORGANISERS, allow
from campaign.models import AuditAction, AuditEntry, Case, Event

bp = Blueprint("history", __name__, url_prefix="/manage/history")

PAGE_SIZE = 100
KINDS = {
    "case": _l("Cases"),
    "event": _l("Events"),
    "organisation": _l("Organisations"),
    "venue": _l("Venues"),
    "message": _l("Messages"),
    "user": _l("Users"),
}


@bp.app_template_filter("field_label")
def field_label(name: str) -> str:
    """A recorded field's name for people: the label its form shows, else the column name."""
    from campaign.cases.forms import CaseForm
    from campaign.events.forms import EventForm

    for form_class in (CaseForm, EventForm):
        args = getattr(getattr(form_class, name, None), "args", ())
        label = args[0] if args else None
        if label:
            return str(label)
    return name.replace("_", " ")


@bp.app_template_filter("audit_time")
def audit_time(value: datetime) -> str:
    """When a change was recorded, in UTC to the minute."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


@bp.get("/")
@allow(*ORGANISERS)
def index() -> str:
    """Every recorded change, newest first, optionally of one kind of object or one action."""
    query = sa.select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    kind = request.args.get("kind", "")
    if kind in KINDS:
        query = query.where(AuditEntry.object_type == kind)
    action = request.args.get("action", "")
    if action in {a.value for a in AuditAction}:
        query = query.where(AuditEntry.action == AuditAction(action))
    page = db.paginate(query, per_page=PAGE_SIZE, error_out=False)
    return render_template(
        "history/index.html",
        entries=page.items,
        page=page,
        kinds=KINDS,
        filters={"kind": kind, "action": action},
        args={k: v for k, v in (("kind", kind), ("action", action)) if v},
    )


@bp.get("/cases/<int:case_id>")
@allow(*ORGANISERS)
def case(case_id: int) -> str:
    """The history of one case, and the list of its events' histories."""
    record = db.get_or_404(Case, case_id)
    return render_template(
        "history/object.html",
        title=record.person_name,
        entries=history_of("case", case_id),
        case=record,
        event=None,
        events=case_events(record),
        deleted=deleted_events_of(case_id),
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


@bp.get("/events/<int:event_id>")
@allow(*ORGANISERS)
def event(event_id: int) -> str:
    """The history of one event, also after it was deleted (the trail outlives the event)."""
    record = db.session.get(Event, event_id)
    entries = history_of("event", event_id)
    if record is None and not entries:
        abort(404)
    title = record.title if record is not None else entries[0].object_label
    return render_template(
        "history/object.html",
        title=title,
        entries=entries,
        case=None,
        event=record,
        events=[],
        deleted=[],
    )
