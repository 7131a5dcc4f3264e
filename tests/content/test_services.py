"""The translations' domain actions, without a client: saving, clearing, refusing, and what a
saved translation moves (the history, the public-data version, the search index)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask

from campaign.content import queries, services
from campaign.extensions import db
from campaign.models import AuditEntry, Case, CaseTranslation, Event, EventTranslation
from campaign.public import version
from campaign.search import queries as search
from tests.conftest import count_rows

SUMMARY = "Journalist, arrested at a picket."


@pytest.fixture
def case_id(make_case: Callable[..., Case]) -> int:
    return make_case(summary=SUMMARY, charges="Organising a picket", sentence="15 days").id


def test_a_translation_is_saved_updated_and_cleared(app_ctx: Flask, case_id: int) -> None:
    case = db.session.get(Case, case_id)
    saved = services.save_translation(case, "ru", {"summary": "Журналист.", "charges": ""})
    db.session.commit()
    assert saved is not None
    assert (saved.language, saved.summary, saved.charges) == ("ru", "Журналист.", None)
    services.save_translation(case, "ru", {"sentence": "15 суток"})  # the others stay
    db.session.commit()
    row = db.session.scalars(sa.select(CaseTranslation)).one()
    assert (row.summary, row.sentence) == ("Журналист.", "15 суток")
    assert services.save_translation(case, "ru", {"summary": " ", "sentence": None}) is None
    db.session.commit()
    assert count_rows(CaseTranslation) == 0
    # Nothing given for a language with no translation adds nothing.
    assert services.save_translation(case, "kk", {"summary": ""}) is None
    assert count_rows(CaseTranslation) == 0


def test_text_is_kept_exactly_in_any_script(app_ctx: Flask, case_id: int) -> None:
    mixed = "  تضامن مع Ainur Kurmanov و\u200fYesenbek\u200e في Almaty!\n  "
    case = db.session.get(Case, case_id)
    services.save_translation(case, "kk", {"summary": mixed})
    db.session.commit()
    db.session.expire_all()
    assert db.session.scalars(sa.select(CaseTranslation.summary)).one() == mixed


def test_an_unknown_language_or_the_originals_is_refused(app_ctx: Flask, case_id: int) -> None:
    case = db.session.get(Case, case_id)
    with pytest.raises(services.UnknownLanguage) as unknown:
        services.save_translation(case, "de", {"summary": "Journalist."})
    assert unknown.value.language == "de"
    with pytest.raises(services.UnknownLanguage):
        services.save_translation(case, "", {"summary": "x"})
    with pytest.raises(services.SameAsOriginal):
        services.save_translation(case, "en", {"summary": "Journalist."})
    case.original_language = "ru"
    with pytest.raises(services.SameAsOriginal):
        services.save_translation(case, "ru", {"summary": "Журналист."})
    assert count_rows(CaseTranslation) == 0


def test_the_originals_language_can_be_any_language(app_ctx: Flask, case_id: int) -> None:
    case = db.session.get(Case, case_id)
    assert case.original_language == "en"  # the site's default language
    services.set_original_language(case, "ar")
    assert case.original_language == "ar"
    for wrong in ("", "not a language", "xx"):
        with pytest.raises(services.UnknownLanguage):
            services.set_original_language(case, wrong)
    # A system's locale or another spelling is stored as the language's code, which pages put
    # in `lang` (BCP 47 once "_" is "-"): never "ru_RU.UTF-8".
    for given, stored in (("fa_IR.UTF-8", "fa_IR"), ("pt-br", "pt_BR"), ("DE", "de")):
        services.set_original_language(case, given)
        assert case.original_language == stored
    services.set_original_language(case, "ar")
    services.save_translation(case, "ru", {"summary": "Журналист."})
    with pytest.raises(services.TranslatedAlready):
        services.set_original_language(case, "ru")
    assert case.original_language == "ar"


def test_an_events_texts_are_translated_too(
    app_ctx: Flask, case_id: int, make_event: Callable[..., Event]
) -> None:
    event_id = make_event([case_id], title="Picket", description="At the bank.").id
    event = db.session.get(Event, event_id)
    services.save_translation(event, "ru", {"title": "Пикет", "outcome": "Разогнан"})
    db.session.commit()
    row = db.session.scalars(sa.select(EventTranslation)).one()
    assert (row.event_id, row.title, row.description, row.outcome) == (
        event_id,
        "Пикет",
        None,
        "Разогнан",
    )
    states = {s.language: s.missing for s in queries.translation_states(event)}
    assert states == {"ru": ("description",), "kk": ("title", "description")}


def test_what_is_missing_per_language(app_ctx: Flask, case_id: int) -> None:
    case = db.session.get(Case, case_id)
    assert queries.missing_count(case) == 6  # three texts, two languages
    services.save_translation(case, "ru", {"summary": "Ж.", "charges": "П.", "sentence": "15"})
    states = queries.translation_states(case)
    assert [(s.language, s.missing) for s in states] == [
        ("ru", ()),
        ("kk", ("summary", "charges", "sentence")),
    ]
    assert queries.missing_count(case) == 3


def test_the_history_records_translations_with_their_texts(app_ctx: Flask, case_id: int) -> None:
    case = db.session.get(Case, case_id)
    services.save_translation(case, "ru", {"summary": "Журналист."})
    db.session.commit()
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.object_type == "casetranslation")
    ).one()
    assert entry.changes["summary"] == [None, "Журналист."]
    assert entry.changes["language"] == [None, "ru"]


def test_a_saved_translation_moves_the_public_version(app_ctx: Flask, case_id: int) -> None:
    before = version.current()
    case = db.session.get(Case, case_id)
    services.save_translation(case, "ru", {"summary": "Журналист."})
    db.session.commit()
    after = version.current()
    assert before is not None
    assert after is not None
    assert after.number > before.number


def test_search_finds_a_record_by_its_translations(
    app_ctx: Flask, case_id: int, make_event: Callable[..., Event]
) -> None:
    event_id = make_event([case_id], title="Picket").id
    case = db.session.get(Case, case_id)
    services.save_translation(case, "ru", {"summary": "Журналист арестован."})
    services.save_translation(db.session.get(Event, event_id), "kk", {"title": "Наразылық"})
    db.session.commit()
    assert search.matching_case_ids("арестован", staff=False) == {case_id}
    services.save_translation(case, "ru", {"summary": ""})
    db.session.commit()
    assert not search.matching_case_ids("арестован", staff=False)


def test_the_history_names_a_translation_by_its_record_and_language(
    app_ctx: Flask, case_id: int
) -> None:
    from campaign.history.labels import audit_kind

    case = db.session.get(Case, case_id)
    services.save_translation(case, "kk", {"summary": "Журналист."})
    db.session.commit()
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.object_type == "casetranslation")
    ).one()
    assert entry.object_label == f"{case.person_name} (kk)"
    assert audit_kind("casetranslation") == "Case translation"
