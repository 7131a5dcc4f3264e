"""Stable identifiers for rows that have no slug: the key a whole-campaign export names them by.

Ids differ between databases (a row imported elsewhere gets the next free id there); a key is
made once, when the row is, and travels with it through export and import (campaign.archive).
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import MappedColumn, mapped_column

KEY_LENGTH = 36


def new_key() -> str:
    """A new random identifier (a UUID in its usual text form)."""
    return str(uuid.uuid4())


def key_column() -> MappedColumn[str]:
    """The ``key`` column of a model: unique, filled when the row is made."""
    return mapped_column(sa.String(KEY_LENGTH), unique=True, default=new_key)
