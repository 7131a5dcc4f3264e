"""Messages of support: the supporters' form, its confirmation, the wall of solidarity and
withdrawal (public, blueprint ``support``), then moderation and delivery packs (organisers,
blueprint ``messages`` under /manage/messages)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
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
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError, generate_csrf
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from campaign.cases.queries import is_public, public_case, visible_case_or_404
from campaign.database import utcnow
from campaign.extensions import db, limiter
from campaign.messages import delivery, labels, mail, queries, services, spam
from campaign.messages.forms import MESSAGE_MAX_LENGTH, DeliveredForm, SafetyEditForm, SupportForm
from campaign.models import Case, DeliveryMethod, DeliveryPack, Message, MessageState
from campaign.util.countries import is_country_code
from campaign.util.dates import today_utc
from campaign.web.access import ORGANISERS, acting_user, allow
from campaign.web.caching import is_staff, normalised_choice, page_with_blanks, shared_page
from campaign.web.clients import client_key
from campaign.web.inputs import reads_unreadable_text
from campaign.web.requests import reading_only
from campaign.web.routing import page_number, record_id

public_bp = Blueprint("support", __name__)
bp = Blueprint("messages", __name__, url_prefix="/manage/messages")
logger = logging.getLogger(__name__)

SENT_KEY = "support_sent"
# How long after sending the confirmation page shows the withdraw link, in the browser that
# sent the message only (its session holds the form's nonce, from which the link is made).
WITHDRAW_LINK_MINUTES = 30
# The message of the queue after which a single decision is reported (see decide).
FLASH_AT_KEY = "queue_flash_at"
WALL_PAGE_SIZE = 50
# A language code as messages store it (ISO 639-1, or -3 for languages without one).
WALL_LANGUAGE = re.compile(r"[a-z]{2,3}")
# "publish" is the form's name for approving: the state stays ``published`` whether or not the
# message may be shown on the site (that is the sender's consent, see ``labels.is_private``).
ACTIONS = {
    "publish": MessageState.PUBLISHED,
    "reject": MessageState.REJECTED,
    "spam": MessageState.SPAM,
    "pending": MessageState.PENDING,
}

public_bp.add_app_template_global(queries.support_summary, "support_summary")
public_bp.add_app_template_global(queries.latest_messages, "support_latest_messages")
public_bp.add_app_template_global(queries.messages_by_day, "support_messages_by_day")
public_bp.add_app_template_filter(labels.language_name, "language_name")
bp.add_app_template_global(queries.moderation_waiting, "moderation_waiting")
bp.add_app_template_global(queries.case_messages, "case_messages")
bp.add_app_template_test(labels.is_private, "private_message")
bp.add_app_template_filter(labels.decision_label, "decision_label")
bp.add_app_template_filter(labels.message_summary, "message_summary")


# -- the supporters' form (public) ------------------------------------------------------------


def _attempt_limit() -> str:
    return str(current_app.config["SUPPORT_ATTEMPT_LIMIT"])


def _send_limit() -> str:
    return str(current_app.config["SUPPORT_SEND_LIMIT"])


def _counts_as_sent(response: Response) -> bool:
    """Only posts that end on the confirmation page count towards the sending limit."""
    return response.status_code == 302


@public_bp.url_value_preprocessor
def _cap_body_size(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Cap the public form's body size (this runs before CSRF parses the form)."""
    if endpoint == "support.new":
        cap = current_app.config["SUPPORT_MAX_BODY_BYTES"]
        global_cap = current_app.config["MAX_CONTENT_LENGTH"]
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


def _render_form(
    case: Case, form: SupportForm, problem: str | None = None, status: int = 200
) -> Response:
    """The form page, with what the supporter typed and, if any, why it was not sent.

    It carries this visitor's CSRF and form tokens, so no cache may keep it.
    """
    if not form.form_token.data:
        form.form_token.data = spam.issue_form_token()
    page = render_template(
        "messages/new.html", case=case, form=form, problem=problem, max_length=MESSAGE_MAX_LENGTH
    )
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _support_form() -> SupportForm:
    """The form; without a mail server it has no e-mail field (nothing collected for nothing)."""
    form = SupportForm()
    if not mail.is_configured():
        del form.email
    return form


def _fresh_token(form: SupportForm) -> None:
    form.form_token.data = spam.issue_form_token()


def _submission(form: SupportForm) -> services.Submission:
    """The message as the supporter sent it, from the checked form."""
    return services.Submission(
        body=str(form.body.data),
        display_name=None if form.country_only.data else (form.display_name.data or None),
        country=str(form.country.data),
        organisation=form.organisation.data or None,
        email=(form.email.data or None) if form.email is not None else None,
        language=form.language.data or None,
        consent_to_publish=bool(form.consent.data),
    )


@dataclass(frozen=True)
class _Sent:
    """What the confirmation needs of a stored message, read before the commit expires it
    (reading it after would open a second transaction, on SQLite a second wait for the write
    lock, only to load it again)."""

    case_id: int
    slug: str
    message_id: int
    has_email: bool


def _remember_sent(sent: _Sent, nonce: str, mailed: bool | None = None) -> Response:
    """Post/Redirect/Get to the confirmation, which alone shows the withdrawal link, for
    ``WITHDRAW_LINK_MINUTES`` after sending, in this browser only.

    The session cookie is signed, not encrypted: anyone who sees it can read it. So it holds
    the form's nonce, not the withdraw token: the token is the nonce's keyed hash under the
    app secret (spam.withdraw_token_for), made again on the confirmation page, and only there.
    """
    data: dict[str, Any] = {"case": sent.case_id, "message": sent.message_id, "nonce": nonce}
    previous = session.get(SENT_KEY) or {}
    if mailed is None and previous.get("message") == sent.message_id:
        mailed = previous.get("mailed")  # a second click keeps what the first one said
    if mailed is not None:
        data["mailed"] = mailed
    session[SENT_KEY] = data
    return redirect(url_for("support.sent", slug=sent.slug))


@public_bp.route("/cases/<slug>/support", methods=["GET", "POST"])
@reads_unreadable_text
# Flask-Limiter checks the limits of one window length in the order they are registered, the
# innermost decorator first: the attempt is counted first, and the count reads the client's
# other counters with it (campaign.ratelimits), so the sending limit's check needs no read of
# its own. A post refused by the sending limit counts as an attempt.
@limiter.limit(_send_limit, methods=["POST"], deduct_when=_counts_as_sent, scope="support-sent")
@limiter.limit(_attempt_limit, methods=["POST"], scope="support-attempts")
def new(slug: str) -> Response:
    """The form for a message of support; a message is stored exactly once or the sender is told."""
    if request.method != "POST":  # GET, and HEAD from link previews and uptime checks
        return _blank_form(slug)
    form = _support_form()
    try:
        return _receive(slug, form)
    except sa.exc.OperationalError:
        # The database is busy (another process kept SQLite's write lock past the timeout) or
        # away: say so and keep the text, rather than a bare error page.
        db.session.rollback()
        logger.warning("a message could not be stored", exc_info=True)
        problem = _(
            "Your message was not sent: it could not be saved just now. "
            "Your text is below: please send it again in a moment."
        )
        with reading_only():
            case = queries.supported_case_or_404(slug, staff=is_staff())
            return _render_form(case, form, problem, 503)


def _blank_form(slug: str) -> Response:
    """The empty form: the same page for every visitor but for their CSRF and form tokens, so
    it is rendered once per worker and public-data version and the tokens written in."""
    tokens: dict[str, Callable[[], str]] = {"form_token": spam.issue_form_token}
    if current_app.config["WTF_CSRF_ENABLED"]:
        tokens["csrf_token"] = generate_csrf

    def render(blanks: Mapping[str, str]) -> Response:
        case = queries.supported_case_or_404(slug, staff=is_staff())
        form = _support_form()
        if "csrf_token" in blanks:
            form.csrf_token.current_token = blanks["csrf_token"]
        form.form_token.data = blanks["form_token"]
        return _render_form(case, form)

    return page_with_blanks(render, tokens)


def _receive(slug: str, form: SupportForm) -> Response:
    """Check and store what was sent (exactly once).

    Everything that only reads (the case, the fields, the tokens) is done before the write
    transaction begins: on SQLite that transaction holds the database's one write lock, which
    every other post waits for.
    """
    with reading_only():
        case = queries.supported_case_or_404(slug, staff=is_staff())
        nonce = _accepted_nonce(case, form)
        if isinstance(nonce, Response):
            return nonce
    # End the reading transaction; the case stays loaded, back in the session for the writing
    # one (expiring it would only read it again, holding the write lock).
    db.session.close()
    db.session.add(case)
    try:
        received = services.submit(case, _submission(form), nonce=nonce, client_hash=client_key())
        stored = _Sent(case.id, case.slug, received.message.id, bool(received.message.email))
        mailed = None
        if received.created and stored.has_email:
            # In the same transaction: the confirmation exists exactly when the message does,
            # and a mail server that fails later cannot lose the message.
            withdraw_url = url_for(
                "support.withdraw", token=received.withdraw_token, _external=True
            )
            mailed = mail.queue_confirmation(received.message, case, withdraw_url)
        db.session.commit()
    except services.FormAlreadyUsed:
        _fresh_token(form)
        problem = _(
            "This form was already used to send a message. Check your text and send it again."
        )
        return _render_form(case, form, problem, 400)
    except services.DuplicateMessage:
        problem = _(
            "This message was already received for %(name)s: it is not sent twice.",
            name=case.person_name,
        )
        return _render_form(case, form, problem, 400)
    if not received.created:  # the same form sent twice: one message, the first confirmation
        return _remember_sent(stored, nonce)
    logger.info("message %s received for case %s", stored.message_id, stored.case_id)
    return _remember_sent(stored, nonce, mailed)


def _accepted_nonce(case: Case, form: SupportForm) -> str | Response:
    """The form's one-time nonce if what was sent may be stored; else the form again with why
    it was not sent (honeypot, fields, timing)."""
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
    check = spam.check_form_token(form.form_token.data)
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
    return check.nonce


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
            mailed = data.get("mailed")
            withdraw_url = _withdraw_url(message, data.get("nonce"))
            if withdraw_url is None and "nonce" in data:
                # Past its time: the session forgets the nonce, so nothing can make it again.
                session[SENT_KEY] = {k: v for k, v in data.items() if k != "nonce"}
        else:
            message = None
    response = make_response(
        render_template(
            "messages/sent.html",
            case=case,
            message=message,
            withdraw_url=withdraw_url,
            mailed=mailed,
            link_minutes=WITHDRAW_LINK_MINUTES,
        )
    )
    # The page holds the withdraw link: no cache, shared or the browser's own, may keep it.
    response.headers["Cache-Control"] = "no-store"
    return response


def _withdraw_url(message: Message, nonce: object) -> str | None:
    """The link that withdraws *message*, made again from the nonce this browser's session
    holds, while the confirmation may still show it (``WITHDRAW_LINK_MINUTES`` after sending:
    a reload or another language keeps it, a borrowed browser a day later does not)."""
    if not nonce or utcnow() - message.created_at > timedelta(minutes=WITHDRAW_LINK_MINUTES):
        return None
    token = spam.withdraw_token_for(str(nonce))
    if spam.token_hash(token) != message.withdraw_token_hash:
        return None
    return url_for("support.withdraw", token=token, _external=True)


def wall_language(value: str) -> str | None:
    """A language code of the wall's filter ("ru", "kk"), or None for anything else."""
    code = value.strip().lower()
    return code if WALL_LANGUAGE.fullmatch(code) else None


@public_bp.get("/cases/<slug>/messages")
@shared_page(page=normalised_choice(page_number), lang=normalised_choice(wall_language))
def wall(slug: str) -> str:
    """The wall of solidarity: a case's published messages, newest first, in one language
    (``lang``) or all."""
    case = visible_case_or_404(slug, staff=is_staff())
    page = request.args.get("page", 1, type=page_number)
    language = wall_language(request.args.get("lang", ""))
    messages = queries.published_messages(
        case.id, limit=WALL_PAGE_SIZE + 1, offset=(page - 1) * WALL_PAGE_SIZE, language=language
    )
    return render_template(
        "messages/wall.html",
        case=case,
        messages=messages[:WALL_PAGE_SIZE],
        page=page,
        has_next=len(messages) > WALL_PAGE_SIZE,
        totals=queries.support_summary(case),
        language=language,
        languages=queries.published_languages(case.id),
    )


def get_message_by_token(token: str) -> Message:
    """The message a withdrawal link points to, or 404 (an unknown token reveals nothing)."""
    message = services.by_withdraw_token(token)
    if message is None:
        abort(404)
    return message


def _withdraw_page(message: Message, problem: str | None = None, status: int = 200) -> Response:
    """The withdraw page: the message, the case it was written to (linked while the public may
    open its page), and what withdrawing does or did to it."""
    case = message.case
    page = render_template(
        "messages/withdraw.html",
        message=message,
        case=case,
        case_is_public=is_public(case),
        problem=problem,
    )
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@public_bp.route("/support/withdraw/<token>", methods=["GET", "POST"])
def withdraw(token: str) -> Response:
    """Let a supporter withdraw their message: GET asks for confirmation, POST withdraws."""
    message = get_message_by_token(token)
    if request.method == "POST":
        if services.withdraw(message):
            db.session.commit()
        return redirect(url_for("support.withdraw", token=token))
    return _withdraw_page(message)


@public_bp.errorhandler(CSRFError)
def csrf_failed(error: CSRFError) -> Response | tuple[str, int]:
    """An expired session must not lose the message: show the form again with what was typed."""
    if request.endpoint == "support.new" and request.view_args:
        case = queries.supported_case_or_404(str(request.view_args["slug"]), staff=is_staff())
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
        return _withdraw_page(message, _("The page had expired. Please confirm again."), 400)
    return render_template("errors/error.html", error=error, code=400), 400


@public_bp.errorhandler(RateLimitExceeded)
def too_many(error: RateLimitExceeded) -> Response | tuple[str, int]:
    """Too many messages from one place: say so, keep the text, and say it was not sent."""
    if request.endpoint == "support.new" and request.view_args:
        case = queries.supported_case_or_404(str(request.view_args["slug"]), staff=is_staff())
        response = _render_form(
            case,
            _support_form(),
            _(
                "Your message was not sent: several messages came from your connection in a short "
                "time. Please wait a while and send it again; your text is below."
            ),
            429,
        )
        retry = getattr(error, "retry_after", None)
        if retry:
            response.headers["Retry-After"] = str(int(retry))
        return response
    return render_template("errors/error.html", error=error, code=429), 429


@public_bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
    """A body far beyond any real message: refuse it with a page that says what the limit is."""
    case = public_case((request.view_args or {}).get("slug"))
    page = render_template("messages/too_large.html", case=case, max_length=MESSAGE_MAX_LENGTH)
    return page, 413


# -- moderation and delivery (organisers) -----------------------------------------------------


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
    case_id = request.args.get("case", type=record_id)
    if case_id is not None:
        filters["case"] = str(case_id)
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


def _queue_address(target: str, default: str | None = None) -> str:
    """*target* if it is an address of the queue in this request's language (a page of it, with
    its filters and cursor), else *default* (the queue's first page): a ``next`` leads nowhere
    else."""
    queue = url_for("messages.queue")
    if not target.startswith(queue) or "//" in target or "\\" in target or "#" in target:
        return default or queue
    return target


def _back_to_queue(anchor: int | str | None = None) -> Response:
    """Return to the queue page the organiser came from (only ever a queue URL), opened where
    the message before *anchor* was decided, if given ("end": the page's last message), where
    the queue says what was done."""
    target = _queue_address(request.form.get("next", ""))
    if anchor is not None:
        target = f"{target}#decided"
    return redirect(target)


@bp.get("/")
@allow(*ORGANISERS)
def queue() -> str:
    """Messages across cases, the longest waiting first, with filters and bulk decisions."""
    filters = _queue_filters()
    chosen = queries.QueueFilter(
        state=filters["state"],
        case_id=int(filters["case"]) if "case" in filters else None,
        language=filters.get("language"),
        country=filters.get("country"),
    )
    after = request.args.get("after", "")[:64] or None
    found = queries.queue_page(chosen, after)
    flash_at = session.pop(FLASH_AT_KEY, None)
    choices = queries.queue_choices()
    return render_template(
        "messages/queue.html",
        messages=found.messages,
        filters=filters,
        found=found,
        paged=found.before > 0,
        cases=choices.cases,
        languages=choices.languages,
        countries=choices.countries,
        states=list(MessageState),
        same_sender=found.same_sender,
        flash_at=flash_at if isinstance(flash_at, int) or flash_at == "end" else None,
    )


def _seen_states(ids: list[int]) -> dict[int, MessageState]:
    """The state the organiser saw each message in, as the queue page wrote it (``seen-<id>``):
    a decision on a message someone else decided since is refused, not laid over theirs."""
    seen = {}
    for message_id in ids:
        try:
            seen[message_id] = MessageState(request.form.get(f"seen-{message_id}", ""))
        except ValueError:
            continue  # not from the queue page (or altered): decided as before
    return seen


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
    state = _action_state()
    decisions = services.decide_many([message.id], state, acting_user(), _seen_states([message.id]))
    db.session.commit()
    anchor: int | str | None = request.args.get("then", type=record_id)
    if anchor is None and request.args.get("then") == "end":
        anchor = "end"
    if anchor is not None:
        session[FLASH_AT_KEY] = anchor  # the queue says what was done there
    summary = labels.message_summary(message)
    if decisions.changed:
        flash(
            _("%(message)s: %(state)s.", message=summary, state=labels.decision_label(message)),
            "success",
        )
    else:
        reason = labels.refusal(decisions.refused[0])
        flash(
            _("%(message)s was not changed: %(reason)s.", message=summary, reason=reason), "warning"
        )
    return _back_to_queue(anchor)


@bp.post("/bulk")
@allow(*ORGANISERS)
def bulk() -> Response:
    """The same decision for every ticked message."""
    ids = list(dict.fromkeys(request.form.getlist("ids", type=record_id)))
    if not ids:
        flash(_("Tick at least one message first."), "warning")
        return _back_to_queue()
    if len(ids) > queries.QUEUE_PAGE_SIZE:
        # More than one page of the queue holds: a crafted post (PostgreSQL would refuse the
        # query past 65,535 ids with an error).
        flash(
            _("Tick at most %(count)d messages at once.", count=queries.QUEUE_PAGE_SIZE),
            "warning",
        )
        return _back_to_queue()
    state = _action_state()
    decisions = services.decide_many(ids, state, acting_user(), _seen_states(ids))
    db.session.commit()
    flash(
        labels.outcome(state, decisions),
        "warning" if decisions.refused or decisions.missing or not decisions.changed else "success",
    )
    return _back_to_queue()


@bp.route("/<int:message_id>/edit", methods=["GET", "POST"])
@allow(*ORGANISERS)
def edit(message_id: int) -> Response | tuple[str, int]:
    """A safety edit of a message's text, with the old and new text kept in the audit trail."""
    message = get_message(message_id)
    # The queue page the organiser came from (its filters and page: the link carries it), where
    # saving or cancelling leads back to, at the message; without one, the case's messages.
    sent = request.form if request.method == "POST" else request.args
    back = _queue_address(
        sent.get("next", ""), default=url_for("messages.queue", state="all", case=message.case_id)
    )
    form = SafetyEditForm(obj=message)
    if form.validate_on_submit():
        if services.safety_edit(message, str(form.body.data), acting_user()):
            db.session.commit()
            flash(_("The message was edited; the change is in the history."), "success")
        else:
            flash(_("Nothing changed."), "info")
        return redirect(f"{back}#message-{message.id}")
    status = 400 if form.errors else 200
    page = render_template("messages/edit.html", message=message, form=form, back=back)
    return page, status


@bp.get("/packs")
@allow(*ORGANISERS)
def packs() -> str:
    """Delivery packs (those delivered a page at a time), and the cases with approved
    messages (private ones too) ready for one."""
    overview = queries.packs_overview(request.args.get("page", 1, type=page_number))
    return render_template("messages/packs.html", overview=overview)


@bp.post("/packs/new")
@allow(*ORGANISERS)
def new_pack() -> Response:
    """Build a pack of a case's approved, undelivered messages, private ones included."""
    case_id = request.form.get("case_id", type=record_id)
    case = db.session.get(Case, case_id) if case_id is not None else None
    if case is None:
        abort(404)
    try:
        built = services.build_pack(
            case, acting_user(), size=current_app.config["DELIVERY_PACK_SIZE"]
        )
    except services.NothingToDeliver:
        flash(_("No approved messages are waiting for delivery for this case."), "warning")
        return redirect(url_for("messages.packs"))
    db.session.commit()
    if built.left:
        flash(
            ngettext(
                "The pack is ready to print: the %(packed)s oldest messages. %(left)s more waits "
                "for the next pack.",
                "The pack is ready to print: the %(packed)s oldest messages. %(left)s more wait "
                "for the next pack.",
                built.left,
                packed=format_decimal(built.packed),
                left=format_decimal(built.left),
            ),
            "success",
        )
    else:
        flash(_("The pack is ready to print."), "success")
    return redirect(url_for("messages.pack", pack_id=built.pack.id))


def _delivered_form(pack: DeliveryPack, **data: object) -> DeliveredForm:
    """The delivery form: no date in the future, nor long before the pack was built."""
    return DeliveredForm(
        earliest=delivery.earliest_delivery_date(pack),
        latest=delivery.latest_delivery_date(),
        **data,
    )


def _render_pack(pack: DeliveryPack, form: DeliveredForm, status: int = 200) -> tuple[str, int]:
    page = render_template(
        "messages/pack.html",
        pack=pack,
        messages=delivery.pack_messages(pack),
        form=form,
        latest=delivery.latest_delivery_date(),
    )
    return page, status


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
        # A pack marked not delivered keeps its note (and what it held of the method): the form
        # starts from them, so marking it delivered again does not erase them.
        form = _delivered_form(
            pack,
            method=pack.method.value if pack.method else DeliveryMethod.POST.value,
            delivered_on=today_utc(),
            note=pack.note,
        )
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
    done = services.mark_delivered(
        pack,
        DeliveryMethod(form.method.data),
        form.delivered_on.data or today_utc(),
        form.note.data,
    )
    db.session.commit()
    if correction:
        message = _("The delivery record was corrected.") if done.changed else _("Nothing changed.")
    else:
        message = ngettext(
            "%(count)s message marked delivered.",
            "%(count)s messages marked delivered.",
            done.delivered,
            count=format_decimal(done.delivered),
        )
    flash(message, "success")
    return redirect(url_for("messages.pack", pack_id=pack.id))


@bp.post("/packs/<int:pack_id>/not-delivered")
@allow(*ORGANISERS)
def mark_not_delivered(pack_id: int) -> Response:
    """Undo a delivery recorded by mistake: the pack and its messages wait for delivery again."""
    pack = get_pack(pack_id)
    try:
        waiting = services.mark_not_delivered(pack)
    except services.NotDelivered:
        flash(_("This pack is not marked delivered."), "warning")
        return redirect(url_for("messages.pack", pack_id=pack.id))
    db.session.commit()
    flash(
        ngettext(
            "The pack is marked not delivered; its %(count)s message waits for delivery again.",
            "The pack is marked not delivered; its %(count)s messages wait for delivery again.",
            waiting,
            count=format_decimal(waiting),
        ),
        "success",
    )
    return redirect(url_for("messages.pack", pack_id=pack.id))
