"""Delivery packs: the published messages of a case, printed and taken to the person."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from campaign.extensions import db
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


def ready_messages(case_id: int) -> list[Message]:
    """The messages a new pack for the case would hold, oldest first (the order they came in)."""
    return list(
        db.session.scalars(
            sa.select(Message)
            .where(Message.case_id == case_id, _ready_clause())
            .order_by(Message.created_at, Message.id)
        )
    )


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
    return sorted(
        (m for m in pack.messages if m.state == MessageState.PUBLISHED),
        key=lambda m: (m.created_at, m.id),
    )


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


def mark_delivered(pack: DeliveryPack, method: DeliveryMethod, on: date, note: str | None) -> int:
    """Record (or correct) how and when a pack reached the person; returns how many it delivered.

    A correction re-dates the messages delivered with the pack, including any withdrawn since.
    """
    # Load the messages first: loading them later would autoflush the pack's changes, and the
    # audit entry, read from the unflushed changes, would come out empty.
    messages = list(pack.messages)
    pack.method = method
    pack.delivered_on = on
    pack.note = note or None
    delivered = [
        m for m in messages if m.state == MessageState.PUBLISHED or m.delivered_on is not None
    ]
    for message in delivered:
        message.delivered_on = on
    return sum(1 for m in messages if m.state == MessageState.PUBLISHED)


def mark_not_delivered(pack: DeliveryPack) -> int:
    """Undo a delivery recorded by mistake: the pack is open again; returns how many it holds.

    Messages unpublished or withdrawn since the delivery leave the pack, as they would have left
    an open one.
    """
    messages = list(pack.messages)  # before the changes: see mark_delivered
    pack.method = None
    pack.delivered_on = None
    for message in messages:
        message.delivered_on = None
        if message.state != MessageState.PUBLISHED:
            message.delivery_pack = None
    return sum(1 for m in messages if m.state == MessageState.PUBLISHED)


def release_from_open_pack(message: Message) -> None:
    """Take a message out of a pack that has not been delivered yet (it was unpublished)."""
    if message.delivery_pack is not None and message.delivery_pack.delivered_on is None:
        message.delivery_pack = None
