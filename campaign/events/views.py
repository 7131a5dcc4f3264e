"""Staff views of events: the full form, the quick picket form, verification, deletion."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from campaign.cases.labels import case_labels
from campaign.cases.status import apply_event, is_applied, still_justifies, undo_event
from campaign.events.forms import ConfirmForm, EventForm, PicketForm
from campaign.extensions import db
from campaign.models import (
    AuditEntry,
    Case,
    DatePrecision,
    Event,
    EventType,
    Organisation,
    Role,
    Source,
    Venue,
    Verification,
    Visibility,
    event_cases,
    event_sources,
)
from campaign.util.dates import today_utc
from campaign.util.slugs import slugify
from campaign.web.access import ORGANISERS, STAFF, allow
from campaign.web.fields import as_choices
from campaign.web.redirects import local_target

bp = Blueprint("events", __name__, url_prefix="/manage/events")

PAGE_SIZE = 50


def load_event(event_id: int, *, editing: bool = False) -> Event:
    """Load an event or 404; then, when *editing*, 403 unless the user may change it.

    Organisers and admins may change any event; an activist only the events they logged.
    """
    event = db.get_or_404(Event, event_id)
    if editing and not may_edit(event):
        abort(403)
    return event


def may_edit(event: Event) -> bool:
    """Whether the signed-in user may change *event*."""
    if current_user.has_role(Role.ORGANISER):
        return True
    return event.created_by_id is not None and event.created_by_id == current_user.id


def may_verify() -> bool:
    """Whether the signed-in user may mark events as checked (organisers and admins)."""
    return bool(current_user.has_role(Role.ORGANISER))


def safe_next(default: str) -> str:
    """The ``next`` parameter when it is a path on this site, else *default*."""
    return local_target(request.values.get("next"), default)


# -- choices and look-ups ---------------------------------------------------------------------


def case_choices(keep: list[int] | None = None) -> list[tuple[int, str]]:
    """Open (not archived) cases, plus any already chosen, as (id, name) pairs."""
    keep = keep or []
    query = sa.select(Case).order_by(Case.person_name, Case.arrest_date, Case.id)
    query = query.where(sa.or_(Case.archived_at.is_(None), Case.id.in_(keep or [0])))
    cases = list(db.session.scalars(query))
    labels = case_labels(cases)
    return [(c.id, labels[c.id]) for c in cases]


def known_names() -> dict[str, list[str]]:
    """Names used before, for the type-ahead lists (organisations, venues, cities)."""
    orgs = db.session.scalars(sa.select(Organisation.name).order_by(Organisation.name))
    venues = db.session.execute(sa.select(Venue.name, Venue.city).order_by(Venue.name, Venue.city))
    cities = db.session.scalars(
        sa.select(Event.city).where(Event.city.is_not(None)).distinct().order_by(Event.city)
    )
    venue_cities = db.session.scalars(
        sa.select(Venue.city).where(Venue.city.is_not(None)).distinct()
    )
    return {
        "organisations": list(orgs),
        "venues": list(dict.fromkeys(venue_label(name, city) for name, city in venues)),
        "cities": sorted({*cities, *venue_cities}),
    }


def _unique_slug(model: type[Any], base: str, fallback: str) -> str:
    """A slug free in *model*'s table: the name's, or *fallback* plus a random tail."""
    base = base or f"{fallback}-{secrets.token_hex(3)}"
    slug, n = base, 2
    while db.session.scalar(sa.select(model.id).where(model.slug == slug)) is not None:
        slug = f"{base}-{n}"
        n += 1
    return slug


def organisation_named(name: str) -> Organisation:
    """The organisation with this name (any case), created and recorded if new."""
    name = " ".join(name.split())
    org = db.session.scalar(
        sa.select(Organisation).where(sa.func.lower(Organisation.name) == name.lower())
    )
    if org is None:
        org = Organisation(name=name, slug=_unique_slug(Organisation, slugify(name), "org"))
        db.session.add(org)
    return org


def venue_label(name: str, city: str | None) -> str:
    """How a venue is offered in the type-ahead list: "Embassy of Kazakhstan, Vienna"."""
    return f"{name}, {city}" if city else name


class AmbiguousVenue(Exception):
    """Several venues in different cities have the typed name and no city says which."""


def _venues(name: str, city: str | None) -> list[Venue]:
    query = sa.select(Venue).where(sa.func.lower(Venue.name) == name.lower())
    if city:
        query = query.where(sa.func.lower(Venue.city) == city.lower())
    return list(db.session.scalars(query.order_by(Venue.id)))


def split_venue(typed: str, city: str | None) -> tuple[str, str | None]:
    """The venue's name and city from what was typed or picked ("Name, City" from the list).

    The event's own city wins over the one in the label; a comma that does not end in a known
    venue's city is part of the name.
    """
    name = " ".join(typed.split())
    city = " ".join((city or "").split()) or None
    head, comma, tail = name.rpartition(",")
    head, tail = head.strip(), tail.strip()
    if comma and head and tail and _venues(head, tail):
        if city is None or city.lower() == tail.lower():
            return head, tail
        return head, city
    return name, city


def venue_named(typed: str, city: str | None, country: str | None) -> Venue:
    """The venue with this name in this city, created (with the event's country) if new.

    Raises :class:`AmbiguousVenue` when no city is known and the name exists in several cities.
    """
    name, city = split_venue(typed, city)
    found = _venues(name, city)
    if not city and len({(v.city or "").lower() for v in found}) > 1:
        cityless = [v for v in found if not v.city]
        if not cityless:
            raise AmbiguousVenue(name)
        found = cityless
    venue = found[0] if found else None
    if venue is None:
        venue = Venue(
            name=name,
            city=city or None,
            country=country,
            slug=_unique_slug(Venue, slugify(f"{name} {city or ''}"), "venue"),
        )
        db.session.add(venue)
    return venue


def country_of_city(city: str | None) -> str | None:
    """The country of a city, from the venues and events already placed there (or None)."""
    if not city:
        return None
    for column_city, column_country in ((Venue.city, Venue.country), (Event.city, Event.country)):
        found = db.session.scalar(
            sa.select(column_country)
            .where(sa.func.lower(column_city) == city.lower(), column_country.is_not(None))
            .limit(1)
        )
        if found:
            return str(found)
    return None


def ambiguous_venue(form: EventForm | PicketForm) -> None:
    """Say next to the venue field that its name needs a city."""
    form.venue.errors = [
        *form.venue.errors,
        _("Several places have this name: pick one with its city, or give the city."),
    ]


def _source_for(url: str | None, title: str | None, existing: list[Source]) -> Source:
    """Reuse the event's own source with the same link and title, or make a new one."""
    title = (title or "").strip() or (url or "")
    for source in existing:
        if source.url == url and source.title == title[:300]:
            return source
    return Source(url=url, title=title[:300])


def drop_unused_sources(sources: list[Source], event_id: int) -> None:
    """Delete sources this event no longer cites, unless another event still cites them."""
    for source in sources:
        if source.id is None:
            continue
        cited_elsewhere = db.session.scalar(
            sa.select(event_sources.c.event_id).where(
                event_sources.c.source_id == source.id, event_sources.c.event_id != event_id
            )
        )
        if cited_elsewhere is None:
            db.session.delete(source)


def case_events(case: Case) -> list[Event]:
    """Every event of a case, in date order."""
    return list(
        db.session.scalars(
            sa.select(Event)
            .join(event_cases, event_cases.c.event_id == Event.id)
            .where(event_cases.c.case_id == case.id)
            .order_by(Event.date, Event.id)
        )
    )


def drives_status(event: Event) -> bool:
    """Whether *event* may move its cases' status now.

    An organiser's or admin's word applies at once; an activist's report waits until an
    organiser verifies it, so one unchecked report cannot change what the public sees.
    """
    return may_verify() or event.verification == Verification.VERIFIED


def follow_status(event: Event, *, only_new: bool = False) -> None:
    """Let each of the event's cases follow what the event implies (arrest, sentence, release).

    With *only_new*, skip cases whose status this event already moved (a repeated verify).
    """
    user = current_user if current_user.is_authenticated else None
    for case in event.cases:
        if only_new and is_applied(case, event):
            continue
        apply_event(case, event, case_events(case), today_utc(), user)


def unfollow_status(event: Event, cases: list[Case], *, everything: bool = False) -> None:
    """Take back what *event* did to *cases* when it no longer justifies it (or, with
    *everything*, in any case: the event is deleted or no longer checked)."""
    user = current_user if current_user.is_authenticated else None
    today = today_utc()
    for case in cases:
        if everything or not still_justifies(case, event, today):
            undo_event(case, event, today, user)


def changes_since(obj_type: str, obj_id: int, count: int) -> list[AuditEntry]:
    """The *count* latest updates of an object: what others saved since a form was loaded."""
    if count <= 0:
        return []
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.object_type == obj_type, AuditEntry.object_id == obj_id)
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
            .limit(count)
        )
    )


def loaded_version(raw: str | None) -> int | None:
    """The record version a form was loaded with (from its hidden field)."""
    try:
        return int(raw or "")
    except ValueError:
        return None


# -- a double tap logs once ----------------------------------------------------------------

# A second identical POST by the same person within this time is the same report sent twice.
REPEAT_WINDOW = timedelta(minutes=2)


def _fingerprint(event: Event) -> tuple[Any, ...]:
    """What makes two submissions the same report."""
    return (
        event.type,
        event.title,
        event.date,
        event.date_precision,
        event.start_time,
        event.end_date,
        event.venue.id if event.venue is not None else None,
        event.city,
        event.country,
        event.participants,
        event.description,
        event.outcome,
        event.authority,
        event.authority_response,
        event.visibility,
        frozenset(c.id for c in event.cases),
        frozenset(o.name.lower() for o in event.organisations),
        tuple((x.url, x.title) for x in event.sources),
    )


# PostgreSQL advisory-lock namespace: one user's event posts are checked one after the other.
REPEAT_LOCK = 0x6576_0000


def repeated_event(event: Event) -> Event | None:
    """The event this user logged moments ago with exactly these details, if any.

    Two taps arrive at once: on PostgreSQL a per-user transaction lock makes the second wait for
    the first to commit (SQLite already serialises writing requests with BEGIN IMMEDIATE).
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(REPEAT_LOCK + current_user.id)))
    since = datetime.now(UTC) - REPEAT_WINDOW
    with db.session.no_autoflush:
        candidates = db.session.scalars(
            sa.select(Event)
            .where(
                Event.created_by_id == current_user.id,
                Event.type == event.type,
                Event.date == event.date,
                Event.title == event.title,
                Event.created_at >= since,
            )
            .order_by(Event.id)
        )
        wanted = _fingerprint(event)
        for candidate in candidates:
            if candidate is not event and _fingerprint(candidate) == wanted:
                return candidate
    return None


def _forget() -> None:
    """Drop an unsaved duplicate and anything made for it (a new venue or organisation)."""
    db.session.rollback()


# -- the full form ----------------------------------------------------------------------------


def _fill_event(event: Event, form: EventForm) -> None:
    """Copy the form onto the event, resolving cases, venue, organisations and sources."""
    country = form.country.data or None
    cases = [c for c in (db.session.get(Case, cid) for cid in form.cases.data or []) if c]
    venue = venue_named(form.venue.data, form.city.data, country) if form.venue.data else None
    orgs: list[Organisation] = []
    for name in form.organisations.data:
        if name and name.strip():
            org = organisation_named(name)
            if org not in orgs:
                orgs.append(org)
    sources: list[Source] = []
    existing = list(event.sources) if event.id else []
    for entry in form.sources.data:
        if entry.get("url") or (entry.get("title") or "").strip():
            sources.append(_source_for(entry.get("url"), entry.get("title"), existing))
    with db.session.no_autoflush:
        event.type = EventType(form.type.data)
        event.title = form.title.data.strip()
        event.date = form.date.data or event.date
        event.date_precision = DatePrecision(form.date_precision.data)
        event.start_time = form.start_time.data
        event.end_date = form.end_date.data
        event.venue = venue
        event.city = (form.city.data or "").strip() or (venue.city if venue else None)
        event.country = country
        event.participants = form.participants.data
        event.description = form.description.data or None
        event.outcome = form.outcome.data or None
        event.authority = form.authority.data or None
        event.authority_response = form.authority_response.data or None
        event.visibility = Visibility(form.visibility.data)
        event.cases = cases
        event.organisations = orgs
        event.sources = sources


def _prefill(form: EventForm, event: Event) -> None:
    """Show an existing event in the form (GET)."""
    form.type.data = event.type.value
    form.title.data = event.title
    form.cases.data = [c.id for c in event.cases]
    form.date.data = event.date
    form.date.shown_precision = event.date_precision
    form.date_precision.data = event.date_precision.value
    form.start_time.data = event.start_time
    form.end_date.data = event.end_date
    form.venue.data = venue_label(event.venue.name, event.venue.city) if event.venue else ""
    form.city.data = event.city or ""
    form.country.data = event.country or ""
    form.participants.data = event.participants
    form.description.data = event.description
    form.outcome.data = event.outcome
    form.authority.data = event.authority
    form.authority_response.data = event.authority_response
    form.visibility.data = event.visibility.value
    form.version.data = str(event.version)
    while len(form.organisations) < len(event.organisations) + 1:
        form.organisations.append_entry()
    for entry, org in zip(form.organisations, event.organisations, strict=False):
        entry.data = org.name
    while len(form.sources) < len(event.sources) + 1:
        form.sources.append_entry()
    for entry, source in zip(form.sources, event.sources, strict=False):
        entry.form.url.data = source.url
        entry.form.title.data = source.title


def wants_more_lines(form: EventForm) -> bool:
    """Whether the user asked for more organisation and source lines (no JavaScript needed)."""
    if request.method != "POST" or not request.form.get("add_lines"):
        return False
    form.organisations.append_entry()
    form.organisations.append_entry()
    form.sources.append_entry()
    form.sources.append_entry()
    return True


def _render_form(form: EventForm, event: Event | None, **extra: Any) -> str:
    return render_template("events/form.html", form=form, event=event, names=known_names(), **extra)


@bp.route("/new", methods=["GET", "POST"])
@allow(*STAFF)
def new() -> str | Response:
    """Log any event with every detail: the organisers' form."""
    form = EventForm()
    form.cases.choices = as_choices(case_choices())
    if request.method == "GET":
        wanted = request.args.get("case", type=int)
        if wanted:
            form.cases.data = [wanted]
        if request.args.get("type") in {t.value for t in EventType}:
            form.type.data = request.args["type"]
    if wants_more_lines(form):
        return _render_form(form, None)
    if form.validate_on_submit():
        event = Event(
            created_by_id=current_user.id,
            visibility=Visibility.PUBLIC,
            date_precision=DatePrecision.DAY,
        )
        try:
            _fill_event(event, form)
        except AmbiguousVenue:
            ambiguous_venue(form)
            return _render_form(form, None)
        earlier = repeated_event(event)
        if earlier is not None:
            _forget()
            flash(_("The event was saved."), "success")
            return redirect(safe_next(url_for("events.detail", event_id=earlier.id)))
        db.session.add(event)
        db.session.flush()
        if drives_status(event):
            follow_status(event)
        db.session.commit()
        flash(_("The event was saved."), "success")
        return redirect(safe_next(url_for("events.detail", event_id=event.id)))
    return _render_form(form, None)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@allow(*STAFF)
def edit(event_id: int) -> str | Response:
    """Change an event; a save over someone else's newer save is refused and explained."""
    event = load_event(event_id, editing=True)
    form = EventForm()
    form.cases.choices = as_choices(case_choices([c.id for c in event.cases]))
    if request.method == "GET":
        _prefill(form, event)
        return _render_form(form, event)
    if form.date.granularity is not None:
        form.date.shown_precision = form.date.granularity
    if wants_more_lines(form) or not form.validate_on_submit():
        return _render_form(form, event)
    seen = loaded_version(form.version.data)
    if seen != event.version:
        return _conflict(form, event, seen)
    before = (event.type, event.date, {c.id for c in event.cases})
    cases_before = list(event.cases)
    cited_before = list(event.sources)
    try:
        _fill_event(event, form)
    except AmbiguousVenue:
        ambiguous_venue(form)
        return _render_form(form, event)
    if (
        db.session.is_modified(event)
        and event.verification == Verification.VERIFIED
        and not may_verify()
    ):
        # What an organiser checked is no longer what is saved: it needs checking again.
        event.verification = Verification.REPORTED
    try:
        db.session.flush()
        drop_unused_sources([x for x in cited_before if x not in event.sources], event.id)
        if not drives_status(event):
            # An activist's change takes the event back to unchecked: so does its effect.
            unfollow_status(event, cases_before, everything=True)
        elif before != (event.type, event.date, {c.id for c in event.cases}):
            unfollow_status(event, cases_before)
            follow_status(event)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        flash(
            _("Someone else saved this event at the same moment: check it and save again."), "error"
        )
        return redirect(url_for("events.edit", event_id=event_id))
    flash(_("The event was saved."), "success")
    return redirect(safe_next(url_for("events.detail", event_id=event.id)))


def _conflict(form: EventForm, event: Event, seen: int | None) -> str:
    """Re-show the form with the user's input and what changed since they loaded it."""
    others = changes_since("event", event.id, event.version - (seen or 0))
    form.version.data = str(event.version)
    form.form_errors.append(
        _(
            "Someone else changed this event after you opened it. Your changes are not saved yet: "
            "check theirs below, then save again to keep your version."
        )
    )
    return _render_form(form, event, conflict=others)


# -- the quick picket form ------------------------------------------------------------------


@bp.route("/picket", methods=["GET", "POST"])
@allow(*STAFF)
def picket() -> str | Response:
    """Log a picket in under a minute, from a phone."""
    form = PicketForm()
    form.cases.choices = as_choices(case_choices())
    if request.method == "GET":
        form.date.data = today_utc()
        wanted = request.args.get("case", type=int)
        if wanted:
            form.cases.data = [wanted]
        elif len(form.cases.choices) == 1:
            form.cases.data = [form.cases.choices[0].value]
    guessed = request.method == "POST" and not form.country.data
    if guessed:
        # The guess for a city used before, shown in the form if it comes back with an error.
        form.country.data = country_of_city((form.city.data or "").strip() or None) or ""
    if form.validate_on_submit():
        city = (form.city.data or "").strip() or None
        chosen = None if guessed else form.country.data or None
        try:
            venue = (
                venue_named(form.venue.data, city, chosen or country_of_city(city))
                if form.venue.data
                else None
            )
        except AmbiguousVenue:
            ambiguous_venue(form)
            return render_template("events/picket.html", form=form, names=known_names())
        organisation = organisation_named(form.organisation.data)
        kind = EventType(form.type.data)
        # "Picket at the embassy", but "Picket in Vienna": a city is not a place one stands at.
        title = (
            _("%(what)s at %(place)s", what=kind.label, place=venue.name)
            if venue
            else _("%(what)s in %(city)s", what=kind.label, city=city)
        )
        event = Event(
            type=kind,
            title=title[:200],
            date=form.date.data,
            date_precision=DatePrecision.DAY,
            venue=venue,
            city=city or (venue.city if venue else None),
            country=chosen or (venue.country if venue else None) or country_of_city(city),
            participants=form.participants.data,
            description=form.note.data or None,
            created_by_id=current_user.id,
        )
        with db.session.no_autoflush:
            event.cases = [c for c in (db.session.get(Case, i) for i in form.cases.data) if c]
            event.organisations = [organisation]
            if form.link.data:
                event.sources = [Source(url=form.link.data, title=form.link.data[:300])]
        event.visibility = Visibility.PUBLIC
        earlier = repeated_event(event)
        if earlier is not None:
            # The same picket sent twice (a double tap): land where the first one landed.
            _forget()
            flash(_("Thank you: the picket was logged."), "success")
            return redirect(url_for("events.picket", logged=earlier.id))
        db.session.add(event)
        db.session.commit()
        flash(_("Thank you: the picket was logged."), "success")
        return redirect(url_for("events.picket", logged=event.id))
    logged_id = request.args.get("logged", type=int) if request.method == "GET" else None
    logged = db.session.get(Event, logged_id) if logged_id else None
    return render_template("events/picket.html", form=form, names=known_names(), logged=logged)


# -- list, verify, delete -------------------------------------------------------------------


@bp.get("/")
@allow(*STAFF)
def index() -> str:
    """Every event, newest first, filtered by case, verification and visibility."""
    query = sa.select(Event).order_by(Event.date.desc(), Event.id.desc())
    case_id = request.args.get("case", type=int)
    if case_id:
        query = query.join(event_cases, event_cases.c.event_id == Event.id).where(
            event_cases.c.case_id == case_id
        )
    verification = request.args.get("verification")
    if verification in {v.value for v in Verification}:
        query = query.where(Event.verification == Verification(verification))
    visibility = request.args.get("visibility")
    if visibility in {v.value for v in Visibility}:
        query = query.where(Event.visibility == Visibility(visibility))
    page = db.paginate(query, per_page=PAGE_SIZE, error_out=False)
    cases = list(
        db.session.scalars(sa.select(Case).order_by(Case.person_name, Case.arrest_date, Case.id))
    )
    labels = case_labels(cases)
    return render_template(
        "events/index.html",
        page=page,
        cases=[(c.id, labels[c.id]) for c in cases],
        filters={"case": case_id, "verification": verification, "visibility": visibility},
        args={
            k: v
            for k, v in (
                ("case", case_id),
                ("verification", verification),
                ("visibility", visibility),
            )
            if v
        },
        confirm=ConfirmForm(),
    )


@bp.get("/<int:event_id>")
@allow(*STAFF)
def detail(event_id: int) -> str:
    """Everything about one event, for every staff member (internal ones marked)."""
    event = load_event(event_id)
    return render_template("events/detail.html", event=event, confirm=ConfirmForm())


@bp.post("/<int:event_id>/verify")
@allow(*ORGANISERS)
def verify(event_id: int) -> Response:
    """Mark an event as checked against its sources: one click for organisers."""
    event = load_event(event_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if event.verification != Verification.VERIFIED:
        event.verification = Verification.VERIFIED
        event.verified_by_id = current_user.id
        event.verified_at = datetime.now(UTC)
        # Checked now: an activist's arrest, sentence or release may move the status.
        follow_status(event, only_new=True)
        db.session.commit()
        flash(_("The event is marked as verified."), "success")
    return redirect(safe_next(url_for("events.index")))


@bp.route("/<int:event_id>/delete", methods=["GET", "POST"])
@allow(*ORGANISERS)
def delete(event_id: int) -> str | Response:
    """Delete an event after confirmation; the audit trail keeps what it was."""
    event = load_event(event_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        unfollow_status(event, list(event.cases), everything=True)
        cited = list(event.sources)
        db.session.delete(event)
        db.session.flush()
        drop_unused_sources(cited, event_id)
        db.session.commit()
        flash(_("The event was deleted. Its last state is kept in the history."), "success")
        return redirect(url_for("events.index"))
    return render_template("events/delete.html", event=event, form=form)


# -- for the dashboard ----------------------------------------------------------------------


@bp.app_template_global()
def events_awaiting_verification(limit: int = 10) -> list[Event]:
    """Reported events an organiser has not checked yet, oldest logged first."""
    return list(
        db.session.scalars(
            sa.select(Event)
            .where(Event.verification == Verification.REPORTED)
            .order_by(Event.created_at, Event.id)
            .limit(limit)
        )
    )


@bp.app_template_global()
def recent_events(limit: int = 10) -> list[Event]:
    """The events logged most recently."""
    return list(
        db.session.scalars(
            sa.select(Event).order_by(Event.created_at.desc(), Event.id.desc()).limit(limit)
        )
    )


@bp.app_template_global()
def form_error_list(form: Any) -> list[tuple[str | None, str, str]]:
    """Every error of a long form as (field id to link to, field label, message), in order."""
    found: list[tuple[str | None, str, str]] = []

    def visit(field: Any, label: str | None = None) -> None:
        if field.type == "FieldList":
            for entry in field.entries:
                visit(entry, str(field.label.text))
            return
        if field.type == "FormField":
            for sub in field.form:
                visit(sub, label)
            return
        messages = field.errors if isinstance(field.errors, list) else []
        hidden = field.type in {"HiddenField", "CSRFTokenField"}
        name = str(field.label.text) if not label else f"{label}: {field.label.text}"
        for message in messages:
            found.append((None if hidden else field.id, name, str(message)))

    for field in form:
        visit(field)
    return found


@bp.app_template_global()
def event_editable(event: Event) -> bool:
    """Whether the signed-in user may edit *event* (for showing the edit link)."""
    return current_user.is_authenticated and may_edit(event)
