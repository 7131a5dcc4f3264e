"""Supporters' messages: the public form, the confirmation, the wall of solidarity, withdrawal."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from babel import Locale
from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from campaign import audit, delivery, spam
from campaign.extensions import db, limiter
from campaign.models import AuditAction, Case, Message, MessageState
from campaign.public.views import get_visible_case
from campaign.support import mail, summary
from campaign.support.forms import MESSAGE_MAX_LENGTH, SupportForm, WithdrawForm
from campaign.util.privacy import keyed_hash

bp = Blueprint("support", __name__)
logger = logging.getLogger(__name__)

SENT_KEY = "support_sent"
WALL_PAGE_SIZE = 50
# The whole form is a few kilobytes: anything far larger is refused before it is parsed.
DEFAULT_MAX_BODY_BYTES = 64 * 1024
DEFAULT_ATTEMPT_LIMIT = "60 per 10 minutes"
# A letter-writing evening on one Wi-Fi, or supporters behind Tor, share one address: the limit
# only stops floods; the duplicate check and moderation are the real filters.
DEFAULT_SEND_LIMIT = "20 per 10 minutes;200 per day"

bp.add_app_template_global(summary.support_summary, "support_summary")
bp.add_app_template_global(summary.latest_messages, "support_latest_messages")
bp.add_app_template_global(summary.messages_by_day, "support_messages_by_day")


@bp.app_template_filter("language_name")
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


@bp.url_value_preprocessor
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
            "support/new.html",
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


@bp.route("/cases/<slug>/support", methods=["GET", "POST"])
@limiter.limit(_attempt_limit, methods=["POST"], scope="support-attempts")
@limiter.limit(_send_limit, methods=["POST"], deduct_when=_counts_as_sent, scope="support-sent")
def new(slug: str) -> Response | tuple[str, int]:
    """The form for a message of support; a message is stored exactly once or the sender is told."""
    case = get_visible_case(slug)
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
    db.session.add(message)
    try:
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


@bp.get("/cases/<slug>/support/sent")
def sent(slug: str) -> Response:
    """What happens next, with the sender's own message and the link to withdraw it."""
    case = get_visible_case(slug)
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
            "support/sent.html",
            case=case,
            message=message,
            withdraw_url=withdraw_url,
            mailed=mailed,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/cases/<slug>/messages")
def wall(slug: str) -> str:
    """The wall of solidarity: a case's published messages, newest first."""
    case = get_visible_case(slug)
    page = request.args.get("page", 1, type=int) or 1
    page = max(page, 1)
    messages = summary.published_messages(
        case.id, limit=WALL_PAGE_SIZE + 1, offset=(page - 1) * WALL_PAGE_SIZE
    )
    has_next = len(messages) > WALL_PAGE_SIZE
    return render_template(
        "support/wall.html",
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


@bp.route("/support/withdraw/<token>", methods=["GET", "POST"])
def withdraw(token: str) -> Response | str:
    """Let a supporter withdraw their message: GET asks for confirmation, POST withdraws."""
    message = get_message_by_token(token)
    form = WithdrawForm()
    if request.method == "POST" and form.validate_on_submit():
        if message.state != MessageState.WITHDRAWN:
            message.state = MessageState.WITHDRAWN
            if message.email is not None:
                message.email = None
                message.email_erased_at = datetime.now(UTC)
            delivery.release_from_open_pack(message)
            changes = audit.pending_changes(message)
            audit.record(AuditAction.UPDATE, message, changes, actor_label="supporter")
            db.session.commit()
        return redirect(url_for("support.withdraw", token=token))
    response = make_response(render_template("support/withdraw.html", message=message, form=form))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.errorhandler(CSRFError)
def csrf_failed(error: CSRFError) -> Response | tuple[str, int]:
    """An expired session must not lose the message: show the form again with what was typed."""
    if request.endpoint == "support.new" and request.view_args:
        case = get_visible_case(str(request.view_args["slug"]))
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
                "support/withdraw.html",
                message=message,
                form=WithdrawForm(),
                problem=_("The page had expired. Please confirm again."),
            ),
            400,
        )
    return render_template("errors/error.html", error=error, code=400), 400


@bp.errorhandler(RateLimitExceeded)
def too_many(error: RateLimitExceeded) -> Response | tuple[str, int]:
    """Too many messages from one place: say so, keep the text, and say it was not sent."""
    if request.endpoint == "support.new" and request.view_args:
        case = get_visible_case(str(request.view_args["slug"]))
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


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
    """A body far beyond any real message: refuse it with a page that says what the limit is."""
    slug = (request.view_args or {}).get("slug")
    case = db.session.scalar(
        sa.select(Case).where(
            Case.slug == slug, Case.published.is_(True), Case.archived_at.is_(None)
        )
    )
    return (
        render_template("support/too_large.html", case=case, max_length=MESSAGE_MAX_LENGTH),
        413,
    )
