"""The list of checkboxes (every case, on the picket, case, event and appeal forms) writes
what WTForms writes when each option is rendered as its own field."""

from __future__ import annotations

from typing import Any

from flask import Flask
from wtforms import Form
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from campaign.web.fields import CheckboxListField

CHOICES = [
    SelectChoice(1, "Ainur <Kurmanov>"),
    SelectChoice(2, 'Esen "B" & co'),
    SelectChoice(3, ""),  # no label: WTForms shows the value
]


class Lists(Form):
    optional = CheckboxListField("Cases", coerce=int, choices=CHOICES, validators=[Optional()])
    required = CheckboxListField("Cases", coerce=int, choices=CHOICES, validators=[InputRequired()])
    words = CheckboxListField(choices=[SelectChoice('a"b', "<i>x</i>")], validators=[Optional()])
    styled = CheckboxListField(choices=CHOICES, coerce=int, render_kw={"class": "big"})
    own = CheckboxListField(
        choices=[SelectChoice(1, "One", render_kw={"disabled": True})], coerce=int
    )


def _as_wtforms_writes(field: Any) -> list[tuple[str, str]]:
    return [(str(option()), str(option.label.text)) for option in field]


def _as_boxes(field: Any) -> list[tuple[str, str]]:
    return [(str(box), str(text)) for box, text in field.boxes()]


def test_the_boxes_are_what_wtforms_writes_chosen_or_not() -> None:
    for data in ({}, {"optional": [2], "required": [1, 3], "words": ['a"b'], "styled": [1]}):
        form = Lists(data=data)
        for field in form:
            assert _as_boxes(field) == _as_wtforms_writes(field), field.name
    form = Lists(data={"optional": [2], "required": [1]})
    boxes = _as_boxes(form.optional)
    assert (
        boxes[1][0] == '<input checked id="optional-1" name="optional" type="checkbox" value="2">'
    )
    assert boxes[2][1] == "3"
    assert " required " in _as_boxes(form.required)[0][0]
    assert _as_boxes(form.words)[0] == (
        '<input id="words-0" name="words" type="checkbox" value="a&#34;b">',
        "<i>x</i>",  # the template escapes the label's text
    )


def test_every_form_that_lists_cases_writes_what_wtforms_writes(
    app: Flask, make_case, staff_client
) -> None:
    """The real forms, with their real choices, escaped names included."""
    from campaign.appeals.forms import AppealForm
    from campaign.appeals.queries import case_choices as appeal_cases
    from campaign.cases.forms import CaseForm
    from campaign.cases.queries import related_choices
    from campaign.events.forms import EventForm, PicketForm
    from campaign.events.queries import case_choices as event_cases
    from campaign.web.fields import as_choices

    first = make_case(person_name="Ainur <b>Kurmanov</b>")
    make_case(person_name='Esenbek "U" & co')
    with app.test_request_context():
        # Each form with the choices its view gives it.
        forms: list[tuple[Any, Any]] = [
            (EventForm(), event_cases()),
            (PicketForm(), event_cases()),
            (AppealForm(), appeal_cases()),
            (CaseForm(), related_choices(None)),
        ]
        for form, choices in forms:
            field = form.related if isinstance(form, CaseForm) else form.cases
            field.choices = as_choices(choices)
            field.data = [first.id]
            written = _as_wtforms_writes(field)
            assert "Ainur <b>Kurmanov</b>" in [text for _box, text in written], written
            assert _as_boxes(field) == written, type(form).__name__
