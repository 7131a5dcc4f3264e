"""Configuration: the defaults, and the start-up checks that turn bad settings into one sentence."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

SECRET_KEY_FILE = "secret_key"  # noqa: S105  # nosec B105  # a file name, not a secret


class StartupError(Exception):
    """A setting that stops the app from starting; its message is one sentence for the operator."""


class Defaults:
    """Settings every install starts from; ``instance/config.py``, then ``CAMPAIGN_*`` override."""

    # Production mode refuses to start without a configured secret and insists on Secure cookies.
    PRODUCTION = False
    SECRET_KEY: str | None = None
    DATABASE_URL: str | None = None
    SQLALCHEMY_RECORD_QUERIES = False
    SQLITE_BUSY_TIMEOUT_MS = 15_000
    # How much of the SQLite file is read through a memory map (0: none). Every write by
    # another worker empties each connection's page cache; mapped pages come back cheaper
    # (a page made again after a change: about 0.7 ms less on the long case), but each worker
    # then counts the pages it read in its resident memory (about 10 MB more on the bench).
    SQLITE_MMAP_BYTES = 0
    DATABASE_CONNECT_TIMEOUT = 5

    # The name the site goes by: page titles, the header, feeds and calendars.
    SITE_NAME = "Solidarity tracker"

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    # The interface languages (Babel locale identifiers), the default first or anywhere: the
    # default's pages have no prefix, every other's are under /<language>/ ("/ru/cases/...").
    # A list, or from the environment a comma-separated string ("en,ru,kk").
    LANGUAGES = ("en", "ru", "kk")

    SESSION_COOKIE_HTTPONLY = True
    # None: Secure unless the app runs in debug or testing mode (decided in finalise()).
    SESSION_COOKIE_SECURE: bool | None = None
    REMEMBER_COOKIE_SECURE: bool | None = None
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_IDLE_TIMEOUT = timedelta(hours=2)

    # A supporter may take a while over a message; the token still dies with the session.
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    # Over HTTPS Flask-WTF would also demand a same-site Referer, which browsers never send here
    # (every page says Referrer-Policy: no-referrer), so every form would fail; the CSRF token
    # and SameSite cookies protect the forms.
    WTF_CSRF_SSL_STRICT = False
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    # Seconds a client may leave a request body unfinished under gunicorn before it is refused
    # (400), well inside gunicorn's worker timeout, which would end the worker with a 500.
    REQUEST_BODY_TIMEOUT = 10

    # "database://": counters in the database, shared by every worker; or redis://host:6379/0.
    RATELIMIT_STORAGE_URI = "database://"
    RATELIMIT_HEADERS_ENABLED = True
    # How many proxies in front of the app set X-Forwarded-For (0: trust none).
    PROXY_FIX_X_FOR = 0
    # Where the public reaches the app ("https://campaign.example.org"): every absolute link
    # (the withdraw link in e-mails, feeds, invitations) is built from it, never from the
    # request's Host header. Required in production; in development the request's host serves.
    PUBLIC_BASE_URL: str | None = None
    # The host names requests may carry (Flask); None in production: PUBLIC_BASE_URL's host
    # (and the onion address's).
    TRUSTED_HOSTS: list[str] | None = None
    # An onion service of the same site ("http://xyz.onion"): announced by Onion-Location.
    ONION_ADDRESS: str | None = None
    # /.well-known/security.txt (RFC 9116): served when a contact is set ("mailto:..." or an
    # https:// address); its expiry (an ISO 8601 date) must then be set too.
    SECURITY_CONTACT: str | None = None
    SECURITY_TXT_EXPIRES: str | None = None

    PASSWORD_MIN_LENGTH = 12
    # The least zxcvbn score (0-4) a new password needs; 3 is "safely unguessable" online.
    PASSWORD_MIN_SCORE = 3
    # Sign-in throttling within the window (a timedelta, or seconds from the environment):
    # failures per account from one client (then that client waits), per client over all
    # accounts, and after how many failures of an account from anywhere unknown clients get one
    # attempt per interval; wrong one-time codes per account.
    LOGIN_ACCOUNT_LIMIT = 5
    LOGIN_CLIENT_LIMIT = 20
    LOGIN_ACCOUNT_SLOW_AFTER = 10
    LOGIN_ACCOUNT_SLOW_INTERVAL = timedelta(minutes=1)
    LOGIN_CODE_LIMIT = 5
    LOGIN_THROTTLE_WINDOW = timedelta(minutes=15)
    INVITATION_LIFETIME = timedelta(hours=72)
    # argon2id parameters (RFC 9106's second recommended option); tests use cheaper ones.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 64 * 1024
    ARGON2_PARALLELISM = 4

    SUPPORTER_EMAIL_RETENTION_DAYS = 30
    # The text of a message as sent, before a safety edit, is kept until delivery or this long.
    SAFETY_EDIT_ORIGINAL_DAYS = 30
    # Client hashes (and the random keys behind them) are deleted this long after they are made.
    CLIENT_HASH_RETENTION_HOURS = 48
    # The supporters' form: limits per client (Flask-Limiter syntax), the body cap, how long a
    # form must be open before sending (and at most), and how far back duplicates are caught.
    SUPPORT_SEND_LIMIT = "20 per 10 minutes;200 per day"
    SUPPORT_ATTEMPT_LIMIT = "60 per 10 minutes"
    SUPPORT_MAX_BODY_BYTES = 64 * 1024
    # The public API (/api/v1/): requests per client (Flask-Limiter syntax).
    API_RATE_LIMIT = "300 per minute;5000 per hour"
    SUPPORT_FORM_MIN_SECONDS = 3
    SUPPORT_FORM_MAX_SECONDS = 8 * 3600
    SUPPORT_DUPLICATE_WINDOW_HOURS = 7 * 24
    # The most messages one delivery pack holds: a pack is printed and carried to the person.
    DELIVERY_PACK_SIZE = 500
    # "I sent a letter" on an appeal: presses per client (Flask-Limiter syntax); each client
    # is counted once a day whatever it presses.
    APPEAL_LETTER_LIMIT = "30 per 10 minutes;100 per day"
    # Outgoing mail, sent by the outbox worker: a supporter's confirmation (with the withdraw
    # link) and case subscriptions. Without MAIL_SERVER nothing is sent, the support form does
    # not ask for an e-mail at all and cases cannot be followed by e-mail.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 587
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = True
    MAIL_FROM: str | None = None
    # The outbox (campaign.outbox): how many times a worker tries an e-mail before marking it
    # failed, the wait after the first failure (doubled after each next one, up to the most),
    # how long a worker's claim on an e-mail lasts (a crashed worker's claim expires), how long
    # `outbox run` sleeps when nothing is due, and when a failed e-mail's address is erased.
    OUTBOX_MAX_ATTEMPTS = 8
    OUTBOX_RETRY_SECONDS = 60
    OUTBOX_RETRY_MAX_SECONDS = 6 * 3600
    OUTBOX_LEASE_SECONDS = 600
    OUTBOX_POLL_SECONDS = 10
    OUTBOX_FAILED_RETENTION_DAYS = 30
    # Following a case by e-mail (campaign.subscriptions): how long a confirmation link works,
    # when an unconfirmed subscription is deleted, and the requests one client may send.
    SUBSCRIPTION_CONFIRM_HOURS = 48
    SUBSCRIPTION_UNCONFIRMED_DAYS = 3
    SUBSCRIPTION_REQUEST_LIMIT = "10 per 10 minutes;50 per day"
    # `flask appeals remind` e-mails active organisers and admins the appeals that are due.
    APPEAL_REMINDERS = False
    # Spreadsheets in (campaign.imports): the largest file and the most rows one upload may
    # hold (an import runs within the request: keep it well inside the worker timeout), and
    # how long an uploaded sheet waits for its confirmation before it is deleted.
    IMPORT_MAX_BYTES = 1_500_000
    IMPORT_MAX_ROWS = 500
    IMPORT_UPLOAD_HOURS = 2
    # Where case photos are read from; None: the instance folder's photos/.
    PHOTO_FOLDER: str | None = None
    # The e-mail of the first admin that `flask init` creates.
    ADMIN_EMAIL = "admin@example.org"
    # The app's own log records from this level up reach the server's log (gunicorn's error log).
    LOG_LEVEL = "INFO"
    # The page cache of anonymous public pages (campaign.web.caching): on or off, what each worker
    # keeps (pages and bytes), and a Redis that all workers and hosts share (None: none).
    PAGE_CACHE_ENABLED = True
    PAGE_CACHE_MAX_ENTRIES = 2000
    PAGE_CACHE_MAX_BYTES = 32 * 1024 * 1024
    PAGE_CACHE_REDIS_URL: str | None = None
    PAGE_CACHE_REDIS_TTL = 3600
    # What each worker keeps of the timeline's rendered items (campaign.timeline.fragments), in
    # bytes; 0 renders every item every time.
    TIMELINE_FRAGMENT_BYTES = 16 * 1024 * 1024


def _duration(value: Any) -> timedelta:
    """A timedelta, or a number of seconds (as the environment gives it); never negative."""
    if isinstance(value, bool):
        raise ValueError(value)
    duration = value if isinstance(value, timedelta) else timedelta(seconds=float(value))
    if duration < timedelta(0):
        raise ValueError(value)
    return duration


def _whole(value: Any) -> int:
    """A whole number, never negative (``"30"`` from the environment is 30; ``"3.5"``, ``-1``
    and ``True`` are refused)."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(value)
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


def _number(value: Any) -> float:
    """A number of seconds or hours, whole or not, never negative."""
    if isinstance(value, bool):
        raise ValueError(value)
    number = float(value)
    if number < 0:
        raise ValueError(value)
    return number


def _flag(value: Any) -> bool:
    """True or false (the environment's ``true``/``false`` arrive as JSON booleans already)."""
    if isinstance(value, bool):
        return value
    if str(value).strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if str(value).strip().lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(value)


def _score(value: Any) -> int:
    """A zxcvbn score: a whole number from 0 to 4."""
    number = _whole(value)
    if number > 4:
        raise ValueError(value)
    return number


def _pack_size(value: Any) -> int:
    """A number of messages from 1 to 5,000: a pack is one printed bundle."""
    number = _whole(value)
    if not 1 <= number <= 5000:
        raise ValueError(value)
    return number


def _level(value: Any) -> str:
    """A logging level's name: DEBUG, INFO, WARNING, ERROR or CRITICAL."""
    name = str(value).strip().upper()
    if name not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ValueError(value)
    return name


def _hosts(value: Any) -> list[str] | None:
    """A list of host names, or a comma-separated string of them; None stays None."""
    if value is None:
        return None
    names = value.split(",") if isinstance(value, str) else list(value)
    hosts = [str(name).strip() for name in names if str(name).strip()]
    if not hosts:
        raise ValueError(value)
    return hosts


def _site(value: Any) -> str | None:
    """An http(s) origin (scheme, host, port; no path), without a trailing slash."""
    if value is None or value == "":
        return None
    parsed = urlsplit(str(value).strip())
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise ValueError(value)
    if parsed.path not in {"", "/"} or parsed.query or parsed.fragment:
        raise ValueError(value)
    return str(value).strip().rstrip("/")


def _iso_day(value: Any) -> str | None:
    """An ISO 8601 date or date and time (the expiry of security.txt); None stays None."""
    if value is None or value == "":
        return None
    when = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _languages(value: Any) -> tuple[str, ...]:
    """Babel locale identifiers ("en", "ru", "pt_BR"), as a list or a comma-separated string,
    each known to Babel (a prefix of the site's addresses), without repeats."""
    from babel import Locale, UnknownLocaleError

    names = value.split(",") if isinstance(value, str) else list(value)
    found: list[str] = []
    for raw in names:
        name = str(raw).strip()
        if not name:
            continue
        try:
            Locale.parse(name)
        except (UnknownLocaleError, ValueError, TypeError):
            raise ValueError(value) from None
        if name not in found:
            found.append(name)
    if not found:
        raise ValueError(value)
    return tuple(found)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(value)
    return value


# Every setting the code reads as a number, a duration or a flag, with what it must be: the
# values are checked and turned into that type once, at start-up, so code reads config[KEY].
COERCE: dict[str, tuple[Callable[[Any], Any], str]] = {
    "PRODUCTION": (_flag, "true or false"),
    "SQLITE_BUSY_TIMEOUT_MS": (_whole, "a whole number of milliseconds"),
    "SQLITE_MMAP_BYTES": (_whole, "a whole number of bytes"),
    "DATABASE_CONNECT_TIMEOUT": (_whole, "a whole number of seconds"),
    "PERMANENT_SESSION_LIFETIME": (_duration, "a number of seconds"),
    "SESSION_IDLE_TIMEOUT": (_duration, "a number of seconds"),
    "WTF_CSRF_TIME_LIMIT": (_whole, "a whole number of seconds"),
    "REQUEST_BODY_TIMEOUT": (_number, "a number of seconds"),
    "PROXY_FIX_X_FOR": (_whole, "the number of proxies in front of the app"),
    "PASSWORD_MIN_LENGTH": (_whole, "a whole number of characters"),
    "LOGIN_ACCOUNT_LIMIT": (_whole, "a whole number of attempts"),
    "LOGIN_CLIENT_LIMIT": (_whole, "a whole number of attempts"),
    "LOGIN_ACCOUNT_SLOW_AFTER": (_whole, "a whole number of attempts"),
    "LOGIN_ACCOUNT_SLOW_INTERVAL": (_duration, "a number of seconds"),
    "LOGIN_CODE_LIMIT": (_whole, "a whole number of attempts"),
    "PASSWORD_MIN_SCORE": (_score, "a whole number from 0 to 4"),
    "LOGIN_THROTTLE_WINDOW": (_duration, "a number of seconds"),
    "INVITATION_LIFETIME": (_duration, "a number of seconds"),
    "ARGON2_TIME_COST": (_whole, "a whole number"),
    "ARGON2_MEMORY_COST": (_whole, "a whole number of KiB"),
    "ARGON2_PARALLELISM": (_whole, "a whole number"),
    "SUPPORTER_EMAIL_RETENTION_DAYS": (_whole, "a whole number of days"),
    "CLIENT_HASH_RETENTION_HOURS": (_number, "a number of hours"),
    "SAFETY_EDIT_ORIGINAL_DAYS": (_whole, "a whole number of days"),
    "SUPPORT_SEND_LIMIT": (_text, 'a limit such as "20 per 10 minutes"'),
    "SUPPORT_ATTEMPT_LIMIT": (_text, 'a limit such as "60 per 10 minutes"'),
    "SUPPORT_MAX_BODY_BYTES": (_whole, "a whole number of bytes"),
    "API_RATE_LIMIT": (_text, 'a limit such as "300 per minute"'),
    "SUPPORT_FORM_MIN_SECONDS": (_number, "a number of seconds"),
    "SUPPORT_FORM_MAX_SECONDS": (_number, "a number of seconds"),
    "SUPPORT_DUPLICATE_WINDOW_HOURS": (_number, "a number of hours"),
    "DELIVERY_PACK_SIZE": (_pack_size, "a whole number of messages from 1 to 5000"),
    "APPEAL_LETTER_LIMIT": (_text, 'a limit such as "30 per 10 minutes"'),
    "MAIL_PORT": (_whole, "a port number"),
    "MAIL_USE_TLS": (_flag, "true or false"),
    "APPEAL_REMINDERS": (_flag, "true or false"),
    "IMPORT_MAX_BYTES": (_whole, "a whole number of bytes"),
    "IMPORT_MAX_ROWS": (_whole, "a whole number of rows"),
    "IMPORT_UPLOAD_HOURS": (_number, "a number of hours"),
    "OUTBOX_MAX_ATTEMPTS": (_whole, "a whole number of attempts"),
    "OUTBOX_RETRY_SECONDS": (_number, "a number of seconds"),
    "OUTBOX_RETRY_MAX_SECONDS": (_number, "a number of seconds"),
    "OUTBOX_LEASE_SECONDS": (_number, "a number of seconds"),
    "OUTBOX_POLL_SECONDS": (_number, "a number of seconds"),
    "OUTBOX_FAILED_RETENTION_DAYS": (_whole, "a whole number of days"),
    "SUBSCRIPTION_CONFIRM_HOURS": (_number, "a number of hours"),
    "SUBSCRIPTION_UNCONFIRMED_DAYS": (_whole, "a whole number of days"),
    "SUBSCRIPTION_REQUEST_LIMIT": (_text, 'a limit such as "10 per 10 minutes"'),
    "LOG_LEVEL": (_level, "DEBUG, INFO, WARNING, ERROR or CRITICAL"),
    "PAGE_CACHE_ENABLED": (_flag, "true or false"),
    "PAGE_CACHE_MAX_ENTRIES": (_whole, "a whole number of pages"),
    "PAGE_CACHE_MAX_BYTES": (_whole, "a whole number of bytes"),
    "PAGE_CACHE_REDIS_TTL": (_whole, "a whole number of seconds"),
    "TIMELINE_FRAGMENT_BYTES": (_whole, "a whole number of bytes"),
    "PUBLIC_BASE_URL": (_site, "an address such as https://campaign.example.org"),
    "ONION_ADDRESS": (_site, "an address such as http://example.onion"),
    "TRUSTED_HOSTS": (_hosts, "a list of host names"),
    "SECURITY_TXT_EXPIRES": (_iso_day, "a date such as 2027-06-30"),
    "LANGUAGES": (_languages, 'a list of language codes such as "en,ru,kk"'),
}


def _coerce(config: dict[str, Any]) -> None:
    """Turn every typed setting into its type, or stop start-up with the one that is wrong."""
    for key, (convert, expected) in COERCE.items():
        try:
            config[key] = convert(config[key])
        except (TypeError, ValueError, OverflowError):
            raise StartupError(
                f"The setting {key} must be {expected}, not {config[key]!r}."
            ) from None


def normalise_database_url(raw: str) -> str:
    """Check a database URL and point PostgreSQL at psycopg 3; refuse anything else clearly."""
    try:
        url = make_url(raw.strip())
    except ArgumentError:
        raise StartupError(
            "The database URL is not valid: expected something like "
            "postgresql://user@host:5432/dbname or sqlite:////path/to/file.sqlite."
        ) from None
    backend = url.get_backend_name()
    if backend in {"postgres", "postgresql"}:
        if not url.database:
            raise StartupError("The PostgreSQL database URL does not name a database.")
        url = url.set(drivername="postgresql+psycopg")
    elif backend != "sqlite":
        raise StartupError(
            f"The database URL uses '{backend}', but only PostgreSQL and SQLite are supported."
        )
    return url.render_as_string(hide_password=False)


def describe_database(url: str) -> str:
    """Name a database for messages without its password ("PostgreSQL at db:5432/campaign")."""
    parsed: URL = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite at {parsed.database or ':memory:'}"
    return f"PostgreSQL at {parsed.host or 'localhost'}:{parsed.port or 5432}/{parsed.database}"


def _ensure_instance_folder(app: Flask) -> None:
    """Create the instance folder, or say in one sentence why it cannot be written."""
    path = Path(app.instance_path)
    try:
        # Owner-only: the folder holds the secret key and, with SQLite, supporters' data.
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise StartupError(
            f"The instance folder {path} cannot be created ({exc.strerror}); "
            "set CAMPAIGN_INSTANCE_PATH to a writable folder."
        ) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise StartupError(
            f"The instance folder {path} cannot be written; "
            "fix its permissions or set CAMPAIGN_INSTANCE_PATH to a writable folder."
        )


def _load_or_create_secret(app: Flask) -> str:
    """Read the instance's secret key, creating it (owner-only) on a development first run."""
    path = Path(app.instance_path) / SECRET_KEY_FILE
    if path.exists():
        secret = path.read_text(encoding="ascii").strip()
        if secret:
            return secret
    if app.config["PRODUCTION"]:
        raise StartupError(
            "No SECRET_KEY is configured: set CAMPAIGN_SECRET_KEY (or SECRET_KEY in "
            "instance/config.py) to a long random value; every worker must share it."
        )
    _ensure_instance_folder(app)
    secret = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker won the race; use its key
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secret + "\n")
    return secret


def finalise(app: Flask) -> None:
    """Derive the settings that depend on others and check them; raise StartupError if unusable."""
    config = app.config
    _coerce(config)
    raw_url = config.get("SQLALCHEMY_DATABASE_URI") or config.get("DATABASE_URL")
    raw_url = raw_url or os.environ.get("DATABASE_URL")
    if raw_url:
        url = normalise_database_url(str(raw_url))
    else:
        _ensure_instance_folder(app)
        url = "sqlite:///" + str(Path(app.instance_path) / "campaign.sqlite")
    config["SQLALCHEMY_DATABASE_URI"] = url

    engine_options: dict[str, Any] = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if make_url(url).get_backend_name() == "sqlite":
        if make_url(url).database not in (None, "", ":memory:"):
            _ensure_instance_folder_for(Path(str(make_url(url).database)))
        engine_options.setdefault(
            "connect_args", {"timeout": config["SQLITE_BUSY_TIMEOUT_MS"] / 1000}
        )
    else:
        engine_options.setdefault("pool_pre_ping", True)
        engine_options.setdefault(
            "connect_args", {"connect_timeout": int(config["DATABASE_CONNECT_TIMEOUT"])}
        )
    config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options

    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _load_or_create_secret(app)

    if not config["PHOTO_FOLDER"]:
        config["PHOTO_FOLDER"] = str(Path(app.instance_path) / "photos")

    relaxed = app.debug or app.testing
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if config.get(key) is None:
            config[key] = not relaxed
    if config["PRODUCTION"] and not config["SESSION_COOKIE_SECURE"]:
        raise StartupError("Production mode needs SESSION_COOKIE_SECURE: serve the app over HTTPS.")
    _check_hosts(config)
    if config["BABEL_DEFAULT_LOCALE"] not in config["LANGUAGES"]:
        raise StartupError(
            f"LANGUAGES must include the default language {config['BABEL_DEFAULT_LOCALE']!r}."
        )


def _check_hosts(config: dict[str, Any]) -> None:
    """Production builds links from PUBLIC_BASE_URL and accepts only its own host names."""
    if config["SECURITY_CONTACT"] and not config["SECURITY_TXT_EXPIRES"]:
        raise StartupError(
            "SECURITY_CONTACT is set, so SECURITY_TXT_EXPIRES must be too (a date within a year)."
        )
    if not config["PRODUCTION"]:
        return
    if not config["PUBLIC_BASE_URL"]:
        raise StartupError(
            "Production mode needs PUBLIC_BASE_URL (such as https://campaign.example.org): "
            "links in e-mails are built from it, never from the request's Host header."
        )
    if config["TRUSTED_HOSTS"] is None:
        sites = (config["PUBLIC_BASE_URL"], config["ONION_ADDRESS"])
        config["TRUSTED_HOSTS"] = [str(urlsplit(site).hostname) for site in sites if site]


def _ensure_instance_folder_for(database_file: Path) -> None:
    """Say clearly when the folder of an SQLite file cannot be written (SQLite needs it for WAL)."""
    folder = database_file.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StartupError(
            f"The folder {folder} for the SQLite database cannot be created ({exc.strerror})."
        ) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StartupError(
            f"The folder {folder} for the SQLite database cannot be written; "
            "fix its permissions or set CAMPAIGN_DATABASE_URL."
        )
    if not database_file.exists():
        # Create it owner-only; SQLite gives its -wal and -shm files the same permissions.
        os.close(os.open(database_file, os.O_WRONLY | os.O_CREAT, 0o600))


def check_database(engine: sa.Engine, url: str) -> None:
    """Connect once so an unreachable database stops start-up with a sentence, not a traceback."""
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except sa.exc.OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "no answer"
        raise StartupError(
            f"Cannot reach the database ({describe_database(url)}): {reason}"
        ) from None
