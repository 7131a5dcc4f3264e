"""Several gunicorn workers writing to one SQLite file at once: no "database is locked".

Starts gunicorn with 4 workers on a fresh SQLite database, then has 8 client threads sign in
with a wrong password over and over (each attempt writes a login-attempt row inside a POST,
so every request is a write transaction). Prints requests per second, the status codes, and
whether the server log mentions a locked database. Run with ``make bench``.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WORKERS, THREADS, REQUESTS_PER_THREAD = 4, 8, 40


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def client(base: str, n: int, statuses: Counter[int], lock: threading.Lock) -> None:
    """One browser: fetch the form once (for its CSRF token), then post wrong passwords."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login", timeout=30).read().decode()
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    assert match, "the login form carries a CSRF token"
    body = urllib.parse.urlencode(
        {"csrf_token": match.group(1), "email": f"nobody{n}@example.org", "password": "wrong"}
    ).encode()
    for _ in range(REQUESTS_PER_THREAD):
        try:
            status = opener.open(base + "/login", data=body, timeout=60).status
        except urllib.error.HTTPError as error:
            status = error.code
        with lock:
            statuses[status] += 1


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CAMPAIGN_")}
        env.update(
            CAMPAIGN_INSTANCE_PATH=tmp,
            CAMPAIGN_SECRET_KEY="bench-secret-" + "x" * 40,
            CAMPAIGN_SESSION_COOKIE_SECURE="false",
            # Throttling would answer 429 without writing; lift it so every request writes.
            CAMPAIGN_LOGIN_ACCOUNT_LIMIT="1000000",
            CAMPAIGN_LOGIN_CLIENT_LIMIT="1000000",
            # Cheap hashing: the point is the database, not argon2.
            CAMPAIGN_ARGON2_MEMORY_COST="1024",
            CAMPAIGN_ARGON2_TIME_COST="1",
            CAMPAIGN_ARGON2_PARALLELISM="1",
        )
        flask = [str(BIN / "flask"), "--app", "campaign"]
        subprocess.run(
            [*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True
        )
        port = free_port()
        log_path = Path(tmp) / "gunicorn.log"
        with log_path.open("w") as log:
            server = subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "--workers",
                    str(WORKERS),
                    "--bind",
                    f"127.0.0.1:{port}",
                    "campaign:create_app()",
                ],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                base = f"http://127.0.0.1:{port}"
                for _ in range(100):
                    try:
                        urllib.request.urlopen(base + "/healthz", timeout=1)
                        break
                    except OSError:
                        time.sleep(0.1)
                statuses: Counter[int] = Counter()
                lock = threading.Lock()
                threads = [
                    threading.Thread(target=client, args=(base, n, statuses, lock))
                    for n in range(THREADS)
                ]
                started = time.perf_counter()
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                elapsed = time.perf_counter() - started
            finally:
                server.terminate()
                server.wait(timeout=30)
        text = log_path.read_text()
        total = sum(statuses.values())
        print(
            f"SQLite under gunicorn: {WORKERS} workers, {THREADS} clients, {total} write requests"
        )
        print(f"  {total / elapsed:.0f} requests/s over {elapsed:.1f} s; statuses {dict(statuses)}")
        locked = "database is locked" in text
        print(f"  'database is locked' in the server log: {'YES' if locked else 'no'}")
        if locked or set(statuses) != {200}:
            sys.exit(1)


if __name__ == "__main__":
    main()
