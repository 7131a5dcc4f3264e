"""Who may move a case's status through events, and taking it back when the event goes."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from campaign.extensions import db
from campaign.models import Case, CaseStatus, CaseStatusChange, Event, Role, Verification
from tests.conftest import audit_entries, event_form, fetch


def _changes(app: Any, case_id: int) -> list[tuple[Any, Any, Any]]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(CaseStatusChange)
            .where(CaseStatusChange.case_id == case_id)
            .order_by(CaseStatusChange.id)
        )
        return [(c.old_status, c.new_status, c.event_id) for c in rows]


def _only_event_id(app: Any) -> int:
    with app.app_context():
        return int(db.session.scalars(sa.select(Event.id)).one())


def _release(case_id: int, **kw: Any) -> dict[str, Any]:
    return event_form([case_id], type="release", title="Released", date="2010-05-12", **kw)


def test_an_activists_release_waits_for_an_organisers_check(app, staff_client, make_case):
    case = make_case(status=CaseStatus.SENTENCED)
    activist = staff_client(Role.ACTIVIST)
    assert activist.post("/manage/events/new", data=_release(case.id)).status_code == 302
    stored = fetch(app, Case, case.id)
    assert (stored.status, stored.released_on) == (CaseStatus.SENTENCED, None)
    assert _changes(app, case.id) == []
    event_id = _only_event_id(app)

    organiser = staff_client(Role.ORGANISER)
    organiser.post(f"/manage/events/{event_id}/verify")
    stored = fetch(app, Case, case.id)
    assert (stored.status, stored.released_on) == (CaseStatus.RELEASED, date(2010, 5, 12))
    assert _changes(app, case.id) == [(CaseStatus.SENTENCED, CaseStatus.RELEASED, event_id)]
    # A second verify changes nothing more.
    organiser.post(f"/manage/events/{event_id}/verify")
    assert len(_changes(app, case.id)) == 1


def test_the_form_tells_activists_that_a_status_change_waits(staff_client):
    html = staff_client(Role.ACTIVIST).get("/manage/events/new").get_data(as_text=True)
    assert "A status change waits for an organiser\u2019s check" in html
    html = staff_client(Role.ORGANISER).get("/manage/events/new").get_data(as_text=True)
    assert "waits for an organiser" not in html


def test_an_activists_edit_to_a_release_does_not_move_the_status(
    app, staff_client, make_case, make_event
):
    case = make_case(status=CaseStatus.SENTENCED)
    activist = staff_client(Role.ACTIVIST)
    event = make_event([case.id], title="Picket", created_by_id=activist.user.id)
    activist.post(
        f"/manage/events/{event.id}/edit", data=_release(case.id, version=str(event.version))
    )
    assert fetch(app, Event, event.id).type == "release"
    assert fetch(app, Case, case.id).status == CaseStatus.SENTENCED


def test_deleting_the_release_restores_the_status(app, staff_client, make_case):
    case = make_case(status=CaseStatus.SENTENCED)
    organiser = staff_client(Role.ORGANISER)
    organiser.post("/manage/events/new", data=_release(case.id))
    event_id = _only_event_id(app)
    assert fetch(app, Case, case.id).status == CaseStatus.RELEASED
    assert organiser.post(f"/manage/events/{event_id}/delete").status_code == 302
    stored = fetch(app, Case, case.id)
    assert (stored.status, stored.released_on) == (CaseStatus.SENTENCED, None)
    assert _changes(app, case.id) == []  # as if the release had never been logged
    last = audit_entries(app, "case", case.id)[-1]
    assert last.changes["status"] == ["released", "sentenced"]
    assert last.changes["released_on"] == ["2010-05-12", None]
    assert last.changes["undone_event"][0].startswith(f"#{event_id} ")


def test_deleting_an_arrest_clears_the_arrest_date_it_filled(app, staff_client, make_case):
    case = make_case(status=CaseStatus.AT_RISK)
    organiser = staff_client(Role.ORGANISER)
    organiser.post(
        "/manage/events/new",
        data=event_form([case.id], type="arrest", title="Arrest", date="2010-04-27"),
    )
    stored = fetch(app, Case, case.id)
    assert (stored.status, stored.arrest_date) == (CaseStatus.DETAINED, date(2010, 4, 27))
    organiser.post(f"/manage/events/{_only_event_id(app)}/delete")
    stored = fetch(app, Case, case.id)
    assert (stored.status, stored.arrest_date) == (CaseStatus.AT_RISK, None)


def test_deleting_an_old_event_keeps_a_later_status(app, staff_client, make_case):
    case = make_case(status=CaseStatus.SENTENCED)
    organiser = staff_client(Role.ORGANISER)
    organiser.post("/manage/events/new", data=_release(case.id))
    event_id = _only_event_id(app)
    # The organiser's own later change wins over the event.
    with app.app_context():
        stored = db.session.get(Case, case.id)
        stored.status = CaseStatus.IN_EXILE
        stored.status_changes.append(
            CaseStatusChange(old_status=CaseStatus.RELEASED, new_status=stored.status)
        )
        db.session.commit()
        kept = stored.status
    organiser.post(f"/manage/events/{event_id}/delete")
    assert fetch(app, Case, case.id).status == kept


def test_editing_the_type_away_from_release_restores_the_status(app, staff_client, make_case):
    case = make_case(status=CaseStatus.SENTENCED)
    organiser = staff_client(Role.ORGANISER)
    organiser.post("/manage/events/new", data=_release(case.id))
    event_id = _only_event_id(app)
    version = str(fetch(app, Event, event_id).version)
    organiser.post(
        f"/manage/events/{event_id}/edit",
        data=event_form([case.id], type="picket", date="2010-05-12", version=version),
    )
    stored = fetch(app, Case, case.id)
    assert (stored.status, stored.released_on) == (CaseStatus.SENTENCED, None)
    assert _changes(app, case.id) == []


def test_editing_the_release_date_keeps_the_status_and_moves_the_date(app, staff_client, make_case):
    case = make_case(status=CaseStatus.SENTENCED)
    organiser = staff_client(Role.ORGANISER)
    organiser.post("/manage/events/new", data=_release(case.id))
    event_id = _only_event_id(app)
    version = str(fetch(app, Event, event_id).version)
    organiser.post(
        f"/manage/events/{event_id}/edit",
        data=_release(case.id, version=version) | {"date": "2010-05-13"},
    )
    stored = fetch(app, Case, case.id)
    assert (stored.status, stored.released_on) == (CaseStatus.RELEASED, date(2010, 5, 13))


def test_an_activists_edit_of_a_verified_release_takes_its_effect_back(
    app, staff_client, make_case, make_event
):
    case = make_case(status=CaseStatus.SENTENCED)
    activist = staff_client(Role.ACTIVIST)
    activist.post("/manage/events/new", data=_release(case.id))
    event_id = _only_event_id(app)
    staff_client(Role.ORGANISER).post(f"/manage/events/{event_id}/verify")
    assert fetch(app, Case, case.id).status == CaseStatus.RELEASED
    version = str(fetch(app, Event, event_id).version)
    activist.post(
        f"/manage/events/{event_id}/edit",
        data=_release(case.id, version=version) | {"date": "2010-05-14"},
    )
    assert fetch(app, Event, event_id).verification == Verification.REPORTED
    assert fetch(app, Case, case.id).status == CaseStatus.SENTENCED


def test_a_retracted_release_leaves_no_trace_in_the_feed_or_the_status_list(
    app, client, staff_client, make_case
):
    case = make_case(status=CaseStatus.DETAINED, slug="held")
    activist = staff_client(Role.ACTIVIST)
    activist.post("/manage/events/new", data=_release(case.id))
    event_id = _only_event_id(app)
    organiser = staff_client(Role.ORGANISER)
    organiser.post(f"/manage/events/{event_id}/verify")
    assert fetch(app, Case, case.id).status == CaseStatus.RELEASED
    assert "Released" in client.get("/cases/held/feed.atom").get_data(as_text=True)

    assert organiser.post(f"/manage/events/{event_id}/delete").status_code == 302
    assert fetch(app, Case, case.id).status == CaseStatus.DETAINED
    assert _changes(app, case.id) == []
    feed = client.get("/cases/held/feed.atom").get_data(as_text=True)
    assert "Released" not in feed
    assert "/status/" not in feed  # no "Detained" entry reading like a new arrest
    staff_page = organiser.get(f"/manage/cases/{case.id}").get_data(as_text=True)
    assert "Status changes" not in staff_page
    assert "set by" not in staff_page
    # The audit trail still tells what happened.
    trail = [e.changes for e in audit_entries(app, "case", case.id)]
    assert ["detained", "released"] in [t.get("status") for t in trail]
    assert trail[-1]["status"] == ["released", "detained"]
    assert trail[-1]["undone_event"][0].startswith(f"#{event_id} ")
