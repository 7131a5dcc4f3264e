"""Reading cases: the lookups every page of a case starts from, the staff lists and tiles."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import selectinload

from campaign.cases import counters
from campaign.cases.labels import choosable_cases
from campaign.extensions import db
from campaign.models import Case, CaseStatus, Event, EventType, event_cases
from campaign.util.dates import today_utc

# Built once: every page of a case starts with it, and building it cost a third of running it.
_CASE_WITH_RELATED = (
    sa.select(Case)
    .where(Case.slug == sa.bindparam("slug"))
    .options(selectinload(Case.related_cases))
)


def visible_case_or_404(slug: str, *, staff: bool) -> Case:
    """Load a case by slug, or 404 if it does not exist or the visitor may not see it.

    The public sees published, unarchived cases only; *staff* see every case. An unpublished case
    gives the same 404 as an unknown slug, so its existence is not revealed.
    """
    case = db.session.scalar(_CASE_WITH_RELATED, {"slug": slug})
    if case is None:
        abort(404)
    if not staff and not is_public(case):
        abort(404)
    return case


def public_case_or_404(slug: str) -> Case:
    """Load a published, unarchived case for a feed or export (the same for staff), or 404."""
    case = public_case(slug)
    if case is None:
        abort(404)
    return case


def public_case(slug: str | None) -> Case | None:
    """The published, unarchived case with this slug, if there is one."""
    if not slug:
        return None
    return db.session.scalar(sa.select(Case).where(Case.slug == slug, *public_cases_clause()))


def is_public(case: Case) -> bool:
    """Whether the public may see *case*: published and not archived."""
    return case.published and case.archived_at is None


def public_cases_clause() -> tuple[sa.ColumnElement[bool], ...]:
    """SQL conditions for "the public may see this case"."""
    return (Case.published.is_(True), Case.archived_at.is_(None))


SORTS: dict[str, tuple[Any, ...]] = {
    "name": (Case.person_name,),
    "status": (Case.status, Case.person_name),
    "country": (Case.country, Case.person_name),
    "arrest": (Case.arrest_date.desc(), Case.person_name),
    "updated": (Case.updated_at.desc(),),
}
HELD = tuple(s for s in CaseStatus if s.in_custody)
# Cases a page of the staff list.
PAGE_SIZE = 50


def case_list(
    *,
    status: CaseStatus | None = None,
    country: str | None = None,
    shown: str = "open",
    sort: str = "name",
    page: int = 1,
) -> Pagination:
    """One page of the staff list of cases (:data:`PAGE_SIZE` a page): of one status or
    country; open, archived or all; sorted. A page costs the same however many cases there
    are: the list of 200 on one page cost 23 ms of CPU to render."""
    query = sa.select(Case)
    if status is not None:
        query = query.where(Case.status == status)
    if country:
        query = query.where(Case.country == country)
    if shown == "archived":
        query = query.where(Case.archived_at.is_not(None))
    elif shown != "all":
        query = query.where(Case.archived_at.is_(None))
    return db.paginate(
        query.order_by(*SORTS.get(sort, SORTS["name"]), Case.id),
        page=page,
        per_page=PAGE_SIZE,
        error_out=False,
    )


def used_countries() -> set[str]:
    """The countries some case is in."""
    return {c for c in db.session.scalars(sa.select(Case.country).distinct()) if c}


def related_choices(case: Case | None) -> list[tuple[int, str]]:
    """Other cases that may be linked (open ones, plus those already linked), for a form."""
    linked = [c.id for c in case.related_cases] if case else []
    return choosable_cases(linked, leave_out=case.id if case else None)


def cases_in_custody(limit: int = 20) -> list[tuple[Case, int | None]]:
    """Open cases whose person is held, longest held first, with their day in detention."""
    cases = db.session.scalars(
        sa.select(Case)
        .where(Case.status.in_(HELD), Case.archived_at.is_(None))
        .order_by(Case.arrest_date.is_(None), Case.arrest_date, Case.person_name)
        .limit(limit)
    )
    today = today_utc()
    return [(case, counters.days_in_detention(case, today)) for case in cases]


def cases_on_hunger_strike(case_ids: list[int]) -> set[int]:
    """Which of these cases are on hunger strike today, in one query, by the rule of the case
    page (campaign.cases.counters.hunger_strike_day): no count for a person not in custody,
    and a strike whose end was never logged stops at a later release."""
    if not case_ids:
        return set()
    kinds = (EventType.HUNGER_STRIKE_START, EventType.HUNGER_STRIKE_END, EventType.RELEASE)
    rows = db.session.execute(
        sa.select(Case, Event)
        .join(event_cases, event_cases.c.case_id == Case.id)
        .join(Event, Event.id == event_cases.c.event_id)
        .where(Case.id.in_(case_ids), Case.status.in_(HELD), Event.type.in_(kinds))
    ).all()
    by_case: dict[int, tuple[Case, list[Event]]] = {}
    for case, event in rows:
        by_case.setdefault(case.id, (case, []))[1].append(event)
    today = today_utc()
    return {
        case_id
        for case_id, (case, events) in by_case.items()
        if counters.hunger_strike_day(events, today, case) is not None
    }


def case_on_hunger_strike(case: Case) -> bool:
    """Whether the case's record shows a hunger strike in progress today."""
    return bool(cases_on_hunger_strike([case.id]))
