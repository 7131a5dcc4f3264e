"""The admin area's archive page: download the whole campaign, import a campaign file.

Admins only: the export holds internal notes, unpublished cases and every message.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import ngettext
from werkzeug.wrappers import Response

from campaign.archive import queries, services
from campaign.archive.forms import ImportForm
from campaign.archive.records import KINDS
from campaign.database import utcnow
from campaign.extensions import db
from campaign.web.access import ADMINS, acting_user, allow

bp = Blueprint("archive", __name__, url_prefix="/manage/archive")


def _page(form: ImportForm, problems: list[services.Problem] | None = None) -> str:
    return render_template(
        "archive/index.html",
        form=form,
        problems=problems or [],
        counts=queries.record_counts(),
        kinds=KINDS,
        max_size=f"{current_app.config['MAX_CONTENT_LENGTH'] // (1024 * 1024)} MiB",
    )


@bp.get("/")
@allow(*ADMINS)
def index() -> str:
    """What the campaign holds, the download, and the import form."""
    return _page(ImportForm())


@bp.get("/campaign.json")
@allow(*ADMINS)
def download() -> Response:
    """The whole campaign as one JSON document, as ``flask export`` writes it."""
    body = services.export_json(services.export_campaign())
    name = f"campaign-{utcnow():%Y-%m-%d}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.post("/import")
@allow(*ADMINS)
def import_file() -> tuple[str, int] | Response:
    """Import a campaign file: all of it, or nothing and the list of its problems."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _page(form), 400
    try:
        document = services.read_json(form.file.data.read())
        report = services.import_campaign(document, acting_user())
    except services.ArchiveInvalid as exc:
        db.session.rollback()
        return _page(form, exc.problems), 400
    db.session.commit()
    flash(
        ngettext(
            "Imported the campaign file: %(num)d record created, %(updated)d updated.",
            "Imported the campaign file: %(num)d records created, %(updated)d updated.",
            report.total_created,
            updated=report.total_updated,
        ),
        "success",
    )
    return redirect(url_for("archive.index"))
