"""A case's status follows its record: the pure decision, then applying it with a trail."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from campaign.cases.status import apply_event, implied_by, record_manual_change, undo_event
from campaign.extensions import db
from campaign.models import (
    AuditAction,
    AuditEntry,
    Case,
    CaseStatus,
    CaseStatusChange,
    DatePrecision,
    Event,
    EventType,
)

TODAY = date(2010, 6, 1)


def _updates() -> sa.Select[tuple[AuditEntry]]:
    """The trail's updates (creating the test's own case and event is recorded too)."""
    return sa.select(AuditEntry).where(AuditEntry.action == AuditAction.UPDATE)


def _case(**kw: object) -> Case:
    kw.setdefault("status", CaseStatus.AT_RISK)
    kw.setdefault("arrest_date_precision", DatePrecision.DAY)
    return Case(person_name="Ainur Kurmanov", slug="ainur-kurmanov", **kw)


def _event(kind: EventType, day: date, event_id: int = 1, **kw: object) -> Event:
    kw.setdefault("date_precision", DatePrecision.DAY)
    kw.setdefault("date_approximate", False)
    return Event(id=event_id, type=kind, title=kind.value, date=day, **kw)


def test_an_arrest_sets_detained_and_fills_the_empty_arrest_date() -> None:
    arrest = _event(EventType.ARREST, date(2010, 4, 27), date_approximate=True)
    implied = implied_by(_case(), arrest, [arrest], TODAY)
    assert implied.status == CaseStatus.DETAINED
    assert implied.fields == {
        "arrest_date": date(2010, 4, 27),
        "arrest_date_precision": DatePrecision.DAY,
        "arrest_date_approximate": True,
    }


def test_an_arrest_keeps_a_known_arrest_date_and_a_custody_status() -> None:
    case = _case(status=CaseStatus.SENTENCED, arrest_date=date(2010, 4, 26))
    arrest = _event(EventType.ARREST, date(2010, 4, 27))
    assert implied_by(case, arrest, [arrest], TODAY).is_empty


def test_a_sentence_sets_sentenced() -> None:
    sentence = _event(EventType.SENTENCE, date(2010, 4, 28))
    implied = implied_by(_case(status=CaseStatus.DETAINED), sentence, [], TODAY)
    assert implied.status == CaseStatus.SENTENCED


def test_a_release_sets_released_with_its_date() -> None:
    release = _event(EventType.RELEASE, date(2010, 5, 12))
    implied = implied_by(_case(status=CaseStatus.SENTENCED), release, [], TODAY)
    assert implied.status == CaseStatus.RELEASED
    assert implied.fields == {
        "released_on": date(2010, 5, 12),
        "released_on_precision": DatePrecision.DAY,
        "released_on_approximate": False,
    }


@pytest.mark.parametrize(
    "kind", [EventType.VERDICT, EventType.APPEAL_DECISION, EventType.PICKET, EventType.HEARING]
)
def test_verdicts_and_other_events_are_not_guessed(kind: EventType) -> None:
    event = _event(kind, date(2010, 5, 4))
    assert implied_by(_case(status=CaseStatus.DETAINED), event, [], TODAY).is_empty


def test_back_filling_an_older_event_does_not_undo_a_later_one() -> None:
    release = _event(EventType.RELEASE, date(2010, 5, 12), event_id=2)
    sentence = _event(EventType.SENTENCE, date(2010, 4, 28), event_id=3)
    case = _case(status=CaseStatus.RELEASED, released_on=date(2010, 5, 12))
    assert implied_by(case, sentence, [release, sentence], TODAY).status is None


def test_a_scheduled_release_in_the_future_changes_nothing_yet() -> None:
    release = _event(EventType.RELEASE, date(2010, 7, 1))
    assert implied_by(_case(status=CaseStatus.SENTENCED), release, [], TODAY).is_empty


def test_applying_adds_a_status_change_and_an_audit_entry(app_ctx) -> None:
    case = _case(status=CaseStatus.SENTENCED)
    release = Event(type=EventType.RELEASE, title="Released", date=date(2010, 5, 12), cases=[case])
    db.session.add_all([case, release])
    db.session.flush()
    change = apply_event(case, release, [release], TODAY, None)
    db.session.commit()
    assert change is not None
    assert case.status == CaseStatus.RELEASED
    assert case.released_on == date(2010, 5, 12)
    stored = db.session.scalars(sa.select(CaseStatusChange)).one()
    assert (stored.old_status, stored.new_status, stored.event_id) == (
        CaseStatus.SENTENCED,
        CaseStatus.RELEASED,
        release.id,
    )
    entry = db.session.scalars(_updates()).one()
    assert entry.object_type == "case"
    assert entry.changes["status"] == ["sentenced", "released"]
    assert entry.changes["released_on"] == [None, "2010-05-12"]


def test_applying_an_event_that_implies_nothing_records_nothing(app_ctx) -> None:
    case = _case(status=CaseStatus.DETAINED)
    picket = Event(type=EventType.PICKET, title="Picket", date=date(2010, 5, 4), cases=[case])
    db.session.add_all([case, picket])
    db.session.flush()
    assert apply_event(case, picket, [picket], TODAY, None) is None
    assert db.session.scalars(_updates()).all() == []


def test_a_manual_change_is_kept_in_the_status_history(app_ctx) -> None:
    case = _case(status=CaseStatus.RELEASED)
    db.session.add(case)
    case.status = CaseStatus.DETAINED
    change = record_manual_change(case, CaseStatus.RELEASED, TODAY, None)
    assert change is not None
    assert (change.old_status, change.new_status, change.event_id) == (
        CaseStatus.RELEASED,
        CaseStatus.DETAINED,
        None,
    )
    assert record_manual_change(case, CaseStatus.DETAINED, TODAY, None) is None


def test_undoing_deletes_the_status_change_the_event_caused(app_ctx) -> None:
    case = _case(status=CaseStatus.DETAINED)
    release = Event(type=EventType.RELEASE, title="Released", date=date(2010, 5, 12), cases=[case])
    db.session.add_all([case, release])
    db.session.flush()
    caused = apply_event(case, release, [release], TODAY, None)
    db.session.commit()
    assert undo_event(case, release, TODAY, None) is caused
    db.session.commit()
    assert (case.status, case.released_on) == (CaseStatus.DETAINED, None)
    # No "released" then "detained again" in the case's history: as if it never happened...
    assert db.session.scalars(sa.select(CaseStatusChange)).all() == []
    assert case.status_changes == []
    # ...while the audit trail keeps both the change and its undoing.
    trail = [e.changes for e in db.session.scalars(_updates().order_by(AuditEntry.id))]
    assert [t["status"] for t in trail] == [["detained", "released"], ["released", "detained"]]
    assert trail[1]["undone_event"][0].startswith(f"#{release.id} ")


def test_undoing_keeps_earlier_changes(app_ctx) -> None:
    case = _case(status=CaseStatus.RELEASED)
    db.session.add(case)
    case.status = CaseStatus.SENTENCED
    manual = record_manual_change(case, CaseStatus.RELEASED, TODAY, None)
    release = Event(type=EventType.RELEASE, title="Released", date=date(2010, 5, 12), cases=[case])
    db.session.add(release)
    db.session.flush()
    apply_event(case, release, [release], TODAY, None)
    db.session.commit()
    undo_event(case, release, TODAY, None)
    db.session.commit()
    assert case.status == CaseStatus.SENTENCED
    assert db.session.scalars(sa.select(CaseStatusChange)).all() == [manual]
