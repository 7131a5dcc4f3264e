"""The reader's language: in the public address, or a signed-in staff member's preference.

Every configured language but the default has a prefix: ``/ru/cases/...`` is the Russian case
page, ``/cases/...`` the default language's. :class:`LanguagePrefix`, a WSGI middleware, takes
the prefix off ``PATH_INFO`` and appends it to ``SCRIPT_NAME`` before Flask sees the request,
so every route of every blueprint answers under every prefix and ``url_for`` builds links in
the language of the page they are on, with no change to any view. A page's address alone says
its language, so a cached public page is the same for everybody who asks for that address, and
a link shared in Russian opens in Russian.

:func:`flask_babel.get_locale` is the single source of truth for the rest of the code; it
calls :func:`select_locale` once per request. A first visit to the site's root with no
language in the address follows ``Accept-Language`` with a 302 (never stored by a cache).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import quote

from babel import Locale, support
from flask import Flask, abort, current_app, has_request_context, redirect, request
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.i18n import messages_path

from campaign.web.redirects import local_target

# Keys of the WSGI environ: the language of the prefix, and SCRIPT_NAME before it was added.
LANGUAGE_KEY = "campaign.language"
SCRIPT_KEY = "campaign.script_name"
# Navigations a person started (typed, a bookmark, a link on another site), as browsers say in
# Sec-Fetch-Site; a click on the site's own language switcher is "same-origin".
_FIRST_VISITS = frozenset({"none", "cross-site"})
# Key of the environ: this request was sent to its language's home page.
_REDIRECTED = "campaign.language_redirect"
# The cookie that remembers the language a reader chose with the switcher: its code, nothing else.
CHOSEN_COOKIE = "language"
CHOSEN_FOR = 365 * 24 * 3600
_PATH_SAFE = "/:@!$&'()*+,;=-._~"

Environ = dict[str, Any]
StartResponse = Callable[..., Any]


class LanguagePrefix:
    """WSGI middleware: ``/<language>/rest`` becomes SCRIPT_NAME ``/<language>``, PATH_INFO
    ``/rest`` for every configured language but the default; the default language's prefix
    (``/en/rest``, what a reader tries after ``/ru/``) is a permanent redirect to ``/rest``;
    anything else passes unchanged (an unknown prefix is just an unknown path: a 404)."""

    def __init__(self, app: Callable[..., Any], languages: Iterable[str], default: str) -> None:
        self.app = app
        self.default = default
        self.prefixed = frozenset(language for language in languages if language != default)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Any:
        path = str(environ.get("PATH_INFO") or "")
        head, slash, rest = path[1:].partition("/")
        if path.startswith("/") and head == self.default:
            return _without_default_prefix(environ, rest)(environ, start_response)
        if path.startswith("/") and head in self.prefixed:
            script = str(environ.get("SCRIPT_NAME") or "").rstrip("/")
            environ[SCRIPT_KEY] = script
            environ[LANGUAGE_KEY] = head
            environ["SCRIPT_NAME"] = f"{script}/{head}"
            environ["PATH_INFO"] = slash + rest if slash else "/"
        return self.app(environ, start_response)


def _without_default_prefix(environ: Environ, rest: str) -> Response:
    """A 308 from ``/en/rest?query`` to ``/rest?query``. The path's leading slashes are one: a
    Location of ``//host`` would send the reader to another site."""
    script = str(environ.get("SCRIPT_NAME") or "").rstrip("/")
    # PATH_INFO holds the path's bytes as Latin-1 (PEP 3333): quoted again as they came.
    path = quote(rest.lstrip("/").encode("latin-1"), safe=_PATH_SAFE)
    query = str(environ.get("QUERY_STRING") or "")
    target = f"{script}/{path}" + (f"?{query}" if query else "")
    response = redirect(target, 308)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def select_locale() -> str:
    """The language of this request: the address's prefix; else a signed-in staff member's
    preference (or, without one, their browser's); else the default language."""
    config = current_app.config
    default = str(config["BABEL_DEFAULT_LOCALE"])
    if not has_request_context():  # command line: the default locale
        return default
    chosen = request.environ.get(LANGUAGE_KEY)
    if chosen:
        return str(chosen)
    if current_user and current_user.is_authenticated:
        preference = getattr(current_user, "language", None)
        if preference in config["LANGUAGES"]:
            return str(preference)
        return chosen_language() or browser_language(config["LANGUAGES"]) or default
    return default


def chosen_language() -> str | None:
    """The configured language this reader last chose with the switcher, if any."""
    value = request.cookies.get(CHOSEN_COOKIE)
    return value if value in current_app.config["LANGUAGES"] else None


def remember_language(response: Response, language: str) -> None:
    """Remember *language* as the reader's choice: the site's root opens in it from then on,
    whatever the browser asks for. Only the code is kept, for a year, sent to this site only."""
    response.set_cookie(
        CHOSEN_COOKIE,
        language,
        max_age=CHOSEN_FOR,
        path=_root_in(str(current_app.config["BABEL_DEFAULT_LOCALE"])) + "/",
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        httponly=True,
        samesite="Lax",
    )


def browser_language(languages: Iterable[str]) -> str | None:
    """The first of the browser's languages (Accept-Language, by quality) that *languages* has:
    the same tag, else its primary language ("ru-RU" and "ru-KZ" are "ru"). None if it has none.

    Werkzeug's ``best_match`` prefers any exact match to a region's: "ru-RU,en;q=0.9", what a
    Russian browser sends, chose English."""
    by_tag = {tag.lower().replace("_", "-"): tag for tag in languages}
    for value, quality in request.accept_languages:
        if quality <= 0 or value == "*":
            continue
        tag = value.lower().replace("_", "-")
        found = by_tag.get(tag) or by_tag.get(tag.split("-", 1)[0])
        if found is not None:
            return found
    return None


def bcp47(language: str | Locale) -> str:
    """A Babel identifier as HTML and Atom write a language ("pt_BR" is "pt-BR")."""
    return str(language).replace("_", "-")


@cache
def text_direction(language: str) -> str:
    """ "rtl" or "ltr", from the locale's data: a new Arabic or Persian catalogue needs no
    template or stylesheet change."""
    try:
        order = Locale.parse(language).character_order
    except (ValueError, TypeError):
        return "ltr"
    return "rtl" if order == "right-to-left" else "ltr"


@cache
def native_name(language: str) -> str:
    """The language's name in itself ("Русский", "Қазақ тілі"), as a switcher shows it."""
    locale = Locale.parse(language)
    name = locale.get_display_name(locale) or language
    return name[:1].upper() + name[1:]


@dataclass(frozen=True)
class Alternate:
    """This page in one configured language: for the switcher and the hreflang links."""

    language: str
    hreflang: str
    name: str
    url: str
    absolute: str
    current: bool
    direction: str


def _root_in(language: str) -> str:
    """The site's root in *language*, without its final slash ("", "/ru", "/app/kk")."""
    base = str(request.environ.get(SCRIPT_KEY, request.script_root)).rstrip("/")
    if language != current_app.config["BABEL_DEFAULT_LOCALE"]:
        base = f"{base}/{language}"
    return base


def page_in(language: str) -> str:
    """The address of the page being shown, in *language* (path and query string)."""
    url = _root_in(language) + quote(request.path, safe=_PATH_SAFE)
    query = request.query_string.decode("latin-1")
    return f"{url}?{quote(query, safe=_PATH_SAFE + '?%')}" if query else url


def without_language(url: str) -> str:
    """A site-relative address built in this request, without its language prefix: the
    default language's page, where a staff member's own preference applies."""
    language = request.environ.get(LANGUAGE_KEY)
    script = str(request.environ.get(SCRIPT_KEY, ""))
    prefix = f"{script}/{language}/"
    if language and url.startswith(prefix):
        return script + "/" + url[len(prefix) :]
    return url


def language_choices() -> list[tuple[str, str]]:
    """(code, name in itself) of every configured language, for a select field."""
    return [(language, native_name(language)) for language in current_app.config["LANGUAGES"]]


def absolute(url: str) -> str:
    """A site-relative address on the configured site, ``PUBLIC_BASE_URL`` (which production
    requires); without it the address stays site-relative: never from the request's Host."""
    return str(current_app.config["PUBLIC_BASE_URL"] or "") + url


def alternates() -> list[Alternate]:
    """The page being shown in every configured language, the current one marked."""
    current = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    found = []
    for language in current_app.config["LANGUAGES"]:
        url = page_in(language)
        found.append(
            Alternate(
                language=language,
                hreflang=bcp47(language),
                name=native_name(language),
                url=url,
                absolute=absolute(url),
                current=language == current,
                direction=text_direction(language),
            )
        )
    return found


def unprefixed_url() -> str:
    """The page without a language prefix: the hreflang "x-default"."""
    return absolute(page_in(str(current_app.config["BABEL_DEFAULT_LOCALE"])))


def page_language() -> dict[str, Any]:
    """What every template needs: the language for ``<html lang>``, its direction, and the
    page in each language (the switcher, hreflang and canonical links)."""
    if not has_request_context():
        return {}
    language = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    return {
        "html_lang": bcp47(language),
        "text_dir": text_direction(language),
        "language_alternates": alternates,
        "language_default_url": unprefixed_url,
    }


def _opens_in_browser_language(path: str) -> bool:
    """The addresses people arrive at from outside with no language in them, which open in
    the language they chose before or their browser prefers: the home page, and the
    invitation links an admin sends a new colleague (who has no language of their own yet;
    the sign-in page stays as it is: a staff member's own language applies once signed in,
    and a language in the address would override it)."""
    return path == "/" or path.startswith("/invite/")


def _first_visit_redirect() -> Response | None:
    """``/`` (or an invitation: :func:`_opens_in_browser_language`) with no
    language in the address, opened from outside the site, by a reader who
    chose another configured language with the switcher, or whose browser prefers one: a 302
    to that language's home page. Clicks on the site's own links (the switcher's "English" too)
    say Sec-Fetch-Site "same-origin" and are never redirected, so nobody is trapped in the
    language their browser asks for; and choosing English is remembered like any other."""
    if request.method not in {"GET", "HEAD"} or request.environ.get(LANGUAGE_KEY):
        return None
    if not _opens_in_browser_language(request.path):
        return None
    if request.headers.get("Sec-Fetch-Site") not in _FIRST_VISITS:
        return None
    config = current_app.config
    default = config["BABEL_DEFAULT_LOCALE"]
    best = chosen_language() or browser_language(config["LANGUAGES"])
    if not best or best == default:
        return None
    request.environ[_REDIRECTED] = True
    return redirect(page_in(best), 302)


def choose_language(language: str) -> Response:
    """Where the switcher's links go: remember the reader's choice, then open the page they
    were on (``next``, a path on this site) in that language, or its home page.

    A GET, though it sets a cookie: the links are on pages every reader shares, which can carry
    no form token, and all another site could do with it is choose a reader's language.
    """
    if language not in current_app.config["LANGUAGES"]:
        abort(404)
    home = _root_in(language) + "/"
    response = redirect(local_target(request.args.get("next"), home), 302)
    response.headers["Cache-Control"] = "no-store"
    remember_language(response, language)
    return response


def _vary_at_root(response: Response) -> Response:
    """The unprefixed root answers differently by language and origin: say so to caches, and
    let none keep the redirect (this runs after the public blueprints' cache headers)."""
    if _opens_in_browser_language(request.path) and not request.environ.get(LANGUAGE_KEY):
        response.vary.update(("Accept-Language", "Sec-Fetch-Site", "Cookie"))
    if request.environ.get(_REDIRECTED):
        response.headers["Cache-Control"] = "no-store"
    return response


# Addresses that are the same in every language: static files, the switcher's.
_UNPREFIXED = frozenset({"static", "choose_language"})


def _static_unprefixed(app: Flask) -> None:
    """Static files are the same in every language: their links carry no prefix, so browsers
    and proxies keep one copy (and the switcher's links, which name their language)."""
    build = app.url_for

    def url_for(endpoint: str, /, **values: Any) -> str:
        url = build(endpoint, **values)
        if endpoint not in _UNPREFIXED or values.get("_external") or not has_request_context():
            return url
        return without_language(url)

    app.url_for = url_for  # type: ignore[method-assign,assignment]

    def template_url_for(endpoint: str, /, **values: Any) -> str:
        """The templates' ``url_for``: Flask-Babel made the template environment, which holds
        the method it found then, before this (and any later) wrapping."""
        return app.url_for(endpoint, **values)

    app.jinja_env.globals["url_for"] = template_url_for


class FormTranslations:
    """WTForms' own messages ("Not a valid choice") in the request's language, each catalogue
    read once per worker. Flask-WTF reads them from ``request.wtforms_translations`` and, when
    that is not set, loads the catalogue from disk again on every request with a form."""

    def ugettext(self, string: str) -> str:
        """The message in the request's language."""
        return str(_wtforms_catalogue(_language()).ugettext(string))

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        """The message for *n* in the request's language."""
        return str(_wtforms_catalogue(_language()).ungettext(singular, plural, n))


def _language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


@cache
def _wtforms_catalogue(language: str) -> Any:
    return support.Translations.load(messages_path(), [language], domain="wtforms")


_FORM_TRANSLATIONS = FormTranslations()


def _form_translations() -> None:
    request.wtforms_translations = _FORM_TRANSLATIONS  # type: ignore[attr-defined]


def init_app(app: Flask) -> None:
    """Take language prefixes off the path, redirect first visits at the root, and give the
    templates the language, its direction and the page's alternates; and the forms WTForms'
    messages in that language, read once."""
    app.wsgi_app = LanguagePrefix(  # type: ignore[method-assign]
        app.wsgi_app, app.config["LANGUAGES"], str(app.config["BABEL_DEFAULT_LOCALE"])
    )
    app.add_url_rule("/language/<language>", "choose_language", choose_language)
    app.before_request(_first_visit_redirect)
    app.before_request(_form_translations)
    app.after_request(_vary_at_root)
    app.context_processor(page_language)
    _static_unprefixed(app)
