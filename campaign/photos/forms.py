"""The photo forms: uploading an event's photos, describing and publishing one, blurring regions."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from werkzeug.datastructures import FileStorage
from wtforms import FieldList, FormField, StringField, SubmitField, TextAreaField
from wtforms import Form as SubForm
from wtforms.validators import Length, ValidationError

from campaign.photos.images import Region
from campaign.web.validators import NoControlCharacters

#: How many photos one upload may carry.
MAX_FILES = 10
#: How many rectangles the blur form offers without JavaScript (the script adds more).
REGION_ROWS = 6
MAX_REGIONS = 30
ALT_TEXT_MAX = 500
_PERCENT = re.compile(r"\d{1,3}(?:[.,]\d{1,2})?")


class UploadForm(FlaskForm):
    """One or more photos of an event."""

    photos = MultipleFileField(_l("Photos"))

    def files(self) -> list[FileStorage]:
        """The files chosen (a browser sends an empty part when none is)."""
        data = self.photos.data or []
        return [f for f in data if isinstance(f, FileStorage) and f.filename]

    def validate_photos(self, field: Any) -> None:
        chosen = self.files()
        if not chosen:
            raise ValidationError(_("Choose at least one photo."))
        if len(chosen) > MAX_FILES:
            raise ValidationError(_("Send at most %(num)d photos at a time.", num=MAX_FILES))


class DescribeForm(FlaskForm):
    """A photo's description for people who cannot see it, and whether the public sees it."""

    alt_text = TextAreaField(
        _l("Description (alt text)"),
        validators=[Length(max=ALT_TEXT_MAX), NoControlCharacters()],
    )
    publish = SubmitField(_l("Publish"))
    save = SubmitField(_l("Save the description"))
    unpublish = SubmitField(_l("Make internal again"))


class PercentField(StringField):
    """A percentage from 0 to 100 with at most two decimals ("12.5" or "12,5"); empty is None."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = str(valuelist[0]).strip() if valuelist else ""
        self.raw_text = text
        if not text:
            self.data = None
            return
        if not _PERCENT.fullmatch(text):
            self.data = None
            raise ValueError(_l("Give a number from 0 to 100."))
        value = float(text.replace(",", "."))
        if value > 100:
            self.data = None
            raise ValueError(_l("Give a number from 0 to 100."))
        self.data = value

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else f"{self.data:g}"


class RegionForm(SubForm):
    """One rectangle to blur, in percentages of the photo's width and height."""

    x = PercentField(_l("From the left (%)"))
    y = PercentField(_l("From the top (%)"))
    w = PercentField(_l("Width (%)"))
    h = PercentField(_l("Height (%)"))

    def region(self) -> Region | None:
        """The rectangle, or None for a row left empty."""
        values = [self.x.data, self.y.data, self.w.data, self.h.data]
        if any(v is None for v in values):
            return None
        x, y, w, h = (float(v) for v in values if v is not None)
        return Region(x, y, w, h)

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        values = [self.x.data, self.y.data, self.w.data, self.h.data]
        given = [v is not None for v in values]
        if any(given) and not all(given):
            self.form_errors.append(_("Fill in all four numbers, or none."))
            return False
        region = self.region()
        if region is None:
            return True
        if region.w <= 0 or region.h <= 0:
            self.form_errors.append(_("A rectangle needs a width and a height above 0."))
            return False
        if region.x + region.w > 100 or region.y + region.h > 100:
            self.form_errors.append(_("The rectangle goes beyond the edge of the photo."))
            return False
        return True


class BlurForm(FlaskForm):
    """The rectangles to blur (a face each), as numbers; the page's script fills them in."""

    regions = FieldList(FormField(RegionForm), min_entries=REGION_ROWS, max_entries=MAX_REGIONS)

    def chosen(self) -> list[Region]:
        """The rectangles filled in."""
        return [r for entry in self.regions if (r := entry.form.region()) is not None]

    def validate_regions(self, field: Any) -> None:
        if not self.chosen():
            raise ValidationError(_("Mark at least one rectangle to blur."))
