"""Staff views of spreadsheets in: upload, map the columns, preview, confirm (organisers)."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from campaign.extensions import db
from campaign.imports import queries, services
from campaign.imports.forms import ConfirmForm, UploadForm, mapping_form
from campaign.imports.labels import ACTIONS, ENCODINGS, FIELDS, KINDS, sheet_error
from campaign.models import SheetUpload
from campaign.util.sheetfiles import SheetError, read_sheet
from campaign.web.access import ORGANISERS, acting_user, allow, lets_in

bp = Blueprint("imports", __name__, url_prefix="/manage/imports")
logger = logging.getLogger(__name__)


def _upload_page(form: UploadForm, error: str | None = None, status: int = 200) -> tuple[str, int]:
    return render_template(
        "imports/upload.html",
        form=form,
        error=error,
        limit_rows=current_app.config["IMPORT_MAX_ROWS"],
        limit_bytes=current_app.config["IMPORT_MAX_BYTES"],
    ), status


def _upload_form(*, read_request: bool = True) -> UploadForm:
    form = UploadForm() if read_request else UploadForm(formdata=None)
    form.case.choices = [SelectChoice("", _("— none —"))] + [
        SelectChoice(str(i), name) for i, name in queries.case_choices()
    ]
    if request.method == "GET" or not read_request:
        form.kind.data = request.args.get("kind", "events")
        form.case.data = request.args.get("case", type=int)
    return form


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
    """A file over the request limit gets the upload page with the limit, not an error page;
    only for organisers, as the page lists the cases."""
    if not lets_in():
        return render_template("errors/error.html", code=413), 413
    limit = current_app.config["IMPORT_MAX_BYTES"]
    return _upload_page(_upload_form(read_request=False), sheet_error("too_big", limit=limit), 413)


@bp.route("/", methods=["GET", "POST"])
@allow(*ORGANISERS)
def upload() -> tuple[str, int] | Response:
    """Upload a CSV or XLSX file of events or of cases."""
    form = _upload_form()
    if not form.validate_on_submit():
        return _upload_page(form, status=400 if request.method == "POST" else 200)
    file = form.sheet.data
    config = current_app.config
    data = file.stream.read(config["IMPORT_MAX_BYTES"] + 1)
    try:
        sheet = read_sheet(
            data,
            file.filename or "",
            max_rows=config["IMPORT_MAX_ROWS"],
            max_bytes=config["IMPORT_MAX_BYTES"],
        )
    except SheetError as error:
        message = sheet_error(error.reason, **error.values)
        return _upload_page(form, message, 400)
    kind = form.kind.data if form.kind.data in services.KINDS else "events"
    token = services.store_upload(
        sheet,
        kind,
        file.filename or "",
        acting_user(),
        hours=float(config["IMPORT_UPLOAD_HOURS"]),
        default_case_id=form.case.data,
    )
    db.session.commit()
    logger.info("sheet of %s rows uploaded by user %s", len(sheet.rows), acting_user().id)
    return redirect(url_for("imports.mapping", token=token))


def _load(token: str) -> SheetUpload | Response:
    """The user's uploaded sheet, or a redirect to the upload page saying it is gone."""
    try:
        return services.load_upload(token, acting_user())
    except services.StaleUpload:
        flash(
            _(
                "This import is no longer waiting: it was confirmed, it expired, or it is "
                "not yours. Upload the file again."
            ),
            "error",
        )
        return redirect(url_for("imports.upload"))


@bp.route("/<token>/map", methods=["GET", "POST"])
@allow(*ORGANISERS)
def mapping(token: str) -> tuple[str, int] | Response:
    """Say which field each column holds (guessed, or as chosen last time for these headings)."""
    upload = _load(token)
    if isinstance(upload, Response):
        return upload
    chosen = (
        upload.fields
        or queries.remembered_fields(upload.kind, upload.header)
        or services.guess_fields(upload.kind, upload.header)
    )
    form = mapping_form(
        upload.kind, upload.header, chosen, queries.case_choices(), upload.default_case_id
    )
    error = None
    if form.validate_on_submit():
        fields = [str(getattr(form, f"col_{i}").data or "") for i in range(len(upload.header))]
        case_field = getattr(form, "case", None)
        default_case = int(case_field.data) if case_field and case_field.data else None
        try:
            services.set_mapping(upload, fields, default_case)
        except services.MappingIncomplete as missing:
            labels = FIELDS[upload.kind]
            error = _(
                "Choose one column for each of: %(fields)s.",
                fields=", ".join(str(labels[f]) for f in [*missing.missing, *missing.twice]),
            )
        else:
            db.session.commit()
            return redirect(url_for("imports.preview", token=token))
    columns = [
        (
            getattr(form, f"col_{i}"),
            [cells[i] for _line, cells in upload.rows[:3] if i < len(cells)],
        )
        for i in range(len(upload.header))
    ]
    return render_template(
        "imports/map.html",
        form=form,
        upload=upload,
        columns=columns,
        error=error,
        kinds=KINDS,
        encoding=ENCODINGS.get(upload.encoding, upload.encoding),
    ), 400 if error else 200


@bp.get("/<token>/preview")
@allow(*ORGANISERS)
def preview(token: str) -> str | Response:
    """What each row will create or update, with its problems next to it; nothing is saved."""
    upload = _load(token)
    if isinstance(upload, Response):
        return upload
    if not upload.fields:
        return redirect(url_for("imports.mapping", token=token))
    plan = services.plan_import(upload)
    return render_template(
        "imports/preview.html",
        upload=upload,
        plan=plan,
        form=ConfirmForm(),
        actions=ACTIONS,
        kinds=KINDS,
        encoding=ENCODINGS.get(upload.encoding, upload.encoding),
    )


@bp.post("/<token>/confirm")
@allow(*ORGANISERS)
def confirm(token: str) -> Response:
    """Save every row as previewed, all in one transaction, or none of them."""
    upload = _load(token)
    if isinstance(upload, Response):
        return upload
    form = ConfirmForm()
    if not form.validate_on_submit() or not upload.fields:
        return redirect(url_for("imports.preview", token=token))
    kind = upload.kind
    try:
        done = services.run_import(upload, acting_user(), skip_problems=form.skip_problems.data)
    except services.ProblemsRemain:
        db.session.rollback()
        flash(
            _(
                "Nothing was imported: some rows have problems. Correct the sheet, or choose "
                "to leave those rows out."
            ),
            "error",
        )
        return redirect(url_for("imports.preview", token=token))
    except services.RowFailed as failed:
        db.session.rollback()
        flash(
            _(
                "Nothing was imported: row %(line)s could not be saved: %(reason)s",
                line=failed.line,
                reason=failed.message,
            ),
            "error",
        )
        return redirect(url_for("imports.preview", token=token))
    db.session.commit()
    logger.info("sheet imported by user %s", acting_user().id)
    flash(
        _(
            "Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
            "%(skipped)s left out.",
            created=done.created,
            updated=done.updated,
            unchanged=done.unchanged,
            skipped=done.skipped,
        ),
        "success",
    )
    return redirect(url_for("cases.index" if kind == "cases" else "events.index"))
