"""A picket logged on a 360-px phone with no signal waits on the phone and is sent once, when
the connection is back, also when the session ended meanwhile (after signing in again), and
when the phone counted as online all along but the server did not answer."""

from __future__ import annotations

import re
import time

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner
from playwright.sync_api import expect

from campaign.extensions import db
from campaign.models import Event, Role
from tests.browser.conftest import ARTIFACTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.parametrize("backend", ["sqlite"]),
]

PASSWORD = "correct horse battery staple"
PICKET = "/manage/events/picket"
KEY = re.compile(r"^[0-9a-f-]{36}$")
# The picket form's address in any language: where reports are posted.
PICKET_URL = re.compile(r"/manage/events/picket(\?.*)?$")


@pytest.fixture
def app_config(app_config):
    """The real CSRF protection: a report sent later needs a token of the session it is sent in."""
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def _sign_in(page, live_server: str, email: str) -> None:
    page.goto(live_server + "/login")
    _fill_sign_in(page, email)


def _fill_sign_in(page, email: str) -> None:
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit], main form input[type=submit]").last.click()
    page.wait_for_load_state()


def _events(app: Flask, user_id: int) -> list[tuple[str, str | None]]:
    """The title and venue of each event *user_id* logged."""
    with app.app_context():
        logged = db.session.scalars(sa.select(Event).where(Event.created_by_id == user_id))
        return [(e.title, e.venue.name if e.venue else None) for e in logged]


def _log_offline(phone, live_server: str) -> None:
    """Open the picket form online, lose the signal, fill it in and press "Log it"."""
    phone.goto(live_server + PICKET)
    expect(phone.locator("input[name=client_key]")).to_have_value(KEY)
    phone.context.set_offline(True)
    phone.get_by_label("Ainur Kurmanov").check()
    phone.get_by_label("Organised by").fill("CWI Austria (SLP)")
    phone.get_by_label("Where (venue)").fill("OSCE building")
    phone.get_by_label("City").fill("Vienna")
    phone.get_by_role("button", name="Log it").click()
    status = phone.locator("#offline-status")
    status.get_by_text("Waiting to send:").wait_for()
    expect(status.locator(".offline-count")).to_have_text("1")
    expect(status.get_by_text("No connection")).to_be_visible()
    assert phone.locator("#offline-report-list li").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def _in_sight(phone, selector: str) -> None:
    box = phone.locator(selector).bounding_box()
    assert box is not None
    assert 0 <= box["y"] < 740


def test_a_picket_logged_offline_is_sent_once_when_the_signal_is_back(
    app: Flask, runner: FlaskCliRunner, live_server: str, phone, make_user
) -> None:
    runner.invoke(args=["demo"])
    user = make_user(Role.ACTIVIST)
    _sign_in(phone, live_server, user.email)
    _log_offline(phone, live_server)
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "picket-offline-waiting.png"), full_page=True)
    assert _events(app, user.id) == []
    # Another staff page shows the count too.
    phone.context.set_offline(False)
    status = phone.locator("#offline-status")
    expect(status.locator(".offline-count")).to_have_text("0")
    expect(status).to_contain_text("the picket was logged")
    events = _events(app, user.id)
    assert events == [("Picket at OSCE building", "OSCE building")]
    # The list the activist was looking at is gone: the thanks comes into sight, and into
    # focus, which a screen reader reads out.
    assert phone.evaluate("document.activeElement.id") == "offline-status"
    _in_sight(phone, "#offline-status")
    # Back on the page later: nothing is sent again.
    phone.goto(live_server + PICKET)
    phone.wait_for_load_state("networkidle")
    assert len(_events(app, user.id)) == 1


def test_a_picket_kept_while_signed_out_is_sent_after_signing_in_again(
    app: Flask, runner: FlaskCliRunner, live_server: str, phone, make_user
) -> None:
    runner.invoke(args=["demo"])
    user = make_user(Role.ACTIVIST)
    _sign_in(phone, live_server, user.email)
    _log_offline(phone, live_server)
    phone.context.clear_cookies()  # the session expired meanwhile
    phone.context.set_offline(False)
    status = phone.locator("#offline-status")
    status.get_by_text("You are signed out: sign in again").wait_for()
    expect(status.locator(".offline-count")).to_have_text("1")
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "picket-offline-signed-out.png"), full_page=True)
    assert _events(app, user.id) == []

    status.get_by_role("link", name="Sign in again").click()
    phone.wait_for_load_state()
    _fill_sign_in(phone, user.email)
    assert phone.url.endswith(PICKET)
    expect(phone.locator("#offline-status .offline-count")).to_have_text("0")
    phone.get_by_text("the picket was logged").wait_for()
    assert len(_events(app, user.id)) == 1


def test_the_staff_pages_register_the_service_worker(
    runner: FlaskCliRunner, live_server: str, phone, make_user
) -> None:
    user = make_user(Role.ACTIVIST)
    _sign_in(phone, live_server, user.email)
    phone.goto(live_server + PICKET)
    scope = phone.evaluate("navigator.serviceWorker.ready.then(function (r) { return r.scope; })")
    assert scope == live_server + "/manage/"
    errors: list[str] = []
    phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    phone.reload()
    phone.wait_for_load_state("networkidle")
    assert errors == []


def _controlled(page) -> None:
    """Wait until the staff app's worker is installed and controls the page."""
    page.evaluate("navigator.serviceWorker.ready.then(function () { return true; })")
    if not page.evaluate("navigator.serviceWorker.controller !== null"):
        page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def test_the_picket_form_opens_with_no_signal_in_russian_as_it_looks_online(
    runner: FlaskCliRunner, live_server: str, phone, make_user
) -> None:
    runner.invoke(args=["demo"])
    user = make_user(Role.ACTIVIST)
    _sign_in(phone, live_server, user.email)
    phone.goto(live_server + "/ru" + PICKET)
    scope = phone.evaluate("navigator.serviceWorker.ready.then(function (r) { return r.scope; })")
    assert scope == live_server + "/ru/manage/"
    _controlled(phone)
    box = phone.locator(".check-list label").first.bounding_box()
    assert box is not None
    assert box["height"] >= 44  # a big target, from records.css

    phone.context.set_offline(True)
    phone.reload()
    expect(phone.get_by_role("heading", name="Записать пикет", level=1)).to_be_visible()
    offline_box = phone.locator(".check-list label").first.bounding_box()
    assert offline_box == box  # every stylesheet came from the phone's copy
    today = phone.evaluate(
        "(function () { var d = new Date(); return d.getFullYear() + '-' +"
        " String(d.getMonth() + 1).padStart(2, '0') + '-' +"
        " String(d.getDate()).padStart(2, '0'); })()"
    )
    expect(phone.locator("input[name=date]")).to_have_value(today)
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "picket-offline-ru.png"), full_page=True)

    # Any other staff page says there is no connection and leads to the form.
    phone.goto(live_server + "/ru/manage/events/")
    expect(phone.get_by_role("heading", name="Нет соединения")).to_be_visible()
    phone.locator("main").get_by_role("link", name="Записать пикет").click()
    expect(phone.get_by_role("heading", name="Записать пикет", level=1)).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_saved_offline_the_report_is_in_sight_and_every_tab_counts_it(
    runner: FlaskCliRunner, live_server: str, phone, make_user
) -> None:
    runner.invoke(args=["demo"])
    user = make_user(Role.ACTIVIST)
    _sign_in(phone, live_server, user.email)
    other = phone.context.new_page()
    other.goto(live_server + "/manage/events/")
    _log_offline(phone, live_server)
    # The activist pressed "Log it" at the bottom of the form: the page brings them to the
    # report kept on the phone, and a screen reader reads it out.
    assert phone.evaluate("document.activeElement.id") == "offline-reports-title"
    heading = phone.locator("#offline-reports-title").bounding_box()
    assert heading is not None
    assert 0 <= heading["y"] < 740
    expect(phone.locator("#offline-status .offline-signin")).to_be_hidden()
    # Its date reads as the pages write dates ("5 December 2026"), not "2026-12-05".
    day = phone.locator("input[name=date]").input_value()
    assert re.match(r"^\d{4}-\d{2}-\d{2}$", day)
    year, month, date_of_month = (int(part) for part in day.split("-"))
    months = ["January", "February", "March", "April", "May", "June", "July", "August"]
    months += ["September", "October", "November", "December"]
    expect(phone.locator("#offline-report-list li").first).to_contain_text(
        f"{date_of_month} {months[month - 1]} {year}"
    )
    # The other tab counts it without a reload.
    expect(other.locator("#offline-status .offline-count")).to_have_text("1")
    other.close()


def test_a_refused_report_can_be_given_up(
    app: Flask, runner: FlaskCliRunner, live_server: str, phone, make_user
) -> None:
    runner.invoke(args=["demo"])
    user = make_user(Role.ACTIVIST)
    _sign_in(phone, live_server, user.email)
    phone.goto(live_server + PICKET)
    expect(phone.locator("input[name=client_key]")).to_have_value(KEY)
    phone.context.set_offline(True)
    phone.get_by_label("Ainur Kurmanov").check()
    phone.get_by_label("Organised by").fill("CWI Austria (SLP)")  # but no place: refused
    phone.get_by_role("button", name="Log it").click()
    expect(phone.locator("#offline-status .offline-count")).to_have_text("1")
    phone.get_by_role("button", name="Send now").click()
    expect(phone.locator("#offline-status")).to_contain_text("No connection")
    phone.context.set_offline(False)
    reports = phone.locator("#offline-report-list")
    expect(reports).to_contain_text("Give the venue or at least the city.")
    phone.once("dialog", lambda dialog: dialog.accept())
    reports.get_by_role("button", name="Remove it").click()
    expect(phone.locator("#offline-status .offline-count")).to_have_text("0")
    expect(phone.locator("#offline-reports")).to_be_hidden()
    assert _events(app, user.id) == []


def test_a_picket_saved_while_the_server_did_not_answer_is_sent_when_it_does(
    app: Flask, runner: FlaskCliRunner, live_server: str, phone, make_user
) -> None:
    """The phone counts as online (a weak signal, a captive portal, the server down): no
    'online' event comes, and the page tries again by itself, from every open tab, once."""
    runner.invoke(args=["demo"])
    user = make_user(Role.ACTIVIST)
    _sign_in(phone, live_server, user.email)
    phone.goto(live_server + "/ru" + PICKET)
    _controlled(phone)
    expect(phone.locator("input[name=client_key]")).to_have_value(KEY)
    phone.context.route(PICKET_URL, lambda route: route.abort("connectionrefused"))
    phone.locator("input[name=cases]").first.check()
    phone.locator("input[name=organisation]").fill("CWI Austria (SLP)")
    phone.locator("input[name=city]").fill("Vienna")
    phone.get_by_role("button", name="Записать", exact=True).click()
    # The post never arrived: the service worker brings back the form kept on the phone,
    # which keeps the report.
    reports = phone.locator("#offline-report-list")
    expect(reports).to_contain_text("Сохранено на этом телефоне")
    expect(phone.locator("#offline-status .offline-count")).to_have_text("1")
    assert phone.evaluate("navigator.onLine") is True
    other = phone.context.new_page()
    other.goto(live_server + "/ru/manage/events/")
    expect(other.locator("#offline-status .offline-count")).to_have_text("1")
    phone.wait_for_timeout(1000)
    assert _events(app, user.id) == []

    posts: list[str] = []

    def reach(route) -> None:
        if route.request.method == "POST":
            posts.append(route.request.url)
        route.continue_()

    phone.context.unroute(PICKET_URL)
    phone.context.route(PICKET_URL, reach)
    status = phone.locator("#offline-status")
    expect(status.locator(".offline-count")).to_have_text("0", timeout=10_000)
    expect(status).to_contain_text("Спасибо: пикет записан")
    expect(other.locator("#offline-status .offline-count")).to_have_text("0")
    assert len(_events(app, user.id)) == 1
    assert len(posts) == 1  # the other tab found it sent, and did not post it again
    other.close()


def test_tries_again_less_and_less_often_while_the_server_does_not_answer(
    app: Flask, runner: FlaskCliRunner, live_server: str, phone, make_user
) -> None:
    runner.invoke(args=["demo"])
    user = make_user(Role.ACTIVIST)
    _sign_in(phone, live_server, user.email)
    _log_offline(phone, live_server)
    tries: list[float] = []

    def refuse(route) -> None:
        if route.request.method == "POST":
            tries.append(time.monotonic())
        route.abort("connectionrefused")

    phone.context.route(PICKET_URL, refuse)
    phone.context.set_offline(False)  # the phone is online, the server out of reach
    deadline = time.monotonic() + 10
    while len(tries) < 3 and time.monotonic() < deadline:
        phone.wait_for_timeout(100)
    # Once on 'online', again a few seconds later, then after a longer wait: not every
    # moment, and not never.
    assert len(tries) == 3
    first, second = tries[1] - tries[0], tries[2] - tries[1]
    assert 2 <= first <= 4.5
    assert second >= 1.5 * first
    expect(phone.locator("#offline-status .offline-count")).to_have_text("1")
    assert _events(app, user.id) == []
    phone.context.unroute(PICKET_URL)
    expect(phone.locator("#offline-status .offline-count")).to_have_text("0", timeout=20_000)
    assert len(_events(app, user.id)) == 1


def test_sent_while_the_next_report_is_typed_the_thanks_leaves_the_field_alone(
    app: Flask, runner: FlaskCliRunner, live_server: str, phone, make_user
) -> None:
    runner.invoke(args=["demo"])
    user = make_user(Role.ACTIVIST)
    _sign_in(phone, live_server, user.email)
    _log_offline(phone, live_server)
    note = phone.get_by_label("Note")
    note.click()
    phone.keyboard.type("Forty peo")
    phone.context.set_offline(False)
    status = phone.locator("#offline-status")
    expect(status.locator(".offline-count")).to_have_text("0")
    expect(status).to_contain_text("the picket was logged")  # said by the live region
    assert status.get_attribute("role") == "status"
    expect(note).to_be_focused()
    phone.keyboard.type("ple")  # where the focus is
    expect(note).to_have_value("Forty people")
    assert len(_events(app, user.id)) == 1
