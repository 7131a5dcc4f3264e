"""The import's forms: the upload, the mapping of columns to fields, the confirmation."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from campaign.imports.labels import FIELDS, KINDS


def _optional_int(value: object) -> int | None:
    return int(str(value)) if value not in (None, "", "None") else None


class UploadForm(FlaskForm):
    """A CSV or XLSX file of events or of cases."""

    kind = SelectField(
        _l("The sheet lists"),
        choices=[SelectChoice(k, label) for k, label in KINDS.items()],
        validators=[InputRequired()],
    )
    sheet = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])
    case = SelectField(
        _l("Events of which case, where the sheet does not say"),
        coerce=_optional_int,
        validate_choice=False,
    )


class ConfirmForm(FlaskForm):
    """The confirmation of a previewed import."""

    skip_problems = BooleanField(_l("Leave out the rows with problems and import the rest"))


def mapping_form(
    kind: str,
    header: Sequence[str],
    chosen: Sequence[str],
    cases: list[tuple[int, str]],
    default_case: int | None,
) -> FlaskForm:
    """A form with one choice of field per column, preset to *chosen*."""

    class MappingForm(FlaskForm):
        pass

    options = [SelectChoice("", str(_l("— leave out —")))] + [
        SelectChoice(n, str(lb)) for n, lb in FIELDS[kind].items()
    ]
    for i, heading in enumerate(header):
        setattr(
            MappingForm,
            f"col_{i}",
            SelectField(heading or f"#{i + 1}", choices=options, default=chosen[i]),
        )
    if kind == "events":
        MappingForm.case = SelectField(
            _l("Events of which case, where the sheet does not say"),
            choices=[SelectChoice("", str(_l("— none —")))]
            + [SelectChoice(str(i), n) for i, n in cases],
            default=str(default_case) if default_case else "",
        )
    return MappingForm()
