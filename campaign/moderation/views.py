"""Moderation of supporters' messages and delivery packs (organisers and admins only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from campaign import audit, delivery
from campaign.extensions import db
from campaign.models import AuditAction, Case, DeliveryMethod, DeliveryPack, Message, MessageState
from campaign.moderation.forms import ActionForm, DeliveredForm, SafetyEditForm
from campaign.support.summary import purge_expired_emails
from campaign.util.countries import is_country_code
from campaign.util.dates import today_utc
from campaign.web.access import ORGANISERS, allow

bp = Blueprint("moderation", __name__, url_prefix="/manage/messages")

QUEUE_PAGE_SIZE = 100
# "publish" is the form's name for approving: the state stays ``published`` whether or not the
# message may be shown on the site (that is the sender's consent, see ``is_private``).
ACTIONS = {
    "publish": MessageState.PUBLISHED,
    "reject": MessageState.REJECTED,
    "spam": MessageState.SPAM,
    "pending": MessageState.PENDING,
}


@dataclass(frozen=True)
class Waiting:
    """Messages awaiting review for one case, for the staff home page."""

    case: Case
    count: int


@bp.app_template_global()
def moderation_waiting() -> list[Waiting]:
    """Pending messages by case, most waiting first (one query)."""
    rows = db.session.execute(
        sa.select(Case, sa.func.count(Message.id))
        .join(Message, Message.case_id == Case.id)
        .where(Message.state == MessageState.PENDING)
        .group_by(Case.id)
        .order_by(sa.func.count(Message.id).desc(), Case.person_name)
    ).all()
    return [Waiting(case, int(count)) for case, count in rows]


@bp.app_template_global()
def can_moderate() -> bool:
    """Whether the signed-in user may moderate messages."""
    return bool(current_user.is_authenticated and current_user.role in ORGANISERS)


def get_message(message_id: int) -> Message:
    """Load a message or 404. Every organiser may moderate every case, so no further check."""
    message = db.get_or_404(Message, message_id)
    return message


def get_pack(pack_id: int) -> DeliveryPack:
    """Load a delivery pack or 404. Every organiser may handle every case's packs."""
    pack = db.get_or_404(DeliveryPack, pack_id)
    return pack


def _queue_filters() -> dict[str, str]:
    """The queue's filters from the query string, each checked against what it may be."""
    filters: dict[str, str] = {}
    case_id = request.args.get("case", "")
    if case_id.isdigit():
        filters["case"] = case_id
    language = request.args.get("language", "").strip()
    if language and len(language) <= 16:
        filters["language"] = language
    country = request.args.get("country", "").strip().upper()
    if is_country_code(country):
        filters["country"] = country
    state = request.args.get("state", MessageState.PENDING.value)
    if state == "all" or state in {s.value for s in MessageState}:
        filters["state"] = state
    else:
        filters["state"] = MessageState.PENDING.value
    return filters


def _back_to_queue() -> Response:
    """Return to the queue page the organiser came from (only ever a queue URL)."""
    target = request.form.get("next", "")
    queue = url_for("moderation.queue")
    if not target.startswith(queue) or "//" in target or "\\" in target:
        target = queue
    return redirect(target)


@bp.get("/")
@allow(*ORGANISERS)
def queue() -> str:
    """Messages across cases, pending first, with filters and bulk decisions."""
    filters = _queue_filters()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    query = sa.select(Message).options(selectinload(Message.case))
    if "case" in filters:
        query = query.where(Message.case_id == int(filters["case"]))
    if "language" in filters:
        if filters["language"] == "none":
            query = query.where(Message.language.is_(None))
        else:
            query = query.where(Message.language == filters["language"])
    if "country" in filters:
        query = query.where(Message.country == filters["country"])
    if filters["state"] != "all":
        query = query.where(Message.state == MessageState(filters["state"]))
    pending_first = sa.case((Message.state == MessageState.PENDING, 0), else_=1)
    messages = list(
        db.session.scalars(
            query.order_by(pending_first, Message.created_at.desc(), Message.id.desc())
            .limit(QUEUE_PAGE_SIZE + 1)
            .offset((page - 1) * QUEUE_PAGE_SIZE)
        )
    )
    has_next = len(messages) > QUEUE_PAGE_SIZE
    messages = messages[:QUEUE_PAGE_SIZE]
    # Context for judging spam: how many messages each sender's connection sent that day.
    hashes = {m.client_hash for m in messages if m.client_hash}
    same_sender: dict[str, int] = {}
    if hashes:
        same_sender = {
            str(h): int(n)
            for h, n in db.session.execute(
                sa.select(Message.client_hash, sa.func.count(Message.id))
                .where(Message.client_hash.in_(hashes))
                .group_by(Message.client_hash)
            )
        }
    cases = db.session.scalars(sa.select(Case).order_by(Case.person_name)).all()
    languages = db.session.scalars(
        sa.select(Message.language).where(Message.language.is_not(None)).distinct()
    ).all()
    countries = db.session.scalars(
        sa.select(Message.country).where(Message.country.is_not(None)).distinct()
    ).all()
    return render_template(
        "moderation/queue.html",
        messages=messages,
        filters=filters,
        page=page,
        has_next=has_next,
        cases=cases,
        languages=sorted(str(lang) for lang in languages),
        countries=sorted(str(c) for c in countries),
        states=list(MessageState),
        same_sender=same_sender,
        form=ActionForm(),
    )


@bp.app_template_test("private_message")
def is_private(message: Message) -> bool:
    """Whether a message is for delivery only: its sender did not allow it on the site."""
    return not message.consent_to_publish


@bp.app_template_filter("decision_label")
def decision_label(message: Message) -> str:
    """A message's state for organisers, saying whether an approved one is on the site."""
    if message.state == MessageState.PUBLISHED:
        if is_private(message):
            return _("Approved (private: delivery only)")
        return _("Approved (shown on the site)")
    return str(message.state.label)


SUMMARY_WORDS = 6
SUMMARY_CHARS = 60


@bp.app_template_filter("message_summary")
def message_summary(message: Message) -> str:
    """Name a message the way the queue shows it: its first words and who signed it, never an id.

    Supporters' e-mails are never used: the sender is their display name or "a supporter".
    """
    words = message.body.split()
    start = " ".join(words[:SUMMARY_WORDS])
    if len(start) > SUMMARY_CHARS:
        start = start[:SUMMARY_CHARS].rstrip()
    if start != " ".join(words):
        start += "…"
    who = message.display_name or _("a supporter")
    return _("“%(start)s” from %(who)s", start=start, who=who)


def _decide(message: Message, state: MessageState) -> str | None:
    """Record an organiser's decision on one message (with its audit entry).

    Returns None when the message changed, otherwise why not, in words for the organiser.
    """
    if message.state == MessageState.WITHDRAWN:
        return _("its sender withdrew it")
    if message.state == state:
        return _("it already had that decision")
    message.state = state
    if state == MessageState.PENDING:
        message.decided_at = None
        message.decided_by_id = None
    else:
        message.decided_at = datetime.now(UTC)
        message.decided_by_id = current_user.id
    if state != MessageState.PUBLISHED:
        delivery.release_from_open_pack(message)
    audit.record(AuditAction.UPDATE, message, audit.pending_changes(message))
    return None


def _done(state: MessageState, count: int, private: int = 0) -> str:
    """ "2 approved": how many messages took the decision (and how many of them are private)."""
    if state == MessageState.PUBLISHED:
        approved = ngettext("%(num)d approved", "%(num)d approved", count)
        if not private:
            return approved
        return _(
            "%(approved)s (%(private)s)",
            approved=approved,
            private=ngettext(
                "%(num)d of them private: delivery only, never shown on the site",
                "%(num)d of them private: delivery only, never shown on the site",
                private,
            ),
        )
    if state == MessageState.REJECTED:
        return ngettext("%(num)d rejected", "%(num)d rejected", count)
    if state == MessageState.SPAM:
        return ngettext("%(num)d marked as spam", "%(num)d marked as spam", count)
    return ngettext("%(num)d returned to review", "%(num)d returned to review", count)


def _not_done(state: MessageState, count: int) -> str:
    """ "1 not approved": how many messages did not take the decision."""
    if state == MessageState.PUBLISHED:
        return ngettext("%(num)d not approved", "%(num)d not approved", count)
    if state == MessageState.REJECTED:
        return ngettext("%(num)d not rejected", "%(num)d not rejected", count)
    if state == MessageState.SPAM:
        return ngettext("%(num)d not marked as spam", "%(num)d not marked as spam", count)
    return ngettext("%(num)d not returned to review", "%(num)d not returned to review", count)


def _outcome(
    state: MessageState, changed: list[Message], skipped: list[tuple[Message, str]]
) -> str:
    """One sentence for the organiser: what was done, and which messages were not, and why."""
    private = sum(1 for m in changed if is_private(m))
    parts = [_done(state, len(changed), private)]
    if skipped:
        reasons = "; ".join(
            _("%(message)s: %(reason)s", message=message_summary(m), reason=reason)
            for m, reason in skipped
        )
        parts.append(
            _("%(count)s: %(reasons)s", count=_not_done(state, len(skipped)), reasons=reasons)
        )
    return "; ".join(parts) + "."


def _action_state() -> MessageState:
    action = request.form.get("action", "")
    if action not in ACTIONS:
        abort(400)
    return ACTIONS[action]


@bp.post("/<int:message_id>/decide")
@allow(*ORGANISERS)
def decide(message_id: int) -> Response:
    """Approve, reject, mark as spam or return to the queue one message."""
    message = get_message(message_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    state = _action_state()
    reason = _decide(message, state)
    summary = message_summary(message)
    if reason is None:
        purge_expired_emails()
        db.session.commit()
        flash(
            _("%(message)s: %(state)s.", message=summary, state=decision_label(message)), "success"
        )
    else:
        flash(
            _("%(message)s was not changed: %(reason)s.", message=summary, reason=reason), "warning"
        )
    return _back_to_queue()


@bp.post("/bulk")
@allow(*ORGANISERS)
def bulk() -> Response:
    """The same decision for every ticked message."""
    if not ActionForm().validate_on_submit():
        abort(400)
    ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()]
    if not ids:
        flash(_("Tick at least one message first."), "warning")
        return _back_to_queue()
    state = _action_state()
    messages = db.session.scalars(
        sa.select(Message).where(Message.id.in_(ids)).order_by(Message.created_at, Message.id)
    ).all()
    changed: list[Message] = []
    skipped: list[tuple[Message, str]] = []
    for message in messages:
        reason = _decide(message, state)
        if reason is None:
            changed.append(message)
        else:
            skipped.append((message, reason))
    purge_expired_emails()
    db.session.commit()
    flash(_outcome(state, changed, skipped), "warning" if skipped else "success")
    return _back_to_queue()


@bp.route("/<int:message_id>/edit", methods=["GET", "POST"])
@allow(*ORGANISERS)
def edit(message_id: int) -> Response | tuple[str, int]:
    """A safety edit of a message's text, with the old and new text kept in the audit trail."""
    message = get_message(message_id)
    form = SafetyEditForm(obj=message)
    if form.validate_on_submit():
        if form.body.data != message.body:
            message.body = str(form.body.data)
            message.edited_at = datetime.now(UTC)
            audit.record(AuditAction.UPDATE, message, audit.pending_changes(message))
            db.session.commit()
            flash(_("The message was edited; the change is in the history."), "success")
        return redirect(url_for("moderation.queue", state="all", case=message.case_id))
    status = 400 if form.errors else 200
    return render_template("moderation/edit.html", message=message, form=form), status


@bp.get("/packs")
@allow(*ORGANISERS)
def packs() -> str:
    """Delivery packs, and the cases with approved messages (private ones too) ready for one."""
    ready = delivery.ready_counts()
    cases = db.session.scalars(sa.select(Case).where(Case.id.in_(ready)).order_by(Case.person_name))
    all_packs = db.session.scalars(
        sa.select(DeliveryPack)
        .options(selectinload(DeliveryPack.case), selectinload(DeliveryPack.messages))
        .order_by(DeliveryPack.delivered_on.is_not(None), DeliveryPack.created_at.desc())
    ).all()
    return render_template(
        "moderation/packs.html",
        ready=[(case, ready[case.id]) for case in cases],
        packs=all_packs,
        form=ActionForm(),
    )


@bp.post("/packs/new")
@allow(*ORGANISERS)
def new_pack() -> Response:
    """Build a pack of a case's approved, undelivered messages, private ones included."""
    if not ActionForm().validate_on_submit():
        abort(400)
    case_id = request.form.get("case_id", "")
    case = db.session.get(Case, int(case_id)) if case_id.isdigit() else None
    if case is None:
        abort(404)
    pack = delivery.build_pack(case, current_user._get_current_object())
    if pack is None:
        flash(_("No approved messages are waiting for delivery for this case."), "warning")
        return redirect(url_for("moderation.packs"))
    audit.record(AuditAction.CREATE, pack)
    db.session.commit()
    flash(_("The pack is ready to print."), "success")
    return redirect(url_for("moderation.pack", pack_id=pack.id))


def _delivered_form(pack: DeliveryPack, **data: object) -> DeliveredForm:
    """The delivery form: no date in the future, nor long before the pack was built."""
    return DeliveredForm(
        earliest=delivery.earliest_delivery_date(pack),
        latest=delivery.latest_delivery_date(),
        **data,
    )


def _render_pack(pack: DeliveryPack, form: DeliveredForm, status: int = 200) -> tuple[str, int]:
    return (
        render_template(
            "moderation/pack.html",
            pack=pack,
            messages=delivery.pack_messages(pack),
            form=form,
            latest=delivery.latest_delivery_date(),
        ),
        status,
    )


@bp.get("/packs/<int:pack_id>")
@allow(*ORGANISERS)
def pack(pack_id: int) -> tuple[str, int]:
    """A pack laid out for printing: a cover with the person and the address, then the messages."""
    pack = get_pack(pack_id)
    if pack.delivered_on is not None:  # the correction form starts from what was recorded
        form = _delivered_form(
            pack,
            method=pack.method.value if pack.method else DeliveryMethod.POST.value,
            delivered_on=pack.delivered_on,
            note=pack.note,
        )
    else:
        form = _delivered_form(pack, method=DeliveryMethod.POST.value, delivered_on=today_utc())
    return _render_pack(pack, form)


@bp.post("/packs/<int:pack_id>/delivered")
@allow(*ORGANISERS)
def mark_delivered(pack_id: int) -> Response | tuple[str, int]:
    """Record that a pack reached the person, how and on which day, or correct that record."""
    pack = get_pack(pack_id)
    form = _delivered_form(pack)
    if not form.validate_on_submit():
        return _render_pack(pack, form, 400)
    correction = pack.delivered_on is not None
    delivered_on = form.delivered_on.data or today_utc()
    count = delivery.mark_delivered(
        pack, DeliveryMethod(form.method.data), delivered_on, form.note.data
    )
    changes = audit.pending_changes(pack, include_relationships=False)
    if changes:
        audit.record(AuditAction.UPDATE, pack, changes)
        db.session.commit()
    if correction:
        flash(
            _("The delivery record was corrected.") if changes else _("Nothing changed."), "success"
        )
    else:
        flash(
            ngettext(
                "%(num)d message marked delivered.", "%(num)d messages marked delivered.", count
            ),
            "success",
        )
    return redirect(url_for("moderation.pack", pack_id=pack.id))


@bp.post("/packs/<int:pack_id>/not-delivered")
@allow(*ORGANISERS)
def mark_not_delivered(pack_id: int) -> Response:
    """Undo a delivery recorded by mistake: the pack and its messages wait for delivery again."""
    pack = get_pack(pack_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if pack.delivered_on is None:
        flash(_("This pack is not marked delivered."), "warning")
        return redirect(url_for("moderation.pack", pack_id=pack.id))
    count = delivery.mark_not_delivered(pack)
    audit.record(AuditAction.UPDATE, pack, audit.pending_changes(pack, include_relationships=False))
    db.session.commit()
    flash(
        ngettext(
            "The pack is marked not delivered; its %(num)d message waits for delivery again.",
            "The pack is marked not delivered; its %(num)d messages wait for delivery again.",
            count,
        ),
        "success",
    )
    return redirect(url_for("moderation.pack", pack_id=pack.id))
