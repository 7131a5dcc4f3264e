"""Reading appeals: what the public may see, what is due, the timeline's items, letter counts and
the letter-writing evening's list.

"No reply by the deadline" is derived here, when it is read, from the deadline and the responses
recorded: nobody has to click anything for it, and nothing can forget to write it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Literal

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import selectinload

from campaign.cases.labels import choosable_cases
from campaign.extensions import db
from campaign.models import (
    Appeal,
    AppealResponse,
    AppealState,
    AppealTarget,
    Case,
    CaseStatus,
    LetterReport,
    Message,
    MessageState,
    ResponseKind,
    appeal_cases,
)

# Where appeals stand among a day's items on the timeline (campaign.timeline.build): with the
# events (rank 1), after the day's dated events (whose precision order is 0), the opening before
# the responses. The event rank's precision orders 1 and 2 are only used by undated events,
# which have a rank of their own, so no two items ever share a key.
_RANK_EVENT = 1
_ORDER_OPENED = 1
_ORDER_RESPONSE = 2
# How far back "received fewest messages lately" looks on the letter-writing evening page.
LATELY_DAYS = 90
HELD = tuple(s for s in CaseStatus if s.in_custody)


class Reason(enum.StrEnum):
    """Why an appeal is on the staff home's list of what is due."""

    FOLLOW_UP = "follow_up"
    DEADLINE = "deadline"
    NO_REPLY = "no_reply"


@dataclass
class AppealItem:
    """An appeal on a case's timeline, on the day it was opened (a draft: for staff only)."""

    appeal: Appeal
    letters: int = 0
    kind: Literal["appeal"] = "appeal"

    @property
    def day(self) -> date:
        return self.appeal.starts_on

    @property
    def key(self) -> tuple[date, int, int, int]:
        return (self.day, _RANK_EVENT, _ORDER_OPENED, self.appeal.id)


@dataclass
class ResponseItem:
    """An authority's response on a case's timeline, on the day it arrived."""

    response: AppealResponse
    kind: Literal["appeal_response"] = "appeal_response"

    @property
    def day(self) -> date:
        return self.response.received_on

    @property
    def key(self) -> tuple[date, int, int, int]:
        return (self.day, _RANK_EVENT, _ORDER_RESPONSE, self.response.id)


@dataclass(frozen=True)
class TargetStanding:
    """Where one authority stands: its responses and whether its silence is past the deadline."""

    target: AppealTarget
    responses: list[AppealResponse]
    no_reply: bool

    @property
    def latest(self) -> AppealResponse | None:
        return self.responses[-1] if self.responses else None


@dataclass
class DueAppeal:
    """An appeal whose follow-up or deadline has come, and why."""

    appeal: Appeal
    due_on: date
    reasons: list[Reason] = field(default_factory=list)


def public_appeal_clause() -> sa.ColumnElement[bool]:
    """SQL for "the public may see this appeal": anything but a draft."""
    return Appeal.state != AppealState.DRAFT


def response_shown(response: AppealResponse, *, staff: bool) -> bool:
    """Whether a response may be shown: to staff always, to the public once published and its
    appeal is not a draft."""
    return staff or (response.published and response.appeal.is_public)


def past_deadline_without_reply(appeal: Appeal, today: date) -> bool:
    """An appeal sent, past its deadline, with no response at all: "no reply by the deadline"."""
    return (
        appeal.state in (AppealState.OPEN, AppealState.ANSWERED, AppealState.CLOSED)
        and appeal.deadline < today
        and not any(r.kind != ResponseKind.NO_REPLY for r in appeal.responses)
    )


def standings(appeal: Appeal, today: date, *, staff: bool) -> list[TargetStanding]:
    """Each authority of an appeal with its responses (those the viewer may see), and whether it
    has let the deadline pass without a word.

    A response that names no authority answers for the appeal's only authority; with several,
    it answers for none of them in particular.
    """
    single = len(appeal.targets) == 1
    sent = appeal.state != AppealState.DRAFT
    result = []
    for target in appeal.targets:
        mine = [
            r
            for r in appeal.responses
            if r.target_id == target.id or (single and r.target_id is None)
        ]
        answered = any(r.kind != ResponseKind.NO_REPLY for r in mine)
        no_reply = sent and appeal.deadline < today and not answered
        shown = [r for r in mine if response_shown(r, staff=staff)]
        result.append(TargetStanding(target, shown, no_reply))
    return result


def get_appeal(appeal_id: int) -> Appeal | None:
    """An appeal with everything its pages show."""
    return db.session.scalar(
        sa.select(Appeal)
        .where(Appeal.id == appeal_id)
        .options(
            selectinload(Appeal.cases),
            selectinload(Appeal.targets),
            selectinload(Appeal.letters),
            selectinload(Appeal.responses).selectinload(AppealResponse.source),
        )
    )


def appeal_of_case_or_404(case: Case, appeal_id: int, *, staff: bool) -> Appeal:
    """The appeal *appeal_id* of *case*, or 404: unknown, of another case, or a draft the
    visitor may not see (a draft gives the same 404 as an unknown appeal)."""
    appeal = get_appeal(appeal_id)
    if appeal is None or case not in appeal.cases:
        abort(404)
    if not staff and not appeal.is_public:
        abort(404)
    return appeal


def letters_reported(appeal_ids: Iterable[int]) -> dict[int, int]:
    """How many letters supporters reported sending, per appeal (one GROUP BY)."""
    ids = list(appeal_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(LetterReport.appeal_id, sa.func.count(LetterReport.id))
        .where(LetterReport.appeal_id.in_(ids))
        .group_by(LetterReport.appeal_id)
    ).all()
    counts = dict.fromkeys(ids, 0)
    counts.update({int(a): int(n) for a, n in rows})
    return counts


@dataclass(frozen=True)
class CaseAppeals:
    """A case's appeals as its page shows them: the open ones to write for, the others, and
    the letters supporters reported sending for all of them."""

    open: list[Appeal]
    others: list[Appeal]
    letters: dict[int, int]

    @property
    def total_letters(self) -> int:
        return sum(self.letters.values())

    @property
    def any(self) -> bool:
        return bool(self.open or self.others)


# The statements every case page runs, built once per kind of viewer: building one cost about a
# third of running it.
def _appeals_of_case(drafts: bool) -> sa.Select[Appeal]:
    """The appeals of the case bound as ``case_id`` (*drafts*: the unpublished ones too)."""
    stmt = (
        sa.select(Appeal)
        .join(appeal_cases, appeal_cases.c.appeal_id == Appeal.id)
        .where(appeal_cases.c.case_id == sa.bindparam("case_id"))
    )
    return stmt if drafts else stmt.where(public_appeal_clause())


@cache
def _case_appeals_statement(staff: bool) -> sa.Select[Appeal]:
    """:func:`case_appeals`'s statement (*staff*: drafts too)."""
    return _appeals_of_case(staff).order_by(Appeal.deadline, Appeal.id)


@cache
def _timeline_statement(include_internal: bool) -> sa.Select[Appeal]:
    """:func:`timeline_items`'s statement (*include_internal*: drafts too)."""
    return _appeals_of_case(include_internal).options(
        selectinload(Appeal.targets),
        selectinload(Appeal.responses).selectinload(AppealResponse.source),
    )


def case_appeals(case: Case, *, staff: bool = False) -> CaseAppeals:
    """The appeals of a case the viewer may see, open ones first by deadline."""
    appeals = list(db.session.scalars(_case_appeals_statement(staff), {"case_id": case.id}))
    open_ = [a for a in appeals if a.state == AppealState.OPEN]
    others = [a for a in appeals if a.state != AppealState.OPEN]
    others.sort(key=lambda a: (a.state != AppealState.DRAFT, -(a.starts_on.toordinal())))
    return CaseAppeals(open_, others, letters_reported(a.id for a in appeals))


def timeline_items(
    case_id: int, *, include_internal: bool, after: tuple[date, int, int, int] | None
) -> list[AppealItem | ResponseItem]:
    """A case's appeals (when opened) and their responses (when they arrived) for its timeline,
    after the cursor, in key order. The public sees no draft and no unpublished response."""
    stmt = _timeline_statement(include_internal)
    appeals = list(db.session.scalars(stmt, {"case_id": case_id}))
    counts = letters_reported(a.id for a in appeals)
    items: list[AppealItem | ResponseItem] = []
    for appeal in appeals:
        items.append(AppealItem(appeal, counts.get(appeal.id, 0)))
        items.extend(
            ResponseItem(r) for r in appeal.responses if response_shown(r, staff=include_internal)
        )
    items = [i for i in items if after is None or i.key > after]
    items.sort(key=lambda i: i.key)
    return items


def due_appeals(today: date) -> list[DueAppeal]:
    """Appeals whose follow-up date or deadline is today or past, earliest first.

    The staff home lists them, and a daily e-mail to organisers can send the same list: an
    open appeal past its deadline stays here until someone answers, closes it or sets a later
    follow-up date; one past its deadline with no response at all says "no reply".
    """
    stmt = (
        sa.select(Appeal)
        .where(
            Appeal.state.in_((AppealState.OPEN, AppealState.ANSWERED)),
            sa.or_(
                Appeal.follow_up_on <= today,
                sa.and_(Appeal.state == AppealState.OPEN, Appeal.deadline <= today),
            ),
        )
        .options(selectinload(Appeal.cases), selectinload(Appeal.responses))
        .order_by(Appeal.deadline, Appeal.id)
    )
    due: list[DueAppeal] = []
    for appeal in db.session.scalars(stmt):
        reasons: list[Reason] = []
        days: list[date] = []
        if appeal.follow_up_on is not None and appeal.follow_up_on <= today:
            reasons.append(Reason.FOLLOW_UP)
            days.append(appeal.follow_up_on)
        if appeal.state == AppealState.OPEN and appeal.deadline <= today:
            days.append(appeal.deadline)
            if past_deadline_without_reply(appeal, today):
                reasons.append(Reason.NO_REPLY)
            else:
                reasons.append(Reason.DEADLINE)
        due.append(DueAppeal(appeal, min(days), reasons))
    due.sort(key=lambda d: (d.due_on, d.appeal.id))
    return due


def staff_list(state: AppealState | None = None) -> list[Appeal]:
    """Every appeal for the staff list, of one state if given: drafts and open ones first."""
    order = sa.case(
        (Appeal.state == AppealState.DRAFT, 0),
        (Appeal.state == AppealState.OPEN, 1),
        (Appeal.state == AppealState.ANSWERED, 2),
        else_=3,
    )
    stmt = sa.select(Appeal).options(selectinload(Appeal.cases), selectinload(Appeal.responses))
    if state is not None:
        stmt = stmt.where(Appeal.state == state)
    return list(db.session.scalars(stmt.order_by(order, Appeal.deadline, Appeal.id)))


def case_choices(keep: Iterable[int] = ()) -> list[tuple[int, str]]:
    """Open cases an appeal may concern, for the form, and the cases in *keep* (those it
    already concerns) even if archived since."""
    return choosable_cases(keep)


@dataclass(frozen=True)
class LetterCard:
    """One person on the letter-writing evening's list."""

    case: Case
    messages_lately: int


def letter_evening(today: date, *, days: int = LATELY_DAYS) -> list[LetterCard]:
    """The people who can receive letters now: in custody, on a published case, with a letters
    address the organisers published; those who received fewest messages lately first.

    "Received" counts the messages organisers approved (private ones too: only the number is
    used, as in the case page's "delivered") that arrived in the last *days* days.
    """
    since = datetime(today.year, today.month, today.day, tzinfo=UTC) - timedelta(days=days)
    received = (
        sa.select(Message.case_id, sa.func.count(Message.id).label("n"))
        .where(Message.state == MessageState.PUBLISHED, Message.created_at >= since)
        .group_by(Message.case_id)
        .subquery()
    )
    count = sa.func.coalesce(received.c.n, 0)
    rows = db.session.execute(
        sa.select(Case, count)
        .outerjoin(received, received.c.case_id == Case.id)
        .where(
            Case.published.is_(True),
            Case.archived_at.is_(None),
            Case.status.in_(HELD),
            Case.detention_address_public.is_(True),
            Case.detention_address.is_not(None),
            sa.func.length(sa.func.trim(Case.detention_address)) > 0,
        )
        .order_by(count, sa.func.lower(Case.person_name), Case.id)
    ).all()
    return [LetterCard(case, int(n)) for case, n in rows]


def sample_letter_languages(appeal: Appeal) -> list[str]:
    """The languages the sample letter is written in, in the organisers' order."""
    return [letter.language for letter in appeal.letters]
