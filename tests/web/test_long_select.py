"""The select of hundreds of options (countries, languages) renders like WTForms' own."""

from __future__ import annotations

from flask import Flask
from wtforms import Form, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import Select

from campaign.web.fields import CountryField, LongSelect

OPTIONS = [SelectChoice("a", "<A>"), SelectChoice("b", "B & co")]


class Choices(Form):
    plain = SelectField(choices=OPTIONS, widget=Select())
    fast = SelectField(choices=OPTIONS, widget=LongSelect())


def test_it_writes_what_the_wtforms_select_writes() -> None:
    for data in ({}, {"plain": "b", "fast": "b"}):
        form = Choices(data=data)
        assert str(form.fast()).replace('id="fast" name="fast"', "") == str(form.plain()).replace(
            'id="plain" name="plain"', ""
        )
    assert "&lt;A&gt;" in str(Choices().fast())
    assert '<option selected value="b">B &amp; co</option>' in str(
        Choices(data={"fast": "b"}).fast()
    )


def test_the_country_list_keeps_the_visitors_choice(app: Flask) -> None:
    class Where(Form):
        country = CountryField("Country")

    with app.test_request_context():
        html = str(Where(data={"country": "AT"}).country())
    assert '<option selected value="AT">Austria</option>' in html
    assert html.count("<option") > 200
