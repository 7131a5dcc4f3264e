"""Configuration and start-up: defaults, the instance folder, the secret, and bad settings."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path

import pytest

from campaign import create_app
from campaign.extensions import db
from campaign.settings import normalise_database_url
from tests.conftest import base_config


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No CAMPAIGN_* or DATABASE_URL from the outside; the instance folder in a temp dir."""
    import os

    for key in list(os.environ):
        if key.startswith(("CAMPAIGN_", "FLASK_")) or key == "DATABASE_URL":
            monkeypatch.delenv(key)
    instance = tmp_path / "instance"
    monkeypatch.setenv("CAMPAIGN_INSTANCE_PATH", str(instance))
    return instance


def test_defaults_use_sqlite_in_the_instance_folder(clean_env: Path) -> None:
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{clean_env / 'campaign.sqlite'}"
    assert (clean_env / "campaign.sqlite").exists()


def test_the_instance_folder_and_database_are_owner_only(clean_env: Path) -> None:
    create_app()
    assert stat.S_IMODE(clean_env.stat().st_mode) == 0o700
    assert stat.S_IMODE((clean_env / "campaign.sqlite").stat().st_mode) == 0o600


def test_first_run_writes_an_owner_only_secret_and_reuses_it(clean_env: Path) -> None:
    first = create_app()
    secret_file = clean_env / "secret_key"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) >= 40
    second = create_app()
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_instance_config_then_environment_override_defaults(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean_env.mkdir(parents=True)
    (clean_env / "config.py").write_text(
        "PASSWORD_MIN_LENGTH = 14\nSUPPORTER_EMAIL_RETENTION_DAYS = 9\n"
    )
    monkeypatch.setenv("CAMPAIGN_SUPPORTER_EMAIL_RETENTION_DAYS", "11")
    app = create_app()
    assert app.config["PASSWORD_MIN_LENGTH"] == 14
    assert app.config["SUPPORTER_EMAIL_RETENTION_DAYS"] == 11


def test_production_without_a_secret_stops_with_one_sentence(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CAMPAIGN_PRODUCTION", "true")
    with pytest.raises(SystemExit) as exc:
        create_app()
    message = str(exc.value)
    assert "No SECRET_KEY is configured" in message
    assert "\n" not in message
    assert not (clean_env / "secret_key").exists()


def test_production_with_a_secret_starts_with_secure_cookies(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAMPAIGN_PRODUCTION", "true")
    monkeypatch.setenv("CAMPAIGN_SECRET_KEY", "x" * 50)
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url at all", "The database URL is not valid"),
        ("mysql://root@localhost/db", "only PostgreSQL and SQLite are supported"),
        ("postgresql://user@localhost", "does not name a database"),
    ],
)
def test_a_bad_database_url_stops_start_up_clearly(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, url: str, expected: str
) -> None:
    monkeypatch.setenv("CAMPAIGN_DATABASE_URL", url)
    with pytest.raises(SystemExit) as exc:
        create_app()
    assert expected in str(exc.value)
    assert "Traceback" not in str(exc.value)


def test_an_unreachable_postgresql_stops_start_up_without_the_password(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://someone:hunter2secret@127.0.0.1:1/campaign")
    with pytest.raises(SystemExit) as exc:
        create_app()
    message = str(exc.value)
    assert message.startswith("campaign cannot start: Cannot reach the database")
    assert "127.0.0.1:1/campaign" in message
    assert "hunter2secret" not in message


def test_an_instance_folder_that_cannot_be_created_stops_start_up(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, clean_env: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CAMPAIGN_INSTANCE_PATH", str(blocker / "instance"))
    with pytest.raises(SystemExit) as exc:
        create_app()
    assert "instance folder" in str(exc.value)
    assert "cannot be created" in str(exc.value)


def test_postgresql_urls_are_pointed_at_psycopg_3() -> None:
    assert normalise_database_url("postgres://u@h/db").startswith("postgresql+psycopg://")
    assert (
        normalise_database_url("postgresql://u:p@h:5433/db") == "postgresql+psycopg://u:p@h:5433/db"
    )
    assert normalise_database_url("sqlite:////tmp/x.sqlite") == "sqlite:////tmp/x.sqlite"


def test_the_conventional_database_url_variable_is_honoured(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    target = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{clean_env.parent / 'other.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", target)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == normalise_database_url(target)
    with app.app_context():
        db.engine.dispose()


def test_settings_from_the_environment_arrive_as_their_types(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAMPAIGN_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("CAMPAIGN_LOGIN_THROTTLE_WINDOW", "600")
    monkeypatch.setenv("CAMPAIGN_SUPPORTER_EMAIL_RETENTION_DAYS", "30")
    monkeypatch.setenv("CAMPAIGN_MAIL_USE_TLS", "false")
    monkeypatch.setenv("CAMPAIGN_LOG_LEVEL", "warning")
    app = create_app()
    assert app.config["LOGIN_THROTTLE_WINDOW"] == timedelta(minutes=10)
    assert app.config["SUPPORTER_EMAIL_RETENTION_DAYS"] == 30
    assert app.config["MAIL_USE_TLS"] is False
    assert app.config["LOG_LEVEL"] == "WARNING"


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("LOGIN_ACCOUNT_LIMIT", "abc", "a whole number of attempts"),
        ("SUPPORT_FORM_MIN_SECONDS", "soon", "a number of seconds"),
        ("MAIL_USE_TLS", "perhaps", "true or false"),
        ("LOG_LEVEL", "chatty", "DEBUG, INFO, WARNING, ERROR or CRITICAL"),
        ("PASSWORD_MIN_LENGTH", 3.5, "a whole number of characters"),
        ("PASSWORD_MIN_SCORE", 5, "a whole number from 0 to 4"),
        ("LOGIN_ACCOUNT_SLOW_INTERVAL", "a while", "a number of seconds"),
    ],
)
def test_a_setting_of_the_wrong_kind_stops_start_up_with_a_sentence(
    tmp_path: Path, key: str, value: object, expected: str
) -> None:
    with pytest.raises(SystemExit) as stopped:
        create_app(base_config(tmp_path, **{key: value}))
    assert str(stopped.value) == (
        f"campaign cannot start: The setting {key} must be {expected}, not {value!r}."
    )


@pytest.mark.parametrize(
    "key", ["SUPPORT_FORM_MIN_SECONDS", "LOGIN_THROTTLE_WINDOW", "LOGIN_ACCOUNT_LIMIT"]
)
def test_a_negative_count_or_duration_stops_start_up(tmp_path: Path, key: str) -> None:
    with pytest.raises(SystemExit, match=f"The setting {key} must be"):
        create_app(base_config(tmp_path, **{key: -5}))
