"""Numbers in addresses and query strings: only what a database id or a page can be.

A number larger than the database's integers ("/manage/events/99999999999999999999",
"?page=9223372036854775807") would reach the query and fail there with a 500; here it is no
match (a 404) for a path, and ignored for a query parameter.
"""

from __future__ import annotations

from typing import Any

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
    """Make ``<int:...>`` take database ids only (before any route is registered), and build
    absolute links from ``PUBLIC_BASE_URL``."""
    app.url_map.converters["int"] = RecordIdConverter
    base = app.config["PUBLIC_BASE_URL"]
    if base:
        build = app.url_for

        def url_for(endpoint: str, /, *, _external: bool | None = None, **values: Any) -> str:
            """``url_for``, with every absolute address on the configured site: a forged Host
            header must never put another site into a withdraw link or a feed."""
            if not _external:
                return build(endpoint, _external=_external, **values)
            values.pop("_scheme", None)
            return str(base) + build(endpoint, _external=False, **values)

        app.url_for = url_for  # type: ignore[method-assign,assignment]
