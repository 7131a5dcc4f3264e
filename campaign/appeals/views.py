"""Appeals: the public "write a letter" page, its "I sent a letter" confirmation and the
letter-writing evening (public, blueprint ``letters``); writing, opening and closing appeals and
recording responses (organisers, blueprint ``appeals`` under /manage/appeals).

The letter page is a shared page (cached for everyone): it carries no form token. Its "I sent a
letter" button is a link to a small page of its own, which carries the CSRF and timing tokens
and is never cached. An appeal goes round when it is urgent, so the page most people read stays
cheap; only those who wrote open the second one.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response

from campaign.appeals import labels, queries, services
from campaign.appeals import updates as _updates  # noqa: F401  # registers appeals as case updates
from campaign.appeals.forms import (
    AppealForm,
    LetterSentForm,
    ResponseForm,
    StateForm,
    chosen_language,
    state_choices,
)
from campaign.cases.queries import visible_case_or_404
from campaign.content.labels import unknown_language
from campaign.extensions import db, limiter
from campaign.messages import spam
from campaign.models import Appeal, AppealResponse, AppealState, AuthorityRole, Case, ResponseKind
from campaign.util.dates import today_utc
from campaign.web.access import ORGANISERS, acting_user, allow
from campaign.web.caching import is_staff, shared_page
from campaign.web.clients import client_key
from campaign.web.routing import record_id

public_bp = Blueprint("letters", __name__)
bp = Blueprint("appeals", __name__, url_prefix="/manage/appeals")


def _is_number(text: str) -> bool:
    """Whether *text* is a row id: ASCII digits (str.isdigit() also takes "²", which int() does
    not), few enough for the database's integer."""
    return text.isascii() and text.isdigit() and len(text) < 10


logger = logging.getLogger(__name__)

# A supporter who wrote a letter confirms with one click: a second is human enough, and faster
# than a bot that posts the moment it has the page.
LETTER_FORM_MIN_SECONDS = 1.0

public_bp.add_app_template_global(queries.case_appeals, "case_appeals")
public_bp.add_app_template_global(queries.standings, "appeal_standings")
public_bp.add_app_template_global(queries.past_deadline_without_reply, "appeal_no_reply")
public_bp.add_app_template_filter(labels.language_name, "appeal_language")
bp.add_app_template_global(queries.due_appeals, "appeals_due")
bp.add_app_template_global(today_utc, "today_for_appeals")
bp.add_app_template_filter(labels.reason_label, "due_reason")


# -- public: the letter page, "I sent a letter", the letter-writing evening ------------------


def _case_and_appeal(slug: str, appeal_id: int) -> tuple[Case, Appeal]:
    staff = is_staff()
    case = visible_case_or_404(slug, staff=staff)
    return case, queries.appeal_of_case_or_404(case, appeal_id, staff=staff)


@public_bp.get("/cases/<slug>/appeals/<int:appeal_id>")
@shared_page()
def appeal(slug: str, appeal_id: int) -> str:
    """Write a letter: what is asked and why, the addresses, the sample letter to copy or print."""
    case, found = _case_and_appeal(slug, appeal_id)
    today = today_utc()
    staff = is_staff()
    return render_template(
        "appeals/letter.html",
        case=case,
        appeal=found,
        standings=queries.standings(found, today, staff=staff),
        responses=[r for r in found.responses if queries.response_shown(r, staff=staff)],
        no_reply=queries.past_deadline_without_reply(found, today),
        letters=queries.letters_reported([found.id])[found.id],
        today=today,
    )


def _letter_limit() -> str:
    return str(current_app.config["APPEAL_LETTER_LIMIT"])


def _sent_page(
    case: Case, found: Appeal, form: LetterSentForm, problem: str | None = None, status: int = 200
) -> Response:
    """The confirmation page: it carries this visitor's tokens, so no cache may keep it."""
    if not form.form_token.data:
        form.form_token.data = spam.issue_form_token()
    page = render_template(
        "appeals/sent.html",
        case=case,
        appeal=found,
        form=form,
        problem=problem,
        letters=queries.letters_reported([found.id])[found.id],
    )
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@public_bp.route("/cases/<slug>/appeals/<int:appeal_id>/sent", methods=["GET", "POST"])
@limiter.limit(_letter_limit, methods=["POST"], scope="appeal-letters")
def sent(slug: str, appeal_id: int) -> Response:
    """ "I sent a letter": counted once per client and day, nothing about the sender kept."""
    case, found = _case_and_appeal(slug, appeal_id)
    form = LetterSentForm()
    if request.method != "POST":
        return _sent_page(case, found, form)
    if found.state != AppealState.OPEN:
        return _sent_page(case, found, form, _("This appeal is no longer open."), 400)
    if spam.honeypot_filled(request.form.get("website")):
        form.website.data = ""
        problem = _("Not counted: the field marked “leave this field empty” was filled in.")
        return _sent_page(case, found, form, problem, 400)
    check = spam.check_form_token(form.form_token.data, min_seconds=LETTER_FORM_MIN_SECONDS)
    if not check.ok:
        form.form_token.data = spam.issue_form_token()
        problem = _("Not counted yet: the page was too quick or had expired. Please press again.")
        return _sent_page(case, found, form, problem, 400)
    counted = services.report_letter(found, client_hash=client_key(), today=today_utc())
    db.session.commit()
    if counted:
        logger.info("a letter was reported for appeal %s", found.id)
        flash(_("Thank you: your letter is counted."), "success")
    else:
        flash(_("Thank you: your letter was already counted today."), "success")
    return redirect(url_for("letters.sent", slug=case.slug, appeal_id=found.id))


@public_bp.errorhandler(CSRFError)
def csrf_failed(error: CSRFError) -> Response | tuple[str, int]:
    """An expired page (or a blocked cookie) asks to press again, on the same page."""
    if request.endpoint == "letters.sent" and request.view_args:
        case, found = _case_and_appeal(
            str(request.view_args["slug"]), int(request.view_args["appeal_id"])
        )
        form = LetterSentForm(formdata=None)
        problem = _(
            "Not counted yet: the page had expired (or your browser blocked our cookie). "
            "Please press again."
        )
        return _sent_page(case, found, form, problem, 400)
    return render_template("errors/error.html", error=error, code=400), 400


@public_bp.get("/letters")
@shared_page()
def evening() -> str:
    """A letter-writing evening: who can receive letters now, fewest messages lately first, with
    a card to print for each."""
    return render_template(
        "appeals/evening.html",
        cards=queries.letter_evening(today_utc()),
        lately=queries.LATELY_DAYS,
    )


# -- staff: appeals, their state and responses -------------------------------------------------


def get_appeal(appeal_id: int) -> Appeal:
    """Load an appeal or 404. Every organiser may run every appeal, so no further check."""
    found = queries.get_appeal(appeal_id)
    if found is None:
        abort(404)
    return found


def _appeal_form(appeal: Appeal | None = None, **kwargs: Any) -> AppealForm:
    form = AppealForm(**kwargs)
    form.cases.choices = (
        queries.case_choices(c.id for c in appeal.cases) if appeal else (queries.case_choices())
    )
    return form


def _appeal_data(form: AppealForm) -> services.AppealData:
    """The checked form as plain values for the service."""
    chosen = [int(c) for c in form.cases.data or []]
    cases = [c for c in (db.session.get(Case, cid) for cid in chosen) if c is not None]
    return services.AppealData(
        title=str(form.title.data or ""),
        asked=str(form.asked.data or ""),
        deadline=form.deadline.data,
        follow_up_on=form.follow_up_on.data,
        outcome=form.outcome.data or None,
        original_language=chosen_language(form.original_language),
        cases=cases,
        targets=[
            services.TargetData(
                name=str(e.form.name.data or ""),
                role=AuthorityRole(e.form.role.data or AuthorityRole.OTHER.value),
                postal_address=e.form.postal_address.data or None,
                email=e.form.email.data or None,
            )
            for e in form.targets
        ],
        letters=[
            services.LetterData(
                language=str(e.form.language.data or ""), text=str(e.form.text.data or "")
            )
            for e in form.letters
        ],
    )


def _language_problem(error: services.UnknownLanguage) -> str:
    """What is wrong with the language a text is said to be in, as for a case or an event."""
    return unknown_language(error.language)


def _show_error(form: AppealForm, error: services.AppealError) -> None:
    """Put a domain error next to the field it concerns."""
    messages = {
        services.DeadlineInPast: _("The deadline has passed already: choose a later day."),
        services.NoCases: _("Choose at least one case."),
        services.NoTargets: _("Name at least one authority to write to."),
    }
    if isinstance(error, services.UnknownLanguage):
        message = _language_problem(error)
    else:
        message = messages.get(type(error), _("This could not be saved."))
    field = form.targets[0].form.name if isinstance(error, services.NoTargets) else None
    field = field or getattr(form, error.field, None) or form.title
    field.errors = [*field.errors, message]


@bp.get("/")
@allow(*ORGANISERS)
def index() -> str:
    """Every appeal: drafts and open ones first, with their deadlines and responses."""
    state_value = request.args.get("state", "")
    state = AppealState(state_value) if state_value in set(AppealState) else None
    appeals = queries.staff_list(state)
    return render_template(
        "appeals/index.html",
        appeals=appeals,
        state=state,
        states=list(AppealState),
        letters=queries.letters_reported(a.id for a in appeals),
        due={d.appeal.id: d for d in queries.due_appeals(today_utc())},
        today=today_utc(),
    )


@bp.route("/new", methods=["GET", "POST"])
@allow(*ORGANISERS)
def new() -> Response | tuple[str, int]:
    """Write a new appeal; it is saved as a draft, seen by nobody outside the staff."""
    case_id = request.args.get("case", type=record_id)
    form = _appeal_form(data={"cases": [case_id]} if case_id and not request.form else None)
    if form.validate_on_submit():
        try:
            created = services.create_appeal(_appeal_data(form), acting_user(), today=today_utc())
        except services.AppealError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("The appeal was saved as a draft. Open it when it is ready."), "success")
            return redirect(url_for("appeals.detail", appeal_id=created.id))
    status = 400 if request.method == "POST" else 200
    return render_template("appeals/form.html", form=form, appeal=None), status


@bp.route("/<int:appeal_id>/edit", methods=["GET", "POST"])
@allow(*ORGANISERS)
def edit(appeal_id: int) -> Response | tuple[str, int]:
    """Change an appeal's text, cases, authorities, letters and dates."""
    found = get_appeal(appeal_id)
    if request.method == "POST":
        form = _appeal_form(found)
    else:
        form = _appeal_form(found, obj=found)
        form.cases.data = [c.id for c in found.cases]
        _fill_rows(form, found)
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.update_appeal(found, _appeal_data(form), acting_user(), today=today_utc())
        except services.AppealError as error:
            db.session.rollback()
            found = get_appeal(appeal_id)
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("The appeal was saved."), "success")
            return redirect(url_for("appeals.detail", appeal_id=found.id))
    status = 400 if request.method == "POST" else 200
    return render_template("appeals/form.html", form=form, appeal=found), status


def _fill_rows(form: AppealForm, found: Appeal) -> None:
    """The form's authority and letter lines from the appeal, with empty lines to add more."""
    while len(form.targets) < len(found.targets) + 1:
        form.targets.append_entry()
    for entry, target in zip(form.targets, found.targets, strict=False):
        entry.form.name.data = target.name
        entry.form.role.data = target.role.value
        entry.form.postal_address.data = target.postal_address
        entry.form.email.data = target.email
    while len(form.letters) < len(found.letters) + 1:
        form.letters.append_entry()
    choices = form.letters[0].form.language.choices
    for entry in form.letters:
        entry.form.language.choices = choices
    for entry, letter in zip(form.letters, found.letters, strict=False):
        entry.form.language.data = letter.language
        entry.form.text.data = letter.text


def _response_form(found: Appeal, **kwargs: Any) -> ResponseForm:
    form = ResponseForm(**kwargs)
    form.target.choices = [
        ("", _("The appeal as a whole")),
        *[(str(t.id), t.name) for t in found.targets],
    ]
    return form


def _detail(
    found: Appeal,
    response_form: ResponseForm | None = None,
    state_error: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    today = today_utc()
    if response_form is None:
        response_form = _response_form(
            found, data={"received_on": today, "original_language": found.original_language}
        )
    page = render_template(
        "appeals/detail.html",
        appeal=found,
        response_form=response_form,
        state_form=StateForm(),
        states=state_choices(),
        state_error=state_error,
        standings=queries.standings(found, today, staff=True),
        no_reply=queries.past_deadline_without_reply(found, today),
        letters=queries.letters_reported([found.id])[found.id],
        today=today,
    )
    return page, status


@bp.get("/<int:appeal_id>")
@allow(*ORGANISERS)
def detail(appeal_id: int) -> tuple[str, int]:
    """An appeal as staff see it: its state, authorities, responses and the letters counted."""
    return _detail(get_appeal(appeal_id))


@bp.post("/<int:appeal_id>/state")
@allow(*ORGANISERS)
def change_state(appeal_id: int) -> Response | tuple[str, int]:
    """Open, mark answered, close, or take back to draft."""
    found = get_appeal(appeal_id)
    try:
        done = services.set_state(
            found, request.form.get("state", ""), acting_user(), today=today_utc()
        )
    except services.UnknownState:
        return _detail(found, state_error=_("Choose one of the states below."), status=400)
    db.session.commit()
    if done.changed:
        flash(_("The appeal is now: %(state)s.", state=done.state.label), "success")
    return redirect(url_for("appeals.detail", appeal_id=found.id))


@bp.post("/<int:appeal_id>/responses")
@allow(*ORGANISERS)
def respond(appeal_id: int) -> Response | tuple[str, int]:
    """Record an authority's response (or that none came)."""
    found = get_appeal(appeal_id)
    form = _response_form(found)
    if not form.validate_on_submit():
        return _detail(found, form, status=400)
    target = form.target.data or ""
    data = services.ResponseData(
        received_on=form.received_on.data,
        kind=ResponseKind(form.kind.data),
        text=form.text.data or None,
        target_id=int(target) if _is_number(target) else None,
        source_title=form.source_title.data or None,
        source_url=form.source_url.data or None,
        published=bool(form.published.data),
        original_language=chosen_language(form.original_language),
    )
    try:
        services.record_response(found, data, acting_user(), today=today_utc())
    except services.AppealError as error:
        db.session.rollback()
        found = get_appeal(appeal_id)
        messages = {
            services.ResponseBeforeAppeal: _(
                "This is before the appeal was opened (%(day)s): check the date.",
                day=found.starts_on.isoformat(),
            ),
            services.ResponseInFuture: _("This date is in the future: give the day it arrived."),
            services.DraftHasNoResponses: _("Open the appeal first: a draft was sent to nobody."),
            services.UnknownTarget: _("Choose one of this appeal's authorities."),
        }
        field = getattr(form, error.field, form.received_on)
        if isinstance(error, services.UnknownLanguage):
            message = _language_problem(error)
        else:
            message = messages.get(type(error), _("This could not be saved."))
        field.errors = [*field.errors, message]
        return _detail(found, form, status=400)
    db.session.commit()
    flash(_("The response was recorded."), "success")
    return redirect(url_for("appeals.detail", appeal_id=found.id))


@bp.post("/<int:appeal_id>/responses/<int:response_id>/publish")
@allow(*ORGANISERS)
def publish_response(appeal_id: int, response_id: int) -> Response:
    """Show a response on the public pages, or take it off them."""
    found = get_appeal(appeal_id)
    response = db.session.get(AppealResponse, response_id)
    if response is None or response.appeal_id != found.id:
        abort(404)
    published = request.form.get("published") == "1"
    if services.set_response_published(response, published):
        db.session.commit()
        flash(
            _("The response is on the public pages.")
            if published
            else _("The response is for staff only."),
            "success",
        )
    return redirect(url_for("appeals.detail", appeal_id=found.id))
