"""Spreadsheets in, without a client: reading files, guessing columns, planning, importing."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask

from campaign.cases import export
from campaign.extensions import db
from campaign.imports import queries, services
from campaign.models import (
    AuditEntry,
    Case,
    CaseStatus,
    DatePrecision,
    Event,
    EventType,
    Role,
    SheetUpload,
    User,
)
from campaign.util.sheetfiles import SheetError, read_sheet
from campaign.util.spreadsheets import to_csv

LIMITS = {"max_rows": 100, "max_bytes": 100_000}


def _sheet(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def _upload(
    app: Flask, user: User, data: bytes, kind: str = "events", *, mapped: bool = True, **kw: object
) -> str:
    sheet = read_sheet(data, "sheet.csv", **LIMITS)
    actor = db.session.get(User, user.id)
    token = services.store_upload(sheet, kind, "sheet.csv", actor, hours=1, **kw)
    upload = services.load_upload(token, actor)
    if not mapped:
        return token
    services.set_mapping(upload, services.guess_fields(kind, upload.header), upload.default_case_id)
    return token


@pytest.fixture
def organiser(make_user: Callable[..., User]) -> User:
    return make_user(Role.ORGANISER)


def test_encodings_are_tried_in_order_and_said() -> None:
    assert read_sheet(b"\xef\xbb\xbfa,b\n1,2\n", "x.csv", **LIMITS).encoding == "utf-8-sig"
    assert read_sheet("дата\n1\n".encode(), "x.csv", **LIMITS).encoding == "utf-8"
    sheet = read_sheet("дата;название\n1;Пикет\n".encode("cp1251"), "x.csv", **LIMITS)
    assert (sheet.encoding, sheet.header, sheet.rows) == (
        "cp1251",
        ["дата", "название"],
        [(2, ["1", "Пикет"])],
    )
    with pytest.raises(SheetError) as error:
        read_sheet(b"a,b\n\x98\x98,\xff\n", "x.csv", **LIMITS)
    assert error.value.reason == "undecodable"


def test_empty_rows_are_skipped_and_formulas_stay_text() -> None:
    sheet = read_sheet(b"a,b\n\n,,\n'=1+2,@x\n-3,+y\n", "x.csv", **LIMITS)
    assert sheet.rows == [(4, ["=1+2", "@x"]), (5, ["-3", "+y"])]


def test_limits_are_clear() -> None:
    with pytest.raises(SheetError) as error:
        read_sheet(b"a\n" + b"1\n" * 101, "x.csv", **LIMITS)
    assert error.value.reason == "too_many_rows"
    with pytest.raises(SheetError) as error:
        read_sheet(b"a" * 100_001, "x.csv", **LIMITS)
    assert error.value.reason == "too_big"
    with pytest.raises(SheetError) as error:
        read_sheet(b"PK\x03\x04broken", "x.xlsx", **LIMITS)
    assert error.value.reason == "broken_xlsx"


def test_xlsx_is_read_with_formulas_as_text() -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["date", "title", "type", "participants"])
    sheet.append([date(2010, 5, 4), '=HYPERLINK("x")', "picket", 30])
    out = io.BytesIO()
    book.save(out)
    read = read_sheet(out.getvalue(), "s.xlsx", **LIMITS)
    assert read.encoding == "xlsx"
    assert read.rows == [(2, ["2010-05-04", '=HYPERLINK("x")', "picket", "30"])]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("May 2010", (date(2010, 5, 1), DatePrecision.MONTH, False)),
        ("about 27.04.2010", (date(2010, 4, 27), DatePrecision.DAY, True)),
        ("27/04/2010", (date(2010, 4, 27), DatePrecision.DAY, False)),
        ("2010-04", (date(2010, 4, 1), DatePrecision.MONTH, False)),
    ],
)
def test_partial_dates(text: str, expected: tuple[object, ...]) -> None:
    assert services.read_date(text) == expected


def test_headings_are_guessed_from_the_export() -> None:
    fields = services.guess_fields("events", list(export.EVENT_CSV_FIELDS))
    assert fields[list(export.EVENT_CSV_FIELDS).index("venue")] == "venue"
    assert "" in fields  # the public copy of a column (place, family) is left out
    assert fields.count("id") == 1
    assert services.guess_fields("events", ["ID", "Date", "Title"])[0] == "external_id"


def test_events_are_previewed_then_created_all_at_once(
    app_ctx: Flask, organiser: User, make_case: Callable[..., Case]
) -> None:
    case = make_case(slug="ainur", person_name="Ainur Kurmanov", country="KZ")
    data = (
        "date,type,title,country,participants,cases\n"
        "about 27.04.2010,arrest,Arrest,Kazakhstan,,ainur\n"
        "May 2010,appeal_decision,Appeal rejected,KZ,,\n"
        ",,\n"
        "4/5/2010,Picket,Picket at the City Court,Казахстан,40,Ainur Kurmanov\n"
        "31.04.2010,picket,Bad date,,,\n"
    ).encode()
    token = _upload(app_ctx, organiser, data, default_case_id=case.id)
    actor = db.session.get(User, organiser.id)
    upload = services.load_upload(token, actor)
    plan = services.plan_import(upload)
    assert [r.action for r in plan.rows] == ["create"] * 4
    assert [bool(r.problems) for r in plan.rows] == [False, False, False, True]
    assert "not a date" in plan.rows[3].problems[0]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0

    with pytest.raises(services.ProblemsRemain):
        services.run_import(upload, actor, skip_problems=False)
    done = services.run_import(upload, actor, skip_problems=True)
    db.session.commit()
    assert (done.created, done.skipped) == (3, 1)
    events = {e.title: e for e in db.session.scalars(sa.select(Event))}
    assert events["Arrest"].date_approximate
    assert events["Appeal rejected"].date_precision == DatePrecision.MONTH
    assert events["Picket at the City Court"].participants == 40
    assert events["Picket at the City Court"].country == "KZ"
    # The status rules followed the arrest, and the history recorded each event.
    audited = db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.object_type == "event")
    )
    assert audited is not None
    assert audited >= 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SheetUpload)) == 0


def test_a_second_import_updates_rather_than_duplicates(
    app_ctx: Flask, organiser: User, make_case: Callable[..., Case]
) -> None:
    case = make_case(slug="ainur", person_name="Ainur Kurmanov")
    actor = db.session.get(User, organiser.id)
    first = "external_id,date,type,title,participants\nP1,2010-05-04,picket,Picket,10\n"
    token = _upload(app_ctx, organiser, first.encode(), default_case_id=case.id)
    services.run_import(services.load_upload(token, actor), actor, skip_problems=False)
    db.session.commit()
    event_id = db.session.scalar(sa.select(Event.id))
    again = "external_id,date,type,title,participants\nP1,2010-05-04,picket,Picket,12\n"
    token = _upload(app_ctx, organiser, again.encode(), default_case_id=case.id)
    plan = services.plan_import(services.load_upload(token, actor))
    assert (plan.rows[0].action, plan.rows[0].target_id) == ("update", event_id)
    services.run_import(services.load_upload(token, actor), actor, skip_problems=False)
    db.session.commit()
    assert db.session.scalar(sa.select(Event.participants)) == 12
    # Without an id column, the case, date and title find it.
    plain = "date,type,title,participants\n2010-05-04,picket,Picket,12\n"
    token = _upload(app_ctx, organiser, plain.encode(), default_case_id=case.id)
    plan = services.plan_import(services.load_upload(token, actor))
    assert (plan.rows[0].action, plan.rows[0].target_id) == ("unchanged", event_id)


def test_the_case_export_imports_again_without_a_change(
    app_ctx: Flask,
    organiser: User,
    make_case: Callable[..., Case],
    make_event: Callable[..., Event],
) -> None:
    from campaign.events.services import EventDetails, log_event

    case = make_case(slug="ainur", person_name="Ainur Kurmanov", country="KZ")
    other = make_case(slug="yesenbek", person_name="Yesenbek Ukteshbaev")
    actor = db.session.get(User, organiser.id)
    log_event(
        EventDetails(
            type=EventType.PICKET,
            title="Picket at the embassy",
            date=date(2010, 5, 4),
            case_ids=[case.id, other.id],
            venue="Kazakhstan embassy",
            city="Moscow",
            country="RU",
            participants=25,
            organisations=["Vpered", "RRP"],
            sources=[("https://example.org/a", "Report; day one")],
            description="=SUM(A1) was on a placard",
        ),
        actor,
    )
    log_event(
        EventDetails(
            type=EventType.APPEAL_DECISION,
            title="Appeal rejected",
            date=date(2010, 5, 1),
            date_precision=DatePrecision.MONTH,
            date_approximate=True,
            case_ids=[case.id],
        ),
        actor,
    )
    db.session.commit()
    before = [(e.id, e.version) for e in db.session.scalars(sa.select(Event).order_by(Event.id))]
    case = db.session.get(Case, case.id)
    body = to_csv(export.EVENT_CSV_FIELDS, export.event_rows(export.load_events(case)))
    token = _upload(app_ctx, organiser, body.encode())
    upload = services.load_upload(token, actor)
    plan = services.plan_import(upload)
    assert [(r.action, r.problems, r.changes) for r in plan.rows] == [("unchanged", [], [])] * 2
    services.run_import(upload, actor, skip_problems=False)
    db.session.commit()
    after = [(e.id, e.version) for e in db.session.scalars(sa.select(Event).order_by(Event.id))]
    assert after == before


def test_cases_are_created_and_matched_by_name(app_ctx: Flask, organiser: User) -> None:
    actor = db.session.get(User, organiser.id)
    data = (
        "Name,Status,Country,Arrest date\n"
        "Ainur Kurmanov,detained,Kazakhstan,about 27.04.2010\n"
        "Yesenbek Ukteshbaev,Sentenced,KZ,April 2010\n"
        "Nobody,unknown,,\n"
    )
    token = _upload(app_ctx, organiser, data.encode(), kind="cases")
    done = services.run_import(services.load_upload(token, actor), actor, skip_problems=True)
    db.session.commit()
    assert (done.created, done.skipped) == (2, 1)
    ainur = db.session.scalars(sa.select(Case).where(Case.person_name == "Ainur Kurmanov")).one()
    assert (ainur.country, ainur.arrest_date, ainur.arrest_date_approximate) == (
        "KZ",
        date(2010, 4, 27),
        True,
    )
    assert not ainur.published
    token = _upload(app_ctx, organiser, data.encode(), kind="cases")
    plan = services.plan_import(services.load_upload(token, actor))
    assert [r.action for r in plan.rows[:2]] == ["unchanged", "unchanged"]
    assert db.session.get(Case, ainur.id).status == CaseStatus.DETAINED


def test_a_stale_or_foreign_token_is_refused(
    app_ctx: Flask, organiser: User, make_user: Callable[..., User]
) -> None:
    stranger_id = make_user(Role.ORGANISER).id
    token = _upload(app_ctx, organiser, b"date,type,title\n2010-05-04,picket,P\n")
    stranger = db.session.get(User, stranger_id)
    with pytest.raises(services.StaleUpload):
        services.load_upload(token, stranger)
    with pytest.raises(services.StaleUpload):
        services.load_upload("nonsense", db.session.get(User, organiser.id))
    upload = db.session.scalars(sa.select(SheetUpload)).one()
    upload.expires_at = upload.created_at
    db.session.flush()
    with pytest.raises(services.StaleUpload):
        services.load_upload(token, db.session.get(User, organiser.id))
    assert services.purge_expired() == 1


def test_the_mapping_is_remembered_for_the_same_headings(app_ctx: Flask, organiser: User) -> None:
    token = _upload(app_ctx, organiser, b"When,What,Kind\n2010-05-04,P,picket\n", mapped=False)
    upload = services.load_upload(token, db.session.get(User, organiser.id))
    with pytest.raises(services.MappingIncomplete):
        services.set_mapping(upload, ["", "", ""], None)
    services.set_mapping(upload, ["date", "title", "type"], None)
    assert queries.remembered_fields("events", [" when", "WHAT", "kind"]) == [
        "date",
        "title",
        "type",
    ]
    assert queries.remembered_fields("cases", ["When", "What", "Kind"]) is None
