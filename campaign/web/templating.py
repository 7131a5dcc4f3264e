"""Template filters and globals shared by every page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from babel.numbers import format_decimal as babel_format_decimal
from babel.support import NullTranslations
from flask import Flask, g, has_request_context, request, url_for
from flask_babel import get_locale, get_translations
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from campaign.models.vocab import DatePrecision
from campaign.util.countries import country_name_in
from campaign.util.dates import format_partial_date_in
from campaign.util.highlight import excerpt, highlight
from campaign.util.localised import (
    Shown,
    Translatable,
    default_language,
    language_name,
    same_language,
    shown,
)


def csrf_field() -> Markup:
    """The hidden CSRF token of a form that sends nothing else (a button that changes something).

    The app-wide CSRF protection checks it; forms with fields carry it through Flask-WTF.
    """
    return Markup('<input name="csrf_token" type="hidden" value="{}">').format(generate_csrf())


def form_error_list(form: Any) -> list[tuple[str | None, str, str]]:
    """Every error of a long form as (field id to link to, field label, message), in order.

    The summary above a long form (templates/_error_summary.html) lists them, so an error far
    below the fold is not missed.
    """
    found: list[tuple[str | None, str, str]] = []

    def visit(field: Any, label: str | None = None) -> None:
        if field.type == "FieldList":
            for entry in field.entries:
                visit(entry, str(field.label.text))
            return
        if field.type == "FormField":
            for sub in field.form:
                visit(sub, label)
            return
        messages = field.errors if isinstance(field.errors, list) else []
        hidden = field.type in {"HiddenField", "CSRFTokenField"}
        name = str(field.label.text) if not label else f"{label}: {field.label.text}"
        for message in messages:
            found.append((None if hidden else field.id, name, str(message)))

    for field in form:
        visit(field)
    return found


# Flask-Babel keeps the request's locale and translations in a namespace on ``g``, and finds
# them anew (several lookups of ``g``, the locale's name worked out again) on every call: a
# timeline page translates, dates and names countries a thousand times. The templates' callables
# below find them once per request and locale (kept in that namespace, so ``force_locale``,
# which replaces the locale there, is followed).
_REMEMBERED = "campaign_i18n"


def _babel_namespace() -> SimpleNamespace | None:
    """Flask-Babel's per-request namespace, or None outside an application context."""
    try:
        found = g.get("_flask_babel")
    except RuntimeError:
        return None
    return found if isinstance(found, SimpleNamespace) else None


def _remembered() -> tuple[Any, str, NullTranslations]:
    """(locale, its name, its translations) for this request, worked out once per locale."""
    namespace = _babel_namespace()
    if namespace is not None:
        kept = getattr(namespace, _REMEMBERED, None)
        locale = getattr(namespace, "babel_locale", None)
        domain = getattr(namespace, "babel_domain", None)
        if kept is not None and locale is not None and kept[0] is locale and kept[3] is domain:
            return kept[0], kept[1], kept[2]
    locale = get_locale()
    translations = get_translations()
    name = str(locale or "")
    namespace = _babel_namespace()
    if namespace is not None and locale is not None:
        remembered = (locale, name, translations, getattr(namespace, "babel_domain", None))
        setattr(namespace, _REMEMBERED, remembered)
    return locale, name, translations


def request_translations() -> NullTranslations:
    """The translations of this request's locale (what ``gettext`` in a template reads)."""
    return _remembered()[2]


def request_locale_name() -> str:
    """The name of this request's locale ("en", "ru"), or "" outside a request."""
    return _remembered()[1]


def request_link_root() -> str:
    """Where this request's links start (``request.script_root``: the mount point and the
    language prefix, /ru), or "" outside a request: what a kept piece of HTML with links in it
    depends on besides its data."""
    return request.script_root if has_request_context() else ""


def partial_date(
    value: date | None,
    precision: DatePrecision | str = DatePrecision.DAY,
    approximate: bool = False,
) -> str:
    """The ``partial_date`` filter: :func:`campaign.util.dates.format_partial_date`."""
    return format_partial_date_in(request_locale_name(), value, precision, approximate)


def moment(value: datetime | None) -> str:
    """The ``moment`` filter: a moment as the pages write a date, with the time of day in UTC
    ("8 December 2026, 21:51", and so in each language), not as a database writes it."""
    if value is None:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return f"{partial_date(value.date())}, {value:%H:%M}"


def day_date_patterns() -> list[str]:
    """How this page's language writes a day of each month, with "{d}" and "{y}" for the day and
    the year ("{d} December {y}", "{d} декабря {y}"): for a script that shows a date as the
    pages do, where the browser's own formatting knows some languages poorly (Kazakh came out as
    "2026 M12 5")."""
    locale = request_locale_name()
    return [
        format_partial_date_in(locale, date(2000, month, 28))
        .replace("28", "{d}")
        .replace("2000", "{y}")
        for month in range(1, 13)
    ]


def country_name(code: str | None) -> str:
    """The ``country_name`` filter: :func:`campaign.util.countries.country_name`."""
    if not code:
        return ""
    return country_name_in(code, request_locale_name() or "en")


def shown_field(record: Translatable, field: str, language: str | None = None) -> Shown:
    """The ``shown`` global: :func:`campaign.util.localised.shown` in this request's language."""
    return shown(record, field, language or request_locale_name() or None)


def original_lang(record: Translatable) -> Markup:
    """The ``original_lang`` global: ` lang="…"` for a field no one translates (a court's name,
    an occupation) when the record is written in another language than the page's, so a screen
    reader speaks it in its own language; nothing otherwise."""
    language = record.original_language or default_language()
    if same_language(language, request_locale_name() or default_language()):
        return Markup("")
    return Markup(' lang="{}"').format(lang_tag(language))


def lang_tag(code: str | None) -> str:
    """A language code as HTML's ``lang`` takes it (BCP 47): Babel's "pt_BR" is "pt-BR"."""
    return (code or "").replace("_", "-")


def shown_html(value: Shown, tag: str = "span", css_class: str = "") -> Markup:
    """The ``shown_html`` global: templates/content/_text.html's ``shown_text`` macro as a
    function, for the timeline, which shows a few fields of every event (a macro call costs
    several times a function call); the same markup, character for character."""
    # Joined from escaped parts: Markup.format runs a string.Formatter, some 10 µs a call, and
    # the home page and the timeline show a few of these per case or event.
    tag = escape(tag)
    foreign = value.foreign
    css = f' class="{escape(css_class)}"' if css_class else ""
    lang = f' lang="{escape(lang_tag(value.language))}"' if foreign else ""
    html = f'<{tag}{css} dir="auto"{lang}>{escape(value.text)}</{tag}>'
    if foreign:
        # The catalogue's sentence is markup, as template gettext takes it; the name is escaped.
        sentence = request_translations().ugettext("(in %(language)s)")
        note = Markup(sentence) % {"language": language_name(value.language)}  # noqa: S704  # nosec B704
        note_tag = "p" if tag in ("div", "p") else "span"
        html += f' <{note_tag} class="language-note">{note}</{note_tag}>'
    return Markup(html)  # noqa: S704  # nosec B704: every part above is escaped or fixed text


# An id no record has: the placeholder links_for builds its address around.
_PLACEHOLDER = 987_654_321_012_345


def links_for(endpoint: str, key: str, /, **values: Any) -> Callable[[int], str]:
    """The ``links_for`` global: the addresses of one endpoint for many records, ``links(id)``
    for each, as ``url_for(endpoint, key=id, **values)`` gives them.

    A table of 50 events asks for 250 addresses; each ``url_for`` walks the URL map (about
    10 µs). The address is built once around a placeholder id, and each record's id is put in
    its place. Should the placeholder show up anywhere but once, every address is built the
    slow way.
    """

    def slowly(record_id: int) -> str:
        arguments: dict[str, Any] = {**values, key: record_id}
        return url_for(endpoint, **arguments)

    pattern = slowly(_PLACEHOLDER)
    head, found, tail = pattern.partition(str(_PLACEHOLDER))
    if not found or str(_PLACEHOLDER) in tail:
        return slowly
    return lambda record_id: f"{head}{int(record_id)}{tail}"


def here() -> str:
    """This page's address with its query, as a ``next`` to come back to: with its language's
    prefix (``/ru``), which ``request.full_path`` leaves out (campaign.web.i18n)."""
    return request.script_root + request.full_path.rstrip("?")


def number(value: int) -> str:
    """A count as the reader's language writes it: 20,102 in English, 20 102 in Russian."""
    return _number_in(value, str(get_locale() or "en"))


@lru_cache(maxsize=4096)
def _number_in(value: int, locale: str) -> str:
    # Babel takes about 16 µs a number, and a timeline page writes one for each day of messages:
    # the same few counts, kept once formatted.
    return str(babel_format_decimal(value, locale=locale))


def init_app(app: Flask) -> None:
    """Register the filters the templates use for dates and countries, and the CSRF field;
    and template ``gettext`` that finds the request's translations once, not on every call."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
    )
    app.add_template_filter(partial_date, "partial_date")
    app.add_template_filter(moment, "moment")
    app.add_template_filter(number, "number")
    app.add_template_filter(lang_tag, "lang_tag")
    app.add_template_global(here)
    app.add_template_global(day_date_patterns, "day_date_patterns")
    app.add_template_filter(country_name, "country_name")
    app.add_template_filter(highlight, "highlight")
    app.add_template_filter(excerpt, "excerpt")
    # Translated content: a field of a case or an event in the reader's language, or the original.
    app.add_template_filter(language_name, "language_name")
    app.add_template_global(shown_field, "shown")
    app.add_template_global(original_lang)
    app.add_template_global(shown_html, "shown_html")
    app.add_template_global(get_locale, "get_locale")
    app.add_template_global(csrf_field, "csrf_field")
    app.add_template_global(links_for, "links_for")
    app.add_template_global(form_error_list, "form_error_list")
