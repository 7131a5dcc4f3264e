"""The domain actions on appeals: write, open and close them, record responses, count letters.

Each function takes plain values and the acting user, adds and flushes, never commits, and
raises a named error that a view shows next to the field concerned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from campaign.content.services import UnknownLanguage as UnknownContentLanguage
from campaign.content.services import original_language_code
from campaign.database import PRIVATE_WRITE
from campaign.extensions import db
from campaign.models import (
    Appeal,
    AppealLetter,
    AppealResponse,
    AppealState,
    AppealTarget,
    AuthorityRole,
    Case,
    LetterReport,
    ResponseKind,
    Source,
    User,
)


class AppealError(Exception):
    """A change to an appeal that cannot be made; ``field`` names the form field it concerns."""

    field = ""


class DeadlineInPast(AppealError):
    """A new appeal's deadline has already passed."""

    field = "deadline"


class NoCases(AppealError):
    """An appeal must concern at least one case."""

    field = "cases"


class NoTargets(AppealError):
    """An appeal must name at least one authority to write to."""

    field = "targets"


class UnknownState(AppealError):
    """A state that appeals do not have."""

    field = "state"


class ResponseBeforeAppeal(AppealError):
    """A response dated before the appeal began."""

    field = "received_on"


class ResponseInFuture(AppealError):
    """A response dated after today."""

    field = "received_on"


class DraftHasNoResponses(AppealError):
    """Responses are recorded once the appeal has been sent (opened)."""

    field = "received_on"


class UnknownTarget(AppealError):
    """A response names an authority that is not one of its appeal's."""

    field = "target"


class UnknownLanguage(AppealError):
    """The language a text is said to be in is neither one of the site's nor one Babel knows
    (campaign.content.services.original_language_code); ``language`` is the code given."""

    field = "original_language"

    def __init__(self, language: str) -> None:
        super().__init__(language)
        self.language = language


@dataclass(frozen=True)
class TargetData:
    """One authority as typed in the form."""

    name: str
    role: AuthorityRole = AuthorityRole.OTHER
    postal_address: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class LetterData:
    """The sample letter in one language."""

    language: str
    text: str


@dataclass(frozen=True)
class AppealData:
    """Everything an organiser writes about an appeal."""

    title: str
    asked: str
    deadline: date
    cases: Sequence[Case]
    targets: Sequence[TargetData]
    letters: Sequence[LetterData] = ()
    follow_up_on: date | None = None
    outcome: str | None = None
    # The language code of the title, what is asked and the outcome. None: not said (a new
    # appeal is in the site's default language, as a new case is; an edit keeps its language).
    original_language: str | None = None


@dataclass(frozen=True)
class ResponseData:
    """An authority's response as recorded by an organiser."""

    received_on: date
    kind: ResponseKind
    text: str | None = None
    target_id: int | None = None
    source_title: str | None = None
    source_url: str | None = None
    published: bool = False
    # The language code of the text. None: not said, taken to be the appeal's.
    original_language: str | None = None


@dataclass
class Transition:
    """What a state change did."""

    changed: bool
    state: AppealState
    notes: list[str] = field(default_factory=list)


def _language(code: str | None) -> str | None:
    """*code* checked as a text's original language (None stays None: not said)."""
    if code is None:
        return None
    try:
        return original_language_code(code)
    except UnknownContentLanguage:
        raise UnknownLanguage(code.strip()) from None


def _check(data: AppealData) -> None:
    if not data.cases:
        raise NoCases
    if not any(t.name.strip() for t in data.targets):
        raise NoTargets
    _language(data.original_language)


def _fill(appeal: Appeal, data: AppealData) -> None:
    """Write the form's values onto the appeal, keeping the rows that did not change."""
    appeal.title = data.title.strip()
    appeal.asked = data.asked.strip()
    appeal.deadline = data.deadline
    appeal.follow_up_on = data.follow_up_on
    appeal.outcome = (data.outcome or "").strip() or None
    language = _language(data.original_language)
    if language is not None:
        appeal.original_language = language
    appeal.cases = list(dict.fromkeys(data.cases))
    targets = [t for t in data.targets if t.name.strip()]
    kept = list(appeal.targets)
    for position, target in enumerate(targets):
        row = kept[position] if position < len(kept) else AppealTarget(appeal=appeal)
        row.position = position
        row.name = target.name.strip()
        row.role = target.role
        row.postal_address = (target.postal_address or "").strip() or None
        row.email = (target.email or "").strip() or None
        if position >= len(kept):
            appeal.targets.append(row)
    for extra in kept[len(targets) :]:
        appeal.targets.remove(extra)
    letters = {}
    for letter in data.letters:
        code = letter.language.strip().lower()
        if code and letter.text.strip() and code not in letters:
            letters[code] = letter.text.strip()
    existing = {row.language: row for row in appeal.letters}
    for position, (code, text) in enumerate(letters.items()):
        letter_row = existing.pop(code, None)
        if letter_row is None:
            letter_row = AppealLetter(language=code)
            appeal.letters.append(letter_row)
        letter_row.position = position
        letter_row.text = text
    for gone in existing.values():
        appeal.letters.remove(gone)


def create_appeal(data: AppealData, actor: User | None, *, today: date) -> Appeal:
    """A new appeal, as a draft: nothing of it is public until it is opened."""
    if data.deadline < today:
        raise DeadlineInPast
    _check(data)
    appeal = Appeal(state=AppealState.DRAFT, created_by=actor)
    db.session.add(appeal)
    _fill(appeal, data)
    db.session.flush()
    return appeal


def update_appeal(appeal: Appeal, data: AppealData, actor: User | None, *, today: date) -> None:
    """Change an appeal's text, cases, authorities and dates.

    A deadline moved into the past is refused too (an appeal already past its deadline may keep
    it: it is the record of what was asked).
    """
    if data.deadline < today and data.deadline != appeal.deadline:
        raise DeadlineInPast
    _check(data)
    _fill(appeal, data)
    db.session.flush()


def parse_state(value: str) -> AppealState:
    """The state named *value*, or :class:`UnknownState`."""
    try:
        return AppealState(value)
    except ValueError:
        raise UnknownState(value) from None


def set_state(appeal: Appeal, value: str, actor: User | None, *, today: date) -> Transition:
    """Open, mark answered, close or return an appeal to draft.

    Opening dates it (the day it joins the case's timeline) unless it was opened before;
    closing records the day. An appeal taken back to draft leaves every public page, its
    responses with it.
    """
    state = parse_state(value)
    if state == appeal.state:
        return Transition(False, state)
    if state == AppealState.OPEN and appeal.opened_on is None:
        appeal.opened_on = today
    if state == AppealState.CLOSED:
        appeal.closed_on = today
    elif appeal.closed_on is not None:
        appeal.closed_on = None
    appeal.state = state
    db.session.flush()
    return Transition(True, state)


def record_response(
    appeal: Appeal, data: ResponseData, actor: User | None, *, today: date
) -> AppealResponse:
    """Record an authority's response to an opened appeal."""
    if appeal.state == AppealState.DRAFT:
        raise DraftHasNoResponses
    if data.received_on < appeal.starts_on:
        raise ResponseBeforeAppeal
    if data.received_on > today:
        raise ResponseInFuture
    language = _language(data.original_language)
    target = None
    if data.target_id is not None:
        target = next((t for t in appeal.targets if t.id == data.target_id), None)
        if target is None:
            raise UnknownTarget
    source = None
    if (data.source_title or "").strip() or (data.source_url or "").strip():
        source = Source(
            title=(data.source_title or "").strip() or (data.source_url or "").strip(),
            url=(data.source_url or "").strip() or None,
        )
        db.session.add(source)
    response = AppealResponse(
        appeal=appeal,
        target=target,
        received_on=data.received_on,
        kind=data.kind,
        text=(data.text or "").strip() or None,
        original_language=language if language is not None else appeal.original_language,
        source=source,
        published=data.published,
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(response)
    db.session.flush()
    return response


def set_response_published(response: AppealResponse, published: bool) -> bool:
    """Show a response on the public pages, or take it off them; returns whether it changed."""
    if response.published == published:
        return False
    response.published = published
    db.session.flush()
    return True


def report_letter(appeal: Appeal, *, client_hash: str, today: date) -> bool:
    """Count a supporter's "I sent a letter" once per client and day; returns whether it counted.

    Only an open appeal counts letters. Nothing about the supporter is kept but the day's keyed
    hash of the client, erased when client hashes expire (:func:`purge_report_hashes`).
    """
    if appeal.state != AppealState.OPEN:
        return False
    purge_report_hashes()
    seen = db.session.scalar(
        sa.select(LetterReport.id).where(
            LetterReport.appeal_id == appeal.id,
            LetterReport.reported_on == today,
            LetterReport.client_hash == client_hash,
        )
    )
    if seen is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(
                LetterReport(appeal_id=appeal.id, reported_on=today, client_hash=client_hash)
            )
    except sa.exc.IntegrityError:  # the same client's double click, raced
        return False
    return True


def purge_report_hashes(now: datetime | None = None) -> int:
    """Erase the client hashes of letter reports past ``CLIENT_HASH_RETENTION_HOURS``; the
    reports stay, as a count. Returns how many were erased."""
    now = now or datetime.now(UTC)
    retention = timedelta(hours=float(current_app.config["CLIENT_HASH_RETENTION_HOURS"]))
    # A report of day D carries a hash made with D's key, which is kept until D ends + retention.
    cutoff = (now - retention - timedelta(days=1)).date()
    result = db.session.execute(
        sa.update(LetterReport)
        .where(LetterReport.client_hash.is_not(None), LetterReport.reported_on < cutoff)
        .values(client_hash=None)
        .execution_options(**PRIVATE_WRITE)
    )
    return int(getattr(result, "rowcount", 0) or 0)
