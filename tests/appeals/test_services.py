"""The appeals' domain actions and reads, without a client."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from campaign.appeals import queries, services
from campaign.extensions import db
from campaign.models import (
    Appeal,
    AppealResponse,
    AppealState,
    Case,
    CaseStatus,
    LetterReport,
    MessageState,
    ResponseKind,
    Source,
)
from campaign.util.dates import today_utc
from tests.conftest import audit_entries, count_rows

TODAY = today_utc()


def _data(cases: list[Case], **overrides: object) -> services.AppealData:
    values: dict[str, object] = {
        "title": "Release him",
        "asked": "Because reporting is no crime.",
        "deadline": TODAY + timedelta(days=5),
        "cases": cases,
        "targets": [services.TargetData(name="OSCE")],
        "letters": [services.LetterData("en", "Dear Sir")],
    }
    values.update(overrides)
    return services.AppealData(**values)  # type: ignore[arg-type]


def test_a_new_appeal_is_a_draft_with_its_authorities_and_letters(app: Flask, make_case) -> None:
    case_id = make_case().id
    with app.app_context():
        case = db.session.get(Case, case_id)
        data = _data(
            [case],
            targets=[
                services.TargetData(name="OSCE", postal_address="Vienna"),
                services.TargetData(name="  "),  # an empty line is left out
            ],
            letters=[services.LetterData("en", "Dear Sir"), services.LetterData("RU", "Господа")],
        )
        appeal = services.create_appeal(data, None, today=TODAY)
        db.session.commit()
        assert appeal.state == AppealState.DRAFT
        assert [t.name for t in appeal.targets] == ["OSCE"]
        assert [(x.language, x.text) for x in appeal.letters] == [
            ("en", "Dear Sir"),
            ("ru", "Господа"),
        ]
        appeal_id = appeal.id
    assert audit_entries(app, "appeal", appeal_id, "create")


def test_a_deadline_in_the_past_is_refused_for_a_new_appeal(app: Flask, make_case) -> None:
    case_id = make_case().id
    with app.app_context():
        case = db.session.get(Case, case_id)
        with pytest.raises(services.DeadlineInPast):
            services.create_appeal(
                _data([case], deadline=TODAY - timedelta(days=1)), None, today=TODAY
            )
        db.session.rollback()
        assert count_rows(Appeal) == 0


def test_an_appeal_needs_a_case_and_an_authority(app: Flask, make_case) -> None:
    case_id = make_case().id
    with app.app_context():
        case = db.session.get(Case, case_id)
        with pytest.raises(services.NoCases):
            services.create_appeal(_data([]), None, today=TODAY)
        with pytest.raises(services.NoTargets):
            services.create_appeal(
                _data([case], targets=[services.TargetData(name="")]), None, today=TODAY
            )


def test_editing_keeps_a_past_deadline_but_refuses_to_move_one_into_the_past(
    app: Flask, make_case, make_appeal
) -> None:
    case_id = make_case().id
    appeal_id = make_appeal([case_id])
    with app.app_context():
        appeal = db.session.get(Appeal, appeal_id)
        case = db.session.get(Case, case_id)
        with pytest.raises(services.DeadlineInPast):
            services.update_appeal(
                appeal, _data([case], deadline=TODAY - timedelta(days=3)), None, today=TODAY
            )
        db.session.rollback()
        appeal = db.session.get(Appeal, appeal_id)
        later = TODAY + timedelta(days=30)
        services.update_appeal(appeal, _data([case], deadline=later), None, today=TODAY)
        db.session.commit()
        assert appeal.deadline == later
        # An appeal already past its deadline keeps it when something else is edited.
        appeal.deadline = date(2010, 5, 12)
        db.session.commit()
        services.update_appeal(
            appeal, _data([case], deadline=date(2010, 5, 12), title="New"), None, today=TODAY
        )
        assert appeal.title == "New"


def test_states_open_and_close_and_unknown_ones_are_refused(
    app: Flask, make_case, make_appeal
) -> None:
    appeal_id = make_appeal([make_case().id], state="draft")
    with app.app_context():
        appeal = db.session.get(Appeal, appeal_id)
        with pytest.raises(services.UnknownState):
            services.set_state(appeal, "archived", None, today=TODAY)
        assert appeal.state == AppealState.DRAFT
        done = services.set_state(appeal, "open", None, today=TODAY)
        assert done.changed
        assert appeal.opened_on == TODAY
        assert not services.set_state(appeal, "open", None, today=TODAY).changed
        services.set_state(appeal, "closed", None, today=TODAY + timedelta(days=2))
        assert appeal.closed_on == TODAY + timedelta(days=2)
        services.set_state(appeal, "open", None, today=TODAY + timedelta(days=3))
        assert appeal.closed_on is None
        assert appeal.opened_on == TODAY  # opened once: it stays where it was on the timeline


def test_a_response_dated_before_its_appeal_or_after_today_is_refused(
    app: Flask, make_case, make_appeal
) -> None:
    appeal_id = make_appeal([make_case().id])
    with app.app_context():
        appeal = db.session.get(Appeal, appeal_id)
        for day, error in (
            (TODAY - timedelta(days=1), services.ResponseBeforeAppeal),
            (TODAY + timedelta(days=1), services.ResponseInFuture),
        ):
            with pytest.raises(error):
                services.record_response(
                    appeal,
                    services.ResponseData(received_on=day, kind=ResponseKind.REFUSED),
                    None,
                    today=TODAY,
                )
        db.session.rollback()
        assert count_rows(AppealResponse) == 0


def test_a_draft_has_no_responses_and_a_response_names_one_of_its_authorities(
    app: Flask, make_case, make_appeal
) -> None:
    case_id = make_case().id
    draft_id = make_appeal([case_id], state="draft")
    open_id = make_appeal([case_id])
    with app.app_context():
        draft = db.session.get(Appeal, draft_id)
        with pytest.raises(services.DraftHasNoResponses):
            services.record_response(
                draft,
                services.ResponseData(received_on=TODAY, kind=ResponseKind.REFUSED),
                None,
                today=TODAY,
            )
        appeal = db.session.get(Appeal, open_id)
        other_target = draft.targets[0].id
        with pytest.raises(services.UnknownTarget):
            services.record_response(
                appeal,
                services.ResponseData(
                    received_on=TODAY, kind=ResponseKind.REFUSED, target_id=other_target
                ),
                None,
                today=TODAY,
            )
        response = services.record_response(
            appeal,
            services.ResponseData(
                received_on=TODAY,
                kind=ResponseKind.PARTLY_GRANTED,
                text="A visit by his lawyer is allowed.",
                target_id=appeal.targets[0].id,
                source_url="https://example.org/answer",
                published=True,
            ),
            None,
            today=TODAY,
        )
        db.session.commit()
        assert response.source is not None
        assert response.source.url == "https://example.org/answer"
        assert response.target is appeal.targets[0]


def test_no_reply_by_the_deadline_is_derived_without_anyone_clicking(
    app: Flask, make_case, make_appeal
) -> None:
    case_id = make_case().id
    appeal_id = make_appeal(
        [case_id],
        targets=[services.TargetData(name="OSCE"), services.TargetData(name="Prosecutor")],
    )
    with app.app_context():
        appeal = db.session.get(Appeal, appeal_id)
        deadline = appeal.deadline
        assert not queries.past_deadline_without_reply(appeal, deadline)
        after = deadline + timedelta(days=1)
        assert queries.past_deadline_without_reply(appeal, after)
        assert [s.no_reply for s in queries.standings(appeal, after, staff=False)] == [True, True]
        services.record_response(
            appeal,
            services.ResponseData(
                received_on=TODAY, kind=ResponseKind.REFUSED, target_id=appeal.targets[0].id
            ),
            None,
            today=TODAY,
        )
        assert not queries.past_deadline_without_reply(appeal, after)
        standings = queries.standings(appeal, after, staff=False)
        assert [s.no_reply for s in standings] == [False, True]
        # Unpublished: the public sees no response, staff do.
        assert standings[0].responses == []
        assert len(queries.standings(appeal, after, staff=True)[0].responses) == 1


def test_due_appeals_lists_follow_ups_and_deadlines_that_have_come(
    app: Flask, make_case, make_appeal
) -> None:
    case_id = make_case().id
    later = make_appeal([case_id], title="Later")
    follow = make_appeal([case_id], title="Follow", follow_up_on=TODAY)
    silent = make_appeal([case_id], title="Silent", deadline=TODAY - timedelta(days=2))
    make_appeal([case_id], title="Draft", state="draft", follow_up_on=TODAY)
    make_appeal([case_id], title="Closed", state="closed", deadline=TODAY - timedelta(days=2))
    with app.app_context():
        due = queries.due_appeals(TODAY)
        assert [(d.appeal.id, d.reasons) for d in due] == [
            (silent, [queries.Reason.NO_REPLY]),
            (follow, [queries.Reason.FOLLOW_UP]),
        ]
        assert later not in {d.appeal.id for d in due}
        assert {d.appeal.id for d in queries.due_appeals(TODAY + timedelta(days=8))} == {
            later,
            follow,
            silent,
        }


def test_a_letter_is_counted_once_per_client_and_day(app: Flask, make_case, make_appeal) -> None:
    case_id = make_case().id
    appeal_id = make_appeal([case_id])
    draft_id = make_appeal([case_id], state="draft")
    with app.app_context():
        appeal = db.session.get(Appeal, appeal_id)
        assert services.report_letter(appeal, client_hash="a" * 64, today=TODAY)
        assert not services.report_letter(appeal, client_hash="a" * 64, today=TODAY)
        assert services.report_letter(appeal, client_hash="b" * 64, today=TODAY)
        assert services.report_letter(appeal, client_hash="a" * 64, today=TODAY + timedelta(days=1))
        draft = db.session.get(Appeal, draft_id)
        assert not services.report_letter(draft, client_hash="a" * 64, today=TODAY)
        db.session.commit()
        assert queries.letters_reported([appeal_id, draft_id]) == {appeal_id: 3, draft_id: 0}


def test_the_client_hashes_of_letters_are_erased_once_expired(
    app: Flask, make_case, make_appeal
) -> None:
    appeal_id = make_appeal([make_case().id])
    with app.app_context():
        db.session.add(
            LetterReport(appeal_id=appeal_id, reported_on=date(2020, 1, 1), client_hash="c" * 64)
        )
        db.session.add(LetterReport(appeal_id=appeal_id, reported_on=TODAY, client_hash="d" * 64))
        db.session.commit()
        assert services.purge_report_hashes() == 1
        db.session.commit()
        hashes = set(db.session.scalars(sa.select(LetterReport.client_hash)))
        assert hashes == {None, "d" * 64}
        assert queries.letters_reported([appeal_id]) == {appeal_id: 2}


def test_the_public_timeline_shows_opened_appeals_and_published_responses_only(
    app: Flask, make_case, make_appeal, make_event
) -> None:
    case_id = make_case().id
    make_event([case_id], date=TODAY)
    draft = make_appeal([case_id], state="draft", title="Draft")
    shown = make_appeal([case_id], title="Shown")
    with app.app_context():
        appeal = db.session.get(Appeal, shown)
        for published in (True, False):
            services.record_response(
                appeal,
                services.ResponseData(
                    received_on=TODAY, kind=ResponseKind.ACKNOWLEDGED, published=published
                ),
                None,
                today=TODAY,
            )
        db.session.commit()
        public = queries.timeline_items(case_id, include_internal=False, after=None)
        assert [i.kind for i in public] == ["appeal", "appeal_response"]
        assert public[0].appeal.id == shown
        staff = queries.timeline_items(case_id, include_internal=True, after=None)
        assert {i.appeal.id for i in staff if i.kind == "appeal"} == {draft, shown}
        assert len([i for i in staff if i.kind == "appeal_response"]) == 2
        # Keys never collide with an event's, and a cursor after the appeal keeps the responses.
        keys = [i.key for i in staff]
        assert len(set(keys)) == len(keys)
        later = queries.timeline_items(case_id, include_internal=False, after=public[0].key)
        assert [i.kind for i in later] == ["appeal_response"]


def test_the_letter_evening_lists_who_can_receive_letters_fewest_messages_first(
    app: Flask, make_case, make_message
) -> None:
    busy = make_case(
        person_name="Busy", detention_address="Prison 1", detention_address_public=True
    ).id
    quiet = make_case(
        person_name="Quiet", detention_address="Prison 2", detention_address_public=True
    ).id
    make_case(person_name="Hidden address", detention_address="Prison 3")
    make_case(
        person_name="Free",
        status=CaseStatus.RELEASED,
        detention_address="Prison 4",
        detention_address_public=True,
    )
    make_case(
        person_name="Unpublished",
        published=False,
        detention_address="Prison 5",
        detention_address_public=True,
    )
    for _ in range(2):
        make_message(busy, state=MessageState.PUBLISHED)
    make_message(quiet, state=MessageState.SPAM)
    with app.app_context():
        cards = queries.letter_evening(TODAY)
        assert [(c.case.person_name, c.messages_lately) for c in cards] == [
            ("Quiet", 0),
            ("Busy", 2),
        ]


def test_due_appeals_is_the_query_a_daily_reminder_can_send(
    app: Flask, make_case, make_appeal
) -> None:
    """The daily e-mail to organisers (the outbox) reads the same list as the staff home."""
    make_appeal([make_case().id], deadline=TODAY)
    with app.app_context():
        due = queries.due_appeals(TODAY)
        assert len(due) == 1
        assert due[0].reasons == [queries.Reason.DEADLINE]
        assert due[0].due_on == TODAY


def test_case_appeals_counts_letters_and_hides_drafts(app: Flask, make_case, make_appeal) -> None:
    case_id = make_case().id
    make_appeal([case_id], state="draft")
    open_id = make_appeal([case_id])
    with app.app_context():
        services.report_letter(db.session.get(Appeal, open_id), client_hash="e" * 64, today=TODAY)
        db.session.commit()
        case = db.session.get(Case, case_id)
        found = queries.case_appeals(case)
        assert [a.id for a in found.open] == [open_id]
        assert found.others == []
        assert found.total_letters == 1
        assert len(queries.case_appeals(case, staff=True).others) == 1


def test_the_daily_purge_erases_the_hashes_of_letters_too(
    app: Flask, runner, make_case, make_appeal
) -> None:
    """In a quiet week nobody reports a letter: the cron purge erases the old hashes anyway."""
    appeal_id = make_appeal([make_case().id])
    with app.app_context():
        db.session.add(
            LetterReport(appeal_id=appeal_id, reported_on=date(2020, 1, 1), client_hash="f" * 64)
        )
        db.session.commit()
    result = runner.invoke(args=["messages", "purge"])
    assert result.exit_code == 0, result.output
    assert "1 client hash(es) of letters reported for appeals" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(LetterReport.client_hash)) is None


def test_followers_of_a_case_hear_of_its_appeals_and_published_responses(
    app: Flask, make_case, make_appeal
) -> None:
    from datetime import UTC, datetime

    from campaign.subscriptions.updates import updates_since

    case_id = make_case().id
    make_appeal([case_id], state="draft", title="Not yet")
    appeal_id = make_appeal([case_id], title="Write to the OSCE")
    since = datetime(2000, 1, 1, tzinfo=UTC)
    with app.app_context():
        appeal = db.session.get(Appeal, appeal_id)
        for published in (True, False):
            services.record_response(
                appeal,
                services.ResponseData(
                    received_on=TODAY, kind=ResponseKind.REFUSED, published=published
                ),
                None,
                today=TODAY,
            )
        db.session.commit()
        found = [u for u in updates_since(case_id, since) if u.key.startswith("appeal")]
        assert [u.key.split(":")[0] for u in found] == ["appeal", "appeal-response"]
        assert "Write to the OSCE" in found[0].describe()
        assert "Refused" in found[1].describe()


def test_an_appeal_is_in_the_language_given_or_else_the_sites_default(
    app: Flask, make_case
) -> None:
    """A new appeal not told its language is in the site's default (as a new case is); an edit
    not told keeps it; any language Babel knows is taken, a code it does not is refused."""
    case_id = make_case().id
    with app.app_context():
        case = db.session.get(Case, case_id)
        untold = services.create_appeal(_data([case]), None, today=TODAY)
        russian = services.create_appeal(_data([case], original_language=" ru "), None, today=TODAY)
        db.session.commit()
        assert (untold.original_language, russian.original_language) == ("en", "ru")

        services.update_appeal(russian, _data([case], title="Освободите"), None, today=TODAY)
        assert russian.original_language == "ru"
        services.update_appeal(russian, _data([case], original_language="ar"), None, today=TODAY)
        assert russian.original_language == "ar"  # not one of the site's, but a language
        db.session.commit()
        for wrong in ("", "xx-nonsense", "ru'--"):
            with pytest.raises(services.UnknownLanguage) as raised:
                services.update_appeal(
                    russian, _data([case], title="Lost", original_language=wrong), None, today=TODAY
                )
            assert raised.value.field == "original_language"
            db.session.rollback()
        assert (russian.title, russian.original_language) == ("Release him", "ar")
        with pytest.raises(services.UnknownLanguage):
            services.create_appeal(_data([case], original_language="zz"), None, today=TODAY)
        db.session.rollback()
        assert count_rows(Appeal) == 2


def test_a_response_is_in_its_appeals_language_unless_told_otherwise(
    app: Flask, make_case, make_appeal
) -> None:
    appeal_id = make_appeal([make_case().id], original_language="kk")
    with app.app_context():
        appeal = db.session.get(Appeal, appeal_id)

        def respond(language: str | None) -> AppealResponse:
            return services.record_response(
                appeal,
                services.ResponseData(
                    received_on=TODAY,
                    kind=ResponseKind.REFUSED,
                    text="Отказано.",
                    source_title="The ministry's letter",
                    original_language=language,
                ),
                None,
                today=TODAY,
            )

        assert respond(None).original_language == "kk"
        assert respond("ru").original_language == "ru"
        with pytest.raises(services.UnknownLanguage):
            respond("no such language")
        db.session.rollback()
        # Refused before anything was written: no source without its response.
        assert count_rows(AppealResponse) == count_rows(Source) == 0
