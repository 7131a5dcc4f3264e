"""The public API shows what the public pages show, and nothing else."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from campaign import demo
from tests.api.conftest import SECRETS, Campaign

API = "/api/v1"


def _json(client: FlaskClient, path: str, status: int = 200) -> Any:
    response = client.get(path)
    assert response.status_code == status, (path, response.get_data(as_text=True))
    assert response.mimetype == "application/json"
    return response.get_json()


def _no_secrets(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def _whole_timeline(client: FlaskClient, slug: str, query: str = "") -> list[dict[str, Any]]:
    """Every item, following the cursors."""
    items: list[dict[str, Any]] = []
    path = f"{API}/cases/{slug}/timeline{query}"
    for _ in range(100):
        page = _json(client, path)
        items.extend(page["items"])
        if page["next"] is None:
            assert page["next_cursor"] is None
            return items
        path = page["next"].removeprefix("http://localhost")
    raise AssertionError("the cursors never end")


def test_the_list_is_the_home_page_list(client: FlaskClient, campaign: Campaign) -> None:
    listed = _json(client, f"{API}/cases")
    slugs = [c["slug"] for c in listed["cases"]]
    home = client.get("/").get_data(as_text=True)
    on_home = re.findall(r'<h2><a href="/cases/([a-z0-9-]+)">', home)
    assert slugs == on_home
    assert campaign.hidden not in slugs
    assert listed["page"] == 1
    assert listed["next"] is None
    _no_secrets(str(listed))


@pytest.mark.parametrize(
    "query",
    ["?status=released", "?country=kz", "?country=AT", "?q=kurmanov", "?q=held&status=detained"],
)
def test_filters_are_the_home_page_filters(
    client: FlaskClient, campaign: Campaign, query: str
) -> None:
    slugs = [c["slug"] for c in _json(client, f"{API}/cases{query}")["cases"]]
    home = client.get("/" + query).get_data(as_text=True)
    assert slugs == re.findall(r'<h2><a href="/cases/([a-z0-9-]+)">', home)


@pytest.mark.parametrize(
    ("query", "word"),
    [
        ("?status=free", "status"),
        ("?country=XX", "country"),
        ("?page=0", "page"),
        ("?page=two", "page"),
        ("?page=%C2%B2", "page"),
        ("?page=%D9%A1", "page"),
        ("?page=1_0", "page"),
        ("?page=" + "1" * 5000, "page"),
        ("?page=1&page=2", "page"),
        ("?q=" + "a" * 101, "q"),
    ],
)
def test_a_wrong_filter_is_a_400_that_says_which(
    client: FlaskClient, campaign: Campaign, query: str, word: str
) -> None:
    error = _json(client, f"{API}/cases{query}", 400)
    assert error["status"] == 400
    assert f"'{word}'" in error["error"]


def test_pages_of_cases(app: Flask, client: FlaskClient, make_case) -> None:
    for n in range(25):
        make_case(slug=f"case-{n:02d}", person_name=f"Case {n:02d}")
    first = _json(client, f"{API}/cases")
    assert len(first["cases"]) == 20
    assert first["next"] == f"http://localhost{API}/cases?page=2"
    second = _json(client, f"{API}/cases?page=2")
    assert [c["slug"] for c in second["cases"]] == [f"case-{n}" for n in range(20, 25)]
    assert second["next"] is None
    assert _json(client, f"{API}/cases?page=9")["cases"] == []


def test_a_case_is_what_its_page_shows(client: FlaskClient, campaign: Campaign) -> None:
    case = _json(client, f"{API}/cases/{demo.KURMANOV}")
    page = client.get(f"/cases/{demo.KURMANOV}").get_data(as_text=True)
    assert case["name"] == "Ainur Kurmanov"
    assert case["status"] == "released"
    assert case["status_label"] == "Released"
    assert case["letters_address"] is None  # not published by the organisers
    assert case["detention_place"] in page
    related = [r["slug"] for r in case["related"]]
    assert related
    assert all(f'href="/cases/{slug}"' in page for slug in related)
    reach = case["reach"]
    assert f"<strong>{reach['actions']}</strong>" in page
    assert f"<strong>{reach['messages']}</strong>" in page
    assert case["links"]["badge"].endswith(f"/cases/{demo.KURMANOV}/badge.svg")
    _no_secrets(str(case))


@pytest.mark.parametrize("slug", ["hidden-person", "nobody", "UPPER", "a" * 300])
def test_unknown_and_unpublished_cases_are_the_same_404(
    client: FlaskClient, campaign: Campaign, slug: str
) -> None:
    for tail in ("", "/timeline", "/counters"):
        assert _json(client, f"{API}/cases/{slug}{tail}", 404) == {
            "error": "Not Found",
            "status": 404,
        }


def test_the_timeline_is_the_public_page_timeline(client: FlaskClient, campaign: Campaign) -> None:
    items = _whole_timeline(client, demo.KURMANOV)
    page = client.get(f"/cases/{demo.KURMANOV}").get_data(as_text=True)
    on_page = [int(n) for n in re.findall(r'id="event-(\d+)"', page)]
    assert [i["id"] for i in items if i["kind"] == "event"] == on_page
    assert campaign.internal_event not in on_page
    messages = [i for i in items if i["kind"] == "messages"]
    assert messages
    assert all(i["id"] is None for i in messages)
    _no_secrets(str(items))


def test_held_case_timeline_hides_internal_and_unchecked(
    client: FlaskClient, campaign: Campaign
) -> None:
    ids = [i["id"] for i in _whole_timeline(client, campaign.held)]
    assert campaign.public_hearing in ids
    assert campaign.internal_hearing not in ids
    assert campaign.unchecked_report not in ids


def test_the_timeline_cursor_walks_every_item_once(
    app: Flask, client: FlaskClient, make_case
) -> None:
    from campaign.extensions import db
    from tests.conftest import add_long_history

    case = make_case(slug="long-case")
    with app.app_context():
        add_long_history(case.id, events=130, messages=40)
        db.session.remove()
    items = _whole_timeline(client, "long-case")
    events = [i["id"] for i in items if i["kind"] == "event"]
    assert len(events) == 130 == len(set(events))
    keys = [(i["date"], i["kind"]) for i in items]
    assert len(keys) > 130
    legal = _whole_timeline(client, "long-case", "?show=legal")
    assert {i["family"] for i in legal} == {"legal"}


@pytest.mark.parametrize(
    "query",
    ["?cursor=nonsense", "?cursor=MjAxMC0xMy00NS4xLjAuMQ", "?cursor=%C3%A9", "?show=gossip"],
)
def test_a_bad_cursor_or_family_is_a_400(
    client: FlaskClient, campaign: Campaign, query: str
) -> None:
    error = _json(client, f"{API}/cases/{demo.KURMANOV}/timeline{query}", 400)
    assert error["error"]


def test_counters_agree_with_the_case_page(client: FlaskClient, campaign: Campaign) -> None:
    counters = _json(client, f"{API}/cases/{campaign.held}/counters")
    page = client.get(f"/cases/{campaign.held}").get_data(as_text=True)
    assert counters["date"] == campaign.today.isoformat()
    assert counters["detention"] == {
        "days": 491,
        "ongoing": True,
        "since": counters["detention"]["since"],
        "until": None,
    }
    assert '<span class="counter-number">491</span>' in page
    assert counters["hunger_strike_day"] == 5
    assert '<span class="counter-number">5</span>' in page
    # The internal hearing tomorrow counts for nobody outside: the next is in three days.
    assert counters["next_hearing"]["id"] == campaign.public_hearing
    assert counters["days_to_hearing"] == 3
    assert '<span class="counter-number">3</span>' in page
    assert counters["next_event"]["id"] == campaign.public_hearing
    _no_secrets(str(counters))


def test_open_appeals_are_those_the_letter_pages_show(
    client: FlaskClient, campaign: Campaign
) -> None:
    response = client.get(f"{API}/cases/{campaign.held}/appeals")
    _no_secrets(response.get_data(as_text=True))
    (appeal,) = response.get_json()["appeals"]  # the draft is not there
    assert appeal["id"] == campaign.open_appeal
    assert (appeal["title"], appeal["state"]) == ("Let the lawyer in", "open")
    assert [c["slug"] for c in appeal["cases"]] == [campaign.held]  # not the hidden case
    assert [a["email"] for a in appeal["authorities"]] == ["court@example.kz"]
    assert [r["text"] for r in appeal["responses"]] == ["Received by the court."]
    assert appeal["authorities"][0]["latest_response"]["kind"] == "acknowledged"
    page = client.get(appeal["url"].removeprefix("http://localhost"))
    assert page.status_code == 200
    assert "Received by the court." in page.text
    assert "UNPUBLISHEDRESPONSE" not in page.text
    # The demo's appeal is closed: not open, so not listed.
    assert _json(client, f"{API}/cases/{demo.KURMANOV}/appeals") == {"appeals": []}
    _json(client, f"{API}/cases/{campaign.hidden}/appeals", status=404)


def test_an_appeal_and_its_responses_say_which_language_they_are_in(
    app: Flask, client: FlaskClient, campaign: Campaign
) -> None:
    from campaign.extensions import db
    from campaign.models import Appeal

    (listed,) = _json(client, f"{API}/cases/{campaign.held}/appeals")["appeals"]
    assert listed["original_language"] == "en"  # not said: the site's default
    with app.app_context():
        appeal = db.session.get(Appeal, campaign.open_appeal)
        assert appeal is not None
        appeal.original_language = "kk"
        for response in appeal.responses:
            response.original_language = "ru"
        db.session.commit()
    (listed,) = _json(client, f"{API}/cases/{campaign.held}/appeals")["appeals"]
    assert listed["original_language"] == "kk"
    assert [r["original_language"] for r in listed["responses"]] == ["ru"]
    assert listed["authorities"][0]["latest_response"]["original_language"] == "ru"


def test_a_cases_texts_follow_the_readers_language_and_say_which_they_are_in(
    app: Flask, client: FlaskClient, campaign: Campaign
) -> None:
    """As on the case page: a translation where there is one, else the original, and which
    language each text is in (a Russian reader's app must not mark English text as Russian)."""
    from campaign.content import services as content
    from campaign.extensions import db
    from campaign.models import Case

    with app.app_context():
        case = db.session.scalars(sa.select(Case).where(Case.slug == campaign.held)).one()
        case.charges = "Organising an unsanctioned picket"
        case.summary = "A trade unionist."
        db.session.flush()
        content.save_translation(case, "ru", {"charges": "Организация несанкционированного пикета"})
        db.session.commit()
    document = _json(client, f"/ru{API}/cases/{campaign.held}")
    assert document["charges"] == "Организация несанкционированного пикета"
    assert document["summary"] == "A trade unionist."  # not translated: the original
    assert document["languages"] == {"charges": "ru", "summary": "en", "sentence": "en"}
    english = _json(client, f"{API}/cases/{campaign.held}")
    assert english["charges"] == "Organising an unsanctioned picket"
    assert english["languages"]["charges"] == "en"
    listed = _json(client, f"/ru{API}/cases")["cases"]
    (held,) = [c for c in listed if c["slug"] == campaign.held]
    assert held["charges"] == "Организация несанкционированного пикета"
    assert held["languages"] == {"charges": "ru"}
    # The demo's latest event has a Russian title: the Russian list gives it, the English one not.
    (ru_latest,) = [c["latest_event"] for c in listed if c["slug"] == demo.KURMANOV]
    (en_latest,) = [
        c["latest_event"]
        for c in _json(client, f"{API}/cases")["cases"]
        if c["slug"] == demo.KURMANOV
    ]
    assert (ru_latest["language"], en_latest["language"]) == ("ru", "en")
    assert ru_latest["id"] == en_latest["id"]
    assert ru_latest["title"] != en_latest["title"]
    # The home page in Russian shows the same texts; English ones there carry their lang.
    home = client.get("/ru/").get_data(as_text=True)
    assert "Организация несанкционированного пикета" in home
    assert ru_latest["title"] in home
    with app.app_context():
        case = db.session.scalars(sa.select(Case).where(Case.slug == campaign.held)).one()
        content.save_translation(case, "ru", {"charges": ""})
        db.session.commit()
    home = client.get("/ru/").get_data(as_text=True)
    assert '<p class="charges" dir="auto" lang="en">Organising an unsanctioned picket</p>' in home


def test_signed_in_staff_get_the_public_view(staff_client, campaign: Campaign) -> None:
    client = staff_client()
    counters = _json(client, f"{API}/cases/{campaign.held}/counters")
    assert counters["next_hearing"]["id"] == campaign.public_hearing
    _json(client, f"{API}/cases/{campaign.hidden}", 404)
    _no_secrets(str(_whole_timeline(client, demo.KURMANOV)))
    _no_secrets(str(_json(client, f"{API}/cases")))


def test_errors_are_json_everywhere_under_the_api(client: FlaskClient) -> None:
    assert _json(client, f"{API}/nowhere", 404)["status"] == 404
    response = client.post(f"{API}/cases")
    assert response.status_code == 405
    assert response.get_json() == {"error": "Method Not Allowed", "status": 405}
    assert "GET" in response.headers["Allow"]
    # Outside the API the error pages stay pages.
    assert client.get("/nowhere").mimetype == "text/html"


def test_cors_on_reading_only(client: FlaskClient, campaign: Campaign) -> None:
    for response in (
        client.get(f"{API}/cases"),
        client.head(f"{API}/cases"),
        client.get(f"{API}/cases/nobody"),
        client.options(f"{API}/cases", headers={"Origin": "https://elsewhere.example"}),
    ):
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in response.headers
    preflight = client.options(f"{API}/cases/{demo.KURMANOV}")
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "POST" not in preflight.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Origin" not in client.post(f"{API}/cases").headers
    assert "Access-Control-Allow-Origin" not in client.get("/").headers
    assert "Access-Control-Allow-Origin" not in client.get(f"/cases/{demo.KURMANOV}").headers


def test_served_from_the_page_cache_with_etags(
    app: Flask, client: FlaskClient, campaign: Campaign
) -> None:
    from campaign.extensions import db
    from campaign.models import Case

    path = f"{API}/cases/{demo.KURMANOV}"
    first = client.get(path)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, no-cache"
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    with app.app_context():
        case = db.session.scalar(db.select(Case).where(Case.slug == demo.KURMANOV))
        case.sentence = "Fifteen days"
        db.session.commit()
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.get_json()["sentence"] == "Fifteen days"


def test_unpublishing_takes_a_case_out_at_once(
    app: Flask, client: FlaskClient, campaign: Campaign
) -> None:
    from campaign.extensions import db
    from campaign.models import Case

    assert client.get(f"{API}/cases/{campaign.held}").status_code == 200
    with app.app_context():
        case = db.session.scalar(db.select(Case).where(Case.slug == campaign.held))
        case.published = False
        db.session.commit()
    assert client.get(f"{API}/cases/{campaign.held}").status_code == 404
    assert campaign.held not in str(client.get(f"{API}/cases").get_json())


@pytest.fixture
def limited_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config.update(RATELIMIT_ENABLED=True, API_RATE_LIMIT="3 per minute")
    return app_config


@pytest.mark.parametrize("backend", ["sqlite"])
def test_rate_limited_per_client(limited_config: dict[str, Any], app: Flask) -> None:
    client = app.test_client()
    statuses = [client.get(f"{API}/cases").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get(f"{API}/cases")
    assert refused.get_json()["status"] == 429
    assert refused.headers["Access-Control-Allow-Origin"] == "*"
    assert "Retry-After" in refused.headers
    # The public pages are not counted against the API's limit.
    assert client.get("/").status_code == 200
