"""Nothing lost under load: support messages from many clients while workers die.

Starts gunicorn with 4 workers on a fresh database (SQLite, or PostgreSQL with
``--database postgresql://...``), has 32 supporters send messages of support through the real
form (each fetches the form for its CSRF and one-time form token, then posts a unique text) while
two organisers edit the case and moderate, and kills a worker with SIGKILL twice during the run.
Then it reads the database and checks: every accepted message is stored exactly once, every
refused one got a page that says why, no answer was a 5xx, and nothing the client was told was
refused is stored.

A post whose connection dies with its worker is sent again with the same form: the form's
one-time token makes the second post find the first message instead of storing a second.

The form's per-client limits (``SUPPORT_SEND_LIMIT``, ``SUPPORT_ATTEMPT_LIMIT``) are raised for
the run, since every simulated client comes from 127.0.0.1, and the form's minimum time on the
page (``SUPPORT_FORM_MIN_SECONDS``) is 0. Run with ``make bench`` (add
``BENCH_DATABASE_URL=postgresql://...`` for PostgreSQL too) or ``python -m bench.nothing_lost
[--database sqlite] [--database postgresql://...] [--messages N]``; the cluster test
(``bench/cluster.py``) drives the same load through nginx.
"""

from __future__ import annotations

import argparse
import html.parser
import http.client
import http.cookiejar
import json
import os
import random
import re
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ORGANISER_PASSWORD = "load-test organiser passphrase 7Qx!"  # noqa: S105  (a throwaway account)
SECRET_KEY = "nothing-lost-" + "k" * 40  # the run's own throwaway database
# Every run's texts start with this and a run id, so the check reads only this run's messages.
BODY_PREFIX = "Load test"
# The app as these runs configure it, on top of the database and instance settings.
APP_SETTINGS = {
    # Every simulated supporter comes from the same address: lift the per-client limits so they
    # do not hide the test (they are tested on their own in tests/messages).
    "SUPPORT_SEND_LIMIT": "1000000 per hour",
    "SUPPORT_ATTEMPT_LIMIT": "1000000 per hour",
    # A person needs seconds to write; the simulated ones post at once.
    "SUPPORT_FORM_MIN_SECONDS": "0",
    # Cheap password hashing: the point is the messages, not argon2.
    "ARGON2_MEMORY_COST": "1024",
    "ARGON2_TIME_COST": "1",
    "ARGON2_PARALLELISM": "1",
    "LOG_LEVEL": "WARNING",
}
RETRIES = 6  # sends of one request whose connection broke before giving up on it


# -- a browser without JavaScript ------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hand redirects back to the caller: a 302 to the confirmation is what accepted means."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Answer:
    """One HTTP answer: status, Location, body."""

    status: int
    location: str
    text: str


class Browser:
    """Cookies, no redirects followed, and a count of the requests whose connection broke."""

    def __init__(self, base: str, context: ssl.SSLContext | None = None) -> None:
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        handlers: list[urllib.request.BaseHandler] = [
            urllib.request.HTTPCookieProcessor(self.jar),
            _NoRedirect(),
        ]
        if context is not None:
            handlers.append(urllib.request.HTTPSHandler(context=context))
        self.opener = urllib.request.build_opener(*handlers)
        self.broken = 0

    def request(self, path: str, data: Mapping[str, Any] | None = None) -> Answer:
        """GET, or POST *data* as a form; a broken connection is retried with the same data."""
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        for attempt in range(RETRIES):
            try:
                with self.opener.open(self.base + path, data=body, timeout=60) as response:
                    return Answer(response.status, "", response.read().decode())
            except urllib.error.HTTPError as error:
                try:
                    text = error.read().decode(errors="replace")
                except (OSError, http.client.HTTPException):
                    # The worker died after its headers. A redirect is whole without its body
                    # (a 302 after the commit is an accepted message); a refusal whose reason
                    # never arrived is asked again, as a reader would.
                    if error.code in (301, 302, 303):
                        return Answer(error.code, error.headers.get("Location", ""), "")
                    self.broken += 1
                    time.sleep(0.2 * (attempt + 1))
                    continue
                return Answer(error.code, error.headers.get("Location", ""), text)
            except (OSError, http.client.HTTPException):
                # The worker died (or the host went away) mid-request: the same request again.
                self.broken += 1
                time.sleep(0.2 * (attempt + 1))
        return Answer(0, "", "")


class _Forms(html.parser.HTMLParser):
    """The fields of every form on a page, as a browser would send them (no button pressed)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append((a.get("action", ""), []))
        elif not self.forms:
            return
        fields = self.forms[-1][1]
        name = a.get("name", "")
        if tag == "input" and name and a.get("type") not in {"submit", "button", "file"}:
            if a.get("type") in {"checkbox", "radio"} and "checked" not in a:
                return
            fields.append((name, a.get("value", "on" if a.get("type") == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.forms[-1][1].append((self._textarea, text[1:] if text[:1] == "\n" else text))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._options if selected]
            if not chosen and self._options:
                chosen = [self._options[0][0]]
            self.forms[-1][1].extend((self._select, value) for value in chosen)
            self._select = None


def form_fields(page: str, action: str) -> list[tuple[str, str]] | None:
    """The fields of the form on *page* (fetched from *action*) that posts to *action*, or None.

    A form without an action posts to the page's own address.
    """
    parser = _Forms()
    parser.feed(page)
    for form_action, fields in parser.forms:
        if (form_action or action).split("?")[0].endswith(action):
            return fields
    return None


# -- the tally --------------------------------------------------------------------------------


@dataclass
class Tally:
    """What the clients sent and what they were told."""

    sent: int = 0
    accepted: int = 0
    refused: int = 0  # answered with a page that says why it was not sent
    refused_on_purpose: int = 0  # of those, the repeats of an accepted text sent to be refused
    unanswered: int = 0  # no answer after every retry, or an answer that says nothing
    server_errors: int = 0  # any 5xx but the form's own "could not be saved, send it again"
    broken_connections: int = 0  # requests sent again after their connection broke
    organiser_saves: int = 0
    organiser_conflicts: int = 0  # two organisers saved the case at once: told with a 409 page
    organiser_decisions: int = 0
    organiser_failures: list[str] = field(default_factory=list)
    staff_cut_off: int = 0  # an organiser's POST on a host that stopped: the proxy's 502
    statuses: Counter[int] = field(default_factory=Counter)
    accepted_bodies: set[str] = field(default_factory=set)
    refused_bodies: set[str] = field(default_factory=set)
    unanswered_bodies: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def status(self, answer: Answer, *, staff: bool = False) -> None:
        """Count a status; a 5xx other than the form's 503 page is a server error, except the
        proxy's 502 to an organiser's form whose host stopped while it worked (nginx does not
        send such a POST to another host: the organiser sends it again)."""
        with self.lock:
            self.statuses[answer.status] += 1
            if staff and answer.status == 502:
                self.staff_cut_off += 1
            elif answer.status >= 500 and not (answer.status == 503 and _says_why(answer)):
                self.server_errors += 1


def _says_why(answer: Answer) -> bool:
    """Whether the answer is the form again with the reason it was not sent."""
    return 'class="support-problem"' in answer.text


# -- supporters and organisers ----------------------------------------------------------------


def supporter(
    base: str,
    slug: str,
    run_id: str,
    number: int,
    count: int,
    tally: Tally,
    context: ssl.SSLContext | None,
) -> None:
    """One supporter's browser: for each message, open the form, then send it.

    Every fifth message (the third, eighth...) repeats an already accepted text through a fresh
    form: the form must refuse it ("already received") and store nothing.
    """
    browser = Browser(base, context)
    path = f"/cases/{slug}/support"
    last_accepted = None
    for n in range(count):
        page = browser.request(path)
        tally.status(page)
        fields = form_fields(page.text, path) if page.status == 200 else None
        repeat = n % 5 == 2 and last_accepted is not None
        body = last_accepted if repeat else f"{BODY_PREFIX} {run_id} c{number} m{n}: not alone."
        assert body is not None
        with tally.lock:
            tally.sent += 1
        if fields is None:
            with tally.lock:
                tally.unanswered += 1
                tally.unanswered_bodies.add(body)
            continue
        data = dict(fields)
        data.update(body=body, country="DE", display_name=f"Supporter {number}", website="")
        answer = browser.request(path, data)
        tally.status(answer)
        with tally.lock:
            if answer.status in (302, 303) and answer.location.endswith(f"{path}/sent"):
                tally.accepted += 1
                tally.accepted_bodies.add(body)
                last_accepted = body
            elif 400 <= answer.status < 600 and _says_why(answer):
                tally.refused += 1
                if repeat:
                    tally.refused_on_purpose += 1
                else:
                    tally.refused_bodies.add(body)
            else:
                tally.unanswered += 1
                tally.unanswered_bodies.add(body)
    with tally.lock:
        tally.broken_connections += browser.broken


def organiser(
    base: str,
    email: str,
    case_id: int,
    stop: threading.Event,
    tally: Tally,
    context: ssl.SSLContext | None,
    pause: float = 0.2,
) -> None:
    """An organiser at work during the spike: edit the case's summary, approve or reject what
    waits, again and again; a save that crosses the other organiser's gets a 409 page."""
    browser = Browser(base, context)
    page = browser.request("/login")
    fields = form_fields(page.text, "/login") or []
    data = dict(fields)
    data.update(email=email, password=ORGANISER_PASSWORD)
    answer = browser.request("/login", data)
    tally.status(answer, staff=True)
    if answer.status not in (302, 303):
        with tally.lock:
            said = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", answer.text))[:300]
            tally.organiser_failures.append(f"{email} could not sign in ({answer.status}): {said}")
        return
    round_ = 0
    while not stop.is_set():
        round_ += 1
        edit = f"/manage/cases/{case_id}/edit"
        page = browser.request(edit)
        tally.status(page, staff=True)
        edit_fields = form_fields(page.text, edit)
        if edit_fields:
            data_list = [(k, v) for k, v in edit_fields if k != "summary"]
            data_list.append(("summary", f"Updated by {email}, round {round_}."))
            answer = browser.request(edit, dict_multi(data_list))
            tally.status(answer, staff=True)
            with tally.lock:
                if answer.status in (302, 303):
                    tally.organiser_saves += 1
                elif answer.status == 409:
                    tally.organiser_conflicts += 1
        queue = browser.request(f"/manage/messages/?case={case_id}")
        tally.status(queue, staff=True)
        ids = re.findall(r'name="ids" value="(\d+)"', queue.text)[:10]
        bulk = form_fields(queue.text, "/manage/messages/bulk")
        if ids and bulk:
            action = "publish" if round_ % 2 else "reject"
            answer = browser.request(
                "/manage/messages/bulk", {**dict(bulk), "ids": ids, "action": action}
            )
            tally.status(answer, staff=True)
            if answer.status in (302, 303):
                with tally.lock:
                    tally.organiser_decisions += len(ids)
        stop.wait(pause)
    with tally.lock:
        tally.broken_connections += browser.broken


def dict_multi(pairs: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    """Form pairs as a mapping of lists (a select with several choices sends several values)."""
    data: dict[str, list[str]] = {}
    for key, value in pairs:
        data.setdefault(key, []).append(value)
    return data


# -- the run ----------------------------------------------------------------------------------


@dataclass
class Disruption:
    """Something done to the servers once this share of the messages has been answered."""

    at: float
    label: str
    act: Callable[[], str]


@dataclass
class Report:
    """The run's figures and the database's verdict."""

    database: str
    clients: int
    seconds: float
    tally: Tally
    stored: Counter[str]
    disruptions: list[str]

    @property
    def lost(self) -> set[str]:
        """Accepted texts that are not in the database."""
        return {body for body in self.tally.accepted_bodies if self.stored[body] == 0}

    @property
    def duplicated(self) -> set[str]:
        """Texts stored more than once."""
        return {body for body, n in self.stored.items() if n > 1}

    @property
    def stored_but_refused(self) -> set[str]:
        """Texts the client was told were not sent, or never heard about, that are stored."""
        told = self.tally.refused_bodies | self.tally.unanswered_bodies
        return {body for body in told if self.stored[body] > 0}

    @property
    def problems(self) -> list[str]:
        """What went wrong, one line each; empty when nothing was lost."""
        t = self.tally
        found = []
        if self.lost:
            found.append(f"{len(self.lost)} accepted messages are not in the database")
        if self.duplicated:
            found.append(f"{len(self.duplicated)} messages are stored more than once")
        if self.stored_but_refused:
            found.append(f"{len(self.stored_but_refused)} messages refused but stored")
        if t.unanswered:
            found.append(f"{t.unanswered} messages got no answer the client could see")
        if t.server_errors:
            found.append(f"{t.server_errors} answers were server errors (5xx)")
        found.extend(t.organiser_failures)
        if t.accepted == 0:
            found.append("no message was accepted")
        return found

    def lines(self) -> list[str]:
        """The figures, for people."""
        t = self.tally
        rate = t.sent / self.seconds if self.seconds else 0.0
        return [
            f"Nothing lost under load ({self.database}, {self.clients} clients): "
            f"{t.sent} messages in {self.seconds:.1f} s ({rate:.0f}/s)",
            f"  accepted {t.accepted}, refused with a reason {t.refused} "
            f"({t.refused_on_purpose} repeats sent to be refused), unanswered {t.unanswered}, "
            f"5xx {t.server_errors}",
            f"  requests sent again after a broken connection: {t.broken_connections}; "
            f"statuses {dict(sorted(t.statuses.items()))}",
            f"  organisers: {t.organiser_saves} case saves, {t.organiser_conflicts} conflicts "
            f"(409), {t.organiser_decisions} decisions, {t.staff_cut_off} cut off by a host "
            "stop (502)",
            f"  disruptions: {'; '.join(self.disruptions) or 'none'}",
            f"  in the database: {sum(self.stored.values())} rows for {len(self.stored)} texts; "
            f"lost {len(self.lost)}, duplicated {len(self.duplicated)}, "
            f"refused but stored {len(self.stored_but_refused)}",
            "  verdict: " + ("nothing lost" if not self.problems else "; ".join(self.problems)),
        ]

    def as_json(self) -> dict[str, Any]:
        """The figures as plain values (for a caller in another process)."""
        t = {
            k: v
            for k, v in asdict(self.tally).items()
            if k not in {"lock", "accepted_bodies", "refused_bodies", "unanswered_bodies"}
        }
        return {
            "database": self.database,
            "seconds": round(self.seconds, 1),
            "tally": t,
            "lost": len(self.lost),
            "duplicated": len(self.duplicated),
            "stored_but_refused": len(self.stored_but_refused),
            "disruptions": self.disruptions,
            "problems": self.problems,
        }


def drive(
    base: str,
    *,
    slug: str,
    case_id: int,
    organisers: Sequence[str],
    messages: int,
    clients: int,
    disruptions: Sequence[Disruption] = (),
    context: ssl.SSLContext | None = None,
) -> tuple[Tally, float, list[str]]:
    """Send *messages* from *clients* supporters while the organisers work; disrupt on the way."""
    tally = Tally()
    run_id = uuid.uuid4().hex[:8]
    stop = threading.Event()
    shares = [messages // clients + (1 if n < messages % clients else 0) for n in range(clients)]
    staff = [
        threading.Thread(target=organiser, args=(base, email, case_id, stop, tally, context))
        for email in organisers
    ]
    crowd = [
        threading.Thread(
            target=supporter, args=(base, slug, run_id, n, share, tally, context), daemon=True
        )
        for n, share in enumerate(shares)
    ]
    done: list[str] = []
    started = time.perf_counter()
    for thread in staff + crowd:
        thread.start()
    pending = sorted(disruptions, key=lambda d: d.at)
    while any(thread.is_alive() for thread in crowd):
        with tally.lock:
            answered = tally.accepted + tally.refused + tally.unanswered
        while pending and answered >= pending[0].at * messages:
            disruption = pending.pop(0)
            moment = time.perf_counter() - started
            done.append(f"{disruption.label} at {moment:.1f} s: {disruption.act()}")
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    stop.set()
    for thread in staff:
        thread.join(timeout=120)
    for disruption in pending:
        done.append(f"{disruption.label}: not done (the run ended first)")
    return tally, elapsed, done


def stored_bodies(database_url: str, case_id: int) -> Counter[str]:
    """How many rows each of the load test's texts has in the database."""
    engine = sa.create_engine(sqlalchemy_url(database_url))
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT body FROM messages WHERE case_id = :case AND body LIKE :prefix"),
                {"case": case_id, "prefix": f"{BODY_PREFIX} %"},
            )
            return Counter(row[0] for row in rows)
    finally:
        engine.dispose()


def sqlalchemy_url(url: str) -> str:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


# -- the servers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    """What the seeding made: the case to write to and the organisers' e-mails."""

    slug: str
    case_id: int
    organisers: tuple[str, ...]


def seed(database_url: str) -> Seeded:
    """Migrate the database, load the demo campaign and add two organisers."""
    from flask_migrate import upgrade

    from campaign import create_app, demo, migrating
    from campaign.accounts.services import create_account
    from campaign.extensions import db
    from campaign.models import Case, Role

    app = create_app(
        {
            "SECRET_KEY": SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": database_url,
            **{key: _setting(value) for key, value in APP_SETTINGS.items()},
        }
    )
    emails = ("organiser1@example.org", "organiser2@example.org")
    migrating.enable(app)
    with app.app_context():
        upgrade(directory=str(ROOT / "campaign" / "migrations"))
        demo.load()
        for email in emails:
            create_account(email, Role.ORGANISER, None, ORGANISER_PASSWORD)
        db.session.commit()
        case = db.session.scalars(sa.select(Case).where(Case.slug == demo.KURMANOV)).one()
        seeded = Seeded(case.slug, case.id, emails)
        db.session.remove()
        db.engine.dispose()
    return seeded


def _setting(value: str) -> Any:
    """A setting as the environment would give it (JSON where it parses)."""
    try:
        return json.loads(value)
    except ValueError:
        return value


def app_environment(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    """The environment a gunicorn of these runs gets."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAMPAIGN_")}
    env.update({f"CAMPAIGN_{key}": value for key, value in APP_SETTINGS.items()})
    env.update(
        CAMPAIGN_DATABASE_URL=database_url,
        CAMPAIGN_INSTANCE_PATH=str(instance),
        CAMPAIGN_SECRET_KEY=SECRET_KEY,
        CAMPAIGN_SESSION_COOKIE_SECURE="false",
        CAMPAIGN_REMEMBER_COOKIE_SECURE="false",
    )
    env.update({f"CAMPAIGN_{key}": value for key, value in extra.items()})
    return env


class Gunicorn:
    """A gunicorn master and its workers, started (optionally inside a network namespace)."""

    def __init__(
        self,
        env: Mapping[str, str],
        bind: str,
        log: Path,
        *,
        workers: int = 4,
        prefix: Sequence[str] = (),
    ) -> None:
        self.bind = bind
        self.workers = workers
        self.log = log
        command = [
            *prefix,
            str(BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            bind,
            "--no-control-socket",
            "--graceful-timeout",
            "5",
            "campaign:create_app()",
        ]
        with log.open("a") as handle:
            self.process = subprocess.Popen(
                command, env=dict(env), cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT
            )

    def wait_ready(self, url: str, seconds: float = 60) -> None:
        """Wait until /healthz answers and every worker is up."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped; see {self.log}")
            try:
                urllib.request.urlopen(url + "/healthz", timeout=2).close()
                if len(self.worker_pids()) == self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer in {seconds:.0f} s; see {self.log}")

    def worker_pids(self) -> list[int]:
        """The master's worker processes now."""
        pid = self.process.pid
        try:
            text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        except OSError:
            return []
        return [int(p) for p in text.split()]

    def kill_worker(self) -> str:
        """SIGKILL one worker (likely mid-request under load); wait for the master to replace it."""
        victims = self.worker_pids()
        if not victims:
            return "no worker to kill"
        victim = random.choice(victims)
        os.kill(victim, signal.SIGKILL)
        started = time.monotonic()
        while time.monotonic() - started < 30:
            pids = self.worker_pids()
            if victim not in pids and len(pids) == self.workers:
                return f"worker {victim} killed, replaced in {time.monotonic() - started:.1f} s"
            time.sleep(0.05)
        return f"worker {victim} killed, not replaced within 30 s"

    def stop(self) -> None:
        """Stop gracefully, then for good."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    """A fresh schema in the PostgreSQL database at *url*, dropped afterwards; yields a URL
    whose connections use it, so the run touches no table of anyone else's."""
    schema = f"load_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(sqlalchemy_url(url))
    with engine.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield (
            sa.engine.make_url(url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        engine.dispose()


@contextmanager
def database(url: str | None, folder: Path) -> Iterator[str]:
    """A fresh database: an SQLite file in *folder*, or a schema of the PostgreSQL at *url*."""
    if url is None:
        yield f"sqlite:///{folder / 'load.sqlite'}"
    else:
        with postgres_schema(url) as schema_url:
            yield schema_url


def run(
    database_url: str | None = None,
    *,
    messages: int = 3000,
    clients: int = 32,
    kills: int = 2,
    workers: int = 4,
    port: int | None = None,
) -> Report:
    """The whole single-host run: seed, serve, send, kill workers, stop, check the database."""
    with (
        tempfile.TemporaryDirectory(prefix="nothing-lost-") as tmp,
        database(database_url, Path(tmp)) as url,
    ):
        instance = Path(tmp)
        seeded = seed(url)
        port = port or free_port()
        server = Gunicorn(
            app_environment(url, instance),
            f"127.0.0.1:{port}",
            instance / "gunicorn.log",
            workers=workers,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            server.wait_ready(base)
            shocks = [
                Disruption((n + 1) / (kills + 1), f"SIGKILL {n + 1}", server.kill_worker)
                for n in range(kills)
            ]
            tally, seconds, done = drive(
                base,
                slug=seeded.slug,
                case_id=seeded.case_id,
                organisers=seeded.organisers,
                messages=messages,
                clients=clients,
                disruptions=shocks,
            )
        finally:
            server.stop()
        kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        report = Report(
            f"{kind}, {workers} gunicorn workers",
            clients,
            seconds,
            tally,
            stored_bodies(url, seeded.case_id),
            done,
        )
        if "Traceback" in (instance / "gunicorn.log").read_text():
            report.disruptions.append("tracebacks in the server log: see above")
            print((instance / "gunicorn.log").read_text()[-4000:], file=sys.stderr)
        return report


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bench.nothing_lost``: the full run, its figures, and 1 if anything was lost."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database",
        action="append",
        help="sqlite (a fresh file, the default) or postgresql://...; may be given twice",
    )
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--kills", type=int, default=2)
    args = parser.parse_args(argv)
    # Stopped from outside: still stop gunicorn and drop the PostgreSQL schema (the finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    failed = False
    for url in args.database or ["sqlite"]:
        report = run(
            None if url == "sqlite" else url,
            messages=args.messages,
            clients=args.clients,
            kills=args.kills,
        )
        print("\n".join(report.lines()), flush=True)
        failed = failed or bool(report.problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
