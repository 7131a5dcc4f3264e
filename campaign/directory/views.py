"""Staff views of the directory: organisations and venues, each with its actions across cases."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from campaign.directory import queries, services
from campaign.directory.forms import OrganisationForm, VenueForm
from campaign.extensions import db
from campaign.models import Organisation, OrganisationKind, Role, Venue
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
    return render_template("directory/index.html", rows=queries.organisations_with_counts())


@bp.get("/<int:organisation_id>")
@allow(*STAFF)
def detail(organisation_id: int) -> str:
    """An organisation and every action it took part in, across cases."""
    org = load_organisation(organisation_id)
    events = queries.organisation_events(org)
    return render_template("directory/detail.html", org=org, events=events)


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
        try:
            services.update_organisation(
                org,
                name=form.name.data or "",
                kind=OrganisationKind(form.kind.data),
                country=form.country.data or None,
                website=form.website.data or None,
            )
        except services.NameTaken:
            form.name.errors = [_("Another organisation already has this name.")]
        else:
            db.session.commit()
            flash(_("The organisation was saved."), "success")
            return redirect(url_for("directory.detail", organisation_id=org.id))
    return render_template("directory/edit.html", form=form, org=org, venue=None)


@bp.get("/venues/")
@allow(*STAFF)
def venues() -> str:
    """Reusable venues (an embassy, a bank, a court), with how many actions took place there."""
    return render_template("directory/venues.html", rows=queries.venues_with_counts())


@bp.get("/venues/<int:venue_id>")
@allow(*STAFF)
def venue(venue_id: int) -> str:
    """A venue and every action held there, across cases."""
    place = load_venue(venue_id)
    return render_template("directory/venue.html", venue=place, events=queries.venue_events(place))


@bp.route("/venues/<int:venue_id>/edit", methods=["GET", "POST"])
@allow(*ORGANISERS)
def edit_venue(venue_id: int) -> str | Response:
    """Correct a venue's name, address, city or country."""
    place = load_venue(venue_id, editing=True)
    form = VenueForm(obj=place if request.method == "GET" else None)
    if request.method == "GET":
        form.country.data = place.country or ""
    if form.validate_on_submit():
        try:
            services.update_venue(
                place,
                name=form.name.data or "",
                address=(form.address.data or "").strip() or None,
                city=form.city.data,
                country=form.country.data or None,
            )
        except services.NameTaken:
            form.name.errors = [_("Another venue in this city already has this name.")]
        else:
            db.session.commit()
            flash(_("The venue was saved."), "success")
            return redirect(url_for("directory.venue", venue_id=place.id))
    return render_template("directory/edit.html", form=form, org=None, venue=place)
