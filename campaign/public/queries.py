"""The reads behind the public list of cases: the home page and the public API list the same
cases, filtered and ordered the same way, from these functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from campaign.cases.queries import public_cases_clause
from campaign.events.queries import publicly_shown
from campaign.extensions import db
from campaign.models import Case, CaseStatus, Event, event_cases
from campaign.search import queries as search_queries
from campaign.util.countries import country_name, is_country_code

SEARCH_MAX = 100
# Cases on one page of the home page: its cost does not grow with the number of cases.
INDEX_PAGE_SIZE = 20
HELD = tuple(s for s in CaseStatus if s.in_custody)


@dataclass(frozen=True)
class CaseFilters:
    """What a visitor narrowed the list to; empty values mean "any"."""

    country: str = ""
    status: CaseStatus | None = None
    query: str = ""

    @property
    def filtered(self) -> bool:
        return bool(self.country or self.status or self.query)


def read_filters(country: str | None, status: str | None, query: str | None) -> CaseFilters:
    """The filters from the query string's text: anything unknown is "any", as on the home page."""
    code = (country or "").strip().upper()
    return CaseFilters(
        country=code if is_country_code(code) else "",
        status=CaseStatus(status) if status in set(CaseStatus) else None,
        query=(query or "").strip()[:SEARCH_MAX],
    )


def visible_cases() -> sa.Select[Any]:
    """Every case the public may see."""
    return sa.select(Case).where(*public_cases_clause())


def published_cases(
    filters: CaseFilters, page: int, page_size: int = INDEX_PAGE_SIZE
) -> tuple[list[Case], bool]:
    """One page of the published cases matching *filters*, people in custody first, then by
    name; and whether another page follows."""
    stmt = visible_cases()
    if filters.country:
        stmt = stmt.where(Case.country == filters.country)
    if filters.status is not None:
        stmt = stmt.where(Case.status == filters.status)
    if filters.query:
        # The search index, as on /search: any word order, either script, names and places.
        found_ids = search_queries.matching_case_ids(filters.query, staff=False) or set()
        stmt = stmt.where(Case.id.in_(found_ids))
    in_custody_first = sa.case((Case.status.in_(HELD), 0), else_=1)
    found = list(
        db.session.scalars(
            stmt.order_by(in_custody_first, sa.func.lower(Case.person_name), Case.id)
            .limit(page_size + 1)
            .offset((page - 1) * page_size)
            # The charges are shown in the reader's language where translated: one query for
            # the page's translations, not one per case.
            .options(selectinload(Case.translations))
        )
    )
    return found[:page_size], len(found) > page_size


def public_countries() -> list[str]:
    """The countries of the published cases, by their names (the home page's country filter)."""
    codes = db.session.scalars(visible_cases().with_only_columns(Case.country).distinct())
    return sorted({c for c in codes if c}, key=country_name)


def latest_events(case_ids: list[int], on_or_before: date) -> dict[int, Event]:
    """The latest public event (by the date it happened) of each case, in two queries.

    A correlated subquery per case reads that case's events newest first and stops at the
    first, instead of numbering every event of every case on the page (a long case has
    thousands).
    """
    if not case_ids:
        return {}
    latest = (
        sa.select(Event.id)
        .join(event_cases, event_cases.c.event_id == Event.id)
        .where(
            event_cases.c.case_id == Case.id,
            publicly_shown(),
            Event.date <= on_or_before,
        )
        .order_by(Event.date.desc(), Event.id.desc())
        .limit(1)
        .correlate(Case)
        .scalar_subquery()
    )
    pairs = db.session.execute(sa.select(Case.id, latest).where(Case.id.in_(case_ids))).all()
    wanted = {event_id: case_id for case_id, event_id in pairs if event_id is not None}
    if not wanted:
        return {}
    events = db.session.scalars(sa.select(Event).where(Event.id.in_(wanted))).all()
    return {wanted[event.id]: event for event in events}
