"""The public site: the list of published cases and each case's page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, render_template
from flask_login import current_user
from sqlalchemy.orm import selectinload

from campaign.extensions import db
from campaign.models import Case

bp = Blueprint("public", __name__)


def get_visible_case(slug: str) -> Case:
    """Load a case by slug, or 404 if it does not exist or the visitor may not see it.

    The public sees published, unarchived cases only; signed-in staff see every case. An
    unpublished case gives the same 404 as an unknown slug, so its existence is not revealed.
    """
    case = db.session.scalar(
        sa.select(Case).where(Case.slug == slug).options(selectinload(Case.related_cases))
    )
    if case is None:
        abort(404)
    if not current_user.is_authenticated and (not case.published or case.archived_at is not None):
        abort(404)
    return case


@bp.get("/")
def index() -> str:
    """Published cases, people currently in custody first."""
    cases = db.session.scalars(
        sa.select(Case)
        .where(Case.published.is_(True), Case.archived_at.is_(None))
        .order_by(Case.person_name)
    ).all()
    cases = sorted(cases, key=lambda c: (not c.status.in_custody, c.person_name))
    return render_template("public/index.html", cases=cases)


@bp.get("/cases/<slug>")
def case(slug: str) -> str:
    """A case page: who the person is, where they stand, and the cases linked to theirs."""
    case = get_visible_case(slug)
    related = [c for c in case.related_cases if c.published or current_user.is_authenticated]
    return render_template("public/case.html", case=case, related=related)
