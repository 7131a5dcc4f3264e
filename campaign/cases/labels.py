"""How a case is named where staff choose among cases: two cases of one person told apart."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Protocol

import sqlalchemy as sa

from campaign.extensions import db
from campaign.models import Case


class Named(Protocol):
    """What a case's label is made of: a case, or a row of its labelling columns."""

    @property
    def id(self) -> int: ...
    @property
    def slug(self) -> str: ...
    @property
    def person_name(self) -> str: ...
    @property
    def arrest_date(self) -> date | None: ...


def _name_key(case: Named) -> str:
    return " ".join(case.person_name.split()).casefold()


def _tail(case: Named) -> str:
    """What tells this case from others of the same person: the arrest year, else the slug."""
    return str(case.arrest_date.year) if case.arrest_date is not None else case.slug


def case_labels(cases: Iterable[Named]) -> dict[int, str]:
    """Each case's label among *cases*: the name, plus "(2010)" or "(slug)" when names repeat.

    When two cases of one person share the arrest year too, the slug (unique) tells them apart.
    """
    listed = list(cases)
    names = Counter(_name_key(c) for c in listed)
    tails = Counter((_name_key(c), _tail(c)) for c in listed)
    labels: dict[int, str] = {}
    for case in listed:
        key = _name_key(case)
        if names[key] < 2:
            labels[case.id] = case.person_name
            continue
        tail = _tail(case)
        if tails[(key, tail)] > 1:
            tail = case.slug
        labels[case.id] = f"{case.person_name} ({tail})"
    return labels


def case_choice_label(case: Case, all_cases: Iterable[Case]) -> str:
    """The label of one *case* among *all_cases* (see :func:`case_labels`)."""
    return case_labels([case, *(c for c in all_cases if c.id != case.id)])[case.id]


def choosable_cases(
    keep: Iterable[int] = (), leave_out: int | None = None
) -> list[tuple[int, str]]:
    """Open (not archived) cases, and those in *keep* even if archived since, as (id, label)
    pairs for a form's list of cases, by name; *leave_out* is the case being edited.

    Only the columns a label is made of are read: the picket, event, appeal and case forms
    list every case, and reading 200 whole cases was a tenth of such a form's CPU.
    """
    query = sa.select(Case.id, Case.slug, Case.person_name, Case.arrest_date).where(
        sa.or_(Case.archived_at.is_(None), Case.id.in_(list(keep) or [0]))
    )
    if leave_out is not None:
        query = query.where(Case.id != leave_out)
    rows = db.session.execute(query.order_by(Case.person_name, Case.arrest_date, Case.id)).all()
    labels = case_labels(rows)
    return [(row.id, labels[row.id]) for row in rows]
