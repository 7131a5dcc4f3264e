"""Delivery packs: the published messages of a case, printed and taken to the person."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from campaign.database import KEEPS_REACH
from campaign.extensions import db
from campaign.history import recorder
from campaign.models import DeliveryMethod, DeliveryPack, Message, MessageState


def _ready_clause() -> sa.ColumnElement[bool]:
    """Approved messages that are neither delivered nor waiting in a pack.

    Private ones (no consent to publish) are included: they are for the person, not the site.
    """
    return sa.and_(
        Message.state == MessageState.PUBLISHED,
        Message.delivered_on.is_(None),
        Message.delivery_pack_id.is_(None),
    )


def ready_ids(case_id: int, limit: int) -> list[int]:
    """The ids of the messages a new pack for the case would hold: the *limit* oldest (the
    order they came in)."""
    return list(
        db.session.scalars(
            sa.select(Message.id)
            .where(Message.case_id == case_id, _ready_clause())
            .order_by(Message.created_at, Message.id)
            .limit(limit)
        )
    )


def ready_counts_of(case_id: int) -> int:
    """How many messages of the case are ready for a new pack."""
    count = db.session.scalar(
        sa.select(sa.func.count(Message.id)).where(Message.case_id == case_id, _ready_clause())
    )
    return int(count or 0)


def ready_counts() -> dict[int, int]:
    """How many messages are ready for a new pack, by case id."""
    rows = db.session.execute(
        sa.select(Message.case_id, sa.func.count(Message.id))
        .where(_ready_clause())
        .group_by(Message.case_id)
    )
    return {case_id: int(count) for case_id, count in rows}


def pack_messages(pack: DeliveryPack) -> list[Message]:
    """The messages printed in a pack: those still published (a withdrawn one drops out)."""
    return list(
        db.session.scalars(
            sa.select(Message)
            .where(Message.delivery_pack_id == pack.id, Message.state == MessageState.PUBLISHED)
            .order_by(Message.created_at, Message.id)
        )
    )


def pack_sizes(pack_ids: list[int]) -> dict[int, int]:
    """How many messages each pack holds (delivered ones withdrawn since included), by id."""
    rows = db.session.execute(
        sa.select(Message.delivery_pack_id, sa.func.count(Message.id))
        .where(Message.delivery_pack_id.in_(pack_ids or [0]))
        .group_by(Message.delivery_pack_id)
    )
    return {int(pack_id or 0): int(count) for pack_id, count in rows}


def _published_in(pack: DeliveryPack) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count(Message.id)).where(
                Message.delivery_pack_id == pack.id, Message.state == MessageState.PUBLISHED
            )
        )
        or 0
    )


def _update_messages(pack: DeliveryPack, *where: sa.ColumnElement[bool], **values: object) -> None:
    """Change the pack's messages in one statement, not one per message: the pack's own
    history entry says what happened to them (a pack of a verdict day holds hundreds)."""
    _bulk_update(sa.update(Message).where(Message.delivery_pack_id == pack.id, *where), values)


def _bulk_update(statement: sa.Update, values: dict[str, object]) -> int:
    """Run an UPDATE of messages that changes no count of any case's reach, then forget what
    the session holds of the changed fields (it may hold the messages, loaded or new).
    Returns how many messages it changed."""
    result = db.session.execute(
        statement.values(**values).execution_options(synchronize_session=False, **KEEPS_REACH)
    )
    names = [*values, *(["delivery_pack"] if "delivery_pack_id" in values else [])]
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Message):
            db.session.expire(obj, names)
    return int(getattr(result, "rowcount", 0) or 0)


def latest_delivery_date(now: datetime | None = None) -> date:
    """The latest day a delivery may be dated: today somewhere on Earth (UTC+14), never later.

    Organisers record deliveries from where they are; a server in UTC must not refuse "today" for
    someone east of Greenwich, but no delivery can be dated in the future.
    """
    return ((now or datetime.now(UTC)) + timedelta(hours=14)).date()


def earliest_delivery_date(pack: DeliveryPack) -> date:
    """The earliest day a pack's delivery may be dated: a year before the pack was built.

    A pack may be recorded late, for messages delivered before it was put together in the tracker
    (the demo's pack of 2010), but not years before: such a date is a typing error.
    """
    created = (pack.created_at or datetime.now(UTC)).date()
    try:
        return created.replace(year=created.year - 1)
    except ValueError:  # 29 February
        return created.replace(year=created.year - 1, day=28)


def pack_ids(pack: DeliveryPack, ids: list[int]) -> int:
    """Put the messages *ids* into the (flushed) pack, a few hundred to a statement; returns
    how many it took. Only those still ready are taken: a second "Build a pack" sent at the
    same moment (a double click) takes none of what the first took."""
    taken = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        taken += _bulk_update(
            sa.update(Message).where(Message.id.in_(chunk), _ready_clause()),
            {"delivery_pack_id": pack.id},
        )
    return taken


def mark_delivered(pack: DeliveryPack, method: DeliveryMethod, on: date, note: str | None) -> int:
    """Record (or correct) how and when a pack reached the person; returns how many it delivered.

    A correction re-dates the messages delivered with the pack, including any withdrawn since.
    Delivered, a message's text as sent before a safety edit is no longer needed: erased.
    """
    first = pack.delivered_on is None
    # Counted before the changes: a query after them would flush them into an entry of their
    # own, and the count would come in a second one.
    delivered = _published_in(pack)
    pack.method = method
    pack.delivered_on = on
    pack.note = note or None
    if first:
        recorder.note(pack, messages_delivered=[None, delivered])
    db.session.flush()  # the pack's entry first, from its own changes
    _update_messages(
        pack,
        sa.or_(Message.state == MessageState.PUBLISHED, Message.delivered_on.is_not(None)),
        delivered_on=on,
        original_body=None,
    )
    return delivered


def mark_not_delivered(pack: DeliveryPack) -> int:
    """Undo a delivery recorded by mistake: the pack is open again; returns how many it holds.

    Messages unpublished or withdrawn since the delivery leave the pack, as they would have left
    an open one.
    """
    delivered = _published_in(pack)
    pack.method = None
    pack.delivered_on = None
    recorder.note(pack, messages_delivered=[delivered, None])
    db.session.flush()
    _update_messages(pack, delivered_on=None)
    _update_messages(pack, Message.state != MessageState.PUBLISHED, delivery_pack_id=None)
    return delivered


def release_from_open_pack(message: Message) -> None:
    """Take a message out of a pack that has not been delivered yet (it was unpublished)."""
    if message.delivery_pack is not None and message.delivery_pack.delivered_on is None:
        message.delivery_pack = None
