"""The organisers' daily e-mail of the appeals that are due: ``flask appeals remind`` (cron).

One e-mail per active organiser and admin, listing :func:`campaign.appeals.queries.due_appeals`
with links to the staff pages (built from PUBLIC_BASE_URL); nothing when nothing is due, and
never twice on one day for the same account: the outbox row's kind names the account
(``appeals-due/<user id>``, an id and no address, so it survives the outbox's erasing of sent
e-mails), and an account that already has one queued today is skipped.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, format_date, ngettext
from flask_babel import gettext as _

from campaign.appeals.labels import reason_label
from campaign.appeals.queries import DueAppeal, due_appeals
from campaign.extensions import db
from campaign.models import OutboxMail, Role, User
from campaign.outbox.services import enqueue
from campaign.subscriptions.links import public_url

KIND_PREFIX = "appeals-due/"


def enabled() -> bool:
    """Whether the site sends the daily reminder at all (APPEAL_REMINDERS, off by default)."""
    return bool(current_app.config["APPEAL_REMINDERS"])


def recipients() -> list[User]:
    """The accounts that get the reminder: every active organiser and admin."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.active.is_(True), User.role.in_((Role.ORGANISER, Role.ADMIN)))
            .order_by(User.id)
        )
    )


def locale_of(user: User) -> str:
    """The account's language if accounts have one the site offers, else the site's default."""
    chosen = getattr(user, "language", None)
    if chosen and chosen in current_app.config["LANGUAGES"]:
        return str(chosen)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def _kind(user: User) -> str:
    return f"{KIND_PREFIX}{user.id}"


def reminded_today(user: User, today: date) -> bool:
    """Whether this account's reminder for *today* (UTC) is already in the outbox."""
    start = datetime.combine(today, time(), tzinfo=UTC)
    found = db.session.scalar(
        sa.select(OutboxMail.id)
        .where(
            OutboxMail.kind == _kind(user),
            OutboxMail.created_at >= start,
            OutboxMail.created_at < start + timedelta(days=1),
        )
        .limit(1)
    )
    return found is not None


def _entry(item: DueAppeal) -> str:
    appeal = item.appeal
    reasons = ", ".join(reason_label(reason) for reason in item.reasons)
    names = ", ".join(case.person_name for case in appeal.cases)
    lines = [
        f"- {appeal.title}",
        "  " + _("%(reasons)s, since %(day)s", reasons=reasons, day=format_date(item.due_on)),
        "  " + _("Deadline: %(day)s", day=format_date(appeal.deadline)),
    ]
    if names:
        lines.append("  " + _("For: %(names)s", names=names))
    lines.append("  " + public_url("appeals.detail", appeal_id=appeal.id))
    return "\n".join(lines)


def _text(due: list[DueAppeal]) -> str:
    intro = ngettext(
        "%(num)d appeal needs a look today:",
        "%(num)d appeals need a look today:",
        len(due),
    )
    outro = _(
        "Record a response, set a later follow-up date or close the appeal, and it leaves "
        "this list."
    )
    entries = "\n\n".join(_entry(item) for item in due)
    listing = public_url("appeals.index")
    return f"{intro}\n\n{entries}\n\n{outro}\n{listing}\n"


def queue_reminders(today: date) -> int:
    """Queue today's reminder for every recipient who has none yet; how many were queued.
    Adds and flushes in the caller's transaction (the command commits)."""
    due = due_appeals(today)
    if not due:
        return 0
    queued = 0
    for user in recipients():
        if reminded_today(user, today):
            continue
        with force_locale(locale_of(user)):
            subject = ngettext("%(num)d appeal is due", "%(num)d appeals are due", len(due))
            text = _text(due)
        enqueue(kind=_kind(user), recipient=user.email, subject=subject, text=text)
        queued += 1
    return queued
