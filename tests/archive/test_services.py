"""Whole-campaign export and import, as services: no client."""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import pytest
import sqlalchemy as sa
from flask import Flask

from campaign import demo
from campaign.appeals import queries
from campaign.archive import records
from campaign.archive.services import (
    ArchiveInvalid,
    check_document,
    export_campaign,
    export_json,
    import_campaign,
    read_json,
)
from campaign.extensions import db
from campaign.history.chain import verify
from campaign.models import (
    Appeal,
    AuditEntry,
    Case,
    Event,
    LetterReport,
    Message,
    Organisation,
    Photo,
    Role,
    User,
)
from tests.archive.conftest import INTERNAL_PHOTO, PORTRAIT, PUBLISHED_PHOTO, fill_campaign
from tests.conftest import TEST_DATABASE_URL, count_rows


def _export(app: Flask) -> dict[str, Any]:
    with app.app_context():
        document = export_campaign()
        db.session.rollback()
        return document


def _import(app: Flask, document: Any, user_id: int | None = None) -> Any:
    with app.app_context():
        user = db.session.get(User, user_id) if user_id is not None else None
        try:
            report = import_campaign(document, user)
        except ArchiveInvalid:
            db.session.rollback()
            raise
        db.session.commit()
        return report


def _counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {kind.name: count_rows(kind.model) for kind in records.KINDS} | {
            "audit_entries": count_rows(AuditEntry)
        }


def test_the_export_is_described_by_the_schema_kept_in_the_repository(campaign: Flask) -> None:
    document = _export(campaign)
    jsonschema.validate(document, records.load_schema())
    assert document["format"] == "campaign"
    assert document["format_version"] == records.FORMAT_VERSION
    assert {kind.name for kind in records.KINDS} <= set(document)
    assert all(document[kind.name] for kind in records.KINDS), "every kind is exercised"


def test_the_schema_file_is_the_one_the_table_of_kinds_makes() -> None:
    # After changing records.KINDS, write it afresh:
    # .venv/bin/python -c "from campaign.archive.records import write_schema; write_schema()"
    assert records.SCHEMA_PATH.read_text(encoding="utf-8") == records.schema_text()
    jsonschema.Draft202012Validator.check_schema(records.load_schema())


@pytest.mark.parametrize("kind", records.KINDS, ids=lambda kind: kind.name)
def test_every_column_is_exported_or_left_out_for_a_reason(kind: records.Kind) -> None:
    """A column added to a model later must be placed: exported, or left out saying why."""
    placed = {kind.identity, *kind.fields, *kind.left_out}
    placed |= {ref.column for ref in kind.refs if ref.column}
    columns = {column.name for column in kind.model.__table__.columns}
    assert columns == placed


def test_single_references_point_to_earlier_kinds() -> None:
    seen: set[str] = set()
    for kind in records.KINDS:
        for ref in kind.refs:
            assert ref.kind in records.BY_NAME
            if not ref.many:
                assert ref.kind in seen, (kind.name, ref.name)
        seen.add(kind.name)


def test_no_email_hash_or_privacy_row_leaves_the_site(campaign: Flask) -> None:
    text = export_json(_export(campaign))
    for secret in (
        "secret-supporter@example.org",
        "c" * 64,
        "w" * 64,
        "d" * 64,
        "the text before a safety edit",
        "password",
        "client_hash",
    ):
        assert secret not in text
    document = json.loads(text)
    assert "users" not in document
    # The one e-mail address in an export is an authority's official one.
    with_email = {name for name, records_ in document.items() if "email" in str(records_)}
    assert with_email == {"appeal_targets"}
    message = next(m for m in document["messages"] if m["body"] == "Solidarity from Vienna")
    assert message["delivery_pack"] in {pack["key"] for pack in document["delivery_packs"]}
    kurmanov = next(case for case in document["cases"] if case["photo_filename"])
    assert kurmanov["related_cases"]


def test_export_import_into_an_empty_database_export_gives_the_same_document(
    campaign: Flask, other_site: Flask
) -> None:
    first = _export(campaign)
    report = _import(other_site, first)
    assert report.total_created == sum(len(first[kind.name]) for kind in records.KINDS)
    assert export_json(_export(other_site)) == export_json(first)


def test_appeals_travel_with_their_cases_authorities_letters_and_responses(
    campaign: Flask, other_site: Flask
) -> None:
    first = _export(campaign)
    assert {appeal["title"] for appeal in first["appeals"]} == {
        "Release Ainur Kurmanov and Yesenbek Ukteshbaev",  # the demo's
        "Let his lawyer see him",
    }
    _import(other_site, first)
    with other_site.app_context():
        appeal = db.session.scalars(
            sa.select(Appeal).where(Appeal.title == "Let his lawyer see him")
        ).one()
        assert [case.person_name for case in appeal.cases] == ["Ainur Kurmanov"]
        assert [target.email for target in appeal.targets] == ["court@example.kz"]
        assert [letter.language for letter in appeal.letters] == ["en", "ru"]
        assert [(r.published, r.target is not None) for r in appeal.responses] == [
            (True, True),
            (False, False),
        ]
        assert queries.letters_reported([appeal.id]) == {appeal.id: 3}
        assert set(db.session.scalars(sa.select(LetterReport.client_hash))) == {None}


def _languages(app: Flask) -> dict[str, tuple[str | None, list[str | None]]]:
    """Each appeal's language and its responses', by title."""
    with app.app_context():
        appeals = db.session.scalars(sa.select(Appeal)).all()
        found = {
            a.title: (a.original_language, [r.original_language for r in a.responses])
            for a in appeals
        }
        db.session.rollback()
        return found


LAWYER = "Let his lawyer see him"
DEMO_APPEAL = "Release Ainur Kurmanov and Yesenbek Ukteshbaev"


def test_appeals_and_responses_travel_with_their_language(
    campaign: Flask, other_site: Flask
) -> None:
    with campaign.app_context():
        appeal = db.session.scalars(sa.select(Appeal).where(Appeal.title == LAWYER)).one()
        appeal.original_language = "kk"
        appeal.responses[0].original_language = "ru"
        db.session.commit()
    document = _export(campaign)
    assert {a["title"]: a["original_language"] for a in document["appeals"]} == {
        DEMO_APPEAL: "en",
        LAWYER: "kk",
    }
    _import(other_site, document)
    assert _languages(other_site) == {
        DEMO_APPEAL: ("en", ["en", "en"]),
        LAWYER: ("kk", ["ru", "en"]),  # the second as it was made: in the site's default
    }
    assert export_json(_export(other_site)) == export_json(document)


def _version_1(document: dict[str, Any]) -> dict[str, Any]:
    """The document as the tracker wrote it before appeals knew their language."""
    old = copy.deepcopy(document)
    old["format_version"] = 1
    for kind in ("appeals", "appeal_responses"):
        for record in old[kind]:
            del record["original_language"]
    return old


def test_an_archive_from_before_appeals_had_a_language_imports_with_the_migrations_guess(
    campaign: Flask, other_site: Flask
) -> None:
    """A version 1 file: a new appeal is in the language of its cases when they agree, else
    the site's default; a response in its appeal's; one the site has keeps its own."""
    old = _version_1(_export(campaign))
    for case in old["cases"]:  # Ainur's case in Kazakh, Yesenbek's in English
        case["original_language"] = "kk" if case["slug"] == demo.KURMANOV else "en"
    other_site.config["BABEL_DEFAULT_LOCALE"] = "ru"
    as_sent = copy.deepcopy(old)
    with other_site.app_context():
        checked = check_document(old)
        db.session.rollback()
    assert old == as_sent  # the caller's document is left as it was
    assert checked["format_version"] == records.FORMAT_VERSION
    jsonschema.validate(checked, records.load_schema())

    report = _import(other_site, old)
    assert report.created["appeals"] == 2
    assert _languages(other_site) == {
        DEMO_APPEAL: ("ru", ["ru", "ru"]),  # for both: their cases differ, the site's default
        LAWYER: ("kk", ["kk", "kk"]),  # for Ainur alone: his case's
    }

    with other_site.app_context():  # organisers here said otherwise since: that stays
        appeal = db.session.scalars(sa.select(Appeal).where(Appeal.title == LAWYER)).one()
        appeal.original_language = "en"
        appeal.responses[1].original_language = "ru"
        db.session.commit()
    again = _import(other_site, old)
    assert "appeal_responses" not in again.updated  # (the appeal's updated_at is the file's)
    assert _languages(other_site)[LAWYER] == ("en", ["kk", "ru"])


def _early_version_1(document: dict[str, Any]) -> dict[str, Any]:
    """The document as the tracker wrote it in its first days: version 1 before appeals,
    translations, photos, external ids and the records' languages were added to it."""
    old = _version_1(document)
    for kind in (
        "appeals",
        "appeal_targets",
        "appeal_letters",
        "appeal_responses",
        "letter_reports",
        "case_translations",
        "event_translations",
        "photos",
    ):
        del old[kind]
    for case in old["cases"]:
        for field in ("original_language", "external_id", "photo_width", "photo_height"):
            del case[field]
    for event in old["events"]:
        del event["original_language"]
        del event["external_id"]
    return old


def test_an_archive_from_the_first_days_of_version_1_still_imports(
    campaign: Flask, other_site: Flask
) -> None:
    """Version 1 gained kinds and fields without a new number: a backup written before them
    imports, its records new here in the site's default language; a record the site has
    keeps what the file does not say (its external id, its language, its portrait's size)."""
    old = _early_version_1(_export(campaign))
    other_site.config["BABEL_DEFAULT_LOCALE"] = "ru"
    report = _import(other_site, old)
    assert report.created["cases"] == len(old["cases"])
    assert report.created.get("appeals", 0) == 0
    with other_site.app_context():
        case = db.session.scalars(sa.select(Case).where(Case.slug == demo.KURMANOV)).one()
        assert (case.original_language, case.external_id) == ("ru", None)
        assert {e.original_language for e in db.session.scalars(sa.select(Event))} == {"ru"}
        case.original_language = "kk"
        case.external_id = "sheet-17"
        case.photo_width, case.photo_height = 640, 800
        db.session.commit()
    _import(other_site, old)
    with other_site.app_context():
        case = db.session.scalars(sa.select(Case).where(Case.slug == demo.KURMANOV)).one()
        assert (case.original_language, case.external_id) == ("kk", "sheet-17")
        assert (case.photo_width, case.photo_height) == (640, 800)


def test_a_campaign_moves_from_sqlite_to_postgresql_and_back(
    app: Flask, backend: str, other_site: Flask
) -> None:
    if backend != "postgres":
        pytest.skip("the move to PostgreSQL runs on the PostgreSQL half (TEST_DATABASE_URL)")
    assert TEST_DATABASE_URL
    with other_site.app_context():
        fill_campaign()
    on_sqlite = _export(other_site)
    _import(app, on_sqlite)  # app is on PostgreSQL here
    on_postgres = _export(app)
    assert on_postgres == on_sqlite
    with other_site.app_context():  # and back: into an emptied SQLite
        db.drop_all()
        db.create_all()
    _import(other_site, on_postgres)
    assert _export(other_site) == on_sqlite


def test_an_import_is_recorded_as_its_actor_and_the_chain_still_verifies(
    app: Flask, other_site: Flask, make_user: Any
) -> None:
    with other_site.app_context():
        fill_campaign()
    document = _export(other_site)
    admin = make_user(Role.ADMIN, display_name="Archivist")
    _import(app, document, admin.id)
    with app.app_context():
        query = sa.select(AuditEntry.actor).where(AuditEntry.object_type != "user")
        actors = set(db.session.scalars(query))
        assert actors == {"Archivist"}
        assert verify().intact
        # Once more from the command line: nothing changes, nothing is recorded.
        before = count_rows(AuditEntry)
    report = _import(app, document)
    assert (report.total_created, report.total_updated) == (0, 0)
    with app.app_context():
        assert count_rows(AuditEntry) == before
        assert verify().intact


def test_merging_brings_named_records_to_the_file_and_leaves_others_alone(
    campaign: Flask, other_site: Flask, make_case: Any
) -> None:
    document = _export(campaign)
    _import(other_site, document)
    changed = copy.deepcopy(document)
    changed["cases"][0]["summary"] = "Updated elsewhere"
    changed["events"][0]["cases"] = []
    with other_site.app_context():
        db.session.add(Case(slug="local-only", person_name="Local"))
        db.session.commit()
    report = _import(other_site, changed)
    assert report.total_created == 0
    assert report.updated["cases"] == 1
    with other_site.app_context():
        slug = changed["cases"][0]["slug"]
        case = db.session.scalar(sa.select(Case).where(Case.slug == slug))
        assert case is not None
        assert case.summary == "Updated elsewhere"
        event = db.session.scalar(sa.select(Event).where(Event.key == changed["events"][0]["key"]))
        assert event is not None
        assert event.cases == []
        assert db.session.scalar(sa.select(Case).where(Case.slug == "local-only")) is not None
        assert verify().intact


def test_imported_messages_get_this_sites_duplicate_fingerprint(
    campaign: Flask, other_site: Flask
) -> None:
    _import(other_site, _export(campaign))
    with other_site.app_context():
        assert all(m.body_fingerprint for m in db.session.scalars(sa.select(Message)))
        assert all(m.email is None for m in db.session.scalars(sa.select(Message)))


def _document(campaign: Flask) -> dict[str, Any]:
    return _export(campaign)


def _break(document: dict[str, Any], how: str) -> tuple[Any, str]:
    """A broken copy of the document and the JSON pointer its error must name."""
    broken = copy.deepcopy(document)
    if how == "unknown field":
        broken["events"][2]["colour"] = "red"
        return broken, "/events/2/colour"
    if how == "unknown kind":
        broken["petitions"] = []
        return broken, "/petitions"
    if how == "broken reference":
        broken["events"][1]["cases"].append("nobody-at-all")
        return broken, f"/events/1/cases/{len(broken['events'][1]['cases']) - 1}"
    if how == "broken single reference":
        broken["messages"][0]["case"] = "nobody-at-all"
        return broken, "/messages/0/case"
    if how == "duplicate identifier":
        broken["venues"].append(dict(broken["venues"][0], name="Elsewhere"))
        return broken, f"/venues/{len(broken['venues']) - 1}/slug"
    if how == "newer format":
        broken["format_version"] = records.FORMAT_VERSION + 1
        return broken, "/format_version"
    if how == "not the format":
        return {"cases": []}, "/format"
    if how == "not an object":
        return [1, 2, 3], "/format"
    if how == "impossible date":
        broken["events"][0]["date"] = "2010-02-30"
        return broken, "/events/0/date"
    if how == "wrong type":
        broken["cases"][1]["published"] = "yes"
        return broken, "/cases/1/published"
    if how == "missing field":
        del broken["sources"][0]["title"]
        return broken, "/sources/0/title"
    if how == "malformed old file":  # version 1 is brought up to date before the checks
        broken = _version_1(broken)
        broken["appeal_responses"][0] = 5
        broken["appeals"][0]["cases"] = [["not", "a", "slug"], broken["cases"][0]["slug"]]
        broken["cases"][0]["original_language"] = ["not", "a", "language"]
        return broken, "/appeal_responses/0"
    if how == "taken name":
        broken["organisations"][1]["name"] = broken["organisations"][0]["name"]
        return broken, "/organisations/1/name"
    raise AssertionError(how)


BREAKAGES = [
    "unknown field",
    "unknown kind",
    "broken reference",
    "broken single reference",
    "duplicate identifier",
    "newer format",
    "not the format",
    "not an object",
    "impossible date",
    "wrong type",
    "missing field",
    "malformed old file",
    "taken name",
]


@pytest.mark.parametrize("how", BREAKAGES)
def test_bad_input_names_its_place_and_changes_nothing(
    campaign: Flask, other_site: Flask, how: str
) -> None:
    document = _export(campaign)
    _import(other_site, document)  # a site with data: a failed merge must leave it as it was
    broken, place = _break(document, how)
    changed = copy.deepcopy(broken)
    if isinstance(changed, dict) and changed.get("cases"):
        changed["cases"][0]["summary"] = "This change must not land"
    before = _counts(other_site)
    with pytest.raises(ArchiveInvalid) as raised:
        _import(other_site, changed)
    assert place in [problem.pointer for problem in raised.value.problems], raised.value.problems
    assert _counts(other_site) == before
    with other_site.app_context():
        assert (
            db.session.scalar(sa.select(Case).where(Case.summary == "This change must not land"))
            is None
        )


def test_a_name_taken_in_the_database_is_refused_before_writing(
    campaign: Flask, other_site: Flask
) -> None:
    document = _export(campaign)
    name = document["organisations"][0]["name"]
    with other_site.app_context():
        db.session.add(Organisation(name=name, slug="same-name-other-slug"))
        db.session.commit()
    with pytest.raises(ArchiveInvalid) as raised:
        _import(other_site, document)
    assert raised.value.problems[0].pointer == "/organisations/0/name"
    assert _counts(other_site)["cases"] == 0


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\xff\xfe not text", "not UTF-8"),
        (b'{"format": "campaign", ', "not JSON (line 1"),
        (b"[" * 100_000, "this is not a campaign export"),
    ],
)
def test_a_file_that_is_not_json_says_so(data: bytes, words: str) -> None:
    with pytest.raises(ArchiveInvalid) as raised:
        check_document(read_json(data))
    assert words in str(raised.value)


def test_a_partial_file_may_refer_to_records_the_database_has(
    campaign: Flask, other_site: Flask
) -> None:
    document = _export(campaign)
    _import(other_site, document)
    event = dict(document["events"][0], key="11111111-2222-3333-4444-555555555555")
    event["title"] = "A picket added elsewhere"
    partial = {kind.name: [] for kind in records.KINDS} | {
        "format": records.FORMAT,
        "format_version": records.FORMAT_VERSION,
        "events": [event],
    }
    report = _import(other_site, partial)
    assert report.created == {"events": 1}
    with other_site.app_context():
        added = db.session.scalar(sa.select(Event).where(Event.key == event["key"]))
        assert added is not None
        assert sorted(case.slug for case in added.cases) == sorted(event["cases"])
        assert count_rows(Case) == len(document["cases"])


def test_photos_travel_by_name_with_their_event_description_and_state(
    campaign: Flask, other_site: Flask
) -> None:
    """The archive names a case's portrait and each event photo (the files travel in backups):
    an archive without them would lose which photo is published and what it shows."""
    document = _export(campaign)
    photos = {photo["name"]: photo for photo in document["photos"]}
    assert set(photos) == {PUBLISHED_PHOTO, INTERNAL_PHOTO}
    published = photos[PUBLISHED_PHOTO]
    assert published["published"] is True
    assert published["alt_text"] == "Pickets with placards outside the court"
    assert (published["width"], published["height"]) == (1024, 683)
    assert published["event"] in {event["key"] for event in document["events"]}
    assert photos[INTERNAL_PHOTO]["published"] is False
    (portrait,) = [case for case in document["cases"] if case["photo_filename"] == PORTRAIT]
    assert (portrait["photo_width"], portrait["photo_height"]) == (1024, 768)

    _import(other_site, document)
    with other_site.app_context():
        stored = db.session.scalars(sa.select(Photo).order_by(Photo.name)).all()
        assert [(p.name, p.published, p.alt_text) for p in stored] == sorted(
            (name, p["published"], p["alt_text"]) for name, p in photos.items()
        )
    assert export_json(_export(other_site)) == export_json(document)
