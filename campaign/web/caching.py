"""Cache headers and the page cache of the public pages.

Anonymous public pages depend on nothing but the URL, the language the browser asks for, the
day (the day counters) and the public data: no session is written for anonymous visitors. So
their rendered bytes are kept (in each worker and, when ``PAGE_CACHE_REDIS_URL`` is set, in
Redis) under a key made of those and of the public-data version, which every change to public
data moves on commit (campaign.public.version). The same key gives the ETag, so a conditional
request is answered 304 from the version alone, without rendering anything.

Signed-in staff see internal items: their pages are never cached, here or anywhere else. A
page with a flash waiting, a form with a CSRF token, or anything that writes the session is
not kept either: only what is the same for everyone is.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache, wraps
from pathlib import Path
from typing import Any, Protocol, TypeVar

from flask import Flask, Response, current_app, g, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import escape
from werkzeug.wrappers import Response as BaseResponse

from campaign.util.dates import today_utc
from campaign.util.kept import Kept

logger = logging.getLogger(__name__)

# Anyone may store an anonymous page, but must ask again (cheaply: a 304) before showing it,
# so an organiser's change is seen on the next request. A proxy micro-cache is documented in
# the README; staff pages are never stored.
PUBLIC_CACHE = "public, no-cache"
STAFF_CACHE = "private, no-store"
_EXTENSION = "campaign.page_cache"
_KEPT_HEADERS = ("Content-Type", "Content-Disposition")
# Pages from this size on are kept gzip-compressed too, for the browsers (all) that take it;
# that variant's ETag ends in GZIP_TAG.
_GZIP_FROM = 1024
GZIP_TAG = "-gz"
# Stands where a visitor's own value goes in a page kept with blanks (page_with_blanks):
# random per process, so no text of the page can be mistaken for it.
_MARKER = secrets.token_hex(16)
# A change this recent cannot be told apart by a Last-Modified, which counts whole seconds.
_SAME_SECOND = timedelta(seconds=1)

F = TypeVar("F", bound=Callable[..., Any])
# Turns the values of one query parameter into its canonical text, or None to leave it out.
Normaliser = Callable[[list[str]], "str | None"]


class VersionLike(Protocol):
    """What the page cache needs of the public-data version."""

    @property
    def number(self) -> int: ...

    @property
    def changed_at(self) -> datetime: ...

    @property
    def records(self) -> int: ...

    @property
    def records_changed_at(self) -> datetime: ...


@dataclass(frozen=True)
class Entry:
    """A rendered page: status, the headers that describe the body, the body, and the body
    gzip-compressed (empty when that saves nothing), made once for every visitor."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    gzipped: bytes = b""

    @property
    def size(self) -> int:
        headers = sum(len(k) + len(v) for k, v in self.headers)
        return len(self.body) + len(self.gzipped) + headers + 64

    def dumps(self) -> bytes:
        """The entry as bytes for Redis: a JSON line of status, headers and the compressed
        body's length, then the body and the compressed body."""
        head = json.dumps({"s": self.status, "h": self.headers, "z": len(self.gzipped)})
        return head.encode() + b"\n" + self.body + self.gzipped

    @classmethod
    def loads(cls, raw: bytes) -> Entry | None:
        """Read :meth:`dumps`'s bytes back; None for anything else."""
        head, _, data = raw.partition(b"\n")
        try:
            meta = json.loads(head)
            headers = tuple((str(k), str(v)) for k, v in meta["h"])
            zipped = int(meta["z"])
            if not 0 <= zipped <= len(data):
                return None
            cut = len(data) - zipped
            return cls(int(meta["s"]), headers, data[:cut], data[cut:])
        except (ValueError, KeyError, TypeError):
            return None


class LocalStore(Kept[str, Entry]):
    """The pages one worker keeps: least recently used first out, capped in count and bytes; a
    page larger than a quarter of the byte cap is not kept (it would push out everything else).

    The pages of a version that moved on are never asked for again: they go as soon as the
    worker meets a newer version (:meth:`forget_older_than`), not when the caps push them out.
    On a verdict day an approval a second would otherwise fill the store with dead copies of
    the largest pages, a worker's resident memory with it.
    """

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        super().__init__(max_bytes=max_bytes, largest=max_bytes // 4, max_entries=max_entries)
        self.newest: tuple[int, int] = (0, 0)

    def put(self, key: str, entry: Entry) -> None:
        """Keep *entry* under *key* (made by :func:`versioned_key`)."""
        self.keep(key, entry, entry.size)

    def forget_older_than(self, version: VersionLike) -> None:
        """Drop the pages kept under an older version than *version* (once per new version)."""
        newest = (version.number, version.records)
        if newest <= self.newest:
            return
        self.newest = newest

        def dead(key: str) -> bool:
            try:
                scope, number = key.split(":", 3)[1:3]
                return int(number) < (version.records if scope == "r" else version.number)
            except ValueError:
                return False

        self.drop_where(dead)


def versioned_key(base: str, version: VersionLike, *, shows_messages: bool = True) -> str:
    """The store's key of a page: *base* (what it is), then the version it belongs to: the
    public-data version, or the records' own for a page that shows no message ("r")."""
    if shows_messages:
        return f"{base}:m:{version.number}:{version.changed_at}"
    return f"{base}:r:{version.records}:{version.records_changed_at}"


class RedisStore:
    """The pages all workers and hosts share. A Redis that goes away is skipped for a while,
    with one warning, and the workers carry on with their own stores: never an error page."""

    PREFIX = "campaign:page:"
    RETRY_AFTER = 30.0

    def __init__(self, url: str, ttl: int) -> None:
        import redis

        self.ttl = ttl
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)
        self._client = redis.Redis.from_url(
            url, socket_timeout=0.25, socket_connect_timeout=0.25, health_check_interval=30
        )
        self._down_until = 0.0

    def get(self, key: str) -> Entry | None:
        if self._resting():
            return None
        try:
            raw = self._client.get(self.PREFIX + key)
        except self._errors as error:
            self._went_away(error)
            return None
        self._came_back()
        return Entry.loads(raw) if isinstance(raw, bytes) else None

    def put(self, key: str, entry: Entry) -> None:
        if self._resting():
            return
        try:
            self._client.set(self.PREFIX + key, entry.dumps(), ex=self.ttl)
        except self._errors as error:
            self._went_away(error)
            return
        self._came_back()

    def _resting(self) -> bool:
        return self._down_until > time.monotonic()

    def _went_away(self, error: BaseException) -> None:
        if not self._down_until:
            logger.warning(
                "the page cache's Redis cannot be reached (%s): each worker caches on its own "
                "and tries Redis again every %d s",
                type(error).__name__,
                int(self.RETRY_AFTER),
            )
        self._down_until = time.monotonic() + self.RETRY_AFTER

    def _came_back(self) -> None:
        if self._down_until:
            logger.warning("the page cache's Redis answers again")
            self._down_until = 0.0


@dataclass
class PageCache:
    """The stores and the public-data version reader of one app."""

    read_version: Callable[[], VersionLike | None]
    code: str
    local: LocalStore
    shared: RedisStore | None

    def get(self, key: str) -> Entry | None:
        entry = self.local.get(key)
        if entry is None and self.shared is not None:
            entry = self.shared.get(key)
            if entry is not None:
                self.local.put(key, entry)
        return entry

    def put(self, key: str, entry: Entry) -> None:
        self.local.put(key, entry)
        if self.shared is not None:
            self.shared.put(key, entry)


def init_app(app: Flask, read_version: Callable[[], VersionLike | None]) -> None:
    """Give the app its page cache; *read_version* reads the public-data version (None: there
    is none to read, and pages are served uncached)."""
    config = app.config
    shared = None
    if config["PAGE_CACHE_REDIS_URL"]:
        shared = RedisStore(str(config["PAGE_CACHE_REDIS_URL"]), config["PAGE_CACHE_REDIS_TTL"])
    app.extensions[_EXTENSION] = PageCache(
        read_version=read_version,
        code=code_identity(app.root_path, str(app.template_folder or "")),
        local=LocalStore(config["PAGE_CACHE_MAX_ENTRIES"], config["PAGE_CACHE_MAX_BYTES"]),
        shared=shared,
    )


@cache
def code_identity(*folders: str) -> str:
    """A hash of the code and templates that render pages: a new release never serves the
    pages an older one left in Redis under the same data version."""
    digest = hashlib.sha256()
    for folder in folders:
        if not folder:
            continue
        root = Path(folder)
        for path in sorted(root.rglob("*")):
            if path.suffix in {".py", ".html", ".mo", ".txt"} and path.is_file():
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def is_staff() -> bool:
    """Whether a signed-in staff member is looking (they see internal items)."""
    return bool(current_user.is_authenticated)


def cache_headers(response: Response) -> Response:
    """Anonymous pages may be stored by anyone and revalidated; staff pages never (an
    after_request of the public blueprints). A response marked immutable keeps its own."""
    if response.cache_control.immutable:
        # A file at an address of its own (a portrait's): the same bytes for everyone, for good.
        return response
    if response.status_code < 500:
        response.headers["Cache-Control"] = STAFF_CACHE if is_staff() else PUBLIC_CACHE
        vary(response, "Accept-Language", "Cookie")
    return response


def vary(response: BaseResponse, *names: str) -> None:
    """Add *names* to the response's ``Vary`` header, reading and writing the header once
    (``response.vary.add`` parses and writes it again for each name)."""
    header = response.headers.get("Vary")
    if not header:
        response.headers["Vary"] = ", ".join(names)
        return
    present = {part.strip().lower() for part in header.split(",")}
    missing = [name for name in names if name.lower() not in present]
    if missing:
        response.headers["Vary"] = ", ".join((header, *missing))


def shared_page(**params: Normaliser) -> Callable[[F], F]:
    """Serve a public GET view from the page cache for anonymous visitors.

    *params* names the query parameters the view reads, each with the function that gives its
    canonical text: any other parameter (a tracking tag, a cache-buster) is left out of the key,
    as the view ignores it, so it cannot grow the cache.
    """
    return _shared(params, shows_messages=True)


def shared_record_page(**params: Normaliser) -> Callable[[F], F]:
    """:func:`shared_page` for a view that shows nothing of messages of support (a calendar, a
    feed of events): kept under the records' version, which approving a message does not move."""
    return _shared(params, shows_messages=False)


def _shared(params: dict[str, Normaliser], *, shows_messages: bool) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        @wraps(view)
        def serve(*args: Any, **kwargs: Any) -> Any:
            return cache_headers(_serve(view, params, args, kwargs, shows_messages))

        return serve  # type: ignore[return-value]

    return decorate


def _serve(
    view: Callable[..., Any],
    params: dict[str, Normaliser],
    args: Any,
    kwargs: dict[str, Any],
    shows_messages: bool = True,
) -> Response:
    """The page from the cache, a 304, or the view's answer (kept when it may be)."""
    pages: PageCache | None = current_app.extensions.get(_EXTENSION)
    if pages is None or not _same_for_everyone():
        return make_response(view(*args, **kwargs))
    version = pages.read_version()
    if version is None:
        return make_response(view(*args, **kwargs))
    g.campaign_page_version = version  # read before the view's first query: see request_version
    pages.local.forget_older_than(version)
    changed_at = version.changed_at if shows_messages else version.records_changed_at
    # The time of the change too: a database restored from a backup counts again from an older
    # number, and must not meet the pages Redis kept for that number before.
    stored_key = versioned_key(
        _key(pages.code, kwargs, params), version, shows_messages=shows_messages
    )
    etag = hashlib.sha256(stored_key.encode()).hexdigest()[:32]
    modified = _last_modified(changed_at, today_utc())
    gzip_ok = "gzip" in request.accept_encodings
    matched = _not_modified((etag, etag + GZIP_TAG), modified, changed_at)
    if matched is not None:
        return _answer(Response(status=304), matched, modified)
    entry = pages.get(stored_key)
    if entry is None:
        response = make_response(view(*args, **kwargs))
        entry = _entry(response)
        if entry is None:
            return response
        pages.put(stored_key, entry)
    if gzip_ok and entry.gzipped:
        response = Response(entry.gzipped, entry.status, list(entry.headers))
        response.headers["Content-Encoding"] = "gzip"
        return _answer(response, etag + GZIP_TAG, modified)
    return _answer(Response(entry.body, entry.status, list(entry.headers)), etag, modified)


def request_version() -> VersionLike | None:
    """The public-data version this request's page is made for, when the page cache read it.

    It was read before the view's first query, so whatever the view reads is at least as new
    (on SQLite a transaction reads the database as it was at its first read): a part of the
    page kept under this number is never older than the number. None when the page is not
    cached (staff, the cache off): a part must then not be kept.
    """
    found: VersionLike | None = g.get("campaign_page_version")
    return found


def page_with_blanks(
    render: Callable[[Mapping[str, str]], BaseResponse], values: Mapping[str, Callable[[], str]]
) -> BaseResponse:
    """A page the same for every anonymous visitor but for a few values of each visitor's own
    (a form's CSRF and timing tokens): rendered once per worker and public-data version with
    markers where those values go, kept in this worker's store only, and served with this
    visitor's values written in.

    *render* makes the page from a mapping of names to the text to put in their place; *values*
    gives this visitor's value for each name (called once per request, even when the page comes
    from the store, so the session and the tokens are exactly as a fresh render leaves them).
    Staff, a visitor with a flash waiting, a request with query parameters and anything but a
    200 get a page rendered for them alone and kept nowhere. The page says ``no-store``.
    """
    markers = {name: f"blank{_MARKER}{name}" for name in values}
    pages: PageCache | None = current_app.extensions.get(_EXTENSION)
    version = None
    if pages is not None and not request.args and _same_for_everyone():
        version = pages.read_version()
    if pages is None or version is None:
        return _no_store(_filled(render(markers), markers, values))
    pages.local.forget_older_than(version)
    key = versioned_key(f"blanks-{_key(pages.code, request.view_args or {}, {})}", version)
    entry = pages.local.get(key)
    if entry is None:
        response = render(markers)
        if response.status_code != 200 or response.direct_passthrough or response.is_streamed:
            return _no_store(_filled(response, markers, values))
        headers = tuple(
            (name, response.headers[name]) for name in _KEPT_HEADERS if name in response.headers
        )
        entry = Entry(200, headers, response.get_data())
        pages.local.put(key, entry)
    response = Response(entry.body, entry.status, list(entry.headers))
    return _no_store(_filled(response, markers, values))


def _filled(
    response: BaseResponse, markers: Mapping[str, str], values: Mapping[str, Callable[[], str]]
) -> BaseResponse:
    """The page with this visitor's values in place of the markers."""
    if response.direct_passthrough or response.is_streamed:
        return response
    body = response.get_data()
    for name, value in values.items():
        body = body.replace(markers[name].encode(), str(escape(value())).encode())
    response.set_data(body)
    return response


def _no_store(response: BaseResponse) -> BaseResponse:
    response.headers["Cache-Control"] = "no-store"
    return response


def _same_for_everyone() -> bool:
    """Whether this request gets the page every anonymous visitor gets."""
    if request.method not in {"GET", "HEAD"} or not current_app.config["PAGE_CACHE_ENABLED"]:
        return False
    if is_staff():
        return False
    # A flash waits to be shown on the next page: that page is this visitor's alone.
    return "_flashes" not in session


def _key(code: str, view_args: dict[str, Any], params: dict[str, Normaliser]) -> str:
    """What the page depends on, hashed: the same for every visitor asking the same thing."""
    args = request.args
    chosen = {}
    for name, normalise in params.items():
        if name in args:
            value = normalise(args.getlist(name))
            if value is not None:
                chosen[name] = value
    parts = [
        code,
        request.endpoint or "",
        json.dumps(sorted((str(k), str(v)) for k, v in view_args.items())),
        json.dumps(sorted(chosen.items())),
        str(get_locale() or ""),
        today_utc().isoformat(),
        request.scheme,
        request.host,
        request.script_root,  # the language prefix (campaign.web.i18n): links carry it
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _last_modified(changed_at: datetime, today: date) -> datetime:
    """When the page last changed: the last change to public data, or midnight (UTC), when
    the day counters moved, whichever is later; in whole seconds."""
    midnight = datetime(today.year, today.month, today.day, tzinfo=UTC)
    changed = changed_at if changed_at.tzinfo else changed_at.replace(tzinfo=UTC)
    return max(changed, midnight).replace(microsecond=0)


def _not_modified(etags: tuple[str, ...], modified: datetime, changed_at: datetime) -> str | None:
    """The ETag of the visitor's current copy, if they have one, by its ETag or else by its date
    (RFC 9110 13.2.2: If-Modified-Since counts only without If-None-Match); else None.

    If-None-Match compares weakly (RFC 9110 13.1.2): a proxy that compresses or changes the
    body (nginx's gzip) sends our tag back as W/"...", and that copy is current too."""
    if request.if_none_match:
        return next((tag for tag in etags if request.if_none_match.contains_weak(tag)), None)
    since = request.if_modified_since
    if since is None:
        return None
    changed = changed_at if changed_at.tzinfo else changed_at.replace(tzinfo=UTC)
    if datetime.now(UTC) - changed < _SAME_SECOND:
        return None
    return etags[0] if since >= modified else None


def _answer(response: Response, etag: str, modified: datetime) -> Response:
    response.set_etag(etag)
    response.last_modified = modified
    vary(response, "Accept-Encoding")
    return response


def _entry(response: Response) -> Entry | None:
    """The response as an entry, if it may be kept: a 200 that writes no cookie and leaves the
    session as it found it (no CSRF token, no flash)."""
    if response.status_code != 200 or response.direct_passthrough or response.is_streamed:
        return None
    if "Set-Cookie" in response.headers or session.modified:
        return None
    headers = tuple(
        (name, response.headers[name]) for name in _KEPT_HEADERS if name in response.headers
    )
    body = response.get_data()
    zipped = gzip.compress(body, compresslevel=6, mtime=0) if len(body) >= _GZIP_FROM else b""
    return Entry(200, headers, body, zipped if len(zipped) < len(body) * 0.9 else b"")


def normalised_text(limit: int) -> Normaliser:
    """A free-text parameter (a search): its first value, trimmed and cut to *limit*."""

    def normalise(values: list[str]) -> str | None:
        text = (values[0] if values else "").strip()[:limit]
        return text or None

    return normalise


def normalised_choice(parse: Callable[[str], object]) -> Normaliser:
    """A parameter with one value that *parse* reads (raising ValueError when it cannot)."""

    def normalise(values: list[str]) -> str | None:
        try:
            parsed = parse(values[0]) if values else None
        except (ValueError, TypeError):
            return None
        return None if parsed is None else str(parsed)

    return normalise
