"""Messages of support: the supporters' form, its confirmation, the wall of solidarity and
withdrawal (public, blueprint ``support``), then moderation and delivery packs (organisers,
blueprint ``messages`` under /manage/messages)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from babel import Locale
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from campaign.cases.queries import public_case, visible_case_or_404
from campaign.extensions import db, limiter
from campaign.history.recorder import acting_as
from campaign.messages import delivery, mail, spam
from campaign.messages import queries as summary
from campaign.messages.forms import (
    MESSAGE_MAX_LENGTH,
    ActionForm,
    DeliveredForm,
    SafetyEditForm,
    SupportForm,
    WithdrawForm,
)
from campaign.messages.queries import purge_expired_emails
from campaign.models import Case, DeliveryMethod, DeliveryPack, Message, MessageState
from campaign.util.countries import is_country_code
from campaign.util.dates import today_utc
from campaign.util.privacy import keyed_hash
from campaign.web.access import ORGANISERS, allow
from campaign.web.caching import is_staff

public_bp = Blueprint("support", __name__)
bp = Blueprint("messages", __name__, url_prefix="/manage/messages")
logger = logging.getLogger(__name__)

SENT_KEY = "support_sent"
# Who the history names for what a supporter does (no account, no name kept for it).
SUPPORTER = "supporter"
WALL_PAGE_SIZE = 50
# The whole form is a few kilobytes: anything far larger is refused before it is parsed.
DEFAULT_MAX_BODY_BYTES = 64 * 1024
DEFAULT_ATTEMPT_LIMIT = "60 per 10 minutes"
# A letter-writing evening on one Wi-Fi, or supporters behind Tor, share one address: the limit
# only stops floods; the duplicate check and moderation are the real filters.
DEFAULT_SEND_LIMIT = "20 per 10 minutes;200 per day"

public_bp.add_app_template_global(summary.support_summary, "support_summary")
public_bp.add_app_template_global(summary.latest_messages, "support_latest_messages")
public_bp.add_app_template_global(summary.messages_by_day, "support_messages_by_day")


@public_bp.app_template_filter("language_name")
def language_name(code: str | None) -> str:
    """A language's name in the current locale ("de" -> "German"), or the code if unknown."""
    if not code:
        return ""
    locale = get_locale() or Locale("en")
    return str(locale.languages.get(code) or code)


def _attempt_limit() -> str:
    return str(current_app.config.get("SUPPORT_ATTEMPT_LIMIT", DEFAULT_ATTEMPT_LIMIT))


def _send_limit() -> str:
    return str(current_app.config.get("SUPPORT_SEND_LIMIT", DEFAULT_SEND_LIMIT))


def _counts_as_sent(response: Response) -> bool:
    """Only posts that end on the confirmation page count towards the sending limit."""
    return response.status_code == 302


@public_bp.url_value_preprocessor
def _cap_body_size(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Cap the public form's body size (this runs before CSRF parses the form)."""
    if endpoint == "support.new":
        cap = int(current_app.config.get("SUPPORT_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES))
        global_cap = current_app.config.get("MAX_CONTENT_LENGTH")
        request.max_content_length = min(cap, global_cap) if global_cap else cap
        if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded":
            _repair_encoding()


def _repair_encoding() -> None:
    """Make a form sent in another encoding readable, so the form can say so and keep the rest.

    Werkzeug drops an url-encoded body that is not UTF-8 altogether; with the bad bytes replaced
    (U+FFFD) the fields arrive and the form's ``Readable`` check names the field to retype.
    """
    raw = request.get_data(cache=True)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        # The form parser reads the cached body when there is one (werkzeug's documented order).
        request._cached_data = raw.decode("utf-8", "replace").encode("utf-8")


def _min_seconds() -> float:
    return float(current_app.config.get("SUPPORT_FORM_MIN_SECONDS", spam.DEFAULT_MIN_SECONDS))


def _max_seconds() -> float:
    return float(current_app.config.get("SUPPORT_FORM_MAX_SECONDS", spam.DEFAULT_MAX_SECONDS))


def _duplicate_window() -> timedelta:
    hours = current_app.config.get("SUPPORT_DUPLICATE_WINDOW_HOURS")
    return timedelta(hours=float(hours)) if hours else spam.DEFAULT_DUPLICATE_WINDOW


def _render_form(
    case: Case, form: SupportForm, problem: str | None = None, status: int = 200
) -> tuple[str, int]:
    """The form page, with what the supporter typed and, if any, why it was not sent."""
    if not form.form_token.data:
        form.form_token.data = spam.issue_form_token()
    return (
        render_template(
            "messages/new.html",
            case=case,
            form=form,
            problem=problem,
            max_length=MESSAGE_MAX_LENGTH,
        ),
        status,
    )


def _support_form() -> SupportForm:
    """The form; without a mail server it has no e-mail field (nothing collected for nothing)."""
    form = SupportForm()
    if not mail.is_configured():
        del form.email
    return form


def _fresh_token(form: SupportForm) -> None:
    form.form_token.data = spam.issue_form_token()


def _remember_sent(
    case: Case, message: Message, token: str, mailed: bool | None = None
) -> Response:
    """Post/Redirect/Get to the confirmation, which alone shows the withdrawal link."""
    data: dict[str, Any] = {"case": case.id, "message": message.id, "token": token}
    previous = session.get(SENT_KEY) or {}
    if mailed is None and previous.get("message") == message.id:
        mailed = previous.get("mailed")  # a second click keeps what the first one said
    if mailed is not None:
        data["mailed"] = mailed
    session[SENT_KEY] = data
    return redirect(url_for("support.sent", slug=case.slug))


@public_bp.route("/cases/<slug>/support", methods=["GET", "POST"])
@limiter.limit(_attempt_limit, methods=["POST"], scope="support-attempts")
@limiter.limit(_send_limit, methods=["POST"], deduct_when=_counts_as_sent, scope="support-sent")
def new(slug: str) -> Response | tuple[str, int]:
    """The form for a message of support; a message is stored exactly once or the sender is told."""
    case = visible_case_or_404(slug, staff=is_staff())
    form = _support_form()
    if request.method != "POST":  # GET, and HEAD from link previews and uptime checks
        return _render_form(case, form)

    if spam.honeypot_filled(request.form.get("website")):
        form.website.data = ""
        return _render_form(
            case,
            form,
            _(
                "Your message was not sent: "
                "the field marked “leave this field empty” was filled in."
            ),
            400,
        )
    # The fields are checked first, so a timing problem is shown together with their errors.
    valid = form.validate()
    fix_fields = _("Please correct the marked fields.")
    check = spam.check_form_token(
        form.form_token.data, min_seconds=_min_seconds(), max_seconds=_max_seconds()
    )
    if check.problem is spam.TokenProblem.TOO_FAST:
        problem = _("Your message was not sent: it came too quickly. Check it and send it again.")
        return _render_form(case, form, problem if valid else f"{problem} {fix_fields}", 400)
    if not check.ok or check.nonce is None:
        _fresh_token(form)
        problem = _(
            "Your message was not sent: the form was open for too long or had expired. "
            "Your text is below: check it and send it again."
        )
        return _render_form(case, form, problem if valid else f"{problem} {fix_fields}", 400)
    if not valid:
        return _render_form(
            case, form, _("Your message was not sent yet: please correct the marked fields."), 400
        )

    body = str(form.body.data)
    fingerprint = spam.body_fingerprint(case.id, body)
    token = spam.withdraw_token_for(check.nonce)
    hashed = spam.token_hash(token)

    earlier = db.session.scalar(sa.select(Message).where(Message.withdraw_token_hash == hashed))
    if earlier is not None:
        if earlier.body_fingerprint == fingerprint and earlier.case_id == case.id:
            return _remember_sent(case, earlier, token)  # the same form sent twice: one message
        _fresh_token(form)
        return _render_form(
            case,
            form,
            _("This form was already used to send a message. Check your text and send it again."),
            400,
        )
    if spam.find_duplicate(case.id, fingerprint, window=_duplicate_window()) is not None:
        return _render_form(
            case,
            form,
            _(
                "This message was already received for %(name)s: it is not sent twice.",
                name=case.person_name,
            ),
            400,
        )

    message = Message(
        case_id=case.id,
        body=body,
        display_name=None if form.country_only.data else (form.display_name.data or None),
        country=form.country.data,
        organisation=form.organisation.data or None,
        email=(form.email.data or None) if form.email is not None else None,
        language=form.language.data or None,
        consent_to_publish=bool(form.consent.data),
        state=MessageState.PENDING,
        client_hash=keyed_hash(request.remote_addr or "unknown"),
        body_fingerprint=fingerprint,
        withdraw_token_hash=hashed,
    )
    try:
        with acting_as(label=SUPPORTER):
            db.session.add(message)
        db.session.commit()
    except sa.exc.IntegrityError:
        # Two identical posts raced: the other one stored the message; show its confirmation.
        db.session.rollback()
        earlier = db.session.scalar(sa.select(Message).where(Message.withdraw_token_hash == hashed))
        if earlier is None:
            raise
        return _remember_sent(case, earlier, token)
    except sa.exc.OperationalError:
        # The database is busy or away: say so and keep the text, rather than a bare error page.
        db.session.rollback()
        logger.warning("a message for case %s could not be stored", case.id, exc_info=True)
        return _render_form(
            case,
            form,
            _(
                "Your message was not sent: it could not be saved just now. "
                "Your text is below: please send it again in a moment."
            ),
            503,
        )
    logger.info("message %s received for case %s", message.id, case.id)
    mailed = None
    if message.email:
        # After the commit: a mail server that fails must not lose the message.
        withdraw_url = url_for("support.withdraw", token=token, _external=True)
        mailed = mail.send_confirmation(message, case, withdraw_url)
    return _remember_sent(case, message, token, mailed)


@public_bp.get("/cases/<slug>/support/sent")
def sent(slug: str) -> Response:
    """What happens next, with the sender's own message and the link to withdraw it."""
    case = visible_case_or_404(slug, staff=is_staff())
    data = session.get(SENT_KEY) or {}
    message = None
    withdraw_url = None
    mailed = None
    if data.get("case") == case.id:
        message = db.session.get(Message, data.get("message"))
        if message is not None and message.state != MessageState.WITHDRAWN:
            withdraw_url = url_for("support.withdraw", token=data.get("token"), _external=True)
            mailed = data.get("mailed")
        else:
            message = None
    response = make_response(
        render_template(
            "messages/sent.html",
            case=case,
            message=message,
            withdraw_url=withdraw_url,
            mailed=mailed,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@public_bp.get("/cases/<slug>/messages")
def wall(slug: str) -> str:
    """The wall of solidarity: a case's published messages, newest first."""
    case = visible_case_or_404(slug, staff=is_staff())
    page = request.args.get("page", 1, type=int) or 1
    page = max(page, 1)
    messages = summary.published_messages(
        case.id, limit=WALL_PAGE_SIZE + 1, offset=(page - 1) * WALL_PAGE_SIZE
    )
    has_next = len(messages) > WALL_PAGE_SIZE
    return render_template(
        "messages/wall.html",
        case=case,
        messages=messages[:WALL_PAGE_SIZE],
        page=page,
        has_next=has_next,
        totals=summary.support_summary(case),
    )


def get_message_by_token(token: str) -> Message:
    """The message a withdrawal link points to, or 404 (an unknown token reveals nothing)."""
    if not token or len(token) > 200:
        abort(404)
    message = db.session.scalar(
        sa.select(Message).where(Message.withdraw_token_hash == spam.token_hash(token))
    )
    if message is None:
        abort(404)
    return message


@public_bp.route("/support/withdraw/<token>", methods=["GET", "POST"])
def withdraw(token: str) -> Response | str:
    """Let a supporter withdraw their message: GET asks for confirmation, POST withdraws."""
    message = get_message_by_token(token)
    form = WithdrawForm()
    if request.method == "POST" and form.validate_on_submit():
        if message.state != MessageState.WITHDRAWN:
            with acting_as(label=SUPPORTER):
                message.state = MessageState.WITHDRAWN
                if message.email is not None:
                    message.email = None
                    message.email_erased_at = datetime.now(UTC)
                delivery.release_from_open_pack(message)
            db.session.commit()
        return redirect(url_for("support.withdraw", token=token))
    response = make_response(render_template("messages/withdraw.html", message=message, form=form))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@public_bp.errorhandler(CSRFError)
def csrf_failed(error: CSRFError) -> Response | tuple[str, int]:
    """An expired session must not lose the message: show the form again with what was typed."""
    if request.endpoint == "support.new" and request.view_args:
        case = visible_case_or_404(str(request.view_args["slug"]), staff=is_staff())
        form = _support_form()
        if not spam.check_form_token(form.form_token.data, min_seconds=0).ok:
            _fresh_token(form)
        return _render_form(
            case,
            form,
            _(
                "Your message was not sent: the page had expired (or your browser blocked our "
                "cookie). Your text is below: please send it again."
            ),
            400,
        )
    if request.endpoint == "support.withdraw" and request.view_args:
        message = get_message_by_token(str(request.view_args["token"]))
        return (
            render_template(
                "messages/withdraw.html",
                message=message,
                form=WithdrawForm(),
                problem=_("The page had expired. Please confirm again."),
            ),
            400,
        )
    return render_template("errors/error.html", error=error, code=400), 400


@public_bp.errorhandler(RateLimitExceeded)
def too_many(error: RateLimitExceeded) -> Response | tuple[str, int]:
    """Too many messages from one place: say so, keep the text, and say it was not sent."""
    if request.endpoint == "support.new" and request.view_args:
        case = visible_case_or_404(str(request.view_args["slug"]), staff=is_staff())
        form = _support_form()
        html, _status = _render_form(
            case,
            form,
            _(
                "Your message was not sent: several messages came from your connection in a short "
                "time. Please wait a while and send it again; your text is below."
            ),
            429,
        )
        response = make_response(html, 429)
        retry = getattr(error, "retry_after", None)
        if retry:
            response.headers["Retry-After"] = str(int(retry))
        return response
    return render_template("errors/error.html", error=error, code=429), 429


@public_bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
    """A body far beyond any real message: refuse it with a page that says what the limit is."""
    slug = (request.view_args or {}).get("slug")
    case = public_case(slug)
    return (
        render_template("messages/too_large.html", case=case, max_length=MESSAGE_MAX_LENGTH),
        413,
    )


# -- moderation and delivery (organisers) --------------------------------------------------


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
    queue = url_for("messages.queue")
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
        "messages/queue.html",
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
            db.session.commit()
            flash(_("The message was edited; the change is in the history."), "success")
        return redirect(url_for("messages.queue", state="all", case=message.case_id))
    status = 400 if form.errors else 200
    return render_template("messages/edit.html", message=message, form=form), status


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
        "messages/packs.html",
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
        return redirect(url_for("messages.packs"))
    db.session.commit()
    flash(_("The pack is ready to print."), "success")
    return redirect(url_for("messages.pack", pack_id=pack.id))


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
            "messages/pack.html",
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
    recorded = (pack.method, pack.delivered_on, pack.note)
    delivered_on = form.delivered_on.data or today_utc()
    count = delivery.mark_delivered(
        pack, DeliveryMethod(form.method.data), delivered_on, form.note.data
    )
    changes = recorded != (pack.method, pack.delivered_on, pack.note)
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
    return redirect(url_for("messages.pack", pack_id=pack.id))


@bp.post("/packs/<int:pack_id>/not-delivered")
@allow(*ORGANISERS)
def mark_not_delivered(pack_id: int) -> Response:
    """Undo a delivery recorded by mistake: the pack and its messages wait for delivery again."""
    pack = get_pack(pack_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if pack.delivered_on is None:
        flash(_("This pack is not marked delivered."), "warning")
        return redirect(url_for("messages.pack", pack_id=pack.id))
    count = delivery.mark_not_delivered(pack)
    db.session.commit()
    flash(
        ngettext(
            "The pack is marked not delivered; its %(num)d message waits for delivery again.",
            "The pack is marked not delivered; its %(num)d messages wait for delivery again.",
            count,
        ),
        "success",
    )
    return redirect(url_for("messages.pack", pack_id=pack.id))
