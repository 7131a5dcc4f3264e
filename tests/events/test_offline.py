"""The server's side of pickets logged offline: a report's key makes a resend the same event,
a refused report is answered so the phone can keep it and say why, an old copy of the form
never causes a 500, sign-out clears what the phone kept, and the app's manifest and service
worker are served as browsers need them."""

from __future__ import annotations

import json
import re
import threading
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from campaign.extensions import db
from campaign.models import Event, Role
from campaign.web.security import CONTENT_SECURITY_POLICY
from tests.conftest import picket_form

PICKET = "/manage/events/picket"
JSON = {"Accept": "application/json"}


def events(app: Flask) -> list[Event]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Event).order_by(Event.id)))


def test_the_form_carries_a_fresh_key_for_the_report(staff_client, make_case):
    make_case()
    client = staff_client(Role.ACTIVIST)
    keys = [
        re.search(r'name="client_key" type="hidden" value="([^"]+)"', client.get(PICKET).text)
        for _ in range(2)
    ]
    assert all(keys)
    first, second = (uuid.UUID(k.group(1)) for k in keys if k)
    assert first != second


def test_the_same_key_sent_twice_logs_one_event(app, staff_client, make_case):
    case = make_case()
    client = staff_client(Role.ACTIVIST)
    key = str(uuid.uuid4())
    first = client.post(PICKET, data=picket_form([case.id], client_key=key), headers=JSON)
    assert first.status_code == 200
    assert first.json["logged"] is True
    assert first.json["repeated"] is False
    # The answer was lost on the way back: the phone sends again, a day later, from another tab.
    again = client.post(
        PICKET, data=picket_form([case.id], client_key=key.upper(), note="x"), headers=JSON
    )
    assert again.status_code == 200
    assert again.json["logged"] is True
    assert again.json["repeated"] is True
    assert again.json["event"] == first.json["event"]
    assert again.json["url"] == f"/manage/events/{first.json['event']}"
    logged = events(app)
    assert [e.key for e in logged] == [key]
    # The phone says what happened: nothing new was added.
    assert first.json["message"] == "Thank you: the picket was logged."
    assert again.json["message"] == (
        "This report was logged already: it was not added a second time."
    )
    # Sent again with another type, it speaks of the event stored, never of a vigil not made.
    vigil = client.post(
        PICKET, data=picket_form([case.id], client_key=key, type="vigil"), headers=JSON
    )
    assert "vigil" not in vigil.json["message"]
    assert vigil.json["title"] == first.json["title"]


def test_different_keys_are_different_reports(app, staff_client, make_case):
    case = make_case()
    client = staff_client(Role.ACTIVIST)
    for city in ("Vienna", "Linz"):
        client.post(
            PICKET,
            data=picket_form([case.id], venue="", city=city, client_key=str(uuid.uuid4())),
            headers=JSON,
        )
    assert len(events(app)) == 2


def test_the_form_without_javascript_works_as_before_and_uses_its_key(app, staff_client, make_case):
    case = make_case()
    client = staff_client(Role.ACTIVIST)
    key = str(uuid.uuid4())
    response = client.post(PICKET, data=picket_form([case.id], client_key=key))
    assert response.status_code == 302
    assert response.location.startswith(f"{PICKET}?logged=")
    assert "the picket was logged" in client.get(response.location).text
    # The browser's "resend the form?" after going back logs nothing new.
    again = client.post(PICKET, data=picket_form([case.id], client_key=key, note="later"))
    assert again.status_code == 302
    # A form with no key at all (a page loaded before this change) is logged too.
    plain = client.post(PICKET, data=picket_form([case.id], venue="", city="Graz"))
    assert plain.status_code == 302
    assert len(events(app)) == 2


@pytest.mark.parametrize(
    "key", ["not-a-uuid", "12345", "00000000-0000-0000-0000-000000000000", "x" * 500]
)
def test_a_damaged_key_is_refused_with_a_clear_message(app, staff_client, make_case, key):
    case = make_case()
    client = staff_client(Role.ACTIVIST)
    page = client.post(PICKET, data=picket_form([case.id], client_key=key))
    assert page.status_code == 200
    assert "key is damaged" in page.text
    answer = client.post(PICKET, data=picket_form([case.id], client_key=key), headers=JSON)
    assert answer.status_code == 422
    assert answer.json["logged"] is False
    assert any("key is damaged" in e["message"] for e in answer.json["errors"])
    assert events(app) == []


def test_each_refusal_is_said_once_in_words_an_activist_reads(app, staff_client, make_case):
    case = make_case()
    client = staff_client(Role.ACTIVIST)

    def errors(**changes: Any) -> list[dict[str, Any]]:
        data = picket_form([case.id], client_key=str(uuid.uuid4()))
        data.update(changes)
        answer = client.post(PICKET, data=data, headers=JSON)
        assert answer.status_code == 422
        return list(answer.json["errors"])

    damaged = errors(client_key="12345")
    assert len(damaged) == 1  # not once more under the field's name, "Client Key"
    assert "key is damaged" in damaged[0]["message"]
    for number in ("9" * 40, "lots"):
        said = [e for e in errors(participants=number) if e["field"] == "participants"]
        assert len(said) == 1, said
    gone = errors(cases=["999999"])
    assert [e["message"] for e in gone] == [
        "A case chosen is no longer in the list (archived or removed since): choose again."
    ]
    assert "valid choice" not in client.post(PICKET, data=picket_form(["999999"])).text


def test_a_field_refused_is_answered_field_by_field(app, staff_client, make_case):
    case = make_case()
    client = staff_client(Role.ACTIVIST)
    answer = client.post(
        PICKET,
        data=picket_form([case.id], organisation="", venue="", city="", participants="lots"),
        headers=JSON,
    )
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.json["errors"]}
    assert {"organisation", "venue", "participants"} <= fields
    assert all(e["message"] and e["label"] for e in answer.json["errors"] if e["field"])
    assert events(app) == []


@pytest.mark.parametrize(
    "change",
    [
        {"type": "sit_in"},  # a kind of action the form no longer offers
        {"cases": ["999999"]},  # a case that is gone
        {"cases": ["abc"]},
        {"date": "06/05/2010"},
        {"date": None},
        {"organisation": None, "venue": None, "city": None},
        {"participants": "1e99"},
        {"country": "Atlantis"},
        {"link": "javascript:alert(1)"},
        {"client_key": ["a", "b"]},
        {"organiser": "old field name", "weather": "rain"},  # fields of an older form
    ],
)
def test_a_report_from_an_old_copy_of_the_form_never_causes_a_500(
    app, staff_client, make_case, change: dict[str, Any]
):
    case = make_case()
    client = staff_client(Role.ACTIVIST)
    data = picket_form([case.id], client_key=str(uuid.uuid4()))
    for name, value in change.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    answer = client.post(PICKET, data=data, headers=JSON)
    assert answer.status_code in {200, 422}
    if answer.status_code == 422:
        assert answer.json["errors"]  # the phone keeps it and shows why
        assert events(app) == []
    else:
        assert len(events(app)) == 1
    page = client.post(PICKET, data=data)
    assert page.status_code in {200, 302}


def test_a_signed_out_report_is_sent_to_sign_in_not_logged(app, client, make_case):
    case = make_case()
    answer = client.post(
        PICKET, data=picket_form([case.id], client_key=str(uuid.uuid4())), headers=JSON
    )
    assert answer.status_code == 302
    assert answer.location.startswith("/login")
    assert events(app) == []


def test_a_stale_csrf_token_is_refused_with_400(app_config, request):
    app_config["WTF_CSRF_ENABLED"] = True
    app = request.getfixturevalue("app")
    case = request.getfixturevalue("make_case")()
    user = request.getfixturevalue("make_user")(Role.ACTIVIST)
    client = app.test_client()

    def token(url: str) -> str:
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(url).text)
        assert match, url
        return match.group(1)

    password = "correct horse battery staple"
    login = {"email": user.email, "password": password, "csrf_token": token("/login")}
    assert client.post("/login", data=login).status_code == 302
    data = picket_form([case.id], client_key=str(uuid.uuid4()))
    stale = client.post(PICKET, data={**data, "csrf_token": "stale"}, headers=JSON)
    assert stale.status_code == 400
    assert events(app) == []
    fresh = client.post(PICKET, data={**data, "csrf_token": token(PICKET)}, headers=JSON)
    assert fresh.status_code == 200
    assert len(events(app)) == 1


def _send_at_once(app: Flask, clients: list[FlaskClient], data: dict[str, Any]) -> list[Any]:
    """Post *data* from every client at the same moment (each thread its own connection)."""
    barrier = threading.Barrier(len(clients))
    answers: list[Any] = [None] * len(clients)

    def send(n: int) -> None:
        barrier.wait()
        answers[n] = clients[n].post(PICKET, data=data, headers=JSON)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@pytest.mark.parametrize("same_member", [True, False])
def test_two_tabs_sending_at_once_log_one_event(
    app, make_case, make_user, login, same_member: bool
):
    case = make_case()
    member = make_user(Role.ACTIVIST)
    other = member if same_member else make_user(Role.ACTIVIST)
    clients = [login(app.test_client(), member), login(app.test_client(), other)]
    data = picket_form([case.id], client_key=str(uuid.uuid4()))
    answers = _send_at_once(app, clients, data)
    assert [a.status_code for a in answers] == [200, 200]
    assert len({a.json["event"] for a in answers}) == 1
    assert sorted(a.json["repeated"] for a in answers) == [False, True]
    assert len(events(app)) == 1


def test_sign_out_clears_what_the_phone_kept(staff_client):
    client = staff_client(Role.ACTIVIST)
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"storage"'
    # The flash message travels in a cookie, which is not cleared: it still shows.
    assert "You are signed out." in client.get(response.location).text


def test_the_manifest_installs_the_staff_area(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = response.json if response.is_json else __import__("json").loads(response.text)
    assert manifest["start_url"] == PICKET
    assert manifest["scope"] == "/manage/"
    assert manifest["icons"][0]["src"] == "/static/favicon.svg"


@pytest.mark.parametrize("prefix", ["", "/ru", "/kk"])
def test_each_language_has_its_staff_app_and_offline_page(staff_client, client, prefix):
    activist = staff_client(Role.ACTIVIST)
    worker = activist.get(f"{prefix}/manage/sw.js")
    assert worker.status_code == 200
    assert worker.headers["Service-Worker-Allowed"] == f"{prefix}/manage/"
    html = activist.get(f"{prefix}{PICKET}").text
    assert f'data-scope="{prefix}/manage/"' in html
    assert f'data-service-worker="{prefix}/manage/sw.js"' in html
    manifest = json.loads(client.get(f"{prefix}/manifest.webmanifest").data)
    assert manifest["scope"] == f"{prefix}/manage/"
    assert manifest["start_url"] == f"{prefix}{PICKET}"
    offline = activist.get(f"{prefix}/manage/offline")
    assert offline.status_code == 200
    assert f'href="{prefix}{PICKET}"' in offline.text
    assert client.get(f"{prefix}/manage/offline").status_code == 302


def test_after_logging_online_the_form_offers_to_add_photos(app, staff_client, make_case):
    case = make_case()
    client = staff_client(Role.ACTIVIST)
    response = client.post(PICKET, data=picket_form([case.id]))
    event_id = events(app)[0].id
    page = client.get(response.location).text
    assert f'href="/manage/events/{event_id}/photos">Add photos</a>' in page


def test_the_service_worker_is_served_for_the_staff_area(staff_client, client):
    response = staff_client(Role.ACTIVIST).get("/manage/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/manage/"
    assert "addEventListener" in response.text
    assert client.get("/manage/sw.js").status_code == 302  # deny-by-default: signed out


def test_signed_in_pages_load_the_script_and_the_manifest(staff_client, make_case):
    make_case()
    html = staff_client(Role.ACTIVIST).get(PICKET).text
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'src="/static/js/offline.js"' in html
    assert 'id="offline-status"' in html
    assert "<script>" not in html  # no inline script
    assert re.findall(r"<script[^>]*>\s*</script>", html)


@pytest.mark.parametrize("path", ["/", "/login"])
def test_public_pages_still_run_no_script(client, path):
    response = client.get(path)
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "<script" not in response.text
    assert 'rel="manifest"' not in response.text


def test_signed_in_pages_allow_only_this_sites_scripts(staff_client):
    policy = staff_client(Role.ACTIVIST).get(PICKET).headers["Content-Security-Policy"]
    parts = dict(part.split(" ", 1) for part in policy.split("; "))
    assert parts["default-src"] == "'none'"
    assert parts["script-src"] == "'self'"
    assert parts["connect-src"] == "'self'"
    assert parts["manifest-src"] == "'self'"
    assert parts["worker-src"] == "'self'"
    assert "unsafe" not in policy
    assert "http" not in policy
    assert policy.startswith(CONTENT_SECURITY_POLICY)


def test_a_picket_logged_in_russian_is_marked_russian(app, staff_client, make_case):
    case = make_case()
    client = staff_client(Role.ACTIVIST)
    client.post("/ru" + PICKET, data=picket_form([case.id], venue="", city="Taldykorgan"))
    client.post(PICKET, data=picket_form([case.id], venue="", city="Vienna"))
    russian, english = events(app)
    assert russian.title.startswith("Пикет")
    assert russian.original_language == "ru"
    assert english.original_language == "en"


def test_the_phone_writes_dates_as_the_pages_do(staff_client, make_case):
    make_case()
    client = staff_client(Role.ACTIVIST)
    for prefix, december in (("", "{d} December {y}"), ("/ru", "{d} декабря {y}")):
        html = client.get(f"{prefix}{PICKET}").text
        found = re.search(r'data-date-patterns="([^"]+)"', html)
        assert found is not None
        patterns = json.loads(found.group(1).replace("&#34;", '"'))
        assert len(patterns) == 12
        assert patterns[11].startswith(december)
