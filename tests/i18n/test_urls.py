"""The language is in the address: /ru/..., /kk/...; the default language has no prefix."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from html import unescape as html_unescape
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from campaign import StartupError, create_app
from campaign.extensions import db
from campaign.models import Case, DatePrecision, Role, User
from campaign.settings import Defaults
from tests.conftest import base_config

FIRST_VISIT = {"Sec-Fetch-Site": "none", "Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}


def _html(client: FlaskClient, path: str, **kwargs: Any) -> str:
    response = client.get(path, **kwargs)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def test_the_site_speaks_english_russian_and_kazakh() -> None:
    assert Defaults.LANGUAGES == ("en", "ru", "kk")


def test_a_prefix_chooses_the_language_and_links_keep_it(
    client: FlaskClient, make_case: Callable[..., Case]
) -> None:
    make_case(slug="ainur", person_name="Ainur Kurmanov")
    html = _html(client, "/ru/")
    assert '<html lang="ru" dir="ltr">' in html
    assert 'href="/ru/cases/ainur"' in html
    assert 'href="/ru/login"' in html
    # Static files are the same in every language: one address for all.
    assert 'href="/static/css/site.css"' in html
    case = _html(client, "/kk/cases/ainur")
    assert '<html lang="kk" dir="ltr">' in case
    assert 'href="/kk/cases/ainur/feed.atom"' in case
    assert 'href="/kk/cases/ainur/calendar.ics"' in case


def test_without_a_prefix_every_visitor_gets_the_default_language(
    client: FlaskClient, make_case: Callable[..., Case]
) -> None:
    make_case(slug="ainur")
    for path in ("/", "/cases/ainur", "/search"):
        html = _html(client, path, headers={"Accept-Language": "ru"})
        assert '<html lang="en" dir="ltr">' in html, path


def test_every_page_links_to_itself_in_every_language(
    client: FlaskClient, make_case: Callable[..., Case]
) -> None:
    make_case(slug="ainur")
    html = _html(client, "/ru/cases/ainur/messages?page=1")
    switcher = re.search(r'<nav class="languages".*?</nav>', html, re.DOTALL)
    assert switcher is not None
    links = re.findall(r'<a href="([^"]+)" hreflang="([^"]+)"', switcher.group(0))
    assert [language for _link, language in links] == ["en", "ru", "kk"]
    # Each link remembers the choice, then opens this page in that language.
    opened = [client.get(html_unescape(link)).headers["Location"] for link, _language in links]
    assert opened == [
        "/cases/ainur/messages?page=1",
        "/ru/cases/ainur/messages?page=1",
        "/kk/cases/ainur/messages?page=1",
    ]
    assert 'aria-current="true">Русский</a>' in switcher.group(0)
    assert '<link rel="canonical" href="/ru/cases/ainur/messages?page=1">' in html
    assert '<link rel="alternate" hreflang="kk" href="/kk/cases/ainur/messages?page=1">' in html
    assert '<link rel="alternate" hreflang="x-default" href="/cases/ainur/messages?page=1">' in html


@pytest.mark.parametrize("backend", ["sqlite"])
def test_alternates_and_feeds_are_absolute_on_the_configured_site(
    app_config: dict[str, Any], make_case: Callable[..., Case], app: Flask
) -> None:
    site = create_app({**app_config, "PUBLIC_BASE_URL": "https://campaign.example.org"})
    make_case(slug="ainur")
    client = site.test_client()
    html = _html(client, "/ru/cases/ainur")
    assert '<link rel="canonical" href="https://campaign.example.org/ru/cases/ainur">' in html
    assert 'hreflang="en" href="https://campaign.example.org/cases/ainur"' in html
    feed = _html(client, "/ru/cases/ainur/feed.atom")
    assert 'href="https://campaign.example.org/ru/cases/ainur"' in feed
    assert "<language>ru</language>" in feed or 'xml:lang="ru"' in feed


@pytest.mark.parametrize(
    "path", ["/de/", "/xx/cases/ainur", "/RU/", "/EN/", "/russian/", "/ar/", "/ru-RU/"]
)
def test_an_unknown_language_is_an_unknown_page(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_an_unknown_page_in_a_language_is_the_same_404(client: FlaskClient) -> None:
    response = client.get("/ru/nowhere")
    assert response.status_code == 404
    assert '<html lang="ru"' in response.get_data(as_text=True)


def test_a_first_visit_to_the_root_follows_the_browser(client: FlaskClient) -> None:
    response = client.get("/?utm_source=x", headers=FIRST_VISIT)
    assert response.status_code == 302
    assert response.headers["Location"] == "/ru/?utm_source=x"
    # No cache may keep the redirect, and the English page says what it varies by.
    assert response.headers["Cache-Control"] == "no-store"
    assert {"Accept-Language", "Sec-Fetch-Site"} <= set(response.vary)
    english = client.get("/", headers={"Accept-Language": "en", "Sec-Fetch-Site": "none"})
    assert english.status_code == 200
    assert {"Accept-Language", "Sec-Fetch-Site"} <= set(english.vary)


@pytest.mark.parametrize(
    ("accept_language", "home"),
    [
        ("ru-RU,en;q=0.9", "/ru/"),  # a Russian browser with English second
        ("kk-KZ,en;q=0.9", "/kk/"),
        ("ru-KZ,kk;q=0.9", "/ru/"),  # the region's language is not the reader's
        ("en-GB,ru;q=0.9", None),  # English first: the English home page
        ("de-DE,kk;q=0.5,ru;q=0.4", "/kk/"),  # German is not offered: the next by quality
        ("de,*;q=0.5", None),
        ("ru;q=0,kk-KZ;q=0.3", "/kk/"),  # "not Russian"
    ],
)
def test_a_first_visit_goes_to_the_readers_first_language_the_site_has(
    client: FlaskClient, accept_language: str, home: str | None
) -> None:
    """A browser's first choice names a region ("ru-RU"): it is still Russian, and it wins over
    an exact match lower down the list."""
    response = client.get(
        "/", headers={"Sec-Fetch-Site": "none", "Accept-Language": accept_language}
    )
    if home is None:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response.headers["Location"] == home


def test_the_default_languages_prefix_leads_to_the_page_without_it(client: FlaskClient) -> None:
    """After /ru/ a reader tries /en/: a permanent redirect to the unprefixed page, never a 404,
    and never to another site (//host)."""
    cases = [
        ("/en/", "/"),
        ("/en", "/"),
        ("/en/cases?page=2", "/cases?page=2"),
        ("/en//evil.example/x", "/evil.example/x"),
        ("/en/cases/%D0%B0%20b", "/cases/%D0%B0%20b"),
    ]
    for path, target in cases:
        response = client.get(path)
        assert response.status_code == 308, path
        assert response.headers["Location"] == target, path
    assert client.get("/english").status_code == 404  # only the whole prefix


def test_choosing_english_on_the_site_is_never_sent_back(client: FlaskClient) -> None:
    """The switcher's link to English is a same-site click: the browser's Russian does not win."""
    same_site = {**FIRST_VISIT, "Sec-Fetch-Site": "same-origin"}
    assert client.get("/", headers=same_site).status_code == 200
    # Other pages, and browsers that do not say where a visit came from, are never redirected.
    assert client.get("/", headers={"Accept-Language": "ru"}).status_code == 200
    assert client.get("/search", headers=FIRST_VISIT).status_code == 200


def test_the_page_cache_keeps_each_language_apart(
    client: FlaskClient, make_case: Callable[..., Case]
) -> None:
    make_case(slug="ainur", arrest_date=date(2010, 4, 27))
    english = _html(client, "/cases/ainur")
    russian = _html(client, "/ru/cases/ainur")
    assert _html(client, "/cases/ainur") == english
    assert _html(client, "/ru/cases/ainur") == russian
    assert "27 April 2010" in english
    assert "27 апреля 2010\u202fг." in russian


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_right_to_left_language_needs_only_its_name(
    app_config: dict[str, Any], app: Flask
) -> None:
    site = create_app({**app_config, "LANGUAGES": "en,ru,kk,fa"})
    assert site.config["LANGUAGES"] == ("en", "ru", "kk", "fa")
    html = _html(site.test_client(), "/fa/")
    assert '<html lang="fa" dir="rtl">' in html
    assert 'hreflang="fa" lang="fa" dir="rtl" aria-current="true">فارسی</a>' in html


@pytest.mark.parametrize("languages", ["en,ru,xx_YY_ZZ", "", "ru,kk", ["en", "<script>"]], ids=repr)
def test_a_wrong_language_setting_stops_start_up_with_a_sentence(
    tmp_path: Any, languages: object
) -> None:
    with pytest.raises(SystemExit, match="LANGUAGES"):
        create_app(base_config(tmp_path, LANGUAGES=languages))
    assert StartupError


def test_staff_follow_their_account_language(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    login: Callable[..., FlaskClient],
) -> None:
    user = make_user(Role.ORGANISER, language="kk")
    login(client, user)
    assert '<html lang="kk"' in _html(client, "/manage/")
    # The address's language still wins where there is one.
    assert '<html lang="ru"' in _html(client, "/ru/manage/")


def test_staff_without_a_preference_follow_their_browser(
    client: FlaskClient, make_user: Callable[..., User], login: Callable[..., FlaskClient]
) -> None:
    login(client, make_user(Role.ORGANISER))
    assert '<html lang="ru"' in _html(client, "/manage/", headers={"Accept-Language": "ru"})
    assert '<html lang="en"' in _html(client, "/manage/", headers={"Accept-Language": "de"})
    # The language they chose with the switcher comes before the browser's.
    client.get("/language/kk")
    assert '<html lang="kk"' in _html(client, "/manage/", headers={"Accept-Language": "ru"})


def test_the_account_page_sets_the_language(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    login: Callable[..., FlaskClient],
) -> None:
    user = make_user(Role.ACTIVIST)
    login(client, user)
    page = _html(client, "/ru/account/password")
    assert 'name="language"' in page
    assert 'action="/ru/account/language"' in page
    response = client.post("/ru/account/language", data={"language": "kk"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/password"
    with app.app_context():
        assert db.session.get(User, user.id).language == "kk"
    assert '<html lang="kk"' in _html(client, "/account/password")
    assert '<option selected value="kk">' in _html(client, "/account/password")
    # Back to the browser's choice.
    client.post("/account/language", data={"language": ""})
    with app.app_context():
        assert db.session.get(User, user.id).language is None


@pytest.mark.parametrize("value", ["xx", "ar", "<b>", "ru" * 20])
def test_an_unknown_account_language_is_refused_with_a_message(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    login: Callable[..., FlaskClient],
    value: str,
) -> None:
    user = make_user(Role.ACTIVIST)
    login(client, user)
    response = client.post("/account/language", data={"language": value})
    assert response.status_code == 200
    assert "Choose one of the languages in the list." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user.id).language is None


def test_dates_are_written_the_way_each_language_writes_them(
    client: FlaskClient, make_case: Callable[..., Case], make_event: Callable[..., Any]
) -> None:
    case = make_case(slug="ainur")
    make_event(
        [case.id], title="Arrest", date=date(2010, 4, 27), date_approximate=True, type="arrest"
    )
    make_event(
        [case.id],
        title="Appeal",
        date=date(2010, 5, 1),
        date_precision=DatePrecision.MONTH,
        type="appeal_decision",
    )
    make_event([case.id], title="Letters", date=date(2010, 1, 1), date_precision=DatePrecision.YEAR)
    english = _html(client, "/cases/ainur")
    assert "about 27 April 2010" in english
    assert "May 2010" in english
    russian = _html(client, "/ru/cases/ainur")
    # Without a Russian catalogue "about" stays English; the date itself is Russian.
    assert "27 апреля 2010\u202fг." in russian
    assert "май 2010\u202fг." in russian
    kazakh = _html(client, "/kk/cases/ainur")
    assert "2010\u202fж. 27 сәуір" in kazakh


def test_signing_in_from_a_page_in_a_language_comes_back_to_it(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.ORGANISER)
    response = client.get("/ru/manage/cases/")
    assert response.headers["Location"] == "/ru/login?next=/ru/manage/cases/"
    signed_in = client.post(
        "/ru/login",
        data={
            "email": user.email,
            "password": "correct horse battery staple",
            "next": "/ru/manage/cases/",
        },
    )
    assert signed_in.headers["Location"] == "/ru/manage/cases/"


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_russian_catalogue_reaches_the_pages(
    app_config: dict[str, Any], app: Flask, tmp_path: Any, make_case: Callable[..., Case]
) -> None:
    """Compiled as the wheel compiles it: "about" is one sentence around the date."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from tests.conftest import ROOT

    source = ROOT / "campaign" / "translations" / "ru" / "LC_MESSAGES" / "messages.po"
    if not source.is_file():
        pytest.skip("no Russian catalogue yet")
    target = tmp_path / "translations" / "ru" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with source.open("rb") as po, (target / "messages.mo").open("wb") as mo:
        write_mo(mo, read_po(po, locale="ru"))
    site = create_app(
        {**app_config, "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path / "translations")}
    )
    make_case(slug="ainur", arrest_date=date(2010, 4, 27), arrest_date_approximate=True)
    html = _html(site.test_client(), "/ru/cases/ainur")
    assert "около 27 апреля 2010\u202fг." in html


def test_facts_no_one_translates_say_their_language_on_another_languages_page(
    client: FlaskClient, make_case: Callable[..., Case]
) -> None:
    """A Russian screen reader speaks "Journalist" as English, not as Russian (QA pass)."""
    make_case(slug="ainur", occupation="Journalist", court="Almaty District Court")
    russian = _html(client, "/ru/cases/ainur")
    assert '<dd lang="en">Journalist</dd>' in russian
    assert '<dd lang="en">Almaty District Court</dd>' in russian
    english = _html(client, "/cases/ainur")
    assert "<dd>Journalist</dd>" in english


def test_the_switcher_remembers_the_readers_choice_for_the_root(client: FlaskClient) -> None:
    """A reader whose browser asks for Russian chooses English: the site's root, typed again
    later, opens in English; after choosing Kazakh, in Kazakh, whatever the browser says."""
    assert client.get("/", headers=FIRST_VISIT).headers["Location"] == "/ru/"
    chose = client.get("/language/en?next=/")
    assert chose.status_code == 302
    assert chose.headers["Location"] == "/"
    assert chose.headers["Cache-Control"] == "no-store"
    cookie = chose.headers["Set-Cookie"]
    assert cookie.startswith("language=en;")
    assert {"HttpOnly", "SameSite=Lax", "Path=/"} <= {part.strip() for part in cookie.split(";")}
    assert "Max-Age=31536000" in cookie
    english = client.get("/", headers=FIRST_VISIT)
    assert english.status_code == 200
    assert '<html lang="en"' in english.get_data(as_text=True)
    assert "Cookie" in english.vary
    client.get("/language/kk?next=/kk/")
    assert client.get("/", headers=FIRST_VISIT).headers["Location"] == "/kk/"
    # An address with a language keeps it: a link shared in Russian opens in Russian.
    assert '<html lang="ru"' in _html(client, "/ru/", headers=FIRST_VISIT)


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/language/ru", "/ru/"),  # no page given: the language's home page
        ("/language/ru?next=//evil.example/", "/ru/"),  # never to another site
        ("/language/kk?next=https://evil.example/", "/kk/"),
        ("/language/en?next=/\\evil.example", "/"),
        ("/ru/language/en?next=/cases", "/cases"),  # from under a prefix: the same
    ],
)
def test_the_switcher_goes_only_to_this_sites_pages(
    client: FlaskClient, path: str, location: str
) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == location


def test_a_language_the_site_does_not_have_is_not_remembered(client: FlaskClient) -> None:
    assert client.get("/language/de?next=/").status_code == 404
    client.set_cookie("language", "de")  # forged: the browser's language decides
    assert client.get("/", headers=FIRST_VISIT).headers["Location"] == "/ru/"
