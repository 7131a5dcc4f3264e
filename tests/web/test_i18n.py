"""Every user-facing string is marked for translation, so a new language is only a catalogue."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import ROOT

TEMPLATES = ROOT / "templates"
JINJA = re.compile(r"{#.*?#}|{{.*?}}|{%.*?%}", re.DOTALL)
TAG = re.compile(r"<[^>]*>", re.DOTALL)
SCRIPT_STYLE = re.compile(r"<(script|style)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
ATTRIBUTE = re.compile(r'\b(aria-label|title|placeholder|alt)="([^"]*)"')
# Text that is not language: punctuation, symbols, numbers and HTML entities.
NOT_WORDS = re.compile(r"&[a-z]+;|&#\d+;|[^A-Za-z]")


def _untranslated(source: str) -> list[str]:
    problems = []
    for name, value in ATTRIBUTE.findall(source):
        if NOT_WORDS.sub("", JINJA.sub("", value)):
            problems.append(f'{name}="{value}"')
    text = TAG.sub(" ", SCRIPT_STYLE.sub(" ", JINJA.sub(" ", source)))
    problems.extend(word for word in text.split() if NOT_WORDS.sub("", word))
    return problems


@pytest.mark.parametrize(
    "template", sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html"))
)
def test_templates_have_no_bare_text(template: str) -> None:
    assert _untranslated((TEMPLATES / template).read_text(encoding="utf-8")) == []


def test_the_checker_finds_bare_text() -> None:
    assert _untranslated("<p>Hello {{ name }}</p>") == ["Hello"]
    assert _untranslated('<a aria-label="Close">x</a>') == ['aria-label="Close"', "x"]
    assert _untranslated("<p>{{ _('Hello') }} &middot; 2</p>") == []


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_new_language_is_only_a_catalogue(tmp_path: Path, backend: str) -> None:
    """Drop a compiled catalogue in a folder, list the language: the pages speak it."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    from campaign import create_app
    from campaign.extensions import db
    from tests.conftest import base_config

    catalog = Catalog(locale="de")
    catalog.add("There is no page at this address.", "Unter dieser Adresse gibt es keine Seite.")
    folder = tmp_path / "translations" / "de" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)

    app = create_app(
        base_config(
            tmp_path,
            LANGUAGES=("en", "de"),
            BABEL_TRANSLATION_DIRECTORIES=str(tmp_path / "translations"),
        )
    )
    with app.app_context():
        db.create_all()
    client = app.test_client()
    german = client.get("/de/nowhere", headers={"Accept-Language": "en"})
    assert "Unter dieser Adresse gibt es keine Seite." in german.get_data(as_text=True)
    assert '<html lang="de" dir="ltr">' in german.get_data(as_text=True)
    # Without a language in the address, the page is the default language's for everybody.
    english = client.get("/nowhere", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "There is no page at this address." in english


def test_counts_are_written_as_the_readers_language_writes_numbers(app: Flask) -> None:
    """The queue's "of 20,102" is "из 20 102" in Russian, never a bare 20102."""
    from flask import render_template_string
    from flask_babel import force_locale

    for locale, written in (("en", "20,102"), ("ru", "20\xa0102"), ("kk", "20\xa0102")):
        with app.test_request_context("/"), force_locale(locale):
            assert render_template_string("{{ 20102|number }}") == written
