"""The shipped catalogues stay complete: every string of the templates and the code has a
translation, none fuzzy, and each translation has the placeholders of its original.

A translation with a broken placeholder ("%(nmae)s") would raise on the page or show the
wrong thing, so it must never reach a release: this is the test that stops it. The catalogues
are read as the translators wrote them (babel.messages.pofile); Babel's own checkers run too.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from campaign.settings import Defaults
from tests.conftest import ROOT

TRANSLATIONS = ROOT / "campaign" / "translations"
# Contributors' drafts for the catalogue engineer: not shipped catalogues.
NOT_CATALOGUES = {"incoming"}
SHIPPED = [language for language in Defaults.LANGUAGES if language != Defaults.BABEL_DEFAULT_LOCALE]
# %(name)s, %s, %d (not %%), and {name} / {0} / {} of str.format.
PLACEHOLDER = re.compile(
    r"%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|%[-#0 +]*\d*(?:\.\d+)?[sdifr]|\{[^{}\s]*\}"
)
KEYWORDS = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}


def placeholders(text: str) -> list[str]:
    """The placeholders of one string, sorted (a repeated one counts each time)."""
    return sorted(PLACEHOLDER.findall(text.replace("%%", "")))


def catalogue_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def read_catalogue(path: Path, language: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def extracted() -> Catalog:
    """Every translatable string of the code and the templates, as `make messages` finds
    them (babel.cfg's mapping, the same keywords)."""
    catalog = Catalog()
    method_map = [("campaign/**.py", "python"), ("templates/**.html", "jinja2")]
    found = extract_from_dir(str(ROOT), method_map, keywords={**_default_keywords(), **KEYWORDS})
    for filename, lineno, message, comments, context in found:
        if filename.startswith(("campaign/translations", "campaign/migrations")):
            continue
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def _default_keywords() -> dict[str, object]:
    from babel.messages.extract import DEFAULT_KEYWORDS

    return dict(DEFAULT_KEYWORDS)


def problems(source: Catalog, translated: Catalog) -> Iterator[str]:
    """What is wrong with one language's catalogue against the extracted strings."""
    singles = singular_forms(translated)
    for message in source:
        if not message.id:
            continue
        found = translated.get(message.id, context=message.context)
        original = message.id if isinstance(message.id, str) else message.id[0]
        if found is None or not _complete(found):
            yield f"untranslated: {original!r}"
            continue
        if found.fuzzy:
            yield f"fuzzy: {original!r}"
            continue
        yield from _placeholder_problems(message, found, singles)
    for message, errors in translated.check():
        for error in errors:
            yield f"babel: {message.id!r}: {error}"


def _complete(message: Message) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return bool(strings) and all(strings)


def _placeholder_problems(
    message: Message, found: Message, singular_forms: frozenset[int] = frozenset()
) -> Iterator[str]:
    ids = message.id if isinstance(message.id, (list, tuple)) else [message.id]
    strings = found.string if isinstance(found.string, (list, tuple)) else [found.string]
    # Every form of a plural has the placeholders of the plural original ("%(num)d ..."), but a
    # form used for n = 1 alone may say it like the singular original ("One thing to correct").
    plural = set(placeholders(ids[-1])) | set(placeholders(ids[0]))
    for index, string in enumerate(strings):
        got = set(placeholders(string))
        allowed = [plural]
        if len(ids) > 1 and index in singular_forms:
            allowed.append(set(placeholders(ids[0])))
        if got not in allowed:
            yield f"placeholders of {ids[0]!r} [{index}]: {sorted(got)} instead of {sorted(plural)}"


def singular_forms(catalog: Catalog) -> frozenset[int]:
    """The plural forms a language uses for n = 1 and no other number (Kazakh's first form;
    none in Russian, whose first form is also 21, 31...)."""
    choose = gettext.c2py(catalog.plural_expr)
    numbers: dict[int, set[int]] = {}
    for n in range(1000):
        numbers.setdefault(choose(n), set()).add(n)
    return frozenset(form for form, used in numbers.items() if used == {1})


@pytest.fixture(scope="module")
def source() -> Catalog:
    return extracted()


def test_the_shipped_languages_are_configured() -> None:
    assert {"ru", "kk"} <= set(SHIPPED)


@pytest.mark.parametrize("language", SHIPPED)
def test_every_string_is_translated_with_its_placeholders(source: Catalog, language: str) -> None:
    path = catalogue_path(language)
    if not path.is_file():
        pytest.skip(
            f"{language} is a configured language with no catalogue yet ({path.relative_to(ROOT)}):"
            " run `make messages` and translate it"
        )
    found = list(problems(source, read_catalogue(path, language)))
    assert found == [], f"{len(found)} problems in {language}:\n" + "\n".join(found[:100])


def test_the_extraction_finds_the_strings_of_code_and_templates(source: Catalog) -> None:
    assert "about %(date)s" in source  # campaign/util/dates.py
    assert "Skip to content" in source  # templates/base.html
    assert ("day in detention", "days in detention") in [m.id for m in source]


def test_no_catalogue_is_read_from_the_drafts_folder() -> None:
    shipped = {p.parts[-3] for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")}
    assert not shipped & NOT_CATALOGUES


def _catalogue(text: str) -> Catalog:
    """A Russian catalogue (three plural forms, from the locale) of the given entries."""
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    return read_po(BytesIO((header + text).encode()), locale="ru")


def _source(*ids: str | tuple[str, str]) -> Catalog:
    catalog = Catalog()
    for message in ids:
        catalog.add(message, None)
    return catalog


def test_the_check_finds_missing_fuzzy_and_broken_translations() -> None:
    source = _source(
        "about %(date)s", "Send", "Close", "Hello {name}", ("%(num)d message", "%(num)d messages")
    )
    translated = _catalogue(
        'msgid "about %(date)s"\nmsgstr "около %(dat)s"\n\n'
        '#, fuzzy\nmsgid "Send"\nmsgstr "Отправить"\n\n'
        'msgid "Hello {name}"\nmsgstr "Привет"\n\n'
        'msgid "%(num)d message"\nmsgid_plural "%(num)d messages"\n'
        'msgstr[0] "%(num)d сообщение"\nmsgstr[1] "%(num)d сообщения"\nmsgstr[2] "сообщений"\n'
    )
    found = list(problems(source, translated))
    assert any("placeholders of 'about %(date)s'" in p for p in found)
    assert "fuzzy: 'Send'" in found
    assert "untranslated: 'Close'" in found
    assert any("placeholders of 'Hello {name}'" in p for p in found)
    assert any("placeholders of '%(num)d message' [2]" in p for p in found)


def test_only_a_form_for_one_alone_may_leave_the_number_out() -> None:
    entry = (
        'msgid "One thing to correct"\nmsgid_plural "%(num)d things to correct"\n'
        'msgstr[0] "Одна ошибка"\nmsgstr[1] "%(num)d ошибки"\nmsgstr[2] "%(num)d ошибок"\n'
    )
    source = _source(("One thing to correct", "%(num)d things to correct"))
    # Russian says the first form for 21 too: "Одна ошибка" would be wrong there.
    assert list(problems(source, _catalogue(entry))) == [
        "placeholders of 'One thing to correct' [0]: [] instead of ['%(num)d']"
    ]
    kazakh = read_po(
        BytesIO(
            (
                'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
                'msgid "One thing to correct"\nmsgid_plural "%(num)d things to correct"\n'
                'msgstr[0] "Бір қате"\nmsgstr[1] "%(num)d қате"\n'
            ).encode()
        ),
        locale="kk",
    )
    assert singular_forms(kazakh) == {0}
    assert list(problems(source, kazakh)) == []


def test_a_complete_catalogue_passes() -> None:
    source = _source("about %(date)s", ("%(num)d message", "%(num)d messages"), "100%% sure")
    translated = _catalogue(
        'msgid "about %(date)s"\nmsgstr "около %(date)s"\n\n'
        'msgid "100%% sure"\nmsgstr "уверен на 100%%"\n\n'
        'msgid "%(num)d message"\nmsgid_plural "%(num)d messages"\n'
        'msgstr[0] "%(num)d сообщение"\nmsgstr[1] "%(num)d сообщения"\n'
        'msgstr[2] "%(num)d сообщений"\n'
    )
    assert list(problems(source, translated)) == []
