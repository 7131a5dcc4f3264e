"""Several machines on one: the deployment of README's "Several machines", in network namespaces.

Each machine is a network namespace on one virtual LAN (a bridge, with a veth pair per host):

    db      PostgreSQL (its own cluster, made with initdb in a scratch folder) and Redis
    app1    gunicorn, 2 workers        app2    gunicorn, 2 workers
    proxy   nginx with deploy/nginx/campaign.conf (TLS with a throwaway certificate)
    client  the load: 32 supporters and two organisers (bench/nothing_lost.py), via the proxy

The apps run in production mode on PostgreSQL, with Redis for the rate limits and
``PROXY_FIX_X_FOR=1``. Once 40% of the messages are answered, every process of app1 is killed
(the host dies); nginx must fail over to app2 and nothing may be lost or stored twice. Every
namespace, veth pair and process made here is removed at the end, failure or not. All traffic
stays on the virtual network.

Run with ``make cluster-test`` (root and ``ip netns`` needed; elsewhere it says so and skips).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import glob
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa

from bench import nothing_lost
from bench.nothing_lost import Disruption, Gunicorn

ROOT = Path(__file__).resolve().parents[1]
NGINX_SITE = ROOT / "deploy" / "nginx" / "campaign.conf"
SUBNET = "10.210.0"  # the namespaces' own LAN; nothing outside them has these addresses
HOSTS = {"db": 2, "app1": 11, "app2": 12, "proxy": 20, "client": 30}
APP_PORT = 5780
CLONE_NEWNET = 0x40000000
PREFIX = "campaign-cluster-"  # then the pid of the run that made the namespace


class Skip(Exception):
    """This machine cannot run the cluster test (no root, no network namespaces)."""


def address(host: str) -> str:
    """A host's address on the virtual LAN."""
    return f"{SUBNET}.{HOSTS[host]}"


def tool(name: str) -> str:
    """The full path of a command, or Skip."""
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin:/usr/bin")
    if path is None:
        raise Skip(f"{name} is not installed")
    return path


def run(*command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a command, its output kept for the error message."""
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {result.stderr.strip()}")
    return result


def enter_namespace(path: str) -> None:
    """Move this process's main thread (and the threads it starts) into a network namespace.

    Python 3.11 has no os.setns; libc's setns(2) is one call.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, os.strerror(errno))
    finally:
        os.close(fd)


def ensure_nginx() -> str:
    """nginx from Debian's packages, installed if missing (CI's clean machine may lack it)."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt is None:
        raise Skip("nginx is not installed and there is no apt-get to install it")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([apt, "update", "-qq"], check=True, env=env)
    subprocess.run([apt, "install", "-y", "-qq", "nginx-light"], check=True, env=env)
    return tool("nginx")


class Cluster:
    """The namespaces, their LAN and the processes in them; ``close()`` removes them all."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.ip = tool("ip")
        self.prefix = f"{PREFIX}{os.getpid()}"
        self.namespaces: list[str] = []
        self.processes: list[subprocess.Popen[bytes]] = []
        self.home = os.open("/proc/self/ns/net", os.O_RDONLY)

    def ns(self, host: str) -> str:
        """The namespace of a host."""
        return f"{self.prefix}-{host}"

    def prefix_for(self, host: str) -> list[str]:
        """The command prefix that runs a program on *host*."""
        return [self.ip, "netns", "exec", self.ns(host)]

    def add_namespace(self, name: str) -> None:
        run(self.ip, "netns", "add", name)
        self.namespaces.append(name)
        run(self.ip, "-n", name, "link", "set", "lo", "up")

    def build(self) -> None:
        """The LAN (a bridge in a namespace of its own) and one veth pair per host."""
        lan = self.ns("lan")
        self.add_namespace(lan)
        run(self.ip, "-n", lan, "link", "add", "br0", "type", "bridge")
        run(self.ip, "-n", lan, "link", "set", "br0", "up")
        for host in HOSTS:
            name = self.ns(host)
            self.add_namespace(name)
            port = f"v-{host}"
            run(self.ip, "-n", lan, "link", "add", port, "type", "veth", "peer", "name", "eth0")
            run(self.ip, "-n", lan, "link", "set", "eth0", "netns", name)
            run(self.ip, "-n", lan, "link", "set", port, "master", "br0", "up")
            run(self.ip, "-n", name, "addr", "add", f"{address(host)}/24", "dev", "eth0")
            run(self.ip, "-n", name, "link", "set", "eth0", "up")

    def start(
        self, host: str, command: Sequence[str], log: Path, env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        """Start a program on *host*, its output to *log*."""
        with log.open("ab") as handle:
            process = subprocess.Popen(
                [*self.prefix_for(host), *command],
                stdout=handle,
                stderr=subprocess.STDOUT,
                env=env,
            )
        self.processes.append(process)
        return process

    def pids(self, host_namespace: str) -> list[int]:
        """The processes in a namespace (this process excluded)."""
        result = run(self.ip, "netns", "pids", host_namespace, check=False)
        return [int(p) for p in result.stdout.split() if int(p) != os.getpid()]

    def kill_host(self, host: str) -> str:
        """Every process of a host, killed at once: the machine is gone."""
        victims = self.pids(self.ns(host))
        for pid in victims:
            os.kill(pid, signal.SIGKILL)
        return f"{len(victims)} processes killed (gunicorn master and workers)"

    def close(self) -> list[str]:
        """Stop every process, delete every namespace (their veth pairs go with them).

        Returns what could not be removed (empty when all is clean)."""
        ctypes.CDLL(None, use_errno=True).setns(self.home, CLONE_NEWNET)  # back home
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 10
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        for name in reversed(self.namespaces):
            for pid in self.pids(name):  # what our programs started in turn
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)
        for name in reversed(self.namespaces):
            run(self.ip, "netns", "del", name, check=False)
        left = run(self.ip, "netns", "list").stdout
        os.close(self.home)
        return [line for line in left.splitlines() if line.startswith(self.prefix)]


def remove_leftovers(ip: str) -> None:
    """Remove what an earlier run killed outright (SIGKILL: no clean-up) left behind."""
    for line in run(ip, "netns", "list").stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        match = re.match(rf"{PREFIX}(\d+)-", name)
        if match is None or Path(f"/proc/{match.group(1)}").exists():
            continue
        for pid in run(ip, "netns", "pids", name, check=False).stdout.split():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)
        run(ip, "netns", "del", name, check=False)
        print(f"  removed namespace {name}, left by an earlier run")


def start_database(cluster: Cluster, scratch: Path) -> str:
    """PostgreSQL and Redis on the db host; returns the database URL the apps use."""
    initdb = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not initdb:
        raise Skip("PostgreSQL's server programs (/usr/lib/postgresql/*/bin) are not installed")
    bindir = Path(initdb[-1]).parent
    as_postgres = [tool("setpriv"), "--reuid=postgres", "--regid=postgres", "--init-groups"]
    data, sockets = scratch / "pg", scratch / "pg-sockets"
    for folder in (data, sockets):
        folder.mkdir(mode=0o700)
        shutil.chown(folder, "postgres", "postgres")
    run(
        *as_postgres,
        str(bindir / "initdb"),
        "-D",
        str(data),
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
    )
    with (data / "pg_hba.conf").open("a") as hba:
        hba.write(f"host all all {SUBNET}.0/24 trust\n")
    cluster.start(
        "db",
        [
            *as_postgres,
            str(bindir / "postgres"),
            "-D",
            str(data),
            "-c",
            f"listen_addresses={address('db')}",
            "-c",
            f"unix_socket_directories={sockets}",
            # A worker that dies mid-transaction on a host that vanished leaves no lock behind.
            "-c",
            "idle_in_transaction_session_timeout=30s",
        ],
        scratch / "postgres.log",
    )
    cluster.start(
        "db",
        [
            tool("redis-server"),
            "--bind",
            address("db"),
            "--port",
            "6379",
            "--protected-mode",
            "no",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(scratch),
        ],
        scratch / "redis.log",
    )
    return f"postgresql://postgres@{address('db')}:5432"


def wait_for_postgres(server: str, seconds: float = 60) -> None:
    """Wait until PostgreSQL accepts connections, then create the app's database."""
    engine = sa.create_engine(
        f"{server}/postgres".replace("postgresql://", "postgresql+psycopg://"),
        isolation_level="AUTOCOMMIT",
    )
    deadline = time.monotonic() + seconds
    try:
        while True:
            try:
                with engine.connect() as connection:
                    connection.exec_driver_sql("CREATE DATABASE campaign")
                return
            except sa.exc.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
    finally:
        engine.dispose()


def make_certificate(scratch: Path) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for the proxy's address."""
    cert, key = scratch / "fullchain.pem", scratch / "privkey.pem"
    run(
        tool("openssl"),
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=campaign.test",
        "-addext",
        f"subjectAltName=IP:{address('proxy')}",
        "-keyout",
        str(key),
        "-out",
        str(cert),
    )
    return cert, key


def nginx_config(scratch: Path, cert: Path, key: Path) -> Path:
    """deploy/nginx/campaign.conf with this layout's addresses and certificate, inside a main
    configuration that keeps every file nginx writes in the scratch folder."""
    site = NGINX_SITE.read_text()
    replacements = {
        "app1.internal:8000": f"{address('app1')}:{APP_PORT}",
        "app2.internal:8000": f"{address('app2')}:{APP_PORT}",
        "/etc/ssl/campaign/fullchain.pem": str(cert),
        "/etc/ssl/campaign/privkey.pem": str(key),
    }
    for old, new in replacements.items():
        if site.count(old) != 1:
            raise RuntimeError(f"{NGINX_SITE} should name {old} once: the test and it disagree")
        site = site.replace(old, new)
    (scratch / "campaign.conf").write_text(site)
    main = scratch / "nginx.conf"
    temp = {kind: scratch / f"nginx-{kind}" for kind in ("body", "proxy", "fastcgi", "uwsgi")}
    main.write_text(
        f"""# The test's own nginx: the scratch folder is root's, so are the workers.
user root;
worker_processes 1;
daemon off;
pid {scratch / "nginx.pid"};
error_log {scratch / "nginx-error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    log_format upstreams '$request_method $uri $status "$upstream_addr" "$upstream_status"';
    access_log {scratch / "nginx-access.log"} upstreams;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {scratch / "nginx-scgi"};
    include {scratch / "campaign.conf"};
}}
"""
    )
    return main


def wait_for(url: str, context: ssl.SSLContext | None, seconds: float = 30) -> None:
    """Wait until a URL answers 200."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2, context=context).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def proxy_figures(log: Path) -> dict[str, int]:
    """What nginx's log says: requests per app host, and those it sent to the next host."""
    figures: Counter[str] = Counter()
    pattern = re.compile(r'^(\S+) (\S+) (\d+) "([^"]*)" "([^"]*)"$')
    for line in log.read_text().splitlines():
        match = pattern.match(line)
        if not match:
            continue
        method, uri, status, upstreams, _ = match.groups()
        hosts = [u.strip() for u in upstreams.split(",")]
        figures["requests"] += 1
        figures[f"last answered by {hosts[-1]}"] += 1
        if len(hosts) > 1:
            figures["passed to the next host"] += 1
            if method == "POST" and uri.endswith("/support"):
                figures["support posts passed to the next host"] += 1
        if status.startswith("5"):
            figures[f"{status} {method}"] += 1
    return dict(figures)


def client_seen_by_app(database_url: str, case_id: int) -> tuple[int, int]:
    """How many of the run's messages the app attributes to the client's own address (through
    X-Forwarded-For from the one trusted proxy), and how many to another address."""
    from campaign import create_app
    from campaign.util.privacy import keyed_hash

    app = create_app(
        {"SECRET_KEY": nothing_lost.SECRET_KEY, "SQLALCHEMY_DATABASE_URI": database_url}
    )
    with app.app_context():
        expected = keyed_hash(address("client"))
    engine = sa.create_engine(nothing_lost.sqlalchemy_url(database_url))
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT client_hash = :expected, count(*) FROM messages "
                    "WHERE case_id = :case AND body LIKE :prefix GROUP BY 1"
                ),
                {"expected": expected, "case": case_id, "prefix": f"{nothing_lost.BODY_PREFIX} %"},
            )
            counts = {bool(same): int(n) for same, n in rows}
    finally:
        engine.dispose()
    return counts.get(True, 0), counts.get(False, 0)


def redis_limit_counters(host: str) -> dict[str, int]:
    """The rate-limit counters in Redis (the apps share them): how many, and their total."""
    import redis

    client = redis.Redis(host=host, port=6379, socket_timeout=5)
    try:
        keys = [k.decode() for k in client.scan_iter("LIMITS*")]
        total = 0
        for key in keys:
            value = str(client.get(key) or b"", "ascii", "replace")  # type: ignore[arg-type]
            if value.isdigit():
                total += int(value)
        return {"keys": len(keys), "counted": total}
    finally:
        client.close()


def cluster_test(messages: int, clients: int) -> int:
    """Build the layout, drive the load through the proxy, stop app1 mid-run, check, clean up."""
    if os.geteuid() != 0:
        raise Skip("it needs root (network namespaces)")
    ip = tool("ip")
    probe = f"{PREFIX}probe-{os.getpid()}"
    if run(ip, "netns", "add", probe, check=False).returncode != 0:
        raise Skip("ip netns does not work here")
    run(ip, "netns", "del", probe)
    nginx = ensure_nginx()
    remove_leftovers(ip)

    started = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="cluster-test-"))
    scratch.chmod(0o711)  # postgres (another user) must reach its folders inside
    cluster = Cluster(scratch)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    failed = True
    try:
        cluster.build()
        server = start_database(cluster, scratch)
        enter_namespace(f"/run/netns/{cluster.ns('client')}")
        wait_for_postgres(server)
        url = f"{server}/campaign"
        seeded = nothing_lost.seed(url)
        apps = {}
        for host in ("app1", "app2"):
            instance = scratch / host
            instance.mkdir()
            env = nothing_lost.app_environment(
                url,
                instance,
                PRODUCTION="true",
                # Production builds links from the public address and answers only its hosts:
                # the proxy's, and this host's own for the readiness check that bypasses it.
                PUBLIC_BASE_URL=f"https://{address('proxy')}",
                TRUSTED_HOSTS=f"{address('proxy')},{address(host)}",
                SESSION_COOKIE_SECURE="true",
                REMEMBER_COOKIE_SECURE="true",
                RATELIMIT_STORAGE_URI=f"redis://{address('db')}:6379/0",
                PROXY_FIX_X_FOR="1",
            )
            apps[host] = Gunicorn(
                env,
                f"{address(host)}:{APP_PORT}",
                scratch / f"{host}.log",
                workers=2,
                prefix=cluster.prefix_for(host),
            )
            cluster.processes.append(apps[host].process)
        for host, app in apps.items():
            app.wait_ready(f"http://{address(host)}:{APP_PORT}")

        cert, key = make_certificate(scratch)
        config = nginx_config(scratch, cert, key)
        run(nginx, "-t", "-q", "-c", str(config), "-e", str(scratch / "nginx-error.log"))
        cluster.start(
            "proxy",
            [nginx, "-c", str(config), "-e", str(scratch / "nginx-error.log")],
            scratch / "nginx.out",
        )
        context = ssl.create_default_context(cafile=str(cert))
        base = f"https://{address('proxy')}"
        wait_for(base + "/healthz", context)
        ready = time.monotonic() - started

        tally, seconds, done = nothing_lost.drive(
            base,
            slug=seeded.slug,
            case_id=seeded.case_id,
            organisers=seeded.organisers,
            messages=messages,
            clients=clients,
            disruptions=[Disruption(0.4, "app host 1 stopped", lambda: cluster.kill_host("app1"))],
            context=context,
        )
        report = nothing_lost.Report(
            "PostgreSQL and Redis on host db, 2 app hosts x 2 workers behind nginx",
            clients,
            seconds,
            tally,
            nothing_lost.stored_bodies(url, seeded.case_id),
            done,
        )
        proxy = proxy_figures(scratch / "nginx-access.log")
        limits = redis_limit_counters(address("db"))
        own, other = client_seen_by_app(url, seeded.case_id)
        problems = list(report.problems)
        app2 = f"{address('app2')}:{APP_PORT}"
        if not any(key.startswith("last answered by") and app2 in key for key in proxy):
            problems.append("app2 answered nothing")
        if limits["keys"] == 0:
            problems.append("no rate-limit counter in Redis")
        if other:
            problems.append(f"{other} messages attributed to another address than the client's")
        print("\n".join(report.lines()), flush=True)
        print(f"  set-up {ready:.1f} s; proxy: {proxy}")
        print(f"  Redis rate-limit counters: {limits}")
        print(f"  messages attributed to the client's own address: {own}, to another: {other}")
        for problem in problems:
            print(f"  PROBLEM: {problem}")
        if problems:
            for name in ("app1.log", "app2.log", "nginx-error.log", "postgres.log"):
                path = scratch / name
                if path.exists():
                    print(f"--- {name} (end)\n{path.read_text()[-3000:]}", file=sys.stderr)
        failed = bool(problems)
    finally:
        left = cluster.close()
        shutil.rmtree(scratch, ignore_errors=True)
        total = time.monotonic() - started
        if left:
            print(f"  NOT CLEANED UP: namespaces {left}")
            failed = True
        else:
            print(f"  cleaned up: every namespace, veth pair and process removed ({total:.0f} s)")
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bench.cluster``: exit 0 when nothing was lost (or the test cannot run here)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args(argv)
    try:
        return cluster_test(args.messages, args.clients)
    except Skip as reason:
        print(f"cluster test skipped: {reason}")
        return 0


if __name__ == "__main__":
    sys.exit(main())
