"""Staff views of cases: list, create, edit, portrait, publish, archive, links, data exports."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from campaign.cases import counters, export, queries, services
from campaign.cases.forms import CaseForm, PortraitForm
from campaign.cases.labels import case_choice_label, case_labels
from campaign.errors import EditConflict
from campaign.events.queries import case_events_of_types, case_events_page
from campaign.extensions import db
from campaign.history.queries import changes_since
from campaign.models import Case, CaseStatus, DatePrecision, EventType, Role
from campaign.photos import images
from campaign.photos import services as photos
from campaign.util.countries import country_choices
from campaign.util.dates import today_utc
from campaign.util.spreadsheets import to_csv
from campaign.web.access import ORGANISERS, STAFF, acting_user, allow
from campaign.web.fields import as_choices, field_labels, loaded_version, mark_clashes
from campaign.web.routing import page_number

bp = Blueprint("cases", __name__, url_prefix="/manage/cases")
# The events the staff view of a case reads besides its page of events: arrests (checked against
# the case's arrest date) and what the day counters count from (campaign.cases.counters).
COUNTER_TYPES = (
    EventType.ARREST,
    EventType.HUNGER_STRIKE_START,
    EventType.HUNGER_STRIKE_END,
    EventType.RELEASE,
)
# Staff templates name cases in lists the same way the forms do.
bp.add_app_template_global(case_labels)
bp.add_app_template_global(case_choice_label)
bp.add_app_template_global(queries.cases_in_custody, "cases_in_custody")
bp.add_app_template_global(queries.cases_on_hunger_strike, "cases_on_hunger_strike")
bp.add_app_template_global(queries.case_on_hunger_strike, "case_on_hunger_strike")
logger = logging.getLogger(__name__)

# Exports hold internal notes and supporters' messages: no cache anywhere may keep a copy.
EXPORT_CACHE = "private, no-store"
# Fields shown in the form as the case holds them (the others need converting).
SIMPLE_FIELDS = (
    "person_name",
    "person_name_original",
    "occupation",
    "affiliation",
    "city",
    "charges",
    "legal_article",
    "court",
    "judge",
    "sentence",
    "expected_release",
    "released_on",
    "detention_place",
    "detention_address",
    "detention_address_public",
    "summary",
    "internal_notes",
    "arrest_date",
    "arrest_date_approximate",
)


def load_case(case_id: int, *, manage: bool = False) -> Case:
    """Load a case or 404; then, when *manage*, 403 unless the user may change cases.

    Every staff member may read a case; only organisers and admins create, edit, publish or
    archive one (the views say so with ``@allow`` too: this is the second lock).
    """
    case = db.get_or_404(Case, case_id)
    if manage and not current_user.has_role(Role.ORGANISER):
        abort(403)
    return case


# The list's filters as they are when nobody chose: left out of the pager's links.
_LIST_DEFAULTS = {("show", "open"), ("sort", "name")}


@bp.get("/")
@allow(*STAFF)
def index() -> str:
    """Cases, sorted and filtered by status, country and archive state."""
    status = request.args.get("status", "")
    country = (request.args.get("country") or "").upper()
    shown = request.args.get("show", "open")
    shown = shown if shown in {"archived", "all"} else "open"
    sort = request.args.get("sort", "name")
    sort = sort if sort in queries.SORTS else "name"
    page = queries.case_list(
        status=CaseStatus(status) if status in {s.value for s in CaseStatus} else None,
        country=country or None,
        shown=shown,
        sort=sort,
        page=request.args.get("page", 1, type=page_number),
    )
    cases = page.items
    used = queries.used_countries()
    filters = {"status": status, "country": country, "show": shown, "sort": sort}
    return render_template(
        "cases/index.html",
        cases=cases,
        page=page,
        args={k: v for k, v in filters.items() if v and (k, v) not in _LIST_DEFAULTS},
        today=today_utc(),
        days=counters.days_in_detention,
        statuses=CaseStatus.choices(),
        striking=queries.cases_on_hunger_strike([c.id for c in cases]),
        filters=filters,
        countries=[(code, name) for code, name in country_choices() if code in used],
    )


def _record(form: CaseForm) -> services.CaseRecord:
    """The case as the form describes it, in plain values."""
    return services.CaseRecord(
        person_name=form.person_name.data or "",
        slug=form.slug.data or None,
        person_name_original=form.person_name_original.data,
        occupation=form.occupation.data,
        affiliation=form.affiliation.data,
        country=form.country.data or None,
        city=form.city.data,
        status=CaseStatus(form.status.data),
        arrest_date=form.arrest_date.data,
        arrest_date_precision=DatePrecision(form.arrest_date_precision.data),
        arrest_date_approximate=bool(form.arrest_date_approximate.data),
        charges=form.charges.data,
        legal_article=form.legal_article.data,
        court=form.court.data,
        judge=form.judge.data,
        sentence=form.sentence.data,
        expected_release=form.expected_release.data,
        released_on=form.released_on.data,
        detention_place=form.detention_place.data,
        detention_address=form.detention_address.data,
        detention_address_public=bool(form.detention_address_public.data),
        summary=form.summary.data,
        internal_notes=form.internal_notes.data,
        related_ids=list(form.related.data or []),
    )


def _prefill(form: CaseForm, case: Case) -> None:
    """Show an existing case in the form (GET)."""
    _show(form, services.record_of(case), case)


def _show(form: CaseForm, record: services.CaseRecord, case: Case) -> None:
    """Show *record* in the form, as an edit of *case* as it is now."""
    for name in SIMPLE_FIELDS:
        getattr(form, name).data = getattr(record, name)
    form.slug.data = record.slug
    form.country.data = record.country or ""
    form.status.data = record.status.value
    form.arrest_date.shown_precision = record.arrest_date_precision
    form.arrest_date_precision.data = record.arrest_date_precision.value
    form.related.data = list(record.related_ids)
    form.version.data = str(case.version)
    form.loaded.data = services.loaded_fingerprints(case)


# Where the form names a field of the record otherwise.
_RENAMED = {"related_ids": "related"}


def _conflict(form: CaseForm, case: Case, conflict: EditConflict) -> tuple[str, int]:
    """Show the form again after a colleague's newer save (409), with what they changed.

    When the two edits could be merged but for some fields both changed, the form now holds
    the colleague's other changes with the user's: saving it again undoes none of them.
    """
    others = changes_since("case", case.id, conflict.missed)
    if conflict.merged is None:
        form.version.data = str(case.version)
        form.loaded.data = ""  # what the form shows is not what was loaded: nothing to merge
        form.form_errors.append(
            _(
                "Someone else changed this case after you opened it. Your changes are not "
                "saved yet: check theirs below, then save again to keep your version."
            )
        )
        return _render_form(form, case, 409, conflict=others)
    merged = CaseForm(formdata=None)
    merged.related.choices = form.related.choices
    _show(merged, conflict.merged, case)
    mark_clashes(merged, conflict.clashes, _RENAMED)
    merged.form_errors.append(
        _(
            "Someone else changed this case after you opened it, and changed some of the same "
            "fields as you: %(fields)s. Your changes are not saved yet. Their other changes "
            "are now in the form with yours: check the marked fields, then save again.",
            fields=field_labels(merged, conflict.clashes, _RENAMED),
        )
    )
    return _render_form(merged, case, 409, conflict=others)


def _slug_error(form: CaseForm, error: services.CaseError) -> None:
    """Say next to the web address why it cannot be used."""
    if isinstance(error, services.SlugTaken):
        message = _("Another case already uses this web address: choose another.")
    else:
        message = _("The name gives no web address: type one, e.g. ainur-kurmanov.")
    form.slug.errors = [message]


def _render_form(
    form: CaseForm, case: Case | None, status: int = 200, **extra: object
) -> tuple[str, int]:
    return render_template("cases/form.html", form=form, case=case, **extra), status


@bp.route("/new", methods=["GET", "POST"])
@allow(*ORGANISERS)
def new() -> tuple[str, int] | Response:
    """Open a new case (unpublished until an organiser publishes it)."""
    form = CaseForm()
    form.related.choices = as_choices(queries.related_choices(None))
    if request.method == "GET":
        form.status.data = CaseStatus.DETAINED.value
    if not form.validate_on_submit():
        return _render_form(form, None)
    try:
        case = services.open_case(
            _record(form), acting_user(), log_arrest=bool(form.add_arrest_event.data)
        )
    except (services.SlugTaken, services.SlugMissing) as error:
        _slug_error(form, error)
        return _render_form(form, None)
    db.session.commit()
    flash(_("The case was created. It is not public until you publish it."), "success")
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.route("/<int:case_id>/edit", methods=["GET", "POST"])
@allow(*ORGANISERS)
def edit(case_id: int) -> tuple[str, int] | Response:
    """Change a case; a save over someone else's newer save is refused and explained."""
    case = load_case(case_id, manage=True)
    form = CaseForm()
    form.related.choices = as_choices(queries.related_choices(case))
    if request.method == "GET":
        _prefill(form, case)
        return _render_form(form, case)
    if form.arrest_date.granularity is not None:
        form.arrest_date.shown_precision = form.arrest_date.granularity
    if not form.validate_on_submit():
        return _render_form(form, case)
    try:
        saved = services.update_case(
            case,
            _record(form),
            acting_user(),
            seen_version=loaded_version(form.version.data),
            loaded=form.loaded.data,
        )
        db.session.commit()
    except EditConflict as conflict:
        return _conflict(form, case, conflict)
    except (services.SlugTaken, services.SlugMissing) as error:
        _slug_error(form, error)  # refused before anything changed
        return _render_form(form, case)
    except StaleDataError:
        db.session.rollback()
        flash(
            _("Someone else saved this case at the same moment: check it and save again."), "error"
        )
        return redirect(url_for("cases.edit", case_id=case_id))
    flash(_("The case was saved."), "success")
    if saved.kept_theirs:
        flash(
            _(
                "Someone else saved this case while you were editing it: their changes to "
                "%(fields)s are kept with yours.",
                fields=field_labels(form, saved.kept_theirs, _RENAMED),
            ),
            "info",
        )
    if not saved.timeline_in_step:
        flash(
            _(
                "The arrest event on the timeline has a different date from the case's arrest "
                "date: edit the event so that they agree."
            ),
            "warning",
        )
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.get("/<int:case_id>")
@allow(*STAFF)
def detail(case_id: int) -> str:
    """The staff view of one case: its record, its events (internal ones marked, the latest
    first, a page at a time), its links."""
    case = load_case(case_id)
    page = case_events_page(case, request.args.get("page", 1, type=page_number))
    # The counters and the arrest check read only the events they need, not the whole story.
    counted = case_events_of_types(case, COUNTER_TYPES)
    today = today_utc()
    arrests = [e for e in counted if e.type == EventType.ARREST]
    return render_template(
        "cases/detail.html",
        case=case,
        events=page.items,
        page=page,
        # The case's arrest date and its timeline disagree: offer to edit the arrest event.
        arrest_mismatch=[]
        if not arrests or any(e.date == case.arrest_date for e in arrests)
        else arrests,
        strike_day=counters.hunger_strike_day(counted, today, case),
        day_count=counters.days_in_detention(case, today),
        today=today,
    )


# The body of a portrait upload may be as large as the largest image taken, with room for the
# form around it; every other request keeps the site's MAX_CONTENT_LENGTH.
PORTRAIT_MAX_BODY = images.MAX_BYTES + 64 * 1024


def _organiser() -> bool:
    return bool(current_user.is_authenticated and current_user.has_role(Role.ORGANISER))


@bp.url_value_preprocessor
def _portrait_body_size(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Let organisers (only) send a phone photo to the portrait form (before CSRF reads it)."""
    if endpoint == "cases.portrait" and _organiser():
        request.max_content_length = PORTRAIT_MAX_BODY


def _refusal(reason: str) -> str:
    """Why an upload was refused, for the person who sent it."""
    limit = images.MAX_BYTES // (1024 * 1024)
    if reason == "too-large":
        return _("The photo is too large: send one of at most %(size)d MB.", size=limit)
    if reason == "too-many-pixels":
        return _(
            "The photo has too many pixels (at most %(count)d million): send a smaller one.",
            count=images.MAX_PIXELS // 1_000_000,
        )
    return _("This file is not a photo the site can take: send a JPEG, PNG, WebP or GIF image.")


def _portrait_page(case: Case, form: PortraitForm, status: int = 200) -> tuple[str, int]:
    max_mb = images.MAX_BYTES // (1024 * 1024)
    page = render_template("cases/portrait.html", case=case, form=form, max_mb=max_mb)
    return page, status


@bp.route("/<int:case_id>/portrait", methods=["GET", "POST"])
@allow(*ORGANISERS)
def portrait(case_id: int) -> tuple[str, int] | Response:
    """Upload a case's portrait on a form of its own, so a refused photo loses no other edit."""
    case = load_case(case_id, manage=True)
    form = PortraitForm()
    if request.method == "GET":
        return _portrait_page(case, form)
    if not form.validate_on_submit():
        return _portrait_page(case, form, 400)
    try:
        photos.set_portrait(case, form.photo.data.read(), current_app.config["PHOTO_FOLDER"])
    except images.ImageRefused as refused:
        db.session.rollback()
        form.photo.errors = [_refusal(str(refused))]
        return _portrait_page(case, form, 400)
    db.session.commit()
    logger.info("case %s: portrait replaced by user %s", case.id, current_user.id)
    flash(_("The photo was saved."), "success")
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.post("/<int:case_id>/portrait/remove")
@allow(*ORGANISERS)
def remove_portrait(case_id: int) -> Response:
    """Take a case's portrait away (its files go with the commit)."""
    case = load_case(case_id, manage=True)
    if case.photo_filename:
        photos.remove_portrait(case, current_app.config["PHOTO_FOLDER"])
        db.session.commit()
        flash(_("The photo was removed."), "success")
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
    """A photo over the limit gets the portrait page with the reason beside the field; any
    other form too large for the site gets the site's page that says so."""
    case_id = (request.view_args or {}).get("case_id")
    if request.endpoint == "cases.portrait" and case_id is not None:
        case = db.session.get(Case, case_id)
        if case is not None and _organiser():
            form = PortraitForm(formdata=None)
            form.photo.errors = [_refusal("too-large")]
            return _portrait_page(case, form, 413)
    return render_template("errors/error.html", error=error, code=413), 413


@bp.post("/<int:case_id>/publish")
@allow(*ORGANISERS)
def publish(case_id: int) -> Response:
    """Show the case on the public site."""
    case = load_case(case_id, manage=True)
    try:
        if services.publish(case):
            db.session.commit()
            flash(_("The case is now public."), "success")
    except services.CaseArchived:
        flash(_("An archived case cannot be published: bring it back first."), "error")
    return redirect(url_for("cases.detail", case_id=case_id))


@bp.post("/<int:case_id>/unpublish")
@allow(*ORGANISERS)
def unpublish(case_id: int) -> Response:
    """Take the case off the public site."""
    if services.unpublish(load_case(case_id, manage=True)):
        db.session.commit()
        flash(_("The case is no longer public."), "success")
    return redirect(url_for("cases.detail", case_id=case_id))


@bp.post("/<int:case_id>/archive")
@allow(*ORGANISERS)
def archive(case_id: int) -> Response:
    """Archive a case instead of deleting it: it leaves the lists and the public site."""
    if services.archive(load_case(case_id, manage=True)):
        db.session.commit()
        flash(_("The case was archived and taken off the public site."), "success")
    return redirect(url_for("cases.detail", case_id=case_id))


@bp.post("/<int:case_id>/unarchive")
@allow(*ORGANISERS)
def unarchive(case_id: int) -> Response:
    """Bring an archived case back (it stays unpublished until published again)."""
    if services.unarchive(load_case(case_id, manage=True)):
        db.session.commit()
        flash(_("The case is back among the open cases."), "success")
    return redirect(url_for("cases.detail", case_id=case_id))


def _download(case: Case, kind: str, body: str, mimetype: str, filename: str) -> Response:
    """Send an export as a file; log who took which (ids only: no personal data in logs)."""
    logger.info("case %s exported (%s) by user %s", case.id, kind, current_user.id)
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = EXPORT_CACHE
    return response


@bp.get("/<int:case_id>/export.json")
@allow(*ORGANISERS)
def export_json(case_id: int) -> Response:
    """The whole record of a case, internal parts included, as one JSON file (no e-mails)."""
    case = load_case(case_id, manage=True)
    document = export.case_export(case, datetime.now(UTC))
    body = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return _download(case, "json", body, "application/json", f"{case.slug}-export.json")


@bp.get("/<int:case_id>/export.csv")
@allow(*ORGANISERS)
def export_csv(case_id: int) -> Response:
    """Every event of a case, internal ones included, one per row, safe in a spreadsheet."""
    case = load_case(case_id, manage=True)
    rows = export.event_rows(export.load_events(case))
    body = to_csv(export.EVENT_CSV_FIELDS, rows)
    return _download(case, "events csv", body, "text/csv", f"{case.slug}-events.csv")


@bp.get("/<int:case_id>/messages.csv")
@allow(*ORGANISERS)
def export_messages_csv(case_id: int) -> Response:
    """Every message of support to a case, one per row, without e-mails, safe in a spreadsheet."""
    case = load_case(case_id, manage=True)
    rows = export.message_rows(export.load_messages(case))
    body = to_csv(export.MESSAGE_CSV_FIELDS, rows)
    return _download(case, "messages csv", body, "text/csv", f"{case.slug}-messages.csv")
