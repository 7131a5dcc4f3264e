"""Delivery packs: the published messages of a case, printed and taken to the person."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from campaign.extensions import db
from campaign.models import Case, DeliveryMethod, DeliveryPack, Message, MessageState, User


def _ready_clause() -> sa.ColumnElement[bool]:
    """Published messages that are neither delivered nor waiting in a pack."""
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


def build_pack(case: Case, user: User | None) -> DeliveryPack | None:
    """Put every ready message of the case into a new pack; None when nothing is ready."""
    messages = ready_messages(case.id)
    if not messages:
        return None
    pack = DeliveryPack(case=case, created_by=user)
    db.session.add(pack)
    for message in messages:
        message.delivery_pack = pack
    return pack


def pack_messages(pack: DeliveryPack) -> list[Message]:
    """The messages printed in a pack: those still published (a withdrawn one drops out)."""
    return sorted(
        (m for m in pack.messages if m.state == MessageState.PUBLISHED),
        key=lambda m: (m.created_at, m.id),
    )


def mark_delivered(pack: DeliveryPack, method: DeliveryMethod, on: date, note: str | None) -> int:
    """Record how and when a pack reached the person; returns how many messages it delivered."""
    pack.method = method
    pack.delivered_on = on
    pack.note = note or None
    delivered = pack_messages(pack)
    for message in delivered:
        message.delivered_on = on
    return len(delivered)


def release_from_open_pack(message: Message) -> None:
    """Take a message out of a pack that has not been delivered yet (it was unpublished)."""
    if message.delivery_pack is not None and message.delivery_pack.delivered_on is None:
        message.delivery_pack = None
