"""The audit trail, read-only: the history of a case, an event, a message, or everything.

There is deliberately no route here that edits or deletes an audit entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination

from campaign.events.queries import case_events_page
from campaign.extensions import db
from campaign.history import labels
from campaign.history.labels import KINDS, URL_KINDS
from campaign.history.queries import deleted_events_of, history_of
from campaign.models import (
    AuditAction,
    AuditEntry,
    Case,
    DeliveryPack,
    Event,
    Invitation,
    Message,
    Organisation,
    User,
    Venue,
)
from campaign.web.access import ORGANISERS, allow
from campaign.web.routing import page_number

bp = Blueprint("history", __name__, url_prefix="/manage/history")
bp.add_app_template_filter(labels.field_label, "field_label")
bp.add_app_template_filter(labels.shown_changes, "shown_changes")
bp.add_app_template_filter(labels.audit_time, "audit_time")
bp.add_app_template_filter(labels.audit_kind, "audit_kind")
bp.add_app_template_global(labels.audit_lookups, "audit_lookups")
bp.add_app_template_global(labels.audit_value, "audit_value")
bp.add_app_template_global(labels.text_changes, "text_changes")
bp.add_app_template_global(labels.audit_object_url, "audit_object_url")

PAGE_SIZE = 100
# The changes of one object shown a page at a time (``?changes=N``, newest first).
CHANGES_PER_PAGE = 50


def _changes(obj_type: str, obj_id: int) -> Pagination:
    """The page of *obj_type* *obj_id*'s own changes the request asks for."""
    number = request.args.get("changes", 1, type=page_number)
    return history_of(obj_type, obj_id, number, CHANGES_PER_PAGE)


def _changes_of(endpoint: str, **values: Any) -> Callable[[int], str]:
    """The address of a page of an object's changes on the page of *endpoint*."""
    return lambda number: url_for(endpoint, **values, changes=number)


# The other audited kinds: their model, and where "back" leads from their history.
MODELS: dict[str, type[Any]] = {
    "message": Message,
    "deliverypack": DeliveryPack,
    "organisation": Organisation,
    "venue": Venue,
    "user": User,
    "invitation": Invitation,
}


def kind_choices(selected: str) -> dict[str, str]:
    """The Kind filter's choices, named for people: every kind the trail holds entries of (and
    the chosen one if it is known), the known kinds in their usual order, then any other."""
    kinds = set(db.session.scalars(sa.select(AuditEntry.object_type).distinct()))
    if selected in KINDS:
        kinds.add(selected)
    ordered = [kind for kind in KINDS if kind in kinds] + sorted(kinds - KINDS.keys())
    return {kind: str(KINDS[kind][1]) if kind in KINDS else kind.capitalize() for kind in ordered}


@bp.get("/")
@allow(*ORGANISERS)
def index() -> str:
    """Every recorded change, newest first, optionally of one kind of object or one action."""
    query = sa.select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    kind = request.args.get("kind", "")
    kinds = kind_choices(kind)
    if kind in kinds:
        query = query.where(AuditEntry.object_type == kind)
    action = request.args.get("action", "")
    if action in {a.value for a in AuditAction}:
        query = query.where(AuditEntry.action == AuditAction(action))
    page = db.paginate(
        query,
        page=request.args.get("page", 1, type=page_number),
        per_page=PAGE_SIZE,
        error_out=False,
    )
    return render_template(
        "history/index.html",
        entries=page.items,
        page=page,
        kinds=kinds,
        filters={"kind": kind, "action": action},
        args={k: v for k, v in (("kind", kind), ("action", action)) if v},
    )


@bp.get("/cases/<int:case_id>")
@allow(*ORGANISERS)
def case(case_id: int) -> str:
    """The history of one case, and its events' histories a page at a time (the latest in the
    story first, as on the case's record), so a case of thousands of events costs what a short
    one does. The case's own changes and its deleted events are on the first page."""
    record = db.get_or_404(Case, case_id)
    events = case_events_page(record, request.args.get("page", 1, type=page_number), bare=True)
    first = events.page == 1
    changes = _changes("case", case_id)
    return render_template(
        "history/object.html",
        title=record.person_name,
        entries=changes.items if first else [],
        changes=changes,
        changes_of=_changes_of("history.case", case_id=case_id),
        back=(url_for("cases.detail", case_id=case_id), _("Back to the case")),
        events=events.items,
        events_page=events,
        pages_of=lambda number: url_for("history.case", case_id=case_id, page=number),
        deleted=deleted_events_of(case_id) if first else [],
    )


@bp.get("/events/<int:event_id>")
@allow(*ORGANISERS)
def event(event_id: int) -> str:
    """The history of one event, also after it was deleted (the trail outlives the event)."""
    record = db.session.get(Event, event_id)
    changes = _changes("event", event_id)
    entries = changes.items
    if record is None and not entries:
        abort(404)
    title = record.title if record is not None else entries[0].object_label
    back = (url_for("events.detail", event_id=event_id), _("Back to the event")) if record else None
    return render_template(
        "history/object.html",
        title=title,
        entries=entries,
        back=back,
        changes=changes,
        changes_of=_changes_of("history.event", event_id=event_id),
    )


def _back(kind: str, record: Any) -> tuple[str, str]:
    """Where the history of an object leads back to: the page that shows it."""
    if isinstance(record, Message):
        queue = url_for("messages.queue", state="all", case=record.case_id)
        return queue, _("Back to the messages")
    if isinstance(record, DeliveryPack):
        return url_for("messages.pack", pack_id=record.id), _("Back to the pack")
    if isinstance(record, Organisation):
        return url_for("directory.detail", organisation_id=record.id), _("Back to the organisation")
    if isinstance(record, Venue):
        return url_for("directory.venue", venue_id=record.id), _("Back to the venue")
    return url_for("users.index"), _("Back to the users")


@bp.get("/<kind>/<int:object_id>")
@allow(*ORGANISERS)
def object(kind: str, object_id: int) -> str:
    """The history of a message, a pack, an organisation, a venue, a user or an invitation,
    also after it was deleted (the trail outlives the object)."""
    object_type = {url: name for name, url in URL_KINDS.items()}.get(kind)
    if object_type is None or object_type not in MODELS:
        abort(404)
    record = db.session.get(MODELS[object_type], object_id)
    changes = _changes(object_type, object_id)
    entries = changes.items
    if record is None and not entries:
        abort(404)
    title = labels.object_title(object_type, record, entries)
    back = _back(object_type, record) if record is not None else None
    return render_template(
        "history/object.html",
        title=title,
        entries=entries,
        back=back,
        changes=changes,
        changes_of=_changes_of("history.object", kind=kind, object_id=object_id),
    )
