"""campaign: a solidarity-campaign tracker for people detained for their activism."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from campaign.settings import Defaults, StartupError, check_database, finalise

__all__ = ["StartupError", "create_app"]


def _asset_folder(name: str) -> str:
    """Templates and static files sit beside the package in a checkout and inside it in a wheel."""
    package = Path(__file__).resolve().parent
    inside = package / name
    return str(inside if inside.is_dir() else package.parent / name)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints. Start-up problems exit with one sentence."""
    try:
        return _build(test_config)
    except StartupError as exc:
        # SystemExit prints the sentence on stderr (once) and ends the process, traceback-free.
        raise SystemExit(f"campaign cannot start: {exc}") from None


def _build(test_config: Mapping[str, Any] | None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("CAMPAIGN_INSTANCE_PATH") or None,
        template_folder=_asset_folder("templates"),
        static_folder=_asset_folder("static"),
    )
    app.config.from_object(Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("CAMPAIGN")
    else:
        app.config.from_mapping(test_config)
    finalise(app)

    _init_extensions(app)
    _register_blueprints(app)

    from campaign import cli
    from campaign.web import errors, security, templating

    templating.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    cli.init_app(app)
    return app


def _init_extensions(app: Flask) -> None:
    from werkzeug.middleware.proxy_fix import ProxyFix

    from campaign.accounts import sessions
    from campaign.database import tune_sqlite
    from campaign.extensions import babel, csrf, db, limiter, login_manager, migrate
    from campaign.history import recorder
    from campaign.web import actors, i18n

    if app.config["PROXY_FIX_X_FOR"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"])  # type: ignore[method-assign]

    db.init_app(app)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            tune_sqlite(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
        check_database(engine, app.config["SQLALCHEMY_DATABASE_URI"])

    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    sessions.init_app(app)
    recorder.init_app(app, resolve_actor=actors.request_actor)


def _register_blueprints(app: Flask) -> None:
    """Public blueprints first (a small, explicit set), then the staff area and its sections."""
    from campaign.accounts.views import bp as users_bp
    from campaign.accounts.views import public_bp as accounts_bp
    from campaign.cases.views import bp as cases_bp
    from campaign.directory.views import bp as directory_bp
    from campaign.events.views import bp as events_bp
    from campaign.health.views import public_bp as health_bp
    from campaign.history.views import bp as history_bp
    from campaign.manage.views import bp as manage_bp
    from campaign.messages.views import bp as messages_bp
    from campaign.messages.views import public_bp as support_bp
    from campaign.public.views import public_bp
    from campaign.timeline.views import public_bp as timeline_bp
    from campaign.web import access

    for public in (health_bp, public_bp, timeline_bp, support_bp, accounts_bp):
        app.register_blueprint(public)
    # Everything under /manage/ passes the staff area's deny-by-default guard.
    access.init_app(app)
    staff = (manage_bp, cases_bp, events_bp, directory_bp, history_bp, messages_bp, users_bp)
    for section in staff:
        app.register_blueprint(section)
