"""Reading cases: the lookups every page of a case starts from."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import selectinload

from campaign.extensions import db
from campaign.models import Case


def visible_case_or_404(slug: str, *, staff: bool) -> Case:
    """Load a case by slug, or 404 if it does not exist or the visitor may not see it.

    The public sees published, unarchived cases only; *staff* see every case. An unpublished case
    gives the same 404 as an unknown slug, so its existence is not revealed.
    """
    case = db.session.scalar(
        sa.select(Case).where(Case.slug == slug).options(selectinload(Case.related_cases))
    )
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
