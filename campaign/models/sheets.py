"""Spreadsheets in: the uploaded sheet between its preview and its confirmation, and the column
mapping remembered for each kind of sheet and set of headings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from campaign.database import NEVER_REUSE_IDS, utcnow
from campaign.extensions import db


class SheetMapping(db.Model):  # type: ignore[name-defined]
    """The last mapping of columns to fields chosen for one kind of sheet with one set of
    headings, offered again when a sheet with the same headings comes in. Not audited."""

    __tablename__ = "sheet_mappings"
    __table_args__ = (
        sa.UniqueConstraint("kind", "header_key", name="uq_sheet_mappings_kind_header_key"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # "events" or "cases"
    # A hash of the sheet's headings as compared (lower case, without blanks around them).
    header_key: Mapped[str] = mapped_column(sa.String(64))
    # The field of each column, by the column's position ("" for a column left out).
    fields: Mapped[list[Any]] = mapped_column(sa.JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SheetUpload(db.Model):  # type: ignore[name-defined]
    """A sheet read from an upload, kept on the server (not in the session cookie) between the
    upload and the confirmation, for its uploader only, until it expires or is imported.

    The random token is never stored, only its SHA-256 (like the other link tokens). Not
    audited: it is a draft, and what it creates is audited when it is confirmed.
    """

    __tablename__ = "sheet_uploads"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    filename: Mapped[str] = mapped_column(sa.String(200))
    # How the file was read: "utf-8", "utf-8-sig", "cp1251" or "xlsx".
    encoding: Mapped[str] = mapped_column(sa.String(16))
    # The sheet as text: the headings, then one list of cells per row (empty rows left out),
    # with each row's line number in the file.
    header: Mapped[list[Any]] = mapped_column(sa.JSON)
    rows: Mapped[list[Any]] = mapped_column(sa.JSON)
    # The chosen field of each column, once mapped; the case events go to when no column says.
    fields: Mapped[list[Any] | None] = mapped_column(sa.JSON)
    default_case_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("cases.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
