"""`make bench`: the public pages of a verdict day, served by gunicorn and driven by wrk.

1. Builds the synthetic campaign (``bench-data`` in bench/benchapp.py: 200 published cases, one
   with 2,000 events and 20,000 messages) in a fresh SQLite file, or with ``DB=postgres`` in a
   schema of its own in ``BENCH_DATABASE_URL`` (created and dropped here).
2. Serves bench/benchapp.py (the product plus a bare ``/hello``) with gunicorn, 2 sync workers,
   with the README deployment's settings (campaign.gunicorn_config).
3. Drives each request with wrk from a second process, 32 connections (``BENCH_SECONDS`` each,
   default 5; ``BENCH_ROWS=post,form`` for only the rows whose label holds one of those words;
   ``BENCH_WITHOUT_LIMITS=1`` serves with the rate limits off, a floor for the POST, not the app):
   ``/hello`` first, then the pages, the feeds, the support form (GET, and POST with
   its CSRF token through a Lua script), a conditional request, and last the long case page,
   its timeline.json and its calendar.ics again while an organiser approves a message every
   second (``bench-moderate``: each approval moves the public-data version, so each worker
   makes the page and the JSON again; the calendar stays under the records' version). Where
   wrk is missing and cannot be installed, a Python load generator (threads with keep-alive
   connections) stands in; it saturates sooner, so its ratios are lower bounds.
4. Prints per request: requests/s, p50 and p99, the ratio to ``/hello``, server CPU per request,
   the SQL statements of a rendered and of a cached answer, and what the workers did with the
   row's time (on a CPU, waiting for a CPU, neither: /proc's schedstat), which tells a row
   slowed by locks or the disk from one slowed by a machine busy elsewhere; then each
   worker's peak resident memory; then the CPU a page costs when it has to be rendered
   (in-process, cache off, bench/render.py), staff views of the long case included; and when
   the POST row ran, what one POST costs without the load (in-process, bench/post.py).

Exit status 1 if any answer was a 5xx, a socket error, or the server log says
"database is locked".
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CONNECTIONS = 32
WORKERS = 2
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
# Only the rows whose label holds one of these words (comma-separated), and /hello: for working
# on one request. Empty: every row.
ROWS = os.environ.get("BENCH_ROWS", "")
TICKS = os.sysconf("SC_CLK_TCK")
APP = "bench.benchapp:create_bench_app"

REPORT_LUA = """
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + (t:get("bad") or 0) end
  io.write(string.format(
    'WRK {"requests": %d, "seconds": %.6f, "p50": %d, "p99": %d, "errors": %d, "bad": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.status + summary.errors.timeout, bad))
end
"""

EXPECT_LUA = """
bad = 0
function response(status, headers, body)
  if status ~= %(status)d then bad = bad + 1 end
end
"""

POST_LUA = """
local tokens = {}
local counter = 0
function init(args)
  for line in io.lines("%(tokens)s") do tokens[#tokens + 1] = line end
end
function request()
  counter = counter + 1
  local i = ((counter - 1) * %(threads)d + id - 1) %% #tokens + 1
  local body = "csrf_token=%(csrf)s&form_token=" .. tokens[i]
    .. "&body=Solidarity+from+the+bench+" .. id .. "-" .. counter .. "&country=DE&consent=y"
  return wrk.format("POST", "%(path)s", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "%(cookie)s",
  }, body)
end
"""


@dataclass
class Row:
    """One request of the table and what was measured for it."""

    label: str
    path: str
    method: str = "GET"
    # Every browser and feed reader says it takes gzip; so does the benchmark.
    headers: dict[str, str] = field(default_factory=lambda: {"Accept-Encoding": "gzip"})
    expect: int = 200
    # Driven while an organiser approves a message every second (bench-moderate).
    moderated: bool = False
    approvals: int = 0
    hello: float = 0.0
    queries: str = ""
    rate: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    cpu_ms: float = 0.0
    errors: int = 0
    # The workers' wall time during the row: on a CPU, waiting for one, neither (time_shares).
    shares: tuple[float, float, float] | None = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_wrk() -> str | None:
    """wrk, installing Debian's package where we may; None means the Python fallback."""
    found = shutil.which("wrk")
    if found:
        return found
    apt, sudo = shutil.which("apt-get"), shutil.which("sudo")
    if apt and os.geteuid() == 0:
        subprocess.run([apt, "install", "-y", "-q", "wrk"], check=False)
    elif apt and sudo:
        subprocess.run([sudo, "-n", apt, "install", "-y", "-q", "wrk"], check=False)
    return shutil.which("wrk")


def postgres_url(base: str, schema: str) -> str:
    import sqlalchemy as sa

    url = sa.engine.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def postgres_schema(base: str, schema: str, create: bool) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        if create:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine.dispose()


def workers_of(master: int) -> list[int]:
    try:
        text = Path(f"/proc/{master}/task/{master}/children").read_text()
    except OSError:
        return []
    return [int(pid) for pid in text.split()]


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def scheduler_seconds(pids: list[int]) -> tuple[float, float] | None:
    """Seconds the workers' threads ran on a CPU and waited for one (runnable, in the
    scheduler's queue), from /proc/<pid>/task/*/schedstat; None where the kernel does not
    keep them."""
    ran = waited = 0
    for pid in pids:
        try:
            tasks = list(Path(f"/proc/{pid}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                fields = (task / "schedstat").read_text().split()
            except OSError:
                if not (task / "stat").exists():
                    continue  # the thread ended between the listing and the read
                return None
            ran += int(fields[0])
            waited += int(fields[1])
    return ran / 1e9, waited / 1e9


def time_shares(
    before: tuple[float, float] | None,
    after: tuple[float, float] | None,
    seconds: float,
    workers: int,
) -> tuple[float, float, float] | None:
    """What the workers did with the row's wall time, as fractions of it: ran on a CPU, waited
    for a CPU, and neither (idle between connections, or blocked on a lock or the disk)."""
    if before is None or after is None or seconds <= 0 or workers <= 0:
        return None
    available = seconds * workers
    ran = max(after[0] - before[0], 0.0) / available
    waited = max(after[1] - before[1], 0.0) / available
    return ran, waited, max(1.0 - ran - waited, 0.0)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def fetch(
    base: str, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(base.split("//")[1], timeout=120)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, dict(response.getheaders()), body


def run_wrk(wrk: str, base: str, row: Row, folder: Path, post: dict[str, Any] | None) -> dict:
    script = REPORT_LUA
    if post is not None:
        script += POST_LUA % post
    script += EXPECT_LUA % {"status": row.expect}
    lua = folder / "bench.lua"
    lua.write_text(script)
    command = [wrk, "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--timeout", "30s", "-s", str(lua)]
    for name, value in row.headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run([*command, base + row.path], capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"wrk failed: {done.stderr or done.stdout}")
    output = done.stdout
    line = next(x for x in output.splitlines() if x.startswith("WRK "))
    result = json.loads(line[4:])
    result["p50"] /= 1000
    result["p99"] /= 1000
    return result


def run_python(base: str, row: Row, post: dict[str, Any] | None) -> dict:
    """The fallback load generator: one thread per connection, keep-alive, same duration."""
    host = base.split("//")[1]
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + SECONDS
    tokens = Path(post["tokens"]).read_text().split() if post else []

    def client(number: int) -> None:
        connection = http.client.HTTPConnection(host, timeout=30)
        mine: list[float] = []
        count = 0
        while time.perf_counter() < deadline:
            count += 1
            headers = dict(row.headers)
            body = None
            if post:
                token = tokens[(count * CONNECTIONS + number) % len(tokens)]
                body = (
                    f"csrf_token={post['csrf']}&form_token={token}&body=Solidarity+from+the+"
                    f"bench+{number}-{count}&country=DE&consent=y"
                )
                headers.update(
                    {
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Cookie": post["cookie"],
                    }
                )
            began = time.perf_counter()
            try:
                connection.request(row.method, row.path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != row.expect:
                    with lock:
                        errors[0] += 1
            except OSError:
                with lock:
                    errors[0] += 1
                connection = http.client.HTTPConnection(host, timeout=30)
                continue
            mine.append(time.perf_counter() - began)
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(len(latencies) * q))] * 1000  # noqa: E731
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "p50": pick(0.50) if latencies else 0.0,
        "p99": pick(0.99) if latencies else 0.0,
        "errors": 0,
        "bad": errors[0],
    }


def drain(base: str) -> None:
    """Wait until the server has worked off what wrk left queued (up to 30 s), so one row's
    backlog is not measured in the next."""
    deadline = time.perf_counter() + 30
    quick = 0
    while quick < 3 and time.perf_counter() < deadline:
        began = time.perf_counter()
        fetch(base, "/hello")
        quick = quick + 1 if time.perf_counter() - began < 0.02 else 0
        time.sleep(0.05)


def support_session(base: str, path: str) -> tuple[str, str]:
    """A visitor's session cookie and CSRF token, from the support form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + path, timeout=60).read().decode()
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, "the support form carries a CSRF token"
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, match.group(1)


def mint_form_tokens(env: dict[str, str], count: int, path: Path) -> None:
    """Form tokens as the form would have issued them a minute ago (one per message)."""
    code = (
        "import sys, time\n"
        "from bench.benchapp import create_bench_app\n"
        "from campaign.messages.spam import issue_form_token\n"
        "app = create_bench_app()\n"
        "with app.app_context():\n"
        f"    sys.stdout.write('\\n'.join(issue_form_token(now=time.time() - 60) "
        f"for _ in range({count})))\n"
    )
    out = subprocess.run(
        [str(BIN / "python"), "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if out.returncode:
        sys.exit(out.stderr)
    path.write_text(out.stdout + "\n")


def start_moderating(env: dict[str, str]) -> subprocess.Popen[str]:
    """An organiser approving a message every second on the long case (bench-moderate), in a
    process of its own; returns once the first approval is made. Each approval moves the
    public-data version: every worker makes the page again on its next request."""
    moderator = subprocess.Popen(
        [
            str(BIN / "flask"),
            "--app",
            APP,
            "bench-moderate",
            "--every",
            "1",
            "--seconds",
            str(SECONDS + 1),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert moderator.stdout is not None
    first = moderator.stdout.readline()
    assert first.strip() == "approving", first
    return moderator


def stop_moderating(moderator: subprocess.Popen[str]) -> int:
    """Wait for the moderator to finish (it deletes what it approved); how many it approved."""
    out, _ = moderator.communicate(timeout=120)
    if moderator.returncode:
        sys.exit("bench-moderate failed")
    return int(out.split()[0])


def render_costs(env: dict[str, str]) -> list[tuple[str, float, str]]:
    """CPU per page when it has to be rendered: in-process, page cache off, median of 15
    (bench/render.py: the public pages, the feeds, and the staff views of the long case)."""
    result = subprocess.run(
        [str(BIN / "python"), str(ROOT / "bench" / "render.py"), "--json"],
        env={**env, "CAMPAIGN_PAGE_CACHE_ENABLED": "false"},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        sys.exit(result.stderr)
    return [tuple(x) for x in json.loads(result.stdout.strip().splitlines()[-1])]


def report_render_costs(env: dict[str, str]) -> None:
    """The second table: what a page costs when it has to be rendered."""
    print()
    print("A page that has to be rendered (in-process, page cache off, median of 15):")
    print(f"  {'request':36} {'CPU ms':>7} {'queries':>8}")
    for label, cpu, queries in render_costs(env):
        print(f"  {label:36} {cpu:7.1f} {queries:>8}")


def report_post_cost(env: dict[str, str]) -> None:
    """The POST row's cost without the load: one submission after another, in-process
    (bench/post.py), which a machine shared with other work moves far less than the table."""
    result = subprocess.run(
        [str(BIN / "python"), str(ROOT / "bench" / "post.py"), "--repeat", "200"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        sys.exit(result.stderr)
    print()
    print("A support-form POST without the load (in-process, bench/post.py):")
    print("  " + result.stdout.strip().splitlines()[-1])


def main() -> None:
    database = os.environ.get("DB") or "sqlite"
    wrk = ensure_wrk()
    folder = Path(tempfile.mkdtemp(prefix="campaign-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAMPAIGN_")}
    env.update(
        PYTHONPATH=str(ROOT),
        CAMPAIGN_INSTANCE_PATH=str(folder),
        CAMPAIGN_SECRET_KEY="bench-secret-" + "x" * 40,
        CAMPAIGN_SESSION_COOKIE_SECURE="false",
        # One client sends every message here: lift the per-client limits, keep the limiter.
        CAMPAIGN_SUPPORT_SEND_LIMIT="1000000 per minute",
        CAMPAIGN_SUPPORT_ATTEMPT_LIMIT="1000000 per minute",
        CAMPAIGN_LOG_LEVEL="WARNING",
    )
    if os.environ.get("BENCH_WITHOUT_LIMITS"):
        print("rate limits off (BENCH_WITHOUT_LIMITS): the POST row is a floor, not the app")
        env["CAMPAIGN_RATELIMIT_ENABLED"] = "false"
    schema = f"bench_{os.getpid()}"
    base_url = os.environ.get("BENCH_DATABASE_URL", "")
    if database == "postgres":
        if not base_url:
            sys.exit("DB=postgres needs BENCH_DATABASE_URL=postgresql://user@host:5432/db")
        postgres_schema(base_url, schema, create=True)
        env["CAMPAIGN_DATABASE_URL"] = postgres_url(base_url, schema)
    port = int(os.environ.get("BENCH_PORT") or free_port())
    base = f"http://127.0.0.1:{port}"
    flask = [str(BIN / "flask"), "--app", APP]
    server = None
    measured = False
    log_path = folder / "gunicorn.log"
    try:
        subprocess.run(
            [*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True
        )
        made = subprocess.run(
            [*flask, "bench-data"], env=env, cwd=ROOT, check=True, capture_output=True, text=True
        )
        print(f"database: {database}; {made.stdout.strip()}")
        log = log_path.open("w")
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                # The settings the README's deployment uses; the flags below win over them.
                "-c",
                "python:campaign.gunicorn_config",
                "--workers",
                str(WORKERS),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{port}",
                "--no-control-socket",
                "--timeout",
                "120",
                f"{APP}()",
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for _ in range(300):
            try:
                if fetch(base, "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        workers = workers_of(server.pid)
        measure(base, wrk, folder, env, server.pid)
        measured = True
        workers = workers_of(server.pid)
        print()
        print(
            "peak resident memory: "
            + ", ".join(
                f"worker {n + 1} {peak_rss_mb(pid):.0f} MB" for n, pid in enumerate(workers)
            )
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)
        text = log_path.read_text() if log_path.exists() else ""
        try:
            if measured and not ROWS:
                report_render_costs(env)
            if measured and selected(POST_LABEL):
                report_post_cost(env)
        finally:
            if database == "postgres":
                postgres_schema(base_url, schema, create=False)
            shutil.rmtree(folder, ignore_errors=True)
    if "database is locked" in text:
        print("\nthe server log says 'database is locked'")
        sys.exit(1)
    if FAILED:
        sys.exit(1)


FAILED: list[str] = []
POST_LABEL = "a support-form submission (POST)"


def selected(label: str) -> bool:
    """Whether ``BENCH_ROWS`` chose the row with this label (every row when it is empty)."""
    chosen = [word.strip().lower() for word in ROWS.split(",") if word.strip()]
    return not chosen or any(word in label.lower() for word in chosen)


def measure(base: str, wrk: str | None, folder: Path, env: dict[str, str], master: int) -> None:
    """Probe each request once, drive it, print the table."""
    status, _headers, body = fetch(base, "/cases/long")
    assert status == 200, status
    found = re.search(r'rel="next" href="([^"]+)"', body.decode())
    assert found, "the long case has a second timeline page"
    second = found.group(1).replace("&amp;", "&").split("#")[0]
    rows = [
        Row("/hello (the yardstick)", "/hello"),
        Row("the long case page", "/cases/long"),
        Row("its second timeline page", second),
        Row("a small case page", "/cases/small-001"),
        Row("the home page (200 cases)", "/"),
        Row("the long case's calendar.ics", "/cases/long/calendar.ics"),
        Row("the long case's timeline.json", "/cases/long/timeline.json"),
        Row("the long case's feed.atom", "/cases/long/feed.atom"),
        Row("the long case's timeline.csv", "/cases/long/timeline.csv"),
        Row("the support form (GET)", "/cases/long/support"),
        Row(POST_LABEL, "/cases/long/support", "POST", expect=302),
        Row("the long case page, If-None-Match", "/cases/long", expect=304),
        # Last: their approvals move the version, which the rows' ETags and probes were made at.
        Row("the long case page, 1 approval/s", "/cases/long", moderated=True),
        Row("its timeline.json, 1 approval/s", "/cases/long/timeline.json", moderated=True),
        Row("its calendar.ics, 1 approval/s", "/cases/long/calendar.ics", moderated=True),
    ]
    rows = [rows[0]] + [r for r in rows[1:] if selected(r.label)]
    cookie, csrf = support_session(base, "/cases/long/support")
    tokens = folder / "form-tokens.txt"
    mint_form_tokens(env, 40_000, tokens)
    post = {
        "tokens": str(tokens),
        "threads": 2,
        "csrf": urllib.parse.quote(csrf, safe=""),
        "cookie": cookie,
        "path": "/cases/long/support",
    }
    for row in rows:
        if row.method == "POST":
            row.queries = "-"
            continue
        if row.expect == 304:
            row.headers["If-None-Match"] = fetch(base, row.path)[1]["ETag"]
        # Each worker renders once, then answers from its cache: the fewest is the steady state.
        probes = [fetch(base, row.path, row.headers) for _ in range(6)]
        assert probes[0][0] == row.expect, (row.path, probes[0][0])
        row.queries = str(min(int(p[1].get("X-Bench-Queries", 0)) for p in probes))
    loader = "wrk" if wrk else "the Python fallback (wrk could not be installed)"
    print(f"load: {loader}, {CONNECTIONS} connections, {SECONDS:g} s per request")
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    yardstick = rows[0]
    for row in rows:
        if row is not yardstick:
            # /hello again just before: the ratio compares two runs a few seconds apart, so a
            # machine shared with other work moves both alike.
            result = (
                run_wrk(wrk, base, yardstick, folder, None)
                if wrk
                else run_python(base, yardstick, None)
            )
            row.hello = result["requests"] / result["seconds"]
        moderator = start_moderating(env) if row.moderated else None
        workers = workers_of(master)
        before = cpu_seconds(workers)
        scheduled = scheduler_seconds(workers)
        began = time.perf_counter()
        data = post if row.method == "POST" else None
        result = run_wrk(wrk, base, row, folder, data) if wrk else run_python(base, row, data)
        row.shares = time_shares(
            scheduled, scheduler_seconds(workers), time.perf_counter() - began, len(workers)
        )
        spent = cpu_seconds(workers) - before
        if moderator is not None:
            row.approvals = stop_moderating(moderator)
        row.rate = result["requests"] / result["seconds"]
        row.hello = row.hello or row.rate
        row.p50_ms, row.p99_ms = result["p50"], result["p99"]
        row.cpu_ms = spent * 1000 / max(result["requests"], 1)
        row.errors = int(result["errors"]) + int(result["bad"])
        if row.errors:
            FAILED.append(row.label)
        drain(base)
    posts = [row for row in rows if row.method == "POST"]
    if posts:
        # The POST row's queries: one submission, counted by the server.
        request = urllib.request.Request(
            base + "/cases/long/support",
            data=(
                f"csrf_token={post['csrf']}&form_token={tokens.read_text().split()[-1]}"
                "&body=One+more+from+the+bench&country=DE&consent=y"
            ).encode(),
            headers={"Cookie": cookie},
        )

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None

        try:
            urllib.request.build_opener(NoRedirect).open(request, timeout=60)
        except urllib.error.HTTPError as answer:
            posts[0].queries = f"{answer.headers.get('X-Bench-Queries')}"
    print()
    print(
        f"{'request':36} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'/hello':>7} "
        f"{'CPU ms':>7} {'queries':>9} {'errors':>6} {'run/wait/idle %':>16}"
    )
    for row in rows:
        shares = "-"
        if row.shares is not None:
            shares = "/".join(f"{round(100 * share):.0f}" for share in row.shares)
        print(
            f"{row.label:36} {row.rate:8.0f} {row.p50_ms:8.1f} {row.p99_ms:8.1f} "
            f"{row.rate / row.hello:7.2f} {row.cpu_ms:7.2f} {row.queries:>9} {row.errors:6d} "
            f"{shares:>16}"
        )
    print(
        "/hello: the ratio to /hello measured just before that row (the yardstick row: "
        "its own run); requests say Accept-Encoding: gzip;\nqueries: SQL statements per "
        "answer once each worker has the page (the version lookup included; rendered pages "
        "below); CPU ms: the workers' CPU per request;\nrun/wait/idle %: the workers' time "
        "during the row on a CPU, waiting for one (the machine busy with wrk or other work: "
        "the ratio to /hello then tends to the ratio of their CPU ms), and neither (idle, or "
        "blocked on a lock or the disk)"
    )
    moderated = [row for row in rows if row.moderated]
    if moderated:
        print(
            "1 approval/s: messages approved during the row ("
            + ", ".join(str(row.approvals) for row in moderated)
            + "), each moving the public-data version (the calendar's records version stays)"
        )
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print(f"command: make bench{' DB=postgres' if os.environ.get('DB') == 'postgres' else ''}")


if __name__ == "__main__":
    main()
