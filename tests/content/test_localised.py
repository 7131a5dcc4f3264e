"""The one rule of what a reader sees of a translated field (campaign.util.localised)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from flask import Flask
from flask_babel import force_locale

from campaign.util import localised


@dataclass
class Translation:
    language: str
    summary: str | None = None
    charges: str | None = None


@dataclass
class Record:
    summary: str | None
    charges: str | None = None
    original_language: str = "en"
    translations: list[Translation] = field(default_factory=list)
    TRANSLATED: tuple[str, ...] = ("summary", "charges")


def test_a_reader_of_the_original_language_reads_the_original() -> None:
    record = Record("Held", translations=[Translation("ru", "Задержан")])
    shown = localised.shown(record, "summary", "en")
    assert (shown.text, shown.language, shown.foreign) == ("Held", "en", False)


def test_a_translation_into_the_readers_language_is_shown() -> None:
    record = Record("Held", translations=[Translation("ru", "Задержан")])
    shown = localised.shown(record, "summary", "ru")
    assert (shown.text, shown.language, shown.foreign) == ("Задержан", "ru", False)


def test_a_missing_translation_falls_back_to_the_original_marked_with_its_language() -> None:
    record = Record("Held", "Picket", translations=[Translation("ru", "Задержан")])
    charges = localised.shown(record, "charges", "ru")  # the Russian one has no charges
    assert (charges.text, charges.language, charges.foreign) == ("Picket", "en", True)
    kazakh = localised.shown(record, "summary", "kk")  # no Kazakh translation at all
    assert (kazakh.text, kazakh.language, kazakh.foreign) == ("Held", "en", True)


def test_a_region_of_a_language_reads_that_languages_translation() -> None:
    record = Record("Held", translations=[Translation("ru", "Задержан")])
    assert localised.text(record, "summary", "ru_RU") == "Задержан"
    assert not localised.shown(record, "summary", "en_GB").foreign


def test_an_empty_field_shows_nothing_and_says_no_language() -> None:
    record = Record(None, translations=[Translation("ru", None, "Пикет")])
    shown = localised.shown(record, "summary", "ru")
    assert (shown.text, bool(shown), shown.foreign) == (None, False, False)
    assert str(shown) == ""


def test_an_original_in_another_language_than_the_sites() -> None:
    record = Record("معتقل", original_language="ar", translations=[Translation("en", "Held")])
    assert localised.text(record, "summary", "en") == "Held"
    assert localised.shown(record, "summary", "ru").language == "ar"


def test_only_translated_fields_are_asked_for() -> None:
    with pytest.raises(KeyError):
        localised.shown(Record("Held"), "internal_notes", "en")


def test_the_reader_is_the_request_locale_by_default(app: Flask) -> None:
    record = Record("Held", translations=[Translation("ru", "Задержан")])
    # A page under /ru/: the language middleware has taken the prefix off the path.
    with app.test_request_context("/", environ_overrides={"campaign.language": "ru"}):
        assert localised.reader_language() == "ru"
        assert localised.text(record, "summary") == "Задержан"
    with app.test_request_context("/"), force_locale("kk"):
        assert localised.localise(record)["summary"].foreign
        assert localised.language_name("en") == "ағылшын тілі"
    with app.test_request_context("/"):
        assert localised.language_name("ru") == "Russian"
        assert localised.language_name("zz-nothing") == "zz-nothing"


@pytest.mark.parametrize("tag_and_class", [("span", ""), ("p", "charges"), ("div", 'a"b')])
@pytest.mark.parametrize(
    "shown",
    [
        localised.Shown('Held <b>"&"</b>', "en", "en"),
        localised.Shown("Задержан <i>", "ru", "en"),
        localised.Shown("Held", "pt_BR", "ru"),
    ],
)
def test_the_timelines_function_writes_what_the_templates_macro_writes(
    app: Flask, shown: localised.Shown, tag_and_class: tuple[str, str]
) -> None:
    """The home page and the timeline call shown_html, the other pages the shown_text macro:
    a text must read, and be marked, alike on both (and be escaped on both)."""
    from flask import render_template_string

    from campaign.web.templating import shown_html

    tag, css_class = tag_and_class
    macro = '{% from "content/_text.html" import shown_text %}{{ shown_text(shown, tag, class) }}'
    for prefix in ("", "/ru"):
        with app.test_request_context(prefix + "/"):
            expected = render_template_string(macro, shown=shown, tag=tag, **{"class": css_class})
            assert str(shown_html(shown, tag, css_class)) == expected
            assert "<b>" not in expected
            assert "<i>" not in expected
