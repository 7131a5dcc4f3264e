"""The Translations section of the staff pages, the public page in the reader's language, and
text in any script through the form and the page."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from campaign.models import Case, CaseTranslation, Event, MessageState, Role
from tests.conftest import count_rows

SUMMARY = "Journalist, arrested at a picket outside Temir Bank."


@pytest.fixture
def case(make_case: Callable[..., Case]) -> Case:
    return make_case(
        slug="ainur", summary=SUMMARY, charges="Organising a picket", sentence="15 days"
    )


@pytest.fixture
def organiser(staff_client: Callable[..., FlaskClient]) -> FlaskClient:
    return staff_client(Role.ORGANISER)


def _save(client: FlaskClient, kind: str, record_id: int, language: str, **texts: str) -> Any:
    data = {f"{language}-{name}": value for name, value in texts.items()}
    return client.post(f"/manage/content/{kind}/{record_id}/translations/{language}", data=data)


def test_the_staff_case_page_has_a_form_per_language_and_counts_whats_missing(
    organiser: FlaskClient, case: Case
) -> None:
    page = organiser.get(f"/manage/cases/{case.id}").get_data(as_text=True)
    assert 'id="translations"' in page
    assert "6 texts to translate" in page
    assert f'action="/manage/content/cases/{case.id}/translations/ru"' in page
    assert f'action="/manage/content/cases/{case.id}/translations/kk"' in page
    assert "/translations/en" not in page  # the original's language is not offered
    assert 'name="ru-summary"' in page
    assert 'name="kk-sentence"' in page

    response = _save(organiser, "cases", case.id, "ru", summary="Журналист.", charges="Пикет")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/manage/cases/{case.id}#translations")
    page = organiser.get(f"/manage/cases/{case.id}").get_data(as_text=True)
    assert "The translation into Russian is saved." in page
    assert "4 texts to translate" in page
    assert "Журналист." in page
    history = organiser.get("/manage/history/").get_data(as_text=True)
    assert "Case translation" in history
    assert f"{case.person_name} (ru)" in history


def test_the_staff_event_page_has_the_section_too(
    organiser: FlaskClient, case: Case, make_event: Callable[..., Event]
) -> None:
    event = make_event([case.id], title="Picket at the bank", description="Twenty came.")
    page = organiser.get(f"/manage/events/{event.id}").get_data(as_text=True)
    assert 'name="kk-title"' in page
    assert 'name="kk-outcome"' in page
    assert _save(organiser, "events", event.id, "kk", title="Банк алдында пикет").status_code == 302
    page = organiser.get(f"/manage/events/{event.id}").get_data(as_text=True)
    assert "Банк алдында пикет" in page


def test_an_unknown_language_or_the_originals_gets_a_clear_message(
    app: Flask, organiser: FlaskClient, case: Case
) -> None:
    response = _save(organiser, "cases", case.id, "xx", summary="Something")
    text = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "“xx” is not one of this site's languages (en, ru, kk)." in text
    response = _save(organiser, "cases", case.id, "en", summary="Something")
    text = html.unescape(response.get_data(as_text=True))
    assert "The original text is already in English" in text
    # The page of a language that cannot be translated into says so before anything is typed.
    text = html.unescape(organiser.get(f"/manage/content/cases/{case.id}/translations/en").text)
    assert "The original text is already in English" in text
    with app.app_context():
        assert count_rows(CaseTranslation) == 0
    assert organiser.get(f"/manage/content/people/{case.id}/translations/ru").status_code == 404
    assert organiser.get("/manage/content/cases/999/translations/ru").status_code == 404


def test_the_original_language_is_chosen_with_a_clear_message_for_a_wrong_one(
    organiser: FlaskClient, case: Case
) -> None:
    url = f"/manage/content/cases/{case.id}/original-language"
    organiser.post(url, data={"language": "ru"})
    page = organiser.get(f"/manage/cases/{case.id}").get_data(as_text=True)
    assert "The original text is in Russian." in page
    assert f"/manage/content/cases/{case.id}/translations/en" in page  # now offered
    organiser.post(url, data={"language": "not-a-language"})
    page = html.unescape(organiser.get(f"/manage/cases/{case.id}").get_data(as_text=True))
    assert "“not-a-language” is not one of this site's languages" in page


def test_only_organisers_may_translate(
    staff_client: Callable[..., FlaskClient], case: Case
) -> None:
    activist = staff_client(Role.ACTIVIST)
    assert _save(activist, "cases", case.id, "ru", summary="Ж").status_code == 403
    page = activist.get(f"/manage/cases/{case.id}").get_data(as_text=True)
    assert 'id="translations"' in page
    assert "/translations/ru" not in page  # no form it could not send
    anonymous = _save(FlaskClient(activist.application), "cases", case.id, "ru", summary="Ж")
    assert anonymous.status_code == 302
    assert "/login" in anonymous.headers["Location"]


def test_the_public_page_shows_the_readers_language_or_the_original_with_a_note(
    client: FlaskClient,
    organiser: FlaskClient,
    case: Case,
    make_event: Callable[..., Event],
    reading: Callable[[str], dict[str, str]],
) -> None:
    event = make_event([case.id], title="Picket at the bank", description="Twenty came.")
    _save(organiser, "cases", case.id, "ru", summary="Журналист, задержан на пикете.")
    _save(organiser, "events", event.id, "ru", title="Пикет у банка")

    russian = client.get(reading("ru", "/cases/ainur")).get_data(as_text=True)
    assert '<div class="summary" dir="auto">Журналист, задержан на пикете.</div>' in russian
    assert "Пикет у банка" in russian
    # No Russian charges or description yet: the English original, marked as such.
    assert '<span dir="auto" lang="en">Organising a picket</span>' in russian
    assert '<p class="item-text" dir="auto" lang="en">Twenty came.</p>' in russian
    assert 'class="language-note"' in russian

    english = client.get(reading("en", "/cases/ainur")).get_data(as_text=True)
    assert SUMMARY in english
    assert "Picket at the bank" in english
    assert "Журналист" not in english
    assert "language-note" not in english

    kazakh = client.get(reading("kk", "/cases/ainur")).get_data(as_text=True)
    assert f'<div class="summary" dir="auto" lang="en">{SUMMARY}</div>' in kazakh


def test_a_new_translation_reaches_the_cached_public_page(
    client: FlaskClient,
    organiser: FlaskClient,
    case: Case,
    reading: Callable[[str], dict[str, str]],
) -> None:
    first = client.get(reading("ru", "/cases/ainur"))
    assert "Журналист" not in first.get_data(as_text=True)
    assert client.get(reading("ru", "/cases/ainur")).data == first.data  # cached
    _save(organiser, "cases", case.id, "ru", summary="Журналист.")
    again = client.get(reading("ru", "/cases/ainur"))
    assert "Журналист." in again.get_data(as_text=True)
    assert again.headers["ETag"] != first.headers["ETag"]


def test_mixed_right_to_left_text_goes_through_the_form_and_the_page_exactly(
    client: FlaskClient,
    organiser: FlaskClient,
    case: Case,
    reading: Callable[[str], dict[str, str]],
) -> None:
    mixed = "تضامن مع Ainur Kurmanov و\u200fYesenbek Ukteshbaev\u200e في Almaty 2010"
    assert _save(organiser, "cases", case.id, "kk", summary=mixed).status_code == 302
    page = client.get(reading("kk", "/cases/ainur")).get_data(as_text=True)
    assert f'<div class="summary" dir="auto">{mixed}</div>' in page
    staff = organiser.get(f"/manage/content/cases/{case.id}/translations/kk").get_data(as_text=True)
    assert mixed in staff
    assert 'dir="auto"' in staff


def test_the_wall_is_filtered_by_the_language_messages_were_written_in(
    client: FlaskClient, case: Case, make_message: Callable[..., int]
) -> None:
    when = datetime(2010, 5, 1, tzinfo=UTC)
    for body, language in (
        ("Мы с тобой", "ru"),
        ("Держись", "ru"),
        ("Solidarity from London", "en"),
        ("صامدون مع Ainur", "ar"),
    ):
        make_message(
            case.id, body=body, language=language, state=MessageState.PUBLISHED, created_at=when
        )
    make_message(case.id, body="No language", state=MessageState.PUBLISHED, created_at=when)
    wall = client.get("/cases/ainur/messages").get_data(as_text=True)
    assert 'href="/cases/ainur/messages?lang=ru" hreflang="ru"' in wall
    assert '<span lang="ru">русский</span> (2)' in wall
    assert '<span lang="ar">العربية</span> (1)' in wall
    assert (
        '<blockquote class="support-body" dir="auto" lang="ar">صامدون مع Ainur</blockquote>' in wall
    )

    russian = client.get("/cases/ainur/messages?lang=ru").get_data(as_text=True)
    assert "Мы с тобой" in russian
    assert "Держись" in russian
    assert "Solidarity from London" not in russian
    assert "No language" not in russian
    assert 'href="/cases/ainur/messages">All languages</a>' in russian

    for odd in ("RU", " ru "):
        assert "Solidarity from London" not in client.get(f"/cases/ainur/messages?lang={odd}").text
    for ignored in ("russian!", "1", ""):
        assert "No language" in client.get(f"/cases/ainur/messages?lang={ignored}").text
    nothing = client.get("/cases/ainur/messages?lang=de").get_data(as_text=True)
    assert "No published message is written in German." in nothing


def test_a_supporters_mixed_right_to_left_message_is_stored_and_shown_exactly(
    app: Flask, client: FlaskClient, case: Case
) -> None:
    from campaign.extensions import db
    from tests.conftest import aged_token, stored

    body = "نحن معك يا Ainur Kurmanov! تحية من Cairo و\u200fLondon\u200e.\nSolidarity — تضامن"
    data = {
        "body": body,
        "display_name": "سارة Sarah",
        "country": "EG",
        "language": "ar",
        "consent": "y",
        "form_token": aged_token(app),
    }
    assert client.post("/cases/ainur/support", data=data).status_code == 302
    [message] = stored(app)
    assert message.body == body
    assert message.language == "ar"
    sent = client.get("/cases/ainur/support/sent").get_data(as_text=True)
    assert f'<blockquote class="support-body" dir="auto">{body}</blockquote>' in sent
    with app.app_context():
        row = db.session.merge(message)
        row.state = MessageState.PUBLISHED
        db.session.commit()
    wall = client.get("/cases/ainur/messages?lang=ar").get_data(as_text=True)
    assert f'<blockquote class="support-body" dir="auto" lang="ar">{body}</blockquote>' in wall


def _edit_case(app: Flask, case_id: int, **values: str) -> None:
    from campaign.extensions import db

    with app.app_context():
        record = db.session.get(Case, case_id)
        assert record is not None
        for name, value in values.items():
            setattr(record, name, value)
        db.session.commit()


def test_a_translation_of_an_older_original_gives_way_to_the_original_until_saved_again(
    app: Flask, client: FlaskClient, organiser: FlaskClient, case: Case
) -> None:
    """The sentence changed on verdict day: Russian readers must not go on reading the old one
    in Russian. They read the new original, marked as English, until the translator saves the
    Russian again; the staff page says which texts are out of date (QA pass)."""
    _save(organiser, "cases", case.id, "ru", summary="Журналист.", sentence="15 суток")
    assert "15 суток" in client.get("/ru/cases/ainur").get_data(as_text=True)

    _edit_case(app, case.id, sentence="Two years in a penal colony")
    russian = client.get("/ru/cases/ainur").get_data(as_text=True)
    assert "15 суток" not in russian
    assert 'lang="en">Two years in a penal colony<' in russian
    assert "Журналист." in russian  # the summary did not change: its translation stands
    staff = organiser.get(f"/manage/cases/{case.id}").get_data(as_text=True)
    assert "<summary>Russian: missing charges; out of date sentence</summary>" in staff
    assert "Out of date: the original changed since." in staff
    assert "5 texts to translate" in staff  # 4 missing (charges in ru, all 3 in kk) + 1
    assert "Made from" not in organiser.get(f"/manage/history/cases/{case.id}").get_data(
        as_text=True
    )

    # The translator checks the Russian against the new original and saves it.
    _save(organiser, "cases", case.id, "ru", summary="Журналист.", sentence="Два года колонии")
    russian = client.get("/ru/cases/ainur").get_data(as_text=True)
    assert "Два года колонии" in russian
    staff = organiser.get(f"/manage/cases/{case.id}").get_data(as_text=True)
    assert "out of date" not in staff
    assert "4 texts to translate" in staff


def test_an_events_translated_title_gives_way_on_the_timeline_when_the_title_changes(
    app: Flask,
    client: FlaskClient,
    organiser: FlaskClient,
    case: Case,
    make_event: Callable[..., Event],
) -> None:
    from campaign.extensions import db

    event = make_event([case.id], title="Hearing on 12 May")
    _save(organiser, "events", event.id, "ru", title="Суд 12 мая")
    assert "Суд 12 мая" in client.get("/ru/cases/ainur").get_data(as_text=True)
    with app.app_context():
        record = db.session.get(Event, event.id)
        assert record is not None
        record.title = "Hearing moved to 19 May"
        db.session.commit()
    russian = client.get("/ru/cases/ainur").get_data(as_text=True)
    assert "Суд 12 мая" not in russian
    assert "Hearing moved to 19 May" in russian
