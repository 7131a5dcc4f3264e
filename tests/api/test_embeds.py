"""The badge and the card: what the case page says, safe to show anywhere, and the only pages
any site may frame."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from flask import Flask
from flask.testing import FlaskClient

from campaign import demo
from campaign.models import CaseStatus
from tests.api.conftest import SECRETS, Campaign

SVG = "{http://www.w3.org/2000/svg}"


def _badge_texts(body: bytes) -> list[str]:
    root = ET.fromstring(body)  # noqa: S314 - our own output
    assert root.tag == f"{SVG}svg"
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_the_badge_counts_the_days_in_detention(client: FlaskClient, campaign: Campaign) -> None:
    response = client.get(f"/cases/{campaign.held}/badge.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert _badge_texts(response.data) == ["Held Person", "Day 491 in detention"]
    page = client.get(f"/cases/{campaign.held}").get_data(as_text=True)
    assert '<span class="counter-number">491</span>' in page


def test_a_released_persons_badge_says_the_status(client: FlaskClient, campaign: Campaign) -> None:
    response = client.get(f"/cases/{demo.KURMANOV}/badge.svg")
    assert _badge_texts(response.data) == ["Ainur Kurmanov", str(CaseStatus.RELEASED.label)]


def test_the_badge_has_no_script_and_escapes_text(
    app: Flask, client: FlaskClient, make_case
) -> None:
    make_case(slug="odd-name", person_name='<script>alert(1)</script> & "x"')
    body = client.get("/cases/odd-name/badge.svg").get_data(as_text=True)
    assert "<script" not in body
    assert "&lt;script&gt;" in body
    root = ET.fromstring(body)  # noqa: S314
    names = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert names <= {"svg", "title", "rect", "g", "text"}
    assert not any(k.startswith("on") for e in root.iter() for k in e.attrib)


def test_the_badge_policy_forbids_everything_but_framing(
    client: FlaskClient, campaign: Campaign
) -> None:
    response = client.get(f"/cases/{campaign.held}/badge.svg")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "sandbox" in policy
    assert "frame-ancestors *" in policy
    assert "script-src" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_badge_falls_back_to_the_default_language(
    client: FlaskClient, campaign: Campaign
) -> None:
    english = client.get(f"/cases/{campaign.held}/badge.svg").data
    assert client.get(f"/cases/{campaign.held}/badge.svg?lang=xx").data == english
    assert client.get(f"/cases/{campaign.held}/badge.svg?lang=<b>").data == english


@pytest.fixture
def two_languages(app_config: dict) -> dict:
    """A site with a second language whose catalogue is (at least) empty: the request for it is
    honoured, which the page's lang attribute shows."""
    app_config["LANGUAGES"] = ("en", "ru")
    return app_config


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_card_is_in_the_language_asked(two_languages: dict, app: Flask, campaign) -> None:
    client = app.test_client()
    assert '<html lang="ru">' in client.get(f"/cases/{campaign.held}/card?lang=ru").get_data(
        as_text=True
    )
    # Not the visitor's language: the one asked for in the address, else the site's default.
    english = client.get(
        f"/cases/{campaign.held}/card", headers={"Accept-Language": "ru"}
    ).get_data(as_text=True)
    assert '<html lang="en">' in english


def test_the_card_shows_the_case_page_counters(client: FlaskClient, campaign: Campaign) -> None:
    card = client.get(f"/cases/{campaign.held}/card")
    assert card.status_code == 200
    html = card.get_data(as_text=True)
    for number in ("491", "5", "3"):
        assert f'<span class="counter-number">{number}</span>' in html
    assert "Задержанный &lt;b&gt;&amp;&lt;/b&gt;" in html
    assert 'target="_blank" rel="noopener noreferrer"' in html
    assert "<form" not in html
    assert "<script" not in html
    for secret in SECRETS:
        assert secret not in html


@pytest.mark.parametrize("tail", ["badge.svg", "card"])
def test_embeds_of_unpublished_cases_are_404(
    client: FlaskClient, campaign: Campaign, tail: str
) -> None:
    assert client.get(f"/cases/{campaign.hidden}/{tail}").status_code == 404
    assert client.get(f"/cases/nobody/{tail}").status_code == 404


@pytest.mark.parametrize("tail", ["badge.svg", "card"])
def test_embeds_are_cached_with_etags(client: FlaskClient, campaign: Campaign, tail: str) -> None:
    first = client.get(f"/cases/{campaign.held}/{tail}")
    assert first.headers["Cache-Control"] == "public, no-cache"
    again = client.get(
        f"/cases/{campaign.held}/{tail}", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    # A 304 (from the cache, the view never runs) may be framed as well.
    assert "X-Frame-Options" not in again.headers
    assert "frame-ancestors *" in again.headers["Content-Security-Policy"]


@pytest.mark.parametrize("tail", ["badge.svg", "card", "card?lang=en"])
def test_embeds_may_be_framed_by_any_site(
    client: FlaskClient, campaign: Campaign, tail: str
) -> None:
    for _ in range(2):  # rendered, then from the page cache
        response = client.get(f"/cases/{campaign.held}/{tail}")
        assert response.status_code == 200
        assert "X-Frame-Options" not in response.headers
        policy = response.headers["Content-Security-Policy"]
        assert "frame-ancestors *" in policy
        assert "frame-ancestors 'none'" not in policy
        assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize(
    "path",
    [
        "/",
        f"/cases/{demo.KURMANOV}",
        f"/cases/{demo.KURMANOV}/sheet",
        f"/cases/{demo.KURMANOV}/support",
        f"/cases/{demo.KURMANOV}/timeline.json",
        "/api/v1/cases",
        "/login",
        "/manage/",
        "/nowhere",
    ],
)
def test_every_other_page_still_refuses_framing(
    client: FlaskClient, campaign: Campaign, path: str
) -> None:
    response = client.get(path)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_the_staff_case_page_offers_the_snippets(staff_client, app: Flask, campaign) -> None:
    from campaign.extensions import db
    from campaign.models import Case

    with app.app_context():
        held = db.session.scalar(db.select(Case).where(Case.slug == campaign.held))
        hidden = db.session.scalar(db.select(Case).where(Case.slug == campaign.hidden))
        held_id, hidden_id = held.id, hidden.id
    client = staff_client()
    page = client.get(f"/manage/cases/{held_id}").get_data(as_text=True)
    assert 'id="embed"' in page
    assert f"&lt;img src=&#34;http://localhost/cases/{campaign.held}/badge.svg&#34;" in page
    assert f"&lt;iframe src=&#34;http://localhost/cases/{campaign.held}/card&#34;" in page
    # The name is escaped in the snippet itself, so the copied HTML stays whole.
    assert "Held Person" in page
    unpublished = client.get(f"/manage/cases/{hidden_id}").get_data(as_text=True)
    assert "badge.svg" not in unpublished
    assert "Once the case is published" in unpublished


def test_a_snippet_stays_whole_whatever_the_name(staff_client, make_case) -> None:
    import html
    import re

    case = make_case(slug="quoted", person_name='Name "quoted" <b>')
    page = staff_client().get(f"/manage/cases/{case.id}").get_data(as_text=True)
    found = re.search(r'<textarea id="embed-badge"[^>]*>(.*?)</textarea>', page, re.S)
    assert found
    copied = html.unescape(found.group(1))  # what the organiser copies
    assert 'alt="Name &#34;quoted&#34; &lt;b&gt;"' in copied
