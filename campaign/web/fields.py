"""Form pieces shared by the case and event forms: partial dates, checkbox lists, column limits."""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from datetime import date
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import Field, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.form import BaseForm
from wtforms.validators import Length, Optional, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, Select, html_params

from campaign.models import DatePrecision
from campaign.util.countries import country_choices
from campaign.util.dates import (
    NoSuchDate,
    UnreadableDate,
    coarser,
    parse_partial_date,
    start_of_period,
    today_utc,
)
from campaign.web.routing import record_id
from campaign.web.validators import CountryCode, NoControlCharacters

EARLIEST_YEAR = 1900
YEARS_AHEAD = 5
# Text columns have no size in the schema; this keeps a pasted book out of the database.
TEXT_LIMIT = 20_000
# More digits than any count or id a form asks for.
NUMBER_DIGITS = 18


def column_limit(model: type[Any], column: str) -> int:
    """The size of a string column, so form limits follow the schema."""
    length = sa.inspect(model).columns[column].type.length
    return int(length) if length else TEXT_LIMIT


def optional_text(model: type[Any], column: str) -> list[Any]:
    """Validators of an optional text field sized like its column, refusing control characters."""
    return [Optional(), Length(max=column_limit(model, column)), NoControlCharacters()]


class PartialDateField(StringField):
    """A date typed as people type it: 2010-05-12, 12.05.2010, 12/05/2010, 12 May 2010, May 2010,
    2010-05, 2010 (see :func:`campaign.util.dates.parse_partial_date`).

    ``data`` is the first day of what was typed; ``granularity`` says how much was typed
    (a :class:`DatePrecision` of day, month or year) so the form can check the precision.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.granularity: DatePrecision | None = None
        self.shown_precision: DatePrecision = DatePrecision.DAY

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse what the user typed; a malformed date is an error next to the field."""
        self.granularity = None
        raw = str(valuelist[0]).strip() if valuelist else ""
        if not raw:
            self.data = None
            return
        self.data = None
        try:
            self.data, self.granularity = parse_partial_date(raw)
        except NoSuchDate:
            raise ValueError(_l("This date does not exist.")) from None
        except UnreadableDate:
            raise ValueError(
                _l("Enter a date such as 12.05.2010, 12 May 2010, May 2010 or 2010.")
            ) from None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if not isinstance(self.data, date):
            return ""
        if self.shown_precision == DatePrecision.YEAR:
            return f"{self.data.year:04d}"
        if self.shown_precision == DatePrecision.MONTH:
            return f"{self.data.year:04d}-{self.data.month:02d}"
        return self.data.isoformat()


class CheckboxListField(SelectMultipleField):
    """Several choices as a list of checkboxes: big targets, no JavaScript."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args: Any, gone_message: Any = None, **kwargs: Any) -> None:
        """*gone_message* replaces WTForms' "'999' is not a valid choice for this field" when a
        value sent is no longer among the choices (a case archived since the form was filled
        in, on a phone that kept it offline)."""
        super().__init__(*args, **kwargs)
        self.gone_message = gone_message

    def pre_validate(self, form: BaseForm) -> None:
        """WTForms' check that every value sent is a choice, in this field's words."""
        try:
            super().pre_validate(form)
        except ValidationError:
            if self.gone_message is None:
                raise
            raise ValidationError(str(self.gone_message)) from None

    def boxes(self, only: Container[Any] | None = None) -> list[tuple[Markup, str]]:
        """Each choice's checkbox and the text of its label: what iterating the field and
        calling each option gives, written without a WTForms field per option. With *only*,
        the boxes of those values alone (a form may show some choices first and fold the
        rest); each keeps the id it has in the whole list.

        The picket form and the case, event and appeal forms list every case; with 200 cases
        WTForms' option fields and its generic attribute writer were most of a case's edit
        form's CPU. A field with anything this does not write (render_kw, a choice's own
        attributes, another widget) is rendered by WTForms as before.
        """
        choices = self.iter_choices()
        if (
            self.render_kw
            or type(self.option_widget) is not CheckboxInput
            or any(choice.render_kw for choice in choices)
        ):
            return [
                (option(), option.label.text)
                for option in self
                if only is None or option.data in only
            ]
        # What WTForms' Input adds to every option from the field's validators ("required").
        flags = {
            name: value() if callable(value) else value
            for name in dir(self.flags)
            if name in CheckboxInput.validation_attrs
            for value in (getattr(self.flags, name),)
        }
        boxes = []
        for index, choice in enumerate(choices):
            if only is not None and choice.value not in only:
                continue
            attributes = {
                **flags,
                "checked": bool(choice.selected),
                "id": f"{self.id}-{index}",
                "name": self.name,
                "type": "checkbox",
                "value": str(choice.value),
            }
            boxes.append(
                (
                    Markup(f"<input {_attributes(attributes)}>"),  # noqa: S704  # nosec B704  # escaped
                    choice.label or choice.value,
                )
            )
        return boxes


def _attributes(values: dict[str, Any]) -> str:
    """HTML attributes as WTForms' html_params writes them (sorted; True alone, False left
    out; values escaped), for the plain names this module passes."""
    written = []
    for name in sorted(values):
        value = values[name]
        if value is True:
            written.append(name)
        elif value is not False:
            written.append(f'{name}="{escape(value)}"')
    return " ".join(written)


def settle_precision(value: Field, chosen: DatePrecision) -> DatePrecision:
    """The precision a date is saved with: the chosen one, or less where the text says less.

    "July 2025" typed with "Day" chosen is saved as July 2025; a full date saved as "Month
    only" keeps its month, so changing the precision never needs the date typed again. The
    field's date is moved to the first day of that month or year, as such dates are stored.
    """
    if not isinstance(value, PartialDateField) or value.data is None:
        return chosen
    precision = coarser(chosen, value.granularity or DatePrecision.DAY)
    value.data = start_of_period(value.data, precision)
    return precision


def field_for(form: BaseForm, name: str, renamed: Mapping[str, str]) -> Field:
    """The form's field for a field of a service's record (*renamed*: where the form names it
    otherwise, ``{"related_ids": "related"}``)."""
    return form[renamed.get(name, name)]


def field_labels(form: BaseForm, names: Iterable[str], renamed: Mapping[str, str]) -> str:
    """The labels of the form's fields for *names*, in a list for a sentence."""
    return ", ".join(str(field_for(form, name, renamed).label.text) for name in names)


def mark_clashes(form: BaseForm, names: Iterable[str], renamed: Mapping[str, str]) -> None:
    """Mark the fields a colleague changed too, since the form was loaded (an edit conflict
    shown again with both people's changes, campaign.util.merge)."""
    for name in names:
        field_for(form, name, renamed).errors = [
            _(
                "Someone else changed this too: theirs is in “Saved by someone else” above. "
                "Saving keeps what is here."
            )
        ]


def loaded_version(raw: str | None) -> int | None:
    """The record version a form was loaded with, from its hidden field (None if unreadable
    or beyond what the database holds)."""
    try:
        return record_id(raw or "")
    except ValueError:
        return None


class WholeNumberField(IntegerField):
    """A whole number of at most :data:`NUMBER_DIGITS` digits.

    WTForms' ``NumberRange`` turns the number into a float and fails with OverflowError on
    one of some 300 digits; a number that long is a typing error, said next to the field.
    """

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and len(str(valuelist[0]).strip()) > NUMBER_DIGITS:
            self.data = None
            raise ValueError(_l("This number is too large."))
        super().process_formdata(valuelist)

    def pre_validate(self, form: BaseForm) -> None:
        """A number that could not be read is said once: its range is not checked as well.
        (A blank one is left to the validators: ``Optional`` takes it back.)"""
        typed = str(self.raw_data[0]).strip() if self.raw_data else ""
        if self.process_errors and typed:
            raise StopValidation()


def as_choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def latest_plausible(today: date, years_ahead: int = YEARS_AHEAD) -> date:
    """The last date a form accepts: five years from *today* (a hearing can be set far ahead)."""
    try:
        return today.replace(year=today.year + years_ahead)
    except ValueError:  # 29 February
        return today.replace(year=today.year + years_ahead, day=28)


class PlausibleDate:
    """Refuse dates before 1900 or more than five years ahead: typos such as 9999-12-31 or 2099.

    *years_ahead* widens the window where far-off dates are real (a long sentence's end).
    """

    def __init__(self, years_ahead: int = YEARS_AHEAD) -> None:
        self.years_ahead = years_ahead

    def __call__(self, form: BaseForm, field: Field) -> None:
        value = field.data
        if not isinstance(value, date):
            return
        latest = latest_plausible(today_utc(), self.years_ahead)
        if value.year < EARLIEST_YEAR or value > latest:
            raise ValidationError(
                _l(
                    "Enter a date between %(first)s and %(last)s.",
                    first=f"{EARLIEST_YEAR}-01-01",
                    last=latest.isoformat(),
                )
            )


class NotInFuture:
    """Refuse a date after today (UTC): what already happened, such as an arrest or a release."""

    def __call__(self, form: BaseForm, field: Field) -> None:
        value = field.data
        if isinstance(value, date) and value > today_utc():
            raise ValidationError(_l("This date is in the future: give the day it happened."))


class LongSelect(Select):
    """A select of hundreds of fixed options (countries, languages), rendered in one pass.

    WTForms renders each option through its generic attribute writer, which made the country
    and language lists most of the support form's cost; the options of a list are escaped
    once per list and language here, and only the chosen one is written afresh.
    """

    def __call__(self, field: Field, **kwargs: Any) -> Markup:
        kwargs.setdefault("id", field.id)
        if self.multiple:
            kwargs["multiple"] = True
        flags = getattr(field, "flags", {})
        for name in dir(flags):  # as WTForms' Select: "required" and the like
            if name in self.validation_attrs and name not in kwargs:
                kwargs[name] = getattr(flags, name)
        choices = field.iter_choices()
        pairs = tuple((str(c[0]), str(c[1])) for c in choices)
        chosen = next((index for index, c in enumerate(choices) if c[2]), None)
        options = list(_rendered_options(pairs))
        if chosen is not None:
            value, label = pairs[chosen]
            options[chosen] = f'<option selected value="{escape(value)}">{escape(label)}</option>'
        attributes = html_params(name=field.name, **kwargs)
        return Markup(f"<select {attributes}>{''.join(options)}</select>")  # noqa: S704  # nosec B704  # options and attributes escaped


@lru_cache(maxsize=32)
def _rendered_options(pairs: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """The escaped options of one list, in one language."""
    return tuple(f'<option value="{escape(v)}">{escape(label)}</option>' for v, label in pairs)


class CountryField(SelectField):
    """A country from the ISO list, named in the visitor's language; optional unless told.

    The choices are built when the field renders, so the names follow the request's locale.
    """

    def __init__(self, label: Any = None, blank: Any = None, **kwargs: Any) -> None:
        blank = blank if blank is not None else _l("(not given)")
        kwargs.setdefault("validators", [CountryCode()])
        super().__init__(
            label,
            choices=lambda: as_choices(country_choices(blank=str(blank))),
            validate_choice=False,
            widget=LongSelect(),
            **kwargs,
        )
