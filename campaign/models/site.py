"""The public-data version: one row that every change the public could see moves on commit."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from campaign.database import utcnow
from campaign.extensions import db

# The one row of the table.
VERSION_ROW = 1


class PublicVersion(db.Model):  # type: ignore[name-defined]
    """How many times public data changed, and when it last did: the key of the page cache.

    Kept in the database, so every worker and every host reads the same number.
    """

    __tablename__ = "public_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=1)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The version at the last change to public data other than a message (and when that was):
    # the key of the pages that show no message, which approving one leaves as they were.
    records_version: Mapped[int] = mapped_column(sa.BigInteger, default=1)
    records_changed_at: Mapped[datetime] = mapped_column(default=utcnow)


# A database made from the models (tests, `db.create_all()`) starts with the row, as the
# migration does; the version still works without it (see campaign.public.version).
sa.event.listen(
    PublicVersion.__table__,
    "after_create",
    sa.DDL(
        "INSERT INTO public_versions "  # noqa: S608  # nosec B608  # a constant
        "(id, version, changed_at, records_version, records_changed_at) "
        f"VALUES ({VERSION_ROW}, 1, CURRENT_TIMESTAMP, 1, CURRENT_TIMESTAMP)"
    ),
)
