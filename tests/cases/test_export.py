"""The staff data export of one case: complete for organisers, without supporters' e-mails."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, time

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from campaign.cases import export
from campaign.extensions import db
from campaign.models import (
    AuditEntry,
    Case,
    CaseStatus,
    DatePrecision,
    DeliveryMethod,
    DeliveryPack,
    Event,
    EventType,
    Message,
    MessageState,
    Organisation,
    Role,
    Source,
    Venue,
    Visibility,
)
from campaign.models.events import story_date
from tests.conftest import count_rows

EMAIL = "supporter.secret@example.net"
URLS = ("export.json", "export.csv", "messages.csv")


def _rich_case(
    app: Flask,
    make_case: Callable[..., Case],
    make_event: Callable[..., Event],
    make_message: Callable[..., int],
) -> Case:
    """A case with a related case, a public and an internal event, messages with e-mails."""
    case = make_case(slug="ainur", person_name="Ainur", internal_notes="Lawyer: call on Monday")
    other = make_case(slug="yesenbek", person_name="Yesenbek")
    make_event(
        [case.id, other.id],
        title="Picket at the embassy",
        date=date(2010, 5, 4),
        start_time=time(12, 30),
        participants=40,
    )
    make_event(
        [case.id],
        type=EventType.HEALTH_ALERT,
        title="Doctor's worry",
        date=date(2010, 5, 1),
        date_precision=DatePrecision.MONTH,
        visibility=Visibility.INTERNAL,
    )
    make_event([other.id], title="Not this case")
    make_message(case.id, email=EMAIL, body="Stay strong", display_name="Anna", language="de")
    make_message(
        case.id,
        email="second.person@example.net",
        body='=HYPERLINK("http://evil")',
        state=MessageState.PUBLISHED,
        client_hash="c" * 64,
        body_fingerprint="f" * 64,
        withdraw_token_hash="w" * 64,
    )
    with app.app_context():
        model = db.session.get(Case, case.id)
        assert model is not None
        model.link(db.session.get(Case, other.id))  # type: ignore[arg-type]
        event = db.session.scalar(sa.select(Event).where(Event.title == "Picket at the embassy"))
        assert event is not None
        event.organisations = [Organisation(name="CWI Austria", slug="cwi-austria")]
        event.venue = Venue(name="Embassy", slug="embassy-vienna", city="Vienna", country="AT")
        event.sources = [
            Source(
                title="Statement",
                url="https://example.org/s",
                publisher="CWI",
                citation="Para. 3",
            )
        ]
        db.session.commit()
    return case


def test_json_has_internal_events_messages_and_notes(
    app: Flask,
    staff_client: Callable[..., FlaskClient],
    make_case: Callable[..., Case],
    make_event: Callable[..., Event],
    make_message: Callable[..., int],
) -> None:
    case = _rich_case(app, make_case, make_event, make_message)
    response = staff_client(Role.ORGANISER).get(f"/manage/cases/{case.id}/export.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Content-Disposition"] == 'attachment; filename="ainur-export.json"'
    data = response.get_json()
    assert data["format"] == export.FORMAT
    assert data["format_version"] == export.FORMAT_VERSION
    assert datetime.fromisoformat(data["exported_at"]).tzinfo is not None
    assert data["case"]["internal_notes"] == "Lawyer: call on Monday"
    assert data["case"]["related_cases"] == ["yesenbek"]
    titles = [e["title"] for e in data["events"]]
    assert titles == ["Picket at the embassy", "Doctor's worry"]  # "May 2010" after 4 May
    picket, internal = data["events"]
    assert internal["visibility"] == "internal"
    assert internal["date"] == "2010-05-01"
    assert internal["date_precision"] == "month"
    assert picket["cases"] == ["ainur", "yesenbek"]
    assert picket["start_time"] == "12:30:00"
    assert picket["participants"] == 40
    assert picket["organisations"] == ["CWI Austria"]
    assert picket["venue"] == {"name": "Embassy", "city": "Vienna", "country": "AT"}
    assert picket["sources"] == [
        {
            "url": "https://example.org/s",
            "title": "Statement",
            "publisher": "CWI",
            "citation": "Para. 3",
            "published_on": None,
        }
    ]
    messages = data["messages"]
    assert [m["body"] for m in messages] == ["Stay strong", '=HYPERLINK("http://evil")']
    assert messages[0]["display_name"] == "Anna"
    assert messages[0]["language"] == "de"
    assert messages[0]["state"] == "pending"
    assert messages[0]["consent_to_publish"] is True
    for message in messages:
        assert set(message) == set(export.MESSAGE_FIELDS)
        for secret in ("email", "client_hash", "body_fingerprint", "withdraw_token_hash"):
            assert secret not in message


def test_no_email_or_privacy_hash_in_any_export(
    app: Flask,
    staff_client: Callable[..., FlaskClient],
    make_case: Callable[..., Case],
    make_event: Callable[..., Event],
    make_message: Callable[..., int],
) -> None:
    case = _rich_case(app, make_case, make_event, make_message)
    client = staff_client(Role.ADMIN)
    for url in URLS:
        response = client.get(f"/manage/cases/{case.id}/{url}")
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        assert "Stay strong" in body or url == "export.csv"
        for secret in (EMAIL, "second.person@example.net", "c" * 64, "f" * 64, "w" * 64):
            assert secret not in body, (url, secret)
        assert "@example.net" not in body, url


def _csv(response_text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response_text)))


def test_events_csv_has_public_columns_plus_staff_ones_and_is_injection_safe(
    app: Flask,
    staff_client: Callable[..., FlaskClient],
    make_case: Callable[..., Case],
    make_event: Callable[..., Event],
) -> None:
    case = make_case(slug="x")
    make_event([case.id], title='=HYPERLINK("http://evil")', description="+1 for @all")
    make_event([case.id], title="Internal", visibility=Visibility.INTERNAL, date=date(2010, 5, 5))
    response = staff_client(Role.ORGANISER).get(f"/manage/cases/{case.id}/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Content-Disposition"] == 'attachment; filename="x-events.csv"'
    text = response.get_data(as_text=True)
    header = next(csv.reader(io.StringIO(text)))
    from campaign.timeline.feeds import CSV_FIELDS

    assert tuple(header[: len(CSV_FIELDS)]) == CSV_FIELDS
    assert {"visibility", "verification", "cases", "id"} <= set(header)
    rows = _csv(text)
    assert [r["title"] for r in rows] == ['\'=HYPERLINK("http://evil")', "Internal"]
    assert rows[0]["description"] == "'+1 for @all"
    assert [r["visibility"] for r in rows] == ["public", "internal"]
    assert rows[0]["cases"] == "x"


def test_messages_csv_is_injection_safe_and_has_no_email(
    app: Flask,
    staff_client: Callable[..., FlaskClient],
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
) -> None:
    case = make_case(slug="x")
    make_message(case.id, email=EMAIL, display_name="@admin", body="-2+3")
    response = staff_client(Role.ORGANISER).get(f"/manage/cases/{case.id}/messages.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="x-messages.csv"'
    text = response.get_data(as_text=True)
    assert EMAIL not in text
    (row,) = _csv(text)
    assert "email" not in row
    assert row["display_name"] == "'@admin"
    assert row["body"] == "'-2+3"
    assert row["country"] == "DE"


def test_a_withdrawn_message_keeps_no_text_or_name(
    app: Flask,
    staff_client: Callable[..., FlaskClient],
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
) -> None:
    case = make_case()
    make_message(case.id, display_name="Hidden", body="Take it back", state=MessageState.WITHDRAWN)
    client = staff_client(Role.ORGANISER)
    data = client.get(f"/manage/cases/{case.id}/export.json").get_json()
    (message,) = data["messages"]
    assert message["state"] == "withdrawn"
    assert message["body"] is None
    assert message["display_name"] is None
    text = client.get(f"/manage/cases/{case.id}/messages.csv").get_data(as_text=True)
    assert "Take it back" not in text
    assert "Hidden" not in text


@pytest.mark.parametrize("url", URLS)
def test_activists_are_refused(
    staff_client: Callable[..., FlaskClient], make_case: Callable[..., Case], url: str
) -> None:
    case = make_case()
    assert staff_client(Role.ACTIVIST).get(f"/manage/cases/{case.id}/{url}").status_code == 403


@pytest.mark.parametrize("url", URLS)
def test_anonymous_visitors_are_sent_to_sign_in(
    client: FlaskClient, make_case: Callable[..., Case], url: str
) -> None:
    case = make_case()
    response = client.get(f"/manage/cases/{case.id}/{url}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("url", URLS)
def test_an_unknown_case_is_404(staff_client: Callable[..., FlaskClient], url: str) -> None:
    assert staff_client(Role.ADMIN).get(f"/manage/cases/424242/{url}").status_code == 404


def test_an_export_is_logged_without_personal_data_and_not_audited(
    app: Flask,
    staff_client: Callable[..., FlaskClient],
    make_case: Callable[..., Case],
    make_message: Callable[..., int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    case = make_case()
    make_message(case.id, email=EMAIL, display_name="Anna")
    client = staff_client(Role.ORGANISER)
    with app.app_context():
        before = count_rows(AuditEntry)
    with caplog.at_level(logging.INFO, logger="campaign.cases.views"):
        for url in URLS:
            assert client.get(f"/manage/cases/{case.id}/{url}").status_code == 200
    with app.app_context():
        assert count_rows(AuditEntry) == before
    lines = [r.getMessage() for r in caplog.records if r.name == "campaign.cases.views"]
    assert len(lines) == 3
    user_id = client.user.id  # type: ignore[attr-defined]
    assert all(f"case {case.id} " in line and f"user {user_id}" in line for line in lines)
    assert not any(EMAIL in line or "Anna" in line for line in lines)


def test_the_staff_case_page_links_the_exports_for_organisers_only(
    staff_client: Callable[..., FlaskClient], make_case: Callable[..., Case]
) -> None:
    case = make_case()
    page = staff_client(Role.ORGANISER).get(f"/manage/cases/{case.id}").get_data(as_text=True)
    for url in URLS:
        assert f"/manage/cases/{case.id}/{url}" in page
    page = staff_client(Role.ACTIVIST).get(f"/manage/cases/{case.id}").get_data(as_text=True)
    assert "export.json" not in page


def test_the_demo_case_round_trips_its_key_facts(
    app: Flask, runner: FlaskCliRunner, staff_client: Callable[..., FlaskClient]
) -> None:
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        case = db.session.scalar(sa.select(Case).where(Case.slug == "ainur-kurmanov"))
        assert case is not None
        case_id = case.id
        events = count_rows(Event)
        messages = db.session.scalar(
            sa.select(sa.func.count()).select_from(Message).where(Message.case_id == case_id)
        )
        packs = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(DeliveryPack)
            .where(DeliveryPack.case_id == case_id)
        )
    data = staff_client(Role.ORGANISER).get(f"/manage/cases/{case_id}/export.json").get_json()
    record = data["case"]
    assert record["person_name"] == "Ainur Kurmanov"
    assert record["person_name_original"] == "Айнур Курманов"
    assert CaseStatus(record["status"]) == CaseStatus.RELEASED
    assert date.fromisoformat(record["arrest_date"]) == date(2010, 4, 27)
    assert DatePrecision(record["arrest_date_precision"]) == DatePrecision.DAY
    assert record["arrest_date_approximate"] is True
    assert date.fromisoformat(record["released_on"]) == date(2010, 5, 12)
    assert record["related_cases"] == ["yesenbek-ukteshbaev"]
    assert datetime.fromisoformat(record["created_at"]).utcoffset() == UTC.utcoffset(None)

    assert 0 < len(data["events"]) <= events
    kinds = {EventType(e["type"]) for e in data["events"]}
    assert {EventType.ARREST, EventType.RELEASE} <= kinds
    release = next(e for e in data["events"] if e["type"] == EventType.RELEASE.value)
    assert date.fromisoformat(release["date"]) == date(2010, 5, 12)
    assert all("ainur-kurmanov" in e["cases"] for e in data["events"])
    told = [
        story_date(
            date.fromisoformat(e["date"]),
            DatePrecision(e["date_precision"]),
            date.fromisoformat(e["placed_on"]) if e["placed_on"] else None,
        )
        for e in data["events"]
    ]
    assert told == sorted(told)  # the story's order: "May 2010" after the days of May
    vienna = [e for e in data["events"] if e["venue"] and e["venue"]["city"] == "Vienna"]
    assert vienna
    assert any("yesenbek-ukteshbaev" in e["cases"] for e in data["events"])

    assert [c["new_status"] for c in data["status_changes"]][-1] == "released"
    assert len(data["messages"]) == messages
    assert {m["country"] for m in data["messages"]} >= {"RU", "AT", "GB"}
    (pack,) = data["delivery_packs"]
    assert len(data["delivery_packs"]) == packs
    assert DeliveryMethod(pack["method"]) == DeliveryMethod.RELEASE
    assert pack["delivered_on"] == "2010-05-12"
    in_pack = [m["id"] for m in data["messages"] if m["delivery_pack_id"] == pack["id"]]
    assert pack["messages"] == in_pack
    assert in_pack
    assert all(m["delivered_on"] == "2010-05-12" for m in data["messages"] if m["id"] in in_pack)


def test_every_case_and_event_column_is_exported_or_deliberately_left_out(app: Flask) -> None:
    """A column added to a case or an event later must be decided on, not silently dropped."""
    case_columns = {c.key for c in sa.inspect(Case).columns}
    assert case_columns == set(export.CASE_FIELDS)
    event_columns = {c.key for c in sa.inspect(Event).columns}
    # By name/place, or staff accounts; the story order's date follows from date and precision.
    # The key names an event in the whole-campaign export (campaign.archive), not in a case's.
    left_out = {"venue_id", "created_by_id", "verified_by_id", "sort_date", "key"}
    assert event_columns - left_out == set(export.EVENT_FIELDS)
    message_columns = {c.key for c in sa.inspect(Message).columns}
    secret = {
        "case_id",
        "email",
        "email_erased_at",
        "client_hash",
        "body_fingerprint",
        "withdraw_token_hash",
        "decided_by_id",
        "original_body",  # the text a safety edit took out: never exported
        "key",  # the whole-campaign export's identifier (campaign.archive)
    }
    assert message_columns - secret == set(export.MESSAGE_FIELDS)


def test_plain_values() -> None:
    assert export.plain(MessageState.SPAM) == "spam"
    assert export.plain(date(2010, 5, 12)) == "2010-05-12"
    assert export.plain(datetime(2010, 5, 12, 9, tzinfo=UTC)) == "2010-05-12T09:00:00+00:00"
    assert export.plain(time(9, 5)) == "09:05:00"
    assert export.plain(None) is None
