"""Photo views: an event's photos (upload, list), one photo's page (describe, publish, blur,
delete), and the files themselves at ``/photos/<name>.<size>.jpg``.

A photo's file is served from this site only. A published photo's address never changes its
bytes (blurring gives the photo a new name), so browsers and proxies may keep it for a year; an
internal one goes to signed-in staff only, stored nowhere, and to everyone else it is the same
404, byte for byte and header for header, as a name that never existed.
"""

from __future__ import annotations

from pathlib import Path
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
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.security import safe_join
from werkzeug.wrappers import Response

from campaign.events.services import may_edit
from campaign.extensions import db
from campaign.models import Event, Photo
from campaign.photos import queries, services
from campaign.photos.forms import MAX_FILES, BlurForm, DescribeForm, UploadForm
from campaign.photos.images import MAX_BYTES, SIZES
from campaign.photos.labels import refusal, state
from campaign.web.access import ORGANISERS, STAFF, acting_user, allow, lets_in
from campaign.web.caching import is_staff
from campaign.web.i18n import without_language

bp = Blueprint("photos", __name__, url_prefix="/manage")
public_bp = Blueprint("photo_files", __name__)

# A year: the most RFC 9111 asks caches to honour, and a published file never changes.
PUBLISHED_CACHE = "public, max-age=31536000, immutable"
INTERNAL_CACHE = "private, no-store"
# Room for the form's other parts around the largest files.
_FORM_OVERHEAD = 64 * 1024


# -- template helpers ------------------------------------------------------------------------


@public_bp.app_template_global()
def photo_src(photo: Photo, size: str = "large") -> str:
    """The address of a photo's file: the same in every language, so it is kept once."""
    return without_language(url_for("photo_files.file", file_name=f"{photo.name}.{size}.jpg"))


@public_bp.app_template_global()
def photo_srcset(photo: Photo) -> str:
    """Every size of a photo for ``srcset``, by width (a photo narrower than the small size
    has two files of one width: the list names that width once, as HTML requires)."""
    by_width: dict[int, str] = {}
    for size in SIZES:
        by_width.setdefault(queries.scaled_width(photo, size), photo_src(photo, size))
    return ", ".join(f"{src} {width}w" for width, src in sorted(by_width.items()))


public_bp.add_app_template_global(queries.timeline_photos, "timeline_photos")
public_bp.add_app_template_global(state, "photo_state")


# -- the files -------------------------------------------------------------------------------


def _not_found() -> Response:
    """The one answer for every name the visitor may not have: unknown, malformed, internal,
    or gone from the disk. Nothing in it depends on the name asked for."""
    response = Response("Not found\n", 404, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Cookie")
    return response


@public_bp.get("/photos/<path:file_name>")
def file(file_name: str) -> Response:
    """A photo's file: a published one to anyone, an internal one to signed-in staff only."""
    wanted = queries.parse_file_name(file_name)
    if wanted is None:
        return _not_found()
    found = queries.photo_by_name(wanted.name, include_internal=is_staff())
    if found is None:
        return _not_found()
    public = found[1]
    folder = services.events_folder(current_app.config["PHOTO_FOLDER"])
    # The name was checked letter by letter above; safe_join refuses a climb out all the same.
    path = safe_join(str(folder), f"{wanted.name}.{wanted.size}.jpg")
    etag = f"{wanted.name}.{wanted.size}"  # the name changes with the bytes
    if path is None or not Path(path).is_file():
        return _not_found()
    if request.if_none_match.contains_weak(etag):
        # A phone that has the photo already: answered without reading the file.
        response = Response(status=304)
    else:
        try:
            # Read whole (a few hundred kB at most): no file stays open with a slow client.
            data = Path(path).read_bytes()
        except OSError:
            return _not_found()
        response = Response(data, mimetype="image/jpeg")
    response.set_etag(etag)
    response.headers["Cache-Control"] = PUBLISHED_CACHE if public else INTERNAL_CACHE
    response.vary.add("Cookie")
    return response


# -- an event's photos -----------------------------------------------------------------------


def _event_or_404(event_id: int, *, adding: bool = False) -> Event:
    """Load an event or 404; when *adding* photos, 403 unless the user may change the event
    (organisers any, an activist the events they logged)."""
    event = db.get_or_404(Event, event_id)
    if adding and not may_edit(event, acting_user()):
        abort(403)
    return event


def _photo_or_404(photo_id: int) -> Photo:
    """Load a photo or 404 (the guard has checked the role; deleting checks the uploader)."""
    return db.get_or_404(Photo, photo_id)


@bp.app_template_global()
def event_photo_list(event: Event) -> list[Photo]:
    """Every photo of *event*, for its staff page."""
    return queries.event_photos(event.id)


@bp.app_template_global()
def may_add_photos(event: Event) -> bool:
    """Whether the signed-in user may attach photos to *event*."""
    return bool(current_user.is_authenticated) and may_edit(event, acting_user())


@bp.app_template_global()
def photo_limits() -> dict[str, int]:
    """What one upload may carry, for the form's hint."""
    return {"files": MAX_FILES, "mb": MAX_BYTES // 2**20}


@bp.url_value_preprocessor
def _room_for_photos(endpoint: str | None, _values: dict[str, Any] | None) -> None:
    """Photos are larger than any other form: the upload (and only it, and only for a signed-in
    member) may send up to MAX_FILES of them. Runs before any hook reads the body."""
    if endpoint == "photos.event" and request.method == "POST" and current_user.is_authenticated:
        request.max_content_length = MAX_FILES * MAX_BYTES + _FORM_OVERHEAD


def _event_page(event: Event, form: UploadForm, status: int = 200) -> tuple[str, int]:
    page = render_template(
        "photos/event.html",
        event=event,
        form=form,
        photos=queries.event_photos(event.id),
    )
    return page, status


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error: RequestEntityTooLarge) -> tuple[str, int]:
    """Photos over the request's limit: the event's photo page says so next to the field."""
    event_id = (request.view_args or {}).get("event_id")
    if request.endpoint != "photos.event" or not isinstance(event_id, int) or not lets_in():
        return render_template("errors/error.html", code=413), 413
    form = UploadForm(formdata=None)
    form.photos.errors = [
        _(
            "These files are too big together: send at most %(num)d photos of at most %(mb)d MB "
            "each.",
            num=MAX_FILES,
            mb=MAX_BYTES // 2**20,
        )
    ]
    return _event_page(_event_or_404(event_id), form, 413)


@bp.route("/events/<int:event_id>/photos", methods=["GET", "POST"])
@allow(*STAFF)
def event(event_id: int) -> tuple[str, int] | Response:
    """An event's photos with their state, and the form that adds more (they arrive internal)."""
    if request.method == "GET":
        return _event_page(_event_or_404(event_id), UploadForm())
    found = _event_or_404(event_id, adding=True)
    form = UploadForm()
    if not form.validate_on_submit():
        return _event_page(found, form, 400)
    files = form.files()
    uploads = [f.stream.read(MAX_BYTES + 1) for f in files]
    try:
        added = services.add_photos(
            found, uploads, acting_user(), current_app.config["PHOTO_FOLDER"]
        )
    except services.UploadRefused as refused:
        db.session.rollback()  # takes the files written so far along
        name = (files[refused.position].filename or "") if len(files) > 1 else ""
        form.photos.errors = [refusal(refused.reason, name)]
        if len(files) > 1:  # the others were fine, but are not kept either
            form.photos.errors.append(
                ngettext(
                    "None of the %(num)d photos was added: choose them again without this one.",
                    "None of the %(num)d photos was added: choose them again without this one.",
                    len(files),
                )
            )
        return _event_page(_event_or_404(event_id), form, 400)
    db.session.commit()
    flash(
        ngettext(
            "%(num)d photo was added. It stays internal until an organiser publishes it.",
            "%(num)d photos were added. They stay internal until an organiser publishes them.",
            len(added),
        ),
        "success",
    )
    return redirect(url_for("photos.event", event_id=event_id))


# -- one photo -------------------------------------------------------------------------------


def _photo_page(photo: Photo, form: DescribeForm, status: int = 200) -> tuple[str, int]:
    found = queries.photo_by_name(photo.name, include_internal=True)
    page = render_template(
        "photos/detail.html",
        photo=photo,
        event=db.session.get(Event, photo.event_id),
        form=form,
        shown=bool(found and found[1]),  # published, of a public event of a published case
    )
    return page, status


@bp.route("/photos/<int:photo_id>", methods=["GET", "POST"])
@allow(*ORGANISERS)
def detail(photo_id: int) -> tuple[str, int] | Response:
    """One photo: its description, publishing it (a description is required) or taking it back."""
    photo = _photo_or_404(photo_id)
    form = DescribeForm()
    if request.method == "GET":
        form.alt_text.data = photo.alt_text
        return _photo_page(photo, form)
    if not form.validate_on_submit():
        return _photo_page(photo, form, 400)
    if form.publish.data:
        publish = True
    elif form.unpublish.data:
        publish = False
    else:
        publish = photo.published
    try:
        services.set_alt_text(photo, form.alt_text.data or "", publish)
    except services.AltTextRequired:
        form.alt_text.errors = [
            _("Describe the photo before publishing it: people who cannot see it read this.")
        ]
        return _photo_page(photo, form, 400)
    db.session.commit()
    if form.unpublish.data:
        flash(_("The photo is internal again: the public no longer sees it."), "success")
    elif publish:
        flash(_("The photo is published."), "success")
    else:
        flash(_("The description was saved."), "success")
    return redirect(url_for("photos.detail", photo_id=photo.id))


@bp.route("/photos/<int:photo_id>/blur", methods=["GET", "POST"])
@allow(*ORGANISERS)
def blur(photo_id: int) -> tuple[str, int] | Response:
    """Blur rectangles of a photo (a face each) into a new copy; the old files go."""
    photo = _photo_or_404(photo_id)
    form = BlurForm()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("photos/blur.html", photo=photo, form=form), status
    services.blur_photo(photo, form.chosen(), current_app.config["PHOTO_FOLDER"])
    db.session.commit()
    flash(
        ngettext(
            "%(num)d region was blurred. Check the photo before publishing it.",
            "%(num)d regions were blurred. Check the photo before publishing it.",
            len(form.chosen()),
        ),
        "success",
    )
    return redirect(url_for("photos.detail", photo_id=photo.id))


@bp.app_template_global()
def may_delete_photo(photo: Photo) -> bool:
    """Whether the signed-in user may delete *photo* (see services.may_delete)."""
    return bool(current_user.is_authenticated) and services.may_delete(photo, acting_user())


@bp.route("/photos/<int:photo_id>/delete", methods=["GET", "POST"])
@allow(*STAFF)
def delete(photo_id: int) -> str | Response:
    """Delete a photo after confirmation; its files go with it."""
    photo = _photo_or_404(photo_id)
    if not services.may_delete(photo, acting_user()):
        abort(403)
    event_id = photo.event_id
    if request.method == "POST":
        services.delete_photo(photo, current_app.config["PHOTO_FOLDER"])
        db.session.commit()
        flash(_("The photo was deleted."), "success")
        return redirect(url_for("photos.event", event_id=event_id))
    return render_template("photos/delete.html", photo=photo, event=db.session.get(Event, event_id))
