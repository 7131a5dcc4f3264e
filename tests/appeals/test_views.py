"""The appeals' pages: the staff flow, the public letter page and its "I sent a letter", the
letter-writing evening, the case page, the timeline, feeds and the page cache."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from campaign.appeals import services
from campaign.extensions import db
from campaign.models import (
    Appeal,
    AppealResponse,
    AppealState,
    LetterReport,
    Message,
    MessageState,
    ResponseKind,
    Role,
)
from campaign.util.dates import today_utc
from tests.appeals.conftest import appeal_form, load
from tests.conftest import aged_token, count_rows

TODAY = today_utc()


def _respond(app: Flask, appeal_id: int, *, published: bool, text: str) -> None:
    with app.app_context():
        appeal = db.session.get(Appeal, appeal_id)
        services.record_response(
            appeal,
            services.ResponseData(
                received_on=TODAY, kind=ResponseKind.REFUSED, text=text, published=published
            ),
            None,
            today=TODAY,
        )
        db.session.commit()


# -- staff ---------------------------------------------------------------------------------


def test_an_organiser_writes_opens_and_answers_an_appeal(
    app: Flask, staff_client: Callable[..., FlaskClient], make_case
) -> None:
    case_id = make_case(slug="ainur").id
    client = staff_client(Role.ORGANISER)
    assert client.get("/manage/appeals/new").status_code == 200
    response = client.post("/manage/appeals/new", data=appeal_form([case_id]))
    assert response.status_code == 302
    with app.app_context():
        appeal_id = db.session.scalar(sa.select(Appeal.id))
    assert load(app, appeal_id).state == AppealState.DRAFT
    page = client.get(f"/manage/appeals/{appeal_id}").get_data(as_text=True)
    assert "Prosecutor General" in page

    assert (
        client.post(f"/manage/appeals/{appeal_id}/state", data={"state": "open"}).status_code == 302
    )
    assert load(app, appeal_id).opened_on == TODAY
    answer = client.post(
        f"/manage/appeals/{appeal_id}/responses",
        data={
            "received_on": TODAY.isoformat(),
            "target": str(load(app, appeal_id).targets[0].id),
            "kind": "acknowledged",
            "text": "Your letter was received.",
            "source_title": "",
            "source_url": "",
            "published": "y",
        },
    )
    assert answer.status_code == 302
    appeal = load(app, appeal_id)
    assert [(r.kind, r.published) for r in appeal.responses] == [(ResponseKind.ACKNOWLEDGED, True)]

    response_id = appeal.responses[0].id
    client.post(
        f"/manage/appeals/{appeal_id}/responses/{response_id}/publish", data={"published": "0"}
    )
    assert not load(app, appeal_id).responses[0].published

    edited = appeal_form(
        [case_id],
        title="Release him now",
        **{"letters-1-language": "ru", "letters-1-text": "Освободите"},
    )
    assert client.post(f"/manage/appeals/{appeal_id}/edit", data=edited).status_code == 302
    appeal = load(app, appeal_id)
    assert appeal.title == "Release him now"
    assert [x.language for x in appeal.letters] == ["en", "ru"]
    assert "Release him now" in client.get("/manage/appeals/").get_data(as_text=True)


def test_a_past_deadline_for_a_new_appeal_is_said_next_to_the_field(
    app: Flask, staff_client: Callable[..., FlaskClient], make_case
) -> None:
    case_id = make_case().id
    client = staff_client(Role.ORGANISER)
    past = (TODAY - timedelta(days=1)).isoformat()
    response = client.post("/manage/appeals/new", data=appeal_form([case_id], deadline=past))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The deadline has passed already" in page
    assert 'value="Release Ainur Kurmanov"' in page  # what was typed is kept
    with app.app_context():
        assert count_rows(Appeal) == 0


def test_a_letter_in_an_unknown_language_or_no_authority_is_said_next_to_the_field(
    staff_client: Callable[..., FlaskClient], make_case
) -> None:
    client = staff_client(Role.ORGANISER)
    form = appeal_form([make_case().id], **{"letters-0-language": "xx", "targets-0-name": ""})
    page = client.post("/manage/appeals/new", data=form).get_data(as_text=True)
    assert "Choose the language this letter is written in." in page
    assert "Name at least one authority to write to." in page


def test_organisers_say_which_language_an_appeal_and_a_response_are_in(
    app: Flask, staff_client: Callable[..., FlaskClient], make_case
) -> None:
    """The appeal form starts from the site's default language, as a new case does; the
    response form from the appeal's; a page from before the field keeps what was there."""
    case_id = make_case().id
    client = staff_client(Role.ORGANISER)
    form_page = client.get("/manage/appeals/new").get_data(as_text=True)
    assert re.search(r'<option selected value="en">[^<]*\(en\)</option>', form_page)
    assert 'value="kk"' in form_page
    created = client.post(
        "/manage/appeals/new", data=appeal_form([case_id], original_language="ru")
    )
    assert created.status_code == 302
    with app.app_context():
        appeal_id = db.session.scalar(sa.select(Appeal.id))
    assert load(app, appeal_id).original_language == "ru"
    client.post(f"/manage/appeals/{appeal_id}/state", data={"state": "open"})
    detail = client.get(f"/manage/appeals/{appeal_id}").get_data(as_text=True)
    assert '<option selected value="ru">' in detail  # a response starts in the appeal's

    answer = {"received_on": TODAY.isoformat(), "kind": "refused", "text": "Отказать."}
    assert client.post(f"/manage/appeals/{appeal_id}/responses", data=answer).status_code == 302
    answer = {**answer, "text": "Бас тарту.", "original_language": "kk"}
    assert client.post(f"/manage/appeals/{appeal_id}/responses", data=answer).status_code == 302
    assert [r.original_language for r in load(app, appeal_id).responses] == ["ru", "kk"]

    old_page = appeal_form([case_id], title="Edited on a page from before")
    assert client.post(f"/manage/appeals/{appeal_id}/edit", data=old_page).status_code == 302
    assert load(app, appeal_id).original_language == "ru"


def test_an_unknown_language_is_said_next_to_the_field_and_changes_nothing(
    app: Flask, staff_client: Callable[..., FlaskClient], make_case, make_appeal
) -> None:
    appeal_id = make_appeal([make_case().id])
    client = staff_client(Role.ORGANISER)
    edited = appeal_form([1], title="Not saved", original_language="xx")
    response = client.post(f"/manage/appeals/{appeal_id}/edit", data=edited)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "“xx” is not one of this site&#39;s languages (en, ru, kk)." in page
    assert '<option selected value="xx">' in page  # what was chosen is shown with the error
    assert (load(app, appeal_id).title, load(app, appeal_id).original_language) == (
        "Release Ainur Kurmanov",
        "en",
    )
    answer = {"received_on": TODAY.isoformat(), "kind": "refused", "original_language": ""}
    response = client.post(f"/manage/appeals/{appeal_id}/responses", data=answer)
    assert response.status_code == 400
    assert "Choose a language: this site&#39;s are en, ru, kk." in response.get_data(as_text=True)
    with app.app_context():
        assert count_rows(AppealResponse) == 0


def test_a_response_dated_before_its_appeal_changes_nothing(
    app: Flask, staff_client: Callable[..., FlaskClient], make_case, make_appeal
) -> None:
    appeal_id = make_appeal([make_case().id])
    client = staff_client(Role.ORGANISER)
    response = client.post(
        f"/manage/appeals/{appeal_id}/responses",
        data={"received_on": "2010-05-01", "kind": "refused", "text": "No."},
    )
    assert response.status_code == 400
    assert "This is before the appeal was opened" in response.get_data(as_text=True)
    with app.app_context():
        assert count_rows(AppealResponse) == 0


@pytest.mark.parametrize("target", ["²", "٣", "x", "99999999999"])
def test_a_response_from_no_known_target_is_kept_without_one(
    app: Flask, staff_client: Callable[..., FlaskClient], make_case, make_appeal, target: str
) -> None:
    """Superscript and other non-ASCII digits pass str.isdigit() but not int(): the response is
    recorded as from nobody in particular, never a 500."""
    appeal_id = make_appeal([make_case().id])
    client = staff_client(Role.ORGANISER)
    response = client.post(
        f"/manage/appeals/{appeal_id}/responses",
        data={"received_on": TODAY.isoformat(), "kind": "refused", "target": target},
    )
    assert response.status_code == 302
    appeal = load(app, appeal_id)
    assert [(r.kind, r.target_id) for r in appeal.responses] == [(ResponseKind.REFUSED, None)]


def test_an_unknown_state_is_refused_with_a_message(
    app: Flask, staff_client: Callable[..., FlaskClient], make_case, make_appeal
) -> None:
    appeal_id = make_appeal([make_case().id], state="draft")
    client = staff_client(Role.ORGANISER)
    response = client.post(f"/manage/appeals/{appeal_id}/state", data={"state": "archived"})
    assert response.status_code == 400
    assert "Choose one of the states below." in response.get_data(as_text=True)
    assert load(app, appeal_id).state == AppealState.DRAFT


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/manage/appeals/"),
        ("get", "/manage/appeals/new"),
        ("get", "/manage/appeals/1"),
        ("get", "/manage/appeals/1/edit"),
        ("post", "/manage/appeals/1/state"),
        ("post", "/manage/appeals/1/responses"),
    ],
)
def test_only_organisers_may_run_appeals(
    client: FlaskClient,
    staff_client: Callable[..., FlaskClient],
    make_case,
    make_appeal,
    method: str,
    path: str,
) -> None:
    make_appeal([make_case().id], state="draft")
    assert getattr(client, method)(path).status_code == 302  # to the sign-in page
    assert getattr(staff_client(Role.ACTIVIST), method)(path).status_code == 403
    assert getattr(staff_client(Role.ADMIN), method)(path).status_code in {200, 302, 400}


def test_the_staff_home_lists_what_is_due_and_says_no_reply(
    staff_client: Callable[..., FlaskClient], make_case, make_appeal
) -> None:
    make_appeal([make_case().id], title="Silent authorities", deadline=TODAY - timedelta(days=3))
    make_appeal([make_case().id], title="Not yet due")
    page = staff_client(Role.ORGANISER).get("/manage/").get_data(as_text=True)
    assert "Appeals to follow up" in page
    assert "Silent authorities" in page
    assert "no reply by the deadline" in page
    assert "Not yet due" not in page


# -- public ----------------------------------------------------------------------------------


def test_the_letter_page_shows_what_is_asked_the_addresses_and_the_letter(
    client: FlaskClient, make_case, make_appeal
) -> None:
    make_case(slug="ainur")
    appeal_id = make_appeal([1])
    response = client.get(f"/cases/ainur/appeals/{appeal_id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in (
        "Release him now: reporting is no crime.",
        "Wallnerstrasse 6",
        "chair@example.org",
        "Dear Sir or Madam, release him.",
        'lang="ru"',
        f"/cases/ainur/appeals/{appeal_id}/sent",
    ):
        assert text in page
    assert "csrf_token" not in page  # a shared page: no form token on it


def test_a_page_in_another_language_marks_the_appeals_text_with_its_language(
    app: Flask,
    client: FlaskClient,
    staff_client: Callable[..., FlaskClient],
    make_case,
    make_appeal,
) -> None:
    """Screen readers and hyphenation read an English appeal on a Russian page as English, and
    a Kazakh response as Kazakh on every page: ``lang`` and the note, as a case's texts."""
    make_case(slug="ainur")
    english = make_appeal([1], title="Write to the OSCE", asked="Ask for his release.")
    russian = make_appeal([1], title="Напишите прокурору", original_language="ru")
    with app.app_context():
        services.record_response(
            db.session.get(Appeal, english),
            services.ResponseData(
                received_on=TODAY,
                kind=ResponseKind.REFUSED,
                text="Бас тарту.",
                published=True,
                original_language="kk",
            ),
            None,
            today=TODAY,
        )
        db.session.commit()

    title_in_english = '<span dir="auto" lang="en">Write to the OSCE</span>'
    kazakh_answer = 'dir="auto" lang="kk">Бас тарту.</p>'
    letter = client.get(f"/ru/cases/ainur/appeals/{english}").get_data(as_text=True)
    assert f'<h1 id="appeal-title">{title_in_english} <span class="language-note">' in letter
    assert '<div class="appeal-asked" dir="auto" lang="en">Ask for his release.</div>' in letter
    assert f'<p class="response-text" {kazakh_answer}' in letter
    case_page = client.get("/ru/cases/ainur").get_data(as_text=True)
    assert f'href="/ru/cases/ainur/appeals/{english}">{title_in_english}' in case_page  # panel
    assert f'<p class="item-text" {kazakh_answer}' in case_page  # the timeline
    assert '<span dir="auto">Напишите прокурору</span>' in case_page  # Russian: nothing to say

    in_english = client.get(f"/cases/ainur/appeals/{english}").get_data(as_text=True)
    assert '<h1 id="appeal-title"><span dir="auto">Write to the OSCE</span></h1>' in in_english
    assert f'<p class="response-text" {kazakh_answer}' in in_english
    on_english_page = client.get("/cases/ainur").get_data(as_text=True)
    assert '<span dir="auto" lang="ru">Напишите прокурору</span>' in on_english_page
    assert client.get(f"/ru/cases/ainur/appeals/{russian}").status_code == 200

    staff = staff_client(Role.ORGANISER)
    for path in (f"/ru/manage/appeals/{english}", "/ru/manage/appeals/"):
        assert title_in_english in staff.get(path).get_data(as_text=True), path

    rows = client.get("/ru/cases/ainur/timeline.json").get_json()["items"]
    languages = {(row["kind"], row["title"]): row["languages"] for row in rows}
    assert languages["appeal", "Write to the OSCE"] == {"title": "en", "description": "en"}
    assert languages["appeal_response", "Write to the OSCE"] == {
        "title": "en",
        "description": "kk",
    }


def test_drafts_stay_off_every_public_address(client: FlaskClient, make_case, make_appeal) -> None:
    make_case(slug="ainur")
    draft_id = make_appeal([1], title="A secret draft", state="draft")
    assert client.get(f"/cases/ainur/appeals/{draft_id}").status_code == 404
    assert client.get(f"/cases/ainur/appeals/{draft_id}/sent").status_code == 404
    for path in (
        "/cases/ainur",
        "/cases/ainur/sheet",
        "/cases/ainur/feed.atom",
        "/cases/ainur/calendar.ics",
        "/cases/ainur/timeline.json",
        "/letters",
    ):
        assert "A secret draft" not in client.get(path).get_data(as_text=True), path


def test_an_appeal_of_another_case_or_an_unpublished_case_is_not_found(
    client: FlaskClient, make_case, make_appeal
) -> None:
    make_case(slug="ainur")
    make_case(slug="other")
    make_case(slug="hidden", published=False)
    appeal_id = make_appeal([1, 3])
    assert client.get(f"/cases/other/appeals/{appeal_id}").status_code == 404
    assert client.get(f"/cases/hidden/appeals/{appeal_id}").status_code == 404
    assert client.get("/cases/ainur/appeals/999").status_code == 404


def test_the_case_page_links_open_appeals_with_the_letters_sent(
    app: Flask, client: FlaskClient, make_case, make_appeal
) -> None:
    make_case(slug="ainur")
    appeal_id = make_appeal([1], title="Write to the OSCE")
    with app.app_context():
        db.session.add(LetterReport(appeal_id=appeal_id, reported_on=TODAY, client_hash=None))
        db.session.commit()
    page = client.get("/cases/ainur").get_data(as_text=True)
    assert f'href="/cases/ainur/appeals/{appeal_id}"' in page
    assert "1 letter sent" in page


def test_i_sent_a_letter_counts_once_per_client_and_day(
    app: Flask, client: FlaskClient, make_case, make_appeal
) -> None:
    make_case(slug="ainur")
    appeal_id = make_appeal([1])
    path = f"/cases/ainur/appeals/{appeal_id}/sent"
    form = client.get(path)
    assert form.status_code == 200
    assert "no-store" in form.headers["Cache-Control"]
    first = client.post(path, data={"form_token": aged_token(app, 5), "website": ""})
    assert first.status_code == 302
    assert "your letter is counted" in client.get(path).get_data(as_text=True)
    again = client.post(path, data={"form_token": aged_token(app, 5)}, follow_redirects=True)
    assert "already counted today" in again.get_data(as_text=True)
    with app.app_context():
        assert count_rows(LetterReport) == 1
        stored = db.session.scalar(sa.select(LetterReport))
        assert stored.client_hash
        assert "127.0.0.1" not in stored.client_hash


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"website": "http://spam.example"}, "leave this field empty"),
        ({"form_token": "forged"}, "too quick or had expired"),
        ({"form_token": None}, "too quick or had expired"),
    ],
)
def test_i_sent_a_letter_is_spam_defended(
    app: Flask, client: FlaskClient, make_case, make_appeal, fields: dict, message: str
) -> None:
    make_case(slug="ainur")
    appeal_id = make_appeal([1])
    data = {"form_token": aged_token(app, 5), "website": "", **fields}
    data = {k: v for k, v in data.items() if v is not None}
    response = client.post(f"/cases/ainur/appeals/{appeal_id}/sent", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert count_rows(LetterReport) == 0


def test_a_closed_appeal_counts_no_more_letters(
    app: Flask, client: FlaskClient, make_case, make_appeal
) -> None:
    make_case(slug="ainur")
    appeal_id = make_appeal([1], state="closed")
    page = client.get(f"/cases/ainur/appeals/{appeal_id}").get_data(as_text=True)
    assert "no longer open" in page
    response = client.post(
        f"/cases/ainur/appeals/{appeal_id}/sent", data={"form_token": aged_token(app, 5)}
    )
    assert response.status_code == 400
    with app.app_context():
        assert count_rows(LetterReport) == 0


@pytest.fixture
def csrf_on(app_config: dict) -> None:
    """CSRF protection on, as in production (asked for before ``app``, which reads it)."""
    app_config["WTF_CSRF_ENABLED"] = True


def test_i_sent_a_letter_needs_its_csrf_token(
    csrf_on: None, app: Flask, make_case, make_appeal
) -> None:
    make_case(slug="ainur")
    appeal_id = make_appeal([1])
    client = app.test_client()
    path = f"/cases/ainur/appeals/{appeal_id}/sent"
    assert 'name="csrf_token"' in client.get(path).get_data(as_text=True)
    response = client.post(path, data={"form_token": aged_token(app, 5)})
    assert response.status_code == 400
    assert "Please press again." in response.get_data(as_text=True)
    with app.app_context():
        assert count_rows(LetterReport) == 0


def test_the_timeline_shows_the_appeal_and_published_responses_only(
    app: Flask, client: FlaskClient, make_case, make_appeal
) -> None:
    make_case(slug="ainur")
    appeal_id = make_appeal([1], title="Write to the OSCE")
    _respond(app, appeal_id, published=True, text="We refuse, publicly.")
    _respond(app, appeal_id, published=False, text="A private answer.")
    page = client.get("/cases/ainur").get_data(as_text=True)
    assert f'id="appeal-{appeal_id}"' in page
    assert "We refuse, publicly." in page
    assert "A private answer." not in page
    only_legal = client.get("/cases/ainur?show=legal").get_data(as_text=True)
    assert f'id="appeal-{appeal_id}"' not in only_legal


def test_the_feeds_carry_appeals_deadlines_and_published_responses(
    app: Flask, client: FlaskClient, make_case, make_appeal
) -> None:
    make_case(slug="ainur")
    appeal_id = make_appeal([1], title="Write to the OSCE")
    _respond(app, appeal_id, published=True, text="We refuse, publicly.")
    _respond(app, appeal_id, published=False, text="A private answer.")
    atom = client.get("/cases/ainur/feed.atom").get_data(as_text=True)
    assert "Appeal: Write to the OSCE" in atom
    assert f"/appeal/{appeal_id}" in atom
    assert "We refuse, publicly." in atom
    assert "A private answer." not in atom
    ics = client.get("/cases/ainur/calendar.ics").get_data(as_text=True)
    deadline = load(app, appeal_id).deadline
    assert f"UID:appeal-{appeal_id}-deadline@" in ics
    assert f"DTSTART;VALUE=DATE:{deadline:%Y%m%d}" in ics
    assert f"DTEND;VALUE=DATE:{deadline + timedelta(days=1):%Y%m%d}" in ics


def test_opening_an_appeal_moves_the_cached_case_page(
    app: Flask,
    client: FlaskClient,
    staff_client: Callable[..., FlaskClient],
    make_case,
    make_appeal,
) -> None:
    make_case(slug="ainur")
    appeal_id = make_appeal([1], title="Freshly opened", state="draft")
    assert "Freshly opened" not in client.get("/cases/ainur").get_data(as_text=True)
    staff_client(Role.ORGANISER).post(f"/manage/appeals/{appeal_id}/state", data={"state": "open"})
    assert "Freshly opened" in client.get("/cases/ainur").get_data(as_text=True)
    _respond(app, appeal_id, published=True, text="An answer arrived.")
    assert "An answer arrived." in client.get("/cases/ainur").get_data(as_text=True)


def test_the_letter_evening_prints_cards_for_who_can_receive_letters(
    client: FlaskClient, make_case
) -> None:
    make_case(
        person_name="Ainur Kurmanov",
        person_name_original="Айнур Курманов",
        detention_address="Special detention centre\nAlmaty",
        detention_address_public=True,
    )
    make_case(person_name="Address not published", detention_address="Somewhere")
    page = client.get("/letters").get_data(as_text=True)
    assert "Айнур Курманов" in page
    assert "Special detention centre" in page
    assert "What not to write" in page
    assert "Address not published" not in page
    assert "0 messages of support lately" in page


def test_the_letter_evening_writes_its_counts_as_the_readers_language_does(
    app: Flask, client: FlaskClient, make_case
) -> None:
    """After a verdict: thousands of messages lately, written "1,234" or "1 234"."""
    case = make_case(detention_address="Special detention centre", detention_address_public=True)
    with app.app_context():
        db.session.add_all(
            Message(case_id=case.id, body=str(i), state=MessageState.PUBLISHED) for i in range(1234)
        )
        db.session.commit()
    assert "1,234 messages of support lately" in client.get("/letters").get_data(as_text=True)
    russian = client.get("/ru/letters").get_data(as_text=True)
    assert "1\u00a0234 сообщения поддержки за последнее время" in russian


def test_the_demo_shows_an_appeal_and_its_letter_page(app: Flask, client: FlaskClient) -> None:
    from campaign import demo

    with app.app_context():
        demo.load()
        db.session.commit()
        appeal = db.session.scalar(sa.select(Appeal))
        assert appeal is not None
        assert {t.role.value for t in appeal.targets} == {"prosecutor", "osce"}
        appeal_id = appeal.id
    page = client.get(f"/cases/ainur-kurmanov/appeals/{appeal_id}").get_data(as_text=True)
    assert "OSCE" in page
    assert "Dear Sir or Madam" in page
    assert "No reply by the deadline" in page
    case_page = client.get("/cases/ainur-kurmanov").get_data(as_text=True)
    assert f"/cases/ainur-kurmanov/appeals/{appeal_id}" in case_page


@pytest.fixture
def limited(app_config: dict) -> None:
    """Rate limits on, with a small limit for "I sent a letter" (asked for before ``app``)."""
    app_config.update(
        RATELIMIT_ENABLED=True,
        RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}",
        APPEAL_LETTER_LIMIT="2 per 10 minutes",
    )


def test_i_sent_a_letter_is_rate_limited_per_client(
    limited: None, app: Flask, make_case, make_appeal
) -> None:
    make_case(slug="ainur")
    appeal_id = make_appeal([1])
    client = app.test_client()
    path = f"/cases/ainur/appeals/{appeal_id}/sent"
    for _ in range(2):
        assert client.post(path, data={"form_token": aged_token(app, 5)}).status_code == 302
    third = client.post(path, data={"form_token": aged_token(app, 5)})
    assert third.status_code == 429
    assert client.get(path).status_code == 200  # reading the page is never limited


def test_half_filled_lines_are_said_not_dropped(
    app: Flask, staff_client: Callable[..., FlaskClient], make_case
) -> None:
    client = staff_client(Role.ORGANISER)
    form = appeal_form(
        [make_case().id],
        **{"targets-1-postal_address": "Vienna", "letters-1-language": "de"},
    )
    response = client.post("/manage/appeals/new", data=form)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Give the authority" in page
    assert "Write the letter in this language, or choose no language." in page
    with app.app_context():
        assert count_rows(Appeal) == 0


def test_a_new_appeal_starts_from_the_case_it_was_asked_for(
    staff_client: Callable[..., FlaskClient], make_case
) -> None:
    case_id = make_case().id
    client = staff_client(Role.ORGANISER)
    case_page = client.get(f"/manage/cases/{case_id}").get_data(as_text=True)
    assert f"/manage/appeals/new?case={case_id}" in case_page
    form = client.get(f"/manage/appeals/new?case={case_id}").get_data(as_text=True)
    assert re.search(rf'<input checked [^>]*name="cases"[^>]*value="{case_id}"', form)


def test_a_letter_report_does_not_empty_the_page_cache(
    app: Flask, client: FlaskClient, make_case, make_appeal
) -> None:
    """Counted letters are no change to what the public reads: a spike of reports must not make
    every worker render every page afresh (the counts follow at the next public change)."""
    from campaign.public import version

    make_case(slug="ainur")
    appeal_id = make_appeal([1])
    with app.app_context():
        before = version.current()
    response = client.post(
        f"/cases/ainur/appeals/{appeal_id}/sent", data={"form_token": aged_token(app, 5)}
    )
    assert response.status_code == 302
    with app.app_context():
        assert version.current() == before


def test_a_regional_language_is_marked_as_html_writes_it_and_a_russian_date_ends_once(
    app: Flask, client: FlaskClient, make_case, make_appeal
) -> None:
    """Babel's "pt_BR" is no value of HTML's lang ("pt-BR" is); and the Russian deadline
    read "12 мая 2010" and the year's abbreviation twice stopped (the date's own full stop,
    then the sentence's)."""
    make_case(slug="ainur")
    appeal = make_appeal([1], title="Escreva ao procurador", original_language="pt_BR")
    letter = client.get(f"/ru/cases/ainur/appeals/{appeal}").get_data(as_text=True)
    assert 'lang="pt-BR">Escreva ao procurador' in letter
    assert 'lang="pt_BR"' not in letter
    assert "Напишите до " in letter
    assert "\u0433.." not in letter  # the year's abbreviation, then a second full stop
    closed = make_appeal([1], state="closed")
    closed_letter = client.get(f"/ru/cases/ainur/appeals/{closed}").get_data(as_text=True)
    assert "Срок: " in closed_letter
    assert "\u0433.." not in closed_letter
