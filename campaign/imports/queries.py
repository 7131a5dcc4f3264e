"""The reads behind the import pages: a remembered mapping, cases by what a sheet calls them,
the events and cases a row may already be."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence

import sqlalchemy as sa

from campaign.extensions import db
from campaign.models import Case, Event, SheetMapping, event_cases


def header_key(header: Sequence[str]) -> str:
    """What identifies a set of headings: the same headings give the same key."""
    folded = [" ".join(h.split()).casefold() for h in header]
    return hashlib.sha256(json.dumps(folded, ensure_ascii=False).encode()).hexdigest()


def remembered_fields(kind: str, header: Sequence[str]) -> list[str] | None:
    """The mapping last chosen for this kind of sheet with these headings, if any."""
    stmt = sa.select(SheetMapping.fields).where(
        SheetMapping.kind == kind, SheetMapping.header_key == header_key(header)
    )
    found = db.session.scalar(stmt)
    if found is None or len(found) != len(header):
        return None
    return [str(f or "") for f in found]


def case_choices() -> list[tuple[int, str]]:
    """The open cases, by name, for the "events of which case" choice."""
    stmt = (
        sa.select(Case.id, Case.person_name)
        .where(Case.archived_at.is_(None))
        .order_by(Case.person_name, Case.id)
    )
    return [(row.id, row.person_name) for row in db.session.execute(stmt)]


class CaseFinder:
    """Cases by what a sheet calls them: a web address, a name, a number ("12" or "#12")."""

    def __init__(self) -> None:
        self._by_slug: dict[str, int] = {}
        self._by_name: dict[str, list[int]] = {}
        self._ids: set[int] = set()
        for case_id, slug, name in db.session.execute(
            sa.select(Case.id, Case.slug, Case.person_name)
        ):
            self._ids.add(case_id)
            self._by_slug[slug.casefold()] = case_id
            self._by_name.setdefault(" ".join(name.split()).casefold(), []).append(case_id)

    def find(self, text: str) -> int | None:
        """The case's id, or None when no case (or more than one by that name) fits."""
        wanted = " ".join(text.split()).casefold()
        if wanted in self._by_slug:
            return self._by_slug[wanted]
        named = self._by_name.get(wanted, [])
        if len(named) == 1:
            return named[0]
        number = wanted.removeprefix("#")
        if number.isdigit() and int(number) in self._ids:
            return int(number)
        return None


def event_by_external_id(external_id: str) -> Event | None:
    """The event a sheet's own id names."""
    stmt = sa.select(Event).where(Event.external_id == external_id).order_by(Event.id)
    return db.session.scalars(stmt).first()


def event_on(case_ids: Sequence[int], day: dt.date, title: str) -> Event | None:
    """An event of one of these cases on this date with this title (compared without case)."""
    stmt = (
        sa.select(Event)
        .join(event_cases, event_cases.c.event_id == Event.id)
        .where(
            event_cases.c.case_id.in_(list(case_ids) or [0]),
            Event.date == day,
            sa.func.lower(Event.title) == title.strip().lower(),
        )
        .order_by(Event.id)
    )
    return db.session.scalars(stmt).first()


def case_by_external_id(external_id: str) -> Case | None:
    """The case a sheet's own id names."""
    stmt = sa.select(Case).where(Case.external_id == external_id).order_by(Case.id)
    return db.session.scalars(stmt).first()


def case_by_slug(slug: str) -> Case | None:
    """The case with this web address."""
    return db.session.scalars(sa.select(Case).where(Case.slug == slug.strip())).first()


def cases_named(name: str) -> list[Case]:
    """The cases of people with this name (compared without case)."""
    stmt = sa.select(Case).where(sa.func.lower(Case.person_name) == name.strip().lower())
    return list(db.session.scalars(stmt.order_by(Case.id)))
