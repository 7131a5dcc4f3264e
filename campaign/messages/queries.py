"""Reading messages of support: what the public may see of them, and the moderation queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import selectinload

from campaign.cases.queries import is_public
from campaign.extensions import db
from campaign.messages import delivery
from campaign.models import Case, CaseReach, DeliveryPack, Message, MessageState

QUEUE_PAGE_SIZE = 100


# Built once: every post of the support form runs it, and building it cost a third of running it.
_CASE_BY_SLUG = sa.select(Case).where(Case.slug == sa.bindparam("slug"))


def supported_case_or_404(slug: str, *, staff: bool) -> Case:
    """The case a message of support is written to, by slug, or 404: the visibility of
    campaign.cases.queries.visible_case_or_404 (the public: published and unarchived only), in
    one statement, without the related cases the support form never shows."""
    case = db.session.scalar(_CASE_BY_SLUG, {"slug": slug})
    if case is None or (not staff and not is_public(case)):
        abort(404)
    return case


def message_publicly_shown() -> sa.ColumnElement[bool]:
    """SQL for "the public may read this message": approved, and its sender allowed publication.

    A message approved without that consent is private: it is printed and delivered to the person
    (see campaign.messages.delivery) but never shown on a page, feed or export of the site.
    """
    return sa.and_(Message.state == MessageState.PUBLISHED, Message.consent_to_publish.is_(True))


@dataclass(frozen=True)
class SupportSummary:
    """The numbers the case page shows about a case's messages."""

    published: int  # approved with the sender's consent: on the site
    delivered: int


def support_summary(case: Case, published: int | None = None) -> SupportSummary:
    """Messages on the site and messages delivered for a case, in one statement.

    The delivered count includes private messages (approved for delivery only): it is a number,
    not their content, and it tells the public that words reached the person. A caller that
    already holds the published count (the case page: the case's reach, kept in step on commit
    by campaign.timeline.reach, counts the same messages) passes it as *published*, and only the
    delivered messages are counted.
    """
    if published is not None:
        delivered = db.session.scalar(_DELIVERED, {"case_id": case.id})
        return SupportSummary(published=published, delivered=int(delivered or 0))
    row = db.session.execute(_SUPPORT_COUNTS, {"case_id": case.id}).one()
    return SupportSummary(published=int(row[0] or 0), delivered=int(row[1] or 0))


# Two counts an index answers each (ix_messages_case_public_country, ix_messages_case_delivered),
# not one pass over every message of the case; built once, as a case page runs them on every render.
_DELIVERED = sa.select(sa.func.count(Message.id)).where(
    Message.case_id == sa.bindparam("case_id"), Message.delivered_on.is_not(None)
)
_SUPPORT_COUNTS = sa.select(
    sa.select(sa.func.count(Message.id))
    .where(Message.case_id == sa.bindparam("case_id"), message_publicly_shown())
    .scalar_subquery(),
    _DELIVERED.scalar_subquery(),
)


def published_messages(
    case_id: int, *, limit: int, offset: int = 0, language: str | None = None
) -> list[Message]:
    """Messages the public may read, newest first (only those written in *language*, if given)."""
    params: dict[str, object] = {"case_id": case_id, "limit": limit, "offset": offset}
    if language:
        params["language"] = language
    return list(db.session.scalars(_published_statement(bool(language)), params))


@cache
def _published_statement(in_language: bool) -> sa.Select[Message]:
    """:func:`published_messages`'s statement, built once (every case page runs it)."""
    stmt = sa.select(Message).where(
        Message.case_id == sa.bindparam("case_id"), message_publicly_shown()
    )
    if in_language:
        stmt = stmt.where(Message.language == sa.bindparam("language"))
    return (
        stmt.order_by(Message.created_at.desc(), Message.id.desc())
        .limit(sa.bindparam("limit", type_=sa.Integer))
        .offset(sa.bindparam("offset", type_=sa.Integer))
    )


def published_languages(case_id: int) -> list[tuple[str, int]]:
    """The languages the public messages of a case are written in, with how many of each,
    most first (messages whose sender named no language are left out)."""
    count = sa.func.count(Message.id)
    rows = db.session.execute(
        sa.select(Message.language, count)
        .where(Message.case_id == case_id, message_publicly_shown(), Message.language.is_not(None))
        .group_by(Message.language)
        .order_by(count.desc(), Message.language)
    ).all()
    return [(str(language), int(n)) for language, n in rows]


def latest_messages(case: Case, limit: int = 3) -> list[Message]:
    """The newest published messages of a case, for its page."""
    return published_messages(case.id, limit=limit)


def messages_by_day(case_id: int) -> list[tuple[date, int]]:
    """The timeline's daily summary: (day, published messages received that day), newest first."""
    days: dict[date, int] = {}
    for created in db.session.scalars(
        sa.select(Message.created_at).where(Message.case_id == case_id, message_publicly_shown())
    ):
        day = created.astimezone(UTC).date()
        days[day] = days.get(day, 0) + 1
    return sorted(days.items(), reverse=True)


@dataclass(frozen=True)
class Waiting:
    """Messages awaiting review for one case, for the staff home page."""

    case: Case
    count: int


def moderation_waiting() -> list[Waiting]:
    """Pending messages by case, most waiting first (one query)."""
    rows = db.session.execute(
        sa.select(Case, sa.func.count(Message.id))
        .join(Message, Message.case_id == Case.id)
        .where(Message.state == MessageState.PENDING)
        .group_by(Case.id)
        .order_by(sa.func.count(Message.id).desc(), Case.person_name)
    ).all()
    return [Waiting(case, int(count)) for case, count in rows]


@dataclass(frozen=True)
class CaseMessages:
    """What the staff case page says of a case's messages of support."""

    waiting: int  # for review
    approved: int  # on the site, or private: delivery only
    delivered: int
    packed: int  # in packs built, not delivered yet


def case_messages(case_id: int) -> CaseMessages:
    """The numbers of a case's messages for its staff page: one statement of four counts,
    each read from an index alone (a case of 20,000 messages costs about a millisecond; one
    count with conditions on other columns read every row, 8.5 ms)."""

    def counted(*where: sa.ColumnElement[bool]) -> sa.ScalarSelect[int]:
        return (
            sa.select(sa.func.count())
            .select_from(Message)
            .where(Message.case_id == case_id, *where)
            .scalar_subquery()
        )

    published = Message.state == MessageState.PUBLISHED
    # The messages on the site are counted already, kept in step on commit (the case's reach,
    # campaign.timeline.reach): only the private ones, a few, are counted here.
    shown = sa.select(CaseReach.messages).where(CaseReach.case_id == case_id).scalar_subquery()
    approved = sa.func.coalesce(
        shown, counted(published, Message.consent_to_publish.is_(True))
    ) + counted(published, Message.consent_to_publish.is_(False))
    row = db.session.execute(
        sa.select(
            counted(Message.state == MessageState.PENDING),
            approved,
            counted(Message.delivered_on.is_not(None)),
            # By the packs alone: with the case's id as well, SQLite walks the case's messages.
            sa.select(sa.func.count())
            .select_from(Message)
            .where(
                Message.delivery_pack_id.in_(
                    sa.select(DeliveryPack.id).where(
                        DeliveryPack.case_id == case_id, DeliveryPack.delivered_on.is_(None)
                    )
                )
            )
            .scalar_subquery(),
        )
    ).one()
    return CaseMessages(*(int(value or 0) for value in row))


def pending_count() -> int:
    """How many messages of support wait for review, across all cases (one query)."""
    return int(
        db.session.scalar(
            sa.select(sa.func.count(Message.id)).where(Message.state == MessageState.PENDING)
        )
        or 0
    )


@dataclass(frozen=True)
class QueueFilter:
    """What the moderation queue shows: a case, a language ("none": unknown), a country, a
    state ("all" for every state)."""

    state: str = MessageState.PENDING.value
    case_id: int | None = None
    language: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue: its messages, where the next page starts (None on the last),
    how many messages match the filters and how many of them come before this page, and how
    many messages each sender's connection sent."""

    messages: list[Message]
    next_after: str | None
    total: int
    before: int
    same_sender: dict[str, int]


def _matching(chosen: QueueFilter) -> list[sa.ColumnElement[bool]]:
    """The filters' conditions."""
    where: list[sa.ColumnElement[bool]] = []
    if chosen.case_id is not None:
        where.append(Message.case_id == chosen.case_id)
    if chosen.language == "none":
        where.append(Message.language.is_(None))
    elif chosen.language:
        where.append(Message.language == chosen.language)
    if chosen.country:
        where.append(Message.country == chosen.country)
    if chosen.state != "all":
        where.append(Message.state == MessageState(chosen.state))
    return where


# A key of the queue's order: a column or an SQL expression, and whether it ascends.
_OrderKey = tuple[Any, bool]
_PENDING_FIRST = sa.case((Message.state == MessageState.PENDING, 0), else_=1)


def _queue_order(chosen: QueueFilter) -> list[_OrderKey]:
    """The queue's order, each key with whether it ascends.

    Waiting messages come oldest first: the longest wait is read first, and a message that
    arrives while an organiser works goes to the end instead of pushing what they were about
    to read onto the next page. Decided ones come newest first (the latest decisions). Every
    state together: the waiting first, then the rest, newest first.
    """
    if chosen.state == MessageState.PENDING.value:
        return [(Message.created_at, True), (Message.id, True)]
    keys: list[_OrderKey] = [
        (Message.created_at, False),
        (Message.id, False),
    ]
    if chosen.state == "all":
        keys.insert(0, (_PENDING_FIRST, True))
    return keys


def queue_cursor(message: Message) -> str:
    """Where the page after *message* starts: the message's place in every order of the queue
    (its group, waiting or not, when shown; its time; its id)."""
    rank = 0 if message.state == MessageState.PENDING else 1
    return f"{rank}.{message.created_at.strftime('%Y%m%d%H%M%S%f')}.{message.id}"


def _read_cursor(text: str | None) -> tuple[int, datetime, int] | None:
    """A cursor from the address, or None when there is none or it is not one of ours."""
    parts = (text or "").split(".")
    if len(parts) != 3 or parts[0] not in {"0", "1"} or not parts[2].isdigit():
        return None
    try:
        when = datetime.strptime(parts[1], "%Y%m%d%H%M%S%f").replace(tzinfo=UTC)
    except ValueError:
        return None
    message_id = int(parts[2])
    if message_id > 2**63 - 1:
        return None
    return int(parts[0]), when, message_id


def _after(keys: list[_OrderKey], values: list[object]) -> sa.ColumnElement[bool]:
    """The rows that come after *values* in the order *keys* (keyset paging)."""
    alternatives = []
    for index, (key, ascending) in enumerate(keys):
        equal = [k == v for (k, _asc), v in zip(keys[:index], values[:index], strict=True)]
        beyond = key > values[index] if ascending else key < values[index]
        alternatives.append(sa.and_(*equal, beyond))
    return sa.or_(*alternatives)


def _count(where: list[sa.ColumnElement[bool]]) -> int:
    return int(db.session.scalar(sa.select(sa.func.count(Message.id)).where(*where)) or 0)


def queue_page(chosen: QueueFilter, after: str | None = None) -> QueuePage:
    """A page of the queue, starting after the cursor *after* (see :func:`queue_cursor`),
    with the counts and the context for judging spam.

    The next page starts after the last message shown, not at a number of messages: deciding
    messages, or new ones arriving, moves nothing past or back onto a page already read.
    """
    where = _matching(chosen)
    keys = _queue_order(chosen)
    cursor = _read_cursor(after)
    page_where = list(where)
    if cursor is not None:
        rank, when, message_id = cursor
        values: list[object] = [when, message_id]
        if chosen.state == "all":
            values.insert(0, rank)
        page_where.append(_after(keys, values))
    messages = list(
        db.session.scalars(
            sa.select(Message)
            .options(selectinload(Message.case))
            .where(*page_where)
            .order_by(*(key.asc() if ascending else key.desc() for key, ascending in keys))
            .limit(QUEUE_PAGE_SIZE + 1)
        )
    )
    more = len(messages) > QUEUE_PAGE_SIZE
    messages = messages[:QUEUE_PAGE_SIZE]
    total = _count(where)
    before = total - _count(page_where) if cursor is not None else 0
    next_after = queue_cursor(messages[-1]) if more else None
    return QueuePage(messages, next_after, total, max(before, 0), _same_sender(messages))


def _same_sender(messages: list[Message]) -> dict[str, int]:
    """How many messages each sender's connection sent (a keyed hash, rotating daily)."""
    hashes = {m.client_hash for m in messages if m.client_hash}
    if not hashes:
        return {}
    rows = db.session.execute(
        sa.select(Message.client_hash, sa.func.count(Message.id))
        .where(Message.client_hash.in_(hashes))
        .group_by(Message.client_hash)
    )
    return {str(client): int(count) for client, count in rows}


@dataclass(frozen=True)
class QueueChoices:
    """What the queue's filters offer: the cases, the languages and countries messages have."""

    cases: list[Case]
    languages: list[str]
    countries: list[str]


def queue_choices() -> QueueChoices:
    """The filter choices of the moderation queue (three small queries)."""
    cases = list(db.session.scalars(sa.select(Case).order_by(Case.person_name)))
    languages = db.session.scalars(
        sa.select(Message.language).where(Message.language.is_not(None)).distinct()
    )
    countries = db.session.scalars(
        sa.select(Message.country).where(Message.country.is_not(None)).distinct()
    )
    return QueueChoices(cases, sorted(map(str, languages)), sorted(map(str, countries)))


# Delivered packs listed a page at a time: a campaign's packs add up over the years.
DELIVERED_PACKS_PAGE = 50


@dataclass(frozen=True)
class PacksOverview:
    """The delivery packs: every one still to deliver, then one page of those delivered
    (newest first; ``has_older``: another page follows); the number of messages in each (by
    pack id); and the cases with messages ready for one."""

    ready: list[tuple[Case, int]]
    packs: list[DeliveryPack]
    sizes: dict[int, int]
    page: int = 1
    has_older: bool = False


def packs_overview(page: int = 1, per_page: int | None = None) -> PacksOverview:
    """The packs page's lists: each pack with its case and how many messages it holds
    (counted, not loaded), and how many messages each case has ready for a new pack (private
    ones too: they are delivered, not shown). *per_page*: DELIVERED_PACKS_PAGE."""
    per_page = per_page or DELIVERED_PACKS_PAGE
    ready = delivery.ready_counts()
    cases = db.session.scalars(sa.select(Case).where(Case.id.in_(ready)).order_by(Case.person_name))
    packs_of = sa.select(DeliveryPack).options(selectinload(DeliveryPack.case))
    to_deliver = db.session.scalars(
        packs_of.where(DeliveryPack.delivered_on.is_(None)).order_by(
            DeliveryPack.created_at.desc(), DeliveryPack.id.desc()
        )
    ).all()
    delivered = db.session.scalars(
        packs_of.where(DeliveryPack.delivered_on.is_not(None))
        .order_by(DeliveryPack.created_at.desc(), DeliveryPack.id.desc())
        .limit(per_page + 1)
        .offset((page - 1) * per_page)
    ).all()
    packs = [*to_deliver, *delivered[:per_page]]
    sizes = delivery.pack_sizes([pack.id for pack in packs])
    return PacksOverview(
        [(case, ready[case.id]) for case in cases],
        packs,
        sizes,
        page=page,
        has_older=len(delivered) > per_page,
    )
