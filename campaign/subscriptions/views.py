"""Following a case by e-mail (public, blueprint ``subscriptions``): the form on a page of its
own (the case page is a shared, cached page without form tokens), the confirmation link, and
the leave link that mail programs POST to (RFC 8058).

None of these pages is a shared page: they carry a form token or depend on a link's token.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from campaign.cases.queries import visible_case_or_404
from campaign.extensions import csrf, db, limiter
from campaign.models import Case
from campaign.outbox.sending import is_configured
from campaign.subscriptions import queries, services
from campaign.subscriptions.forms import ButtonForm, FollowForm
from campaign.web.caching import is_staff
from campaign.web.inputs import reads_unreadable_text

public_bp = Blueprint("subscriptions", __name__)
logger = logging.getLogger(__name__)

public_bp.add_app_template_global(is_configured, "mail_configured")
public_bp.add_app_template_global(queries.subscriber_counts, "subscriber_counts")


def _request_limit() -> str:
    return str(current_app.config["SUBSCRIPTION_REQUEST_LIMIT"])


def _page(template: str, status: int = 200, **context: object) -> Response:
    """A page that no cache may keep (it carries a form token or a link's answer)."""
    response = make_response(render_template(template, **context), status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _followable_case(slug: str) -> Case:
    """The case, if the visitor may see it and e-mail can be sent at all; else 404."""
    if not is_configured():
        raise NotFound()
    return visible_case_or_404(slug, staff=is_staff())


@public_bp.route("/cases/<slug>/follow", methods=["GET", "POST"])
@reads_unreadable_text
@limiter.limit(_request_limit, methods=["POST"], scope="subscription-requests")
def follow(slug: str) -> Response:
    """The form: an address and how often. Every accepted request gets the same answer."""
    case = _followable_case(slug)
    form = FollowForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return _page("subscriptions/follow.html", status, case=case, form=form)
    try:
        services.subscribe(
            case,
            str(form.email.data),
            str(form.frequency.data),
            str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]),
        )
        db.session.commit()
    except sa.exc.IntegrityError:
        # The same address for the same case in two requests at once: the other one won, and
        # sent the link; this one answers the same.
        db.session.rollback()
    return redirect(url_for("subscriptions.requested", slug=case.slug))


@public_bp.get("/cases/<slug>/follow/sent")
def requested(slug: str) -> Response:
    """The same answer whatever the address: no one learns who follows what."""
    return _page("subscriptions/requested.html", case=_followable_case(slug))


def _link_problem(error: Exception) -> tuple[str, int]:
    """What to tell about a link that does not work, and the status that says it."""
    if isinstance(error, services.LinkExpired):
        return (
            _(
                "This confirmation link has expired. Ask again on the case page: "
                "a new link will be sent."
            ),
            400,
        )
    if isinstance(error, services.LinkUsed):
        return (
            _("This link was already used, or a newer one replaced it. Nothing was changed."),
            410,
        )
    return (
        _("This link is not valid: it may have been cut short. Nothing was changed."),
        400,
    )


_LINK_ERRORS = (services.LinkInvalid, services.LinkExpired, services.LinkUsed)


@public_bp.route("/subscriptions/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str) -> Response:
    """GET shows a button (link checkers open links too); POST confirms, once."""
    try:
        subscription = services.pending_confirmation(token)
    except _LINK_ERRORS as error:
        problem, status = _link_problem(error)
        return _page("subscriptions/confirm.html", status, problem=problem)
    case = db.session.get(Case, subscription.case_id)
    form = ButtonForm()
    if form.validate_on_submit():
        services.confirm(token)
        db.session.commit()
        return redirect(url_for("subscriptions.confirmed"))
    return _page("subscriptions/confirm.html", case=case, form=form, token=token)


@public_bp.get("/subscriptions/confirmed")
def confirmed() -> Response:
    """Where a confirmation ends (Post/Redirect/Get)."""
    return _page("subscriptions/confirmed.html")


@public_bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str) -> Response:
    """Leave a case's e-mails. GET shows a button; any POST unsubscribes at once, without a
    CSRF token or a cookie, as RFC 8058's one-click "List-Unsubscribe=One-Click" requires (the
    token in the address is the authority). Leaving twice is no error."""
    try:
        subscription = services.subscription_to_leave(token)
    except services.LinkUsed:
        return _page("subscriptions/unsubscribe.html", done=True, case=None)
    except services.LinkInvalid as error:
        problem, status = _link_problem(error)
        return _page("subscriptions/unsubscribe.html", status, problem=problem)
    case = db.session.get(Case, subscription.case_id)
    if request.method == "POST":
        services.unsubscribe(token)
        db.session.commit()
        return _page("subscriptions/unsubscribe.html", done=True, case=case)
    return _page("subscriptions/unsubscribe.html", case=case, token=token)


@public_bp.errorhandler(RateLimitExceeded)
def too_many(error: RateLimitExceeded) -> Response:
    """Too many requests from one place: say so plainly."""
    return _page(
        "errors/error.html",
        429,
        error=error,
        code=429,
    )
