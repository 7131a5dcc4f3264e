"""Staff views of organisations and venues, each with its actions across cases."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from campaign.directory.forms import OrganisationForm, VenueForm
from campaign.extensions import db
from campaign.models import (
    Event,
    Organisation,
    OrganisationKind,
    Role,
    Venue,
    event_organisations,
)
from campaign.web.access import ORGANISERS, STAFF, allow

bp = Blueprint("directory", __name__, url_prefix="/manage/organisations")


def load_organisation(organisation_id: int, *, editing: bool = False) -> Organisation:
    """Load an organisation or 404; then, when *editing*, 403 unless the user is an organiser."""
    org = db.get_or_404(Organisation, organisation_id)
    if editing and not current_user.has_role(Role.ORGANISER):
        abort(403)
    return org


def load_venue(venue_id: int, *, editing: bool = False) -> Venue:
    """Load a venue or 404; then, when *editing*, 403 unless the user is an organiser."""
    venue = db.get_or_404(Venue, venue_id)
    if editing and not current_user.has_role(Role.ORGANISER):
        abort(403)
    return venue


@bp.get("/")
@allow(*STAFF)
def index() -> str:
    """Organisations by name, with how many actions each took part in."""
    counts = (
        sa.select(event_organisations.c.organisation_id, sa.func.count().label("n"))
        .group_by(event_organisations.c.organisation_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Organisation, sa.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.organisation_id == Organisation.id)
        .order_by(Organisation.name)
    ).all()
    return render_template("directory/index.html", rows=rows)


@bp.get("/<int:organisation_id>")
@allow(*STAFF)
def detail(organisation_id: int) -> str:
    """An organisation and every action it took part in, across cases."""
    org = load_organisation(organisation_id)
    events = db.session.scalars(
        sa.select(Event)
        .join(event_organisations, event_organisations.c.event_id == Event.id)
        .where(event_organisations.c.organisation_id == org.id)
        .order_by(Event.date.desc(), Event.id.desc())
    )
    return render_template("directory/detail.html", org=org, events=list(events))


@bp.route("/<int:organisation_id>/edit", methods=["GET", "POST"])
@allow(*ORGANISERS)
def edit(organisation_id: int) -> str | Response:
    """Correct an organisation's name, kind, country or website."""
    org = load_organisation(organisation_id, editing=True)
    form = OrganisationForm(obj=org if request.method == "GET" else None)
    if request.method == "GET":
        form.kind.data = org.kind.value
        form.country.data = org.country or ""
    if form.validate_on_submit():
        name = " ".join(form.name.data.split())
        clash = db.session.scalar(
            sa.select(Organisation.id).where(
                sa.func.lower(Organisation.name) == name.lower(), Organisation.id != org.id
            )
        )
        if clash is not None:
            form.name.errors = [_("Another organisation already has this name.")]
        else:
            _apply(
                org,
                name=name,
                kind=OrganisationKind(form.kind.data),
                country=form.country.data or None,
                website=form.website.data or None,
            )
            flash(_("The organisation was saved."), "success")
            return redirect(url_for("directory.detail", organisation_id=org.id))
    return render_template("directory/edit.html", form=form, org=org, venue=None)


def _apply(obj: Any, **values: Any) -> None:
    """Set fields and commit (the history records what changed)."""
    for name, value in values.items():
        setattr(obj, name, value)
    db.session.commit()


@bp.get("/venues/")
@allow(*STAFF)
def venues() -> str:
    """Reusable venues (an embassy, a bank, a court), with how many actions took place there."""
    counts = (
        sa.select(Event.venue_id, sa.func.count().label("n")).group_by(Event.venue_id).subquery()
    )
    rows = db.session.execute(
        sa.select(Venue, sa.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.venue_id == Venue.id)
        .order_by(Venue.city, Venue.name)
    ).all()
    return render_template("directory/venues.html", rows=rows)


@bp.get("/venues/<int:venue_id>")
@allow(*STAFF)
def venue(venue_id: int) -> str:
    """A venue and every action held there, across cases."""
    place = load_venue(venue_id)
    events = db.session.scalars(
        sa.select(Event).where(Event.venue_id == place.id).order_by(Event.date.desc(), Event.id)
    )
    return render_template("directory/venue.html", venue=place, events=list(events))


@bp.route("/venues/<int:venue_id>/edit", methods=["GET", "POST"])
@allow(*ORGANISERS)
def edit_venue(venue_id: int) -> str | Response:
    """Correct a venue's name, address, city or country."""
    place = load_venue(venue_id, editing=True)
    form = VenueForm(obj=place if request.method == "GET" else None)
    if request.method == "GET":
        form.country.data = place.country or ""
    if form.validate_on_submit():
        name = " ".join(form.name.data.split())
        city = (form.city.data or "").strip() or None
        clash = db.session.scalar(
            sa.select(Venue.id).where(Venue.name == name, Venue.city == city, Venue.id != place.id)
        )
        if clash is not None:
            form.name.errors = [_("Another venue in this city already has this name.")]
        else:
            _apply(
                place,
                name=name,
                address=(form.address.data or "").strip() or None,
                city=city,
                country=form.country.data or None,
            )
            flash(_("The venue was saved."), "success")
            return redirect(url_for("directory.venue", venue_id=place.id))
    return render_template("directory/edit.html", form=form, org=None, venue=place)
