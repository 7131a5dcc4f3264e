"""Numbers in addresses and query strings: only what a database id or a page can be.

A number larger than the database's integers ("/manage/events/99999999999999999999",
"?page=9223372036854775807") would reach the query and fail there with a 500; here it is no
match (a 404) for a path, and ignored for a query parameter.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

# The largest id the database holds on every backend (PostgreSQL's INTEGER).
MAX_ID = 2**31 - 1
# More pages than any list has; a larger number is a typing error or a probe.
MAX_PAGE = 100_000


class RecordIdConverter(IntegerConverter):
    """``<int:...>`` in every route: a whole number from 1 to :data:`MAX_ID`."""

    def __init__(self, map: object, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)  # type: ignore[arg-type]


def record_id(value: str) -> int:
    """A query parameter that names a record: ``request.args.get("case", type=record_id)``
    gives None for anything but a whole number from 1 to :data:`MAX_ID`."""
    number = int(value)
    if not 1 <= number <= MAX_ID:
        raise ValueError(value)
    return number


def page_number(value: str) -> int:
    """A page in a list: ``request.args.get("page", 1, type=page_number)`` gives the default
    for anything but a whole number from 1 to :data:`MAX_PAGE`."""
    number = int(value)
    if not 1 <= number <= MAX_PAGE:
        raise ValueError(value)
    return number


def init_app(app: Flask) -> None:
    """Make ``<int:...>`` take database ids only (before any route is registered)."""
    app.url_map.converters["int"] = RecordIdConverter
