"""The form of the admin area's archive page: a campaign file to import."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField


class ImportForm(FlaskForm):
    """A file written by the export (here or by ``flask export``) to load into this site."""

    file = FileField(
        _l("Campaign file (JSON)"),
        validators=[FileRequired(message=_l("Choose a campaign file to import."))],
    )
    submit = SubmitField(_l("Import"))
