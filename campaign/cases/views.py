"""Staff views of cases: list, create, edit, publish, archive, links, data exports."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from campaign.cases import export
from campaign.cases.counters import current_hunger_strike, hunger_strike_day
from campaign.cases.forms import ActionForm, CaseForm
from campaign.cases.labels import case_choice_label, case_labels
from campaign.cases.status import record_manual_change
from campaign.events.queries import case_events
from campaign.events.views import loaded_version
from campaign.extensions import db
from campaign.history.queries import changes_since
from campaign.history.recorder import note
from campaign.models import (
    Case,
    CaseStatus,
    CaseStatusChange,
    DatePrecision,
    Event,
    EventType,
    Role,
    event_cases,
)
from campaign.util.countries import country_choices
from campaign.util.dates import today_utc
from campaign.util.slugs import slugify
from campaign.util.spreadsheets import to_csv
from campaign.web.access import ORGANISERS, STAFF, allow
from campaign.web.fields import as_choices, column_limit

bp = Blueprint("cases", __name__, url_prefix="/manage/cases")
# Staff templates name cases in lists the same way the forms do.
bp.add_app_template_global(case_labels)
bp.add_app_template_global(case_choice_label)
logger = logging.getLogger(__name__)

# Exports hold internal notes and supporters' messages: no cache anywhere may keep a copy.
EXPORT_CACHE = "private, no-store"

SORTS: dict[str, Any] = {
    "name": (Case.person_name,),
    "status": (Case.status, Case.person_name),
    "country": (Case.country, Case.person_name),
    "arrest": (Case.arrest_date.desc(), Case.person_name),
    "updated": (Case.updated_at.desc(),),
}
# Columns copied between the form and the case one-to-one.
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


def days_in_custody(case: Case, today: date) -> int | None:
    """Day N in detention, counting the arrest day as day 1, for cases in custody."""
    if not case.status.in_custody or case.arrest_date is None or case.arrest_date > today:
        return None
    return (today - case.arrest_date).days + 1


@bp.app_template_global()
def cases_in_custody(limit: int = 20) -> list[tuple[Case, int | None]]:
    """Open cases whose person is held, longest held first, with their day count."""
    held = [s for s in CaseStatus if s.in_custody]
    cases = db.session.scalars(
        sa.select(Case)
        .where(Case.status.in_(held), Case.archived_at.is_(None))
        .order_by(Case.arrest_date.is_(None), Case.arrest_date, Case.person_name)
        .limit(limit)
    )
    today = today_utc()
    return [(case, days_in_custody(case, today)) for case in cases]


@bp.app_template_global()
def case_on_hunger_strike(case: Case) -> bool:
    """Whether the case's record shows a hunger strike in progress today."""
    return bool(cases_on_hunger_strike([case.id]))


@bp.app_template_global()
def cases_on_hunger_strike(case_ids: list[int]) -> set[int]:
    """Which of these cases (held in custody) are on hunger strike today, in one query."""
    if not case_ids:
        return set()
    held = [s for s in CaseStatus if s.in_custody]
    rows = db.session.execute(
        sa.select(event_cases.c.case_id, Event)
        .join(Event, Event.id == event_cases.c.event_id)
        .join(Case, Case.id == event_cases.c.case_id)
        .where(
            event_cases.c.case_id.in_(case_ids),
            # A strike whose end was never logged must not outlive the detention.
            Case.status.in_(held),
            Event.type.in_([EventType.HUNGER_STRIKE_START, EventType.HUNGER_STRIKE_END]),
        )
    ).all()
    by_case: dict[int, list[Event]] = {}
    for case_id, event in rows:
        by_case.setdefault(case_id, []).append(event)
    today = today_utc()
    return {cid for cid, events in by_case.items() if current_hunger_strike(events, today)}


@bp.get("/")
@allow(*STAFF)
def index() -> str:
    """Cases, sorted and filtered by status, country and archive state."""
    query = sa.select(Case)
    status = request.args.get("status", "")
    if status in {s.value for s in CaseStatus}:
        query = query.where(Case.status == CaseStatus(status))
    country = (request.args.get("country") or "").upper()
    if country:
        query = query.where(Case.country == country)
    shown = request.args.get("show", "open")
    if shown == "archived":
        query = query.where(Case.archived_at.is_not(None))
    elif shown != "all":
        shown = "open"
        query = query.where(Case.archived_at.is_(None))
    sort = request.args.get("sort", "name")
    if sort not in SORTS:
        sort = "name"
    cases = list(db.session.scalars(query.order_by(*SORTS[sort], Case.id)))
    used_countries = sorted(
        {c for c in db.session.scalars(sa.select(Case.country).distinct()) if c}
    )
    return render_template(
        "cases/index.html",
        cases=cases,
        today=today_utc(),
        days=days_in_custody,
        statuses=CaseStatus.choices(),
        striking=cases_on_hunger_strike([c.id for c in cases]),
        filters={"status": status, "country": country, "show": shown, "sort": sort},
        countries=[(code, name) for code, name in country_choices() if code in used_countries],
    )


def _related_choices(case: Case | None) -> list[tuple[int, str]]:
    """Other cases that may be linked (open ones, plus those already linked)."""
    linked = [c.id for c in case.related_cases] if case else []
    query = sa.select(Case).where(sa.or_(Case.archived_at.is_(None), Case.id.in_(linked or [0])))
    if case is not None:
        query = query.where(Case.id != case.id)
    cases = list(db.session.scalars(query.order_by(Case.person_name, Case.arrest_date, Case.id)))
    labels = case_labels(cases)
    return [(c.id, labels[c.id]) for c in cases]


def _slug_problem(form: CaseForm, case: Case | None) -> str | None:
    """Fill an empty slug from the name; say why when that is impossible or taken."""
    typed = form.slug.data
    slug = typed or slugify(form.person_name.data or "")
    if not slug:
        return _("The name has no Latin letters: give a web address, e.g. ainur-kurmanov.")
    limit = column_limit(Case, "slug")
    base, n = slug[:limit], 2
    slug = base
    while _slug_taken(slug, case):
        if typed:
            return _("Another case already uses this web address: choose another.")
        # Made from the name: a second case of the same person gets name-2, name-3, ...
        tail = f"-{n}"
        slug = f"{base[: limit - len(tail)]}{tail}"
        n += 1
    form.slug.data = slug
    return None


def _slug_taken(slug: str, case: Case | None) -> bool:
    """Whether another case uses *slug*."""
    taken = db.session.scalar(
        sa.select(Case.id).where(Case.slug == slug, Case.id != (case.id if case else 0))
    )
    return taken is not None


def _fill_case(case: Case, form: CaseForm) -> list[Case]:
    """Copy the form onto the case; return the cases whose link to it changed."""
    wanted = set(form.related.data or [])
    others = {
        c.id: c for c in db.session.scalars(sa.select(Case).where(Case.id.in_(wanted or [0])))
    }
    touched: list[Case] = []
    with db.session.no_autoflush:
        for name in SIMPLE_FIELDS:
            value = getattr(form, name).data
            if isinstance(value, str):
                value = value.strip() or None
            setattr(case, name, value)
        case.slug = form.slug.data
        case.country = form.country.data or None
        case.status = CaseStatus(form.status.data)
        case.arrest_date = form.arrest_date.data
        case.arrest_date_precision = DatePrecision(form.arrest_date_precision.data)
        for other in list(case.related_cases):
            if other.id not in wanted:
                case.unlink(other)
                touched.append(other)
        for other in others.values():
            if other not in case.related_cases:
                case.link(other)
                touched.append(other)
    return touched


def _prefill(form: CaseForm, case: Case) -> None:
    """Show an existing case in the form (GET)."""
    for name in SIMPLE_FIELDS:
        getattr(form, name).data = getattr(case, name)
    form.slug.data = case.slug
    form.country.data = case.country or ""
    form.status.data = case.status.value
    form.arrest_date.data = case.arrest_date
    form.arrest_date.shown_precision = case.arrest_date_precision
    form.arrest_date_precision.data = case.arrest_date_precision.value
    form.related.data = [c.id for c in case.related_cases]
    form.version.data = str(case.version)


@bp.route("/new", methods=["GET", "POST"])
@allow(*ORGANISERS)
def new() -> str | Response:
    """Open a new case (unpublished until an organiser publishes it)."""
    form = CaseForm()
    form.related.choices = as_choices(_related_choices(None))
    if request.method == "GET":
        form.status.data = CaseStatus.DETAINED.value
    if form.validate_on_submit():
        problem = _slug_problem(form, None)
        if problem:
            form.slug.errors = [problem]
        else:
            case = Case(published=False)
            _fill_case(case, form)
            db.session.add(case)
            db.session.flush()
            first = record_manual_change(case, None, today_utc(), current_user)
            if first is not None and case.arrest_date is not None:
                # The status holds since the arrest, not since the day the case was typed in.
                first.effective_on = case.arrest_date
            if form.add_arrest_event.data and case.arrest_date is not None:
                _log_arrest(case)
            db.session.commit()
            flash(_("The case was created. It is not public until you publish it."), "success")
            return redirect(url_for("cases.detail", case_id=case.id))
    return render_template("cases/form.html", form=form, case=None)


def _log_arrest(case: Case) -> Event:
    """Put the arrest typed on a new case on its timeline, with the same date and precision."""
    event = Event(
        type=EventType.ARREST,
        title=_("Arrest of %(name)s", name=case.person_name)[:200],
        date=case.arrest_date,
        date_precision=case.arrest_date_precision,
        city=case.city,
        country=case.country,
        created_by_id=current_user.id,
        cases=[case],
    )
    db.session.add(event)
    db.session.flush()
    return event


@bp.route("/<int:case_id>/edit", methods=["GET", "POST"])
@allow(*ORGANISERS)
def edit(case_id: int) -> str | Response:
    """Change a case; a save over someone else's newer save is refused and explained."""
    case = load_case(case_id, manage=True)
    form = CaseForm()
    form.related.choices = as_choices(_related_choices(case))
    if request.method == "GET":
        _prefill(form, case)
        return render_template("cases/form.html", form=form, case=case)
    if form.arrest_date.granularity is not None:
        form.arrest_date.shown_precision = form.arrest_date.granularity
    if not form.validate_on_submit():
        return render_template("cases/form.html", form=form, case=case)
    seen = loaded_version(form.version.data)
    if seen != case.version:
        others = changes_since("case", case.id, case.version - (seen or 0))
        form.version.data = str(case.version)
        form.form_errors.append(
            _(
                "Someone else changed this case after you opened it. Your changes are not saved "
                "yet: check theirs below, then save again to keep your version."
            )
        )
        return render_template("cases/form.html", form=form, case=case, conflict=others)
    problem = _slug_problem(form, case)
    if problem:
        form.slug.errors = [problem]
        return render_template("cases/form.html", form=form, case=case)
    old_status = case.status
    old_arrest = (case.arrest_date, case.arrest_date_precision)
    _fill_case(case, form)
    record_manual_change(case, old_status, today_utc(), current_user)
    arrest_moved = old_arrest != (case.arrest_date, case.arrest_date_precision)
    try:
        db.session.flush()
        in_step = _move_arrest(case, *old_arrest) if arrest_moved else True
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        flash(
            _("Someone else saved this case at the same moment: check it and save again."), "error"
        )
        return redirect(url_for("cases.edit", case_id=case_id))
    flash(_("The case was saved."), "success")
    if not in_step:
        flash(
            _(
                "The arrest event on the timeline has a different date from the case's arrest "
                "date: edit the event so that they agree."
            ),
            "warning",
        )
    return redirect(url_for("cases.detail", case_id=case.id))


def _arrest_events(case: Case) -> list[Event]:
    """The case's arrest events, in date order."""
    return [e for e in case_events(case) if e.type == EventType.ARREST]


def _move_arrest(case: Case, old_date: date | None, old_precision: DatePrecision) -> bool:
    """Move the case's arrest event (and its status changes) to the case's new arrest date.

    Only the unambiguous case moves: exactly one arrest event, concerning this case alone, dated
    the old arrest date. Returns whether the timeline agrees with the case afterwards.
    """
    new_date, new_precision = case.arrest_date, case.arrest_date_precision
    first = min(case.status_changes, key=lambda c: (c.changed_at, c.id or 0), default=None)
    if (
        first is not None
        and first.event_id is None
        and old_date is not None
        and new_date is not None
        and first.effective_on == old_date
    ):
        # The status opened with the case was dated from the arrest (see ``new``).
        first.effective_on = new_date
    arrests = _arrest_events(case)
    if not arrests:
        return True
    if (
        new_date is None
        or old_date is None
        or len(arrests) != 1
        or arrests[0].date != old_date
        or len(arrests[0].cases) != 1
    ):
        return any(e.date == new_date for e in arrests)
    event = arrests[0]
    note(event, caused_by_case=[None, f"#{case.id} {case.person_name}"])
    event.date = new_date
    event.date_precision = new_precision
    for change in db.session.scalars(
        sa.select(CaseStatusChange).where(
            CaseStatusChange.event_id == event.id, CaseStatusChange.effective_on == old_date
        )
    ):
        change.effective_on = new_date
    db.session.flush()
    return True


@bp.get("/<int:case_id>")
@allow(*STAFF)
def detail(case_id: int) -> str:
    """The staff view of one case: its record, its events (internal ones marked), its links."""
    case = load_case(case_id)
    events = case_events(case)
    today = today_utc()
    arrests = [e for e in events if e.type == EventType.ARREST]
    return render_template(
        "cases/detail.html",
        case=case,
        events=list(reversed(events)),
        # The case's arrest date and its timeline disagree: offer to edit the arrest event.
        arrest_mismatch=[]
        if not arrests or any(e.date == case.arrest_date for e in arrests)
        else arrests,
        strike_day=hunger_strike_day(events, today, case),
        day_count=days_in_custody(case, today),
        today=today,
        action=ActionForm(),
    )


def _toggle(case_id: int, attribute: str, value: Any, message: str) -> Response:
    """A one-click change of one field of a case, recorded in the trail."""
    case = load_case(case_id, manage=True)
    if not ActionForm().validate_on_submit():
        abort(400)
    if getattr(case, attribute) != value:
        setattr(case, attribute, value)
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.post("/<int:case_id>/publish")
@allow(*ORGANISERS)
def publish(case_id: int) -> Response:
    """Show the case on the public site."""
    if load_case(case_id, manage=True).archived_at is not None:
        flash(_("An archived case cannot be published: bring it back first."), "error")
        return redirect(url_for("cases.detail", case_id=case_id))
    return _toggle(case_id, "published", True, _("The case is now public."))


@bp.post("/<int:case_id>/unpublish")
@allow(*ORGANISERS)
def unpublish(case_id: int) -> Response:
    """Take the case off the public site."""
    return _toggle(case_id, "published", False, _("The case is no longer public."))


@bp.post("/<int:case_id>/archive")
@allow(*ORGANISERS)
def archive(case_id: int) -> Response:
    """Archive a case instead of deleting it: it leaves the lists and the public site."""
    case = load_case(case_id, manage=True)
    if not ActionForm().validate_on_submit():
        abort(400)
    if case.archived_at is None:
        case.archived_at = datetime.now(UTC)
        case.published = False
        db.session.commit()
        flash(_("The case was archived and taken off the public site."), "success")
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.post("/<int:case_id>/unarchive")
@allow(*ORGANISERS)
def unarchive(case_id: int) -> Response:
    """Bring an archived case back (it stays unpublished until published again)."""
    return _toggle(case_id, "archived_at", None, _("The case is back among the open cases."))


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
