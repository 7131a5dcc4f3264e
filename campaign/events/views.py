"""Staff views of events: the full form, the quick picket form, verification, deletion."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any, cast

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from campaign.database import utcnow
from campaign.directory.queries import known_names
from campaign.directory.services import AmbiguousVenue, country_of_city
from campaign.errors import EditConflict
from campaign.events import queries, services
from campaign.events.forms import (
    LOGGED,
    LOGGED_ALREADY,
    NO_SOURCE_MESSAGE,
    EventForm,
    PicketForm,
)
from campaign.extensions import db
from campaign.history.queries import changes_since
from campaign.models import DatePrecision, Event, EventType, Verification, Visibility
from campaign.models.keys import new_key
from campaign.util.dates import today_utc
from campaign.web.access import ORGANISERS, STAFF, acting_user, allow
from campaign.web.fields import as_choices, field_labels, loaded_version, mark_clashes
from campaign.web.redirects import local_target
from campaign.web.routing import page_number, record_id
from campaign.web.templating import request_locale_name

bp = Blueprint("events", __name__, url_prefix="/manage/events")
bp.add_app_template_global(queries.awaiting_verification, "events_awaiting_verification")
bp.add_app_template_global(queries.recent_events, "recent_events")


def load_event(event_id: int, *, editing: bool = False) -> Event:
    """Load an event or 404; then, when *editing*, 403 unless the user may change it.

    Organisers and admins may change any event; an activist only the events they logged.
    """
    event = db.get_or_404(Event, event_id)
    if editing and not services.may_edit(event, acting_user()):
        abort(403)
    return event


@bp.app_template_global()
def event_editable(event: Event | queries.EventRow) -> bool:
    """Whether the signed-in user may edit *event* (for showing the edit link)."""
    return current_user.is_authenticated and services.may_edit(event, acting_user())


@bp.app_template_global()
def event_labels() -> dict[EventType | Verification, str]:
    """Each event type's and verification's name in the request's language, for the events
    table: made once per worker and language (the table translated them row by row)."""
    return _event_labels(request_locale_name())


@lru_cache(maxsize=16)
def _event_labels(language: str) -> dict[EventType | Verification, str]:
    """:func:`event_labels` in *language*, the request's (the key only tells them apart)."""
    return {member: str(member.label) for kind in (EventType, Verification) for member in kind}


def safe_next(default: str) -> str:
    """The ``next`` parameter when it is a path on this site, else *default*."""
    return local_target(request.values.get("next"), default)


def ambiguous_venue(form: EventForm | PicketForm) -> None:
    """Say next to the venue field that its name needs a city."""
    form.venue.errors = [
        *form.venue.errors,
        _("Several places have this name: pick one with its city, or give the city."),
    ]


# -- the full form ----------------------------------------------------------------------------


def _details(form: EventForm) -> services.EventDetails:
    """The event as the form describes it, in plain values."""
    return services.EventDetails(
        type=EventType(form.type.data),
        title=form.title.data or "",
        date=cast(date, form.date.data),  # required: the form validated it
        date_precision=DatePrecision(form.date_precision.data),
        date_approximate=bool(form.date_approximate.data),
        placed_on=form.placed_on.data,
        start_time=form.start_time.data,
        end_date=form.end_date.data,
        venue=form.venue.data or None,
        city=form.city.data,
        country=form.country.data or None,
        participants=form.participants.data,
        description=form.description.data,
        outcome=form.outcome.data,
        authority=form.authority.data,
        authority_response=form.authority_response.data,
        visibility=Visibility(form.visibility.data),
        case_ids=list(form.cases.data or []),
        organisations=list(form.organisations.data),
        sources=[(entry.get("url"), entry.get("title")) for entry in form.sources.data],
        verified=bool(form.verified.data),
    )


def _prefill(form: EventForm, event: Event) -> None:
    """Show an existing event in the form (GET)."""
    _show(form, services.details_of(event), event)


def _show(form: EventForm, details: services.EventDetails, event: Event) -> None:
    """Show *details* in the form, as an edit of *event* as it is now."""
    form.type.data = details.type.value
    form.title.data = details.title
    form.cases.data = list(details.case_ids)
    form.date.data = details.date
    form.date.shown_precision = details.date_precision
    form.date_precision.data = details.date_precision.value
    form.date_approximate.data = details.date_approximate
    form.placed_on.data = details.placed_on
    form.start_time.data = details.start_time
    form.end_date.data = details.end_date
    form.venue.data = details.venue or ""
    form.city.data = details.city or ""
    form.country.data = details.country or ""
    form.participants.data = details.participants
    form.description.data = details.description
    form.outcome.data = details.outcome
    form.authority.data = details.authority
    form.authority_response.data = details.authority_response
    form.visibility.data = details.visibility.value
    form.version.data = str(event.version)
    form.loaded.data = services.loaded_fingerprints(event)
    names = [name for name in details.organisations if name and name.strip()]
    while len(form.organisations) < len(names) + 1:
        form.organisations.append_entry()
    for entry, name in zip(form.organisations, names, strict=False):
        entry.data = name
    sources = [(url, title) for url, title in details.sources if url or (title or "").strip()]
    while len(form.sources) < len(sources) + 1:
        form.sources.append_entry()
    for entry, (url, title) in zip(form.sources, sources, strict=False):
        entry.form.url.data = url
        entry.form.title.data = title


def wants_more_lines(form: EventForm) -> bool:
    """Whether the user asked for more organisation and source lines (no JavaScript needed)."""
    if request.method != "POST" or not request.form.get("add_lines"):
        return False
    form.organisations.append_entry()
    form.organisations.append_entry()
    form.sources.append_entry()
    form.sources.append_entry()
    return True


def _render_form(
    form: EventForm, event: Event | None, status: int = 200, **extra: Any
) -> tuple[str, int]:
    page = render_template("events/form.html", form=form, event=event, names=known_names(), **extra)
    return page, status


@bp.route("/new", methods=["GET", "POST"])
@allow(*STAFF)
def new() -> tuple[str, int] | Response:
    """Log any event with every detail: the organisers' form."""
    form = EventForm()
    form.cases.choices = as_choices(queries.case_choices())
    if request.method == "GET":
        wanted = request.args.get("case", type=record_id)
        if wanted:
            form.cases.data = [wanted]
        if request.args.get("type") in {t.value for t in EventType}:
            form.type.data = request.args["type"]
    if wants_more_lines(form) or not form.validate_on_submit():
        return _render_form(form, None)
    try:
        logged = services.log_event(_details(form), acting_user())
    except AmbiguousVenue:
        ambiguous_venue(form)
        return _render_form(form, None)
    except services.NoSourceToVerify:
        form.verified.errors = [str(NO_SOURCE_MESSAGE)]
        return _render_form(form, None)
    db.session.commit()
    flash(_("The event was saved."), "success")
    return redirect(safe_next(url_for("events.detail", event_id=logged.event.id)))


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@allow(*STAFF)
def edit(event_id: int) -> tuple[str, int] | Response:
    """Change an event; a save over someone else's newer save is refused and explained."""
    event = load_event(event_id, editing=True)
    form = EventForm()
    form.cases.choices = as_choices(queries.case_choices([c.id for c in event.cases]))
    if request.method == "GET":
        _prefill(form, event)
        return _render_form(form, event)
    if form.date.granularity is not None:
        form.date.shown_precision = form.date.granularity
    if wants_more_lines(form) or not form.validate_on_submit():
        return _render_form(form, event)
    try:
        kept_theirs = services.update_event(
            event,
            _details(form),
            acting_user(),
            seen_version=loaded_version(form.version.data),
            loaded=form.loaded.data,
        )
        db.session.commit()
    except EditConflict as conflict:
        return _conflict(form, event, conflict)
    except AmbiguousVenue:
        ambiguous_venue(form)
        return _render_form(form, event)
    except services.NoSourceToVerify:
        form.verified.errors = [str(NO_SOURCE_MESSAGE)]
        return _render_form(form, event)
    except StaleDataError:
        db.session.rollback()
        flash(
            _("Someone else saved this event at the same moment: check it and save again."), "error"
        )
        return redirect(url_for("events.edit", event_id=event_id))
    flash(_("The event was saved."), "success")
    if kept_theirs:
        flash(
            _(
                "Someone else saved this event while you were editing it: their changes to "
                "%(fields)s are kept with yours.",
                fields=field_labels(form, kept_theirs, _RENAMED),
            ),
            "info",
        )
    return redirect(safe_next(url_for("events.detail", event_id=event.id)))


# Where the form names a field of the record otherwise.
_RENAMED = {"case_ids": "cases"}


def _conflict(form: EventForm, event: Event, conflict: EditConflict) -> tuple[str, int]:
    """Show the form again after a colleague's newer save (409), with what they changed.

    When the two edits could be merged but for some fields both changed, the form now holds
    the colleague's other changes with the user's: saving it again undoes none of them.
    """
    others = changes_since("event", event.id, conflict.missed)
    if conflict.merged is None:
        form.version.data = str(event.version)
        form.loaded.data = ""  # what the form shows is not what was loaded: nothing to merge
        form.form_errors.append(
            _(
                "Someone else changed this event after you opened it. Your changes are not "
                "saved yet: check theirs below, then save again to keep your version."
            )
        )
        return _render_form(form, event, 409, conflict=others)
    merged = EventForm(formdata=None)
    merged.cases.choices = form.cases.choices
    _show(merged, conflict.merged, event)
    merged.verified.data = form.verified.data
    mark_clashes(merged, conflict.clashes, _RENAMED)
    merged.form_errors.append(
        _(
            "Someone else changed this event after you opened it, and changed some of the same "
            "fields as you: %(fields)s. Your changes are not saved yet. Their other changes "
            "are now in the form with yours: check the marked fields, then save again.",
            fields=field_labels(merged, conflict.clashes, _RENAMED),
        )
    )
    return _render_form(merged, event, 409, conflict=others)


# -- the quick picket form ------------------------------------------------------------------


# More open cases than this and the picket form folds all but the recent and chosen ones.
FOLD_CASES_OVER = 8


def _picket_page(form: PicketForm, logged: Event | None = None) -> str:
    return render_template(
        "events/picket.html",
        form=form,
        names=known_names(),
        logged=logged,
        first_cases=_first_cases(form),
    )


def _first_cases(form: PicketForm) -> set[int] | None:
    """The cases the picket form lists above the fold: those chosen already and those the
    activist logged for lately. None when every case is listed (a few, or none recent)."""
    choices = [choice.value for choice in form.cases.choices or ()]
    if len(choices) <= FOLD_CASES_OVER:
        return None
    first = set(form.cases.data or ()) | set(queries.recent_case_ids(current_user.id, utcnow()))
    first &= set(choices)
    return first or None


def _sent_by_script() -> bool:
    """Whether the phone's script sent this report (it asks for JSON, the browser for HTML)."""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == (
        "application/json"
    )


def _refused(form: PicketForm) -> tuple[Response, int]:
    """The form's errors, for the script to show beside the report it keeps on the phone."""
    labels = {name: str(f.label.text) for name, f in form._fields.items()}
    errors = [
        {"field": name, "label": labels.get(name, name), "message": str(message)}
        for name, messages in form.errors.items()
        if name and name != "client_key"  # said once, among the form's errors ("" holds them)
        for message in messages
        if not isinstance(message, list | dict)  # the picket form has no nested fields
    ]
    errors += [{"field": None, "label": "", "message": str(m)} for m in form.form_errors]
    return jsonify(logged=False, errors=errors), 422


def _picket_done(logged: services.Logged) -> Response:
    """After a report is logged: JSON for the phone's script, else back to an empty form.
    What it says is of the event stored, which a repeated report did not make."""
    event = logged.event
    said = LOGGED_ALREADY if logged.repeated else LOGGED.get(event.type, LOGGED[EventType.PICKET])
    if _sent_by_script():
        return jsonify(
            logged=True,
            repeated=logged.repeated,
            event=event.id,
            url=url_for("events.detail", event_id=event.id),
            title=event.title,
            message=str(said),
        )
    flash(str(said), "success")
    return redirect(url_for("events.picket", logged=event.id))


@bp.route("/picket", methods=["GET", "POST"])
@allow(*STAFF)
def picket() -> str | Response | tuple[Response, int]:
    """Log a picket in under a minute, from a phone (or later, from what the phone kept)."""
    form = PicketForm()
    form.cases.choices = as_choices(queries.case_choices())
    if request.method == "GET":
        form.date.data = today_utc()
        form.client_key.data = new_key()
        wanted = request.args.get("case", type=record_id)
        if wanted:
            form.cases.data = [wanted]
        elif len(form.cases.choices) == 1:
            form.cases.data = [form.cases.choices[0].value]
        logged_id = request.args.get("logged", type=record_id)
        return _picket_page(form, db.session.get(Event, logged_id) if logged_id else None)
    guessed = not form.country.data
    if guessed:
        # The guess for a city used before, shown in the form if it comes back with an error.
        city = (form.city.data or "").strip() or None
        form.country.data = country_of_city(city) or ""
    if not form.validate_on_submit():
        return _refused(form) if _sent_by_script() else _picket_page(form)
    chosen = None if guessed else form.country.data or None  # checked and upper-cased now
    report = services.PicketReport(
        type=EventType(form.type.data),
        case_ids=list(form.cases.data),
        organisation=form.organisation.data or "",
        date=cast(date, form.date.data),
        venue=form.venue.data or None,
        city=form.city.data,
        country=chosen,
        participants=form.participants.data,
        link=form.link.data or None,
        note=form.note.data or None,
        client_key=form.client_key.data or None,
    )
    try:
        logged = services.log_picket(report, acting_user())
    except AmbiguousVenue:
        ambiguous_venue(form)
        return _refused(form) if _sent_by_script() else _picket_page(form)
    db.session.commit()
    return _picket_done(logged)


# -- list, verify, delete -------------------------------------------------------------------


@bp.get("/")
@allow(*STAFF)
def index() -> str:
    """Every event, newest first, filtered by case, verification and visibility."""
    case_id = request.args.get("case", type=record_id)
    verification = request.args.get("verification")
    visibility = request.args.get("visibility")
    query = queries.event_list(
        case_id=case_id,
        verification=Verification(verification)
        if verification in {v.value for v in Verification}
        else None,
        visibility=Visibility(visibility) if visibility in {v.value for v in Visibility} else None,
    )
    page = db.paginate(
        query,
        page=request.args.get("page", 1, type=page_number),
        per_page=queries.PAGE_SIZE,
        error_out=False,
    )
    filters = {"case": case_id, "verification": verification, "visibility": visibility}
    return render_template(
        "events/index.html",
        page=page,
        cases=queries.all_case_choices(),
        filters=filters,
        args={k: v for k, v in filters.items() if v},
    )


@bp.get("/<int:event_id>")
@allow(*STAFF)
def detail(event_id: int) -> str:
    """Everything about one event, for every staff member (internal ones marked)."""
    return render_template("events/detail.html", event=load_event(event_id))


@bp.post("/<int:event_id>/verify")
@allow(*ORGANISERS)
def verify(event_id: int) -> Response:
    """Mark an event as checked against its sources: one click for organisers."""
    event = load_event(event_id)
    if services.verify_event(event, acting_user()):
        db.session.commit()
        flash(_("The event is marked as verified."), "success")
    return redirect(safe_next(url_for("events.index")))


@bp.post("/verify")
@allow(*ORGANISERS)
def verify_many() -> Response:
    """Mark the events chosen on a case page as checked, with one click."""
    chosen = [i for i in request.form.getlist("event_ids", type=record_id) if i is not None]
    done = services.verify_events(chosen, acting_user())
    db.session.commit()
    if done:
        flash(
            ngettext(
                "%(num)d event is marked as verified.",
                "%(num)d events are marked as verified.",
                done,
            ),
            "success",
        )
    else:
        flash(_("Choose the events to verify: none was marked."), "error")
    return redirect(safe_next(url_for("events.index")))


@bp.route("/<int:event_id>/delete", methods=["GET", "POST"])
@allow(*ORGANISERS)
def delete(event_id: int) -> str | Response:
    """Delete an event after confirmation; the audit trail keeps what it was."""
    event = load_event(event_id)
    if request.method == "POST":
        services.delete_event(event, acting_user())
        db.session.commit()
        flash(_("The event was deleted. Its last state is kept in the history."), "success")
        return redirect(url_for("events.index"))
    return render_template("events/delete.html", event=event)
