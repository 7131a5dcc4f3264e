"""How a case is named where staff choose among cases: two cases of one person told apart."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from campaign.models import Case


def _name_key(case: Case) -> str:
    return " ".join(case.person_name.split()).casefold()


def _tail(case: Case) -> str:
    """What tells this case from others of the same person: the arrest year, else the slug."""
    return str(case.arrest_date.year) if case.arrest_date is not None else case.slug


def case_labels(cases: Iterable[Case]) -> dict[int, str]:
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
