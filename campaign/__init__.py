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
    # Imported here, not at the top: importing the package must not import every view.
    from campaign import cli, logs
    from campaign.web import errors, inputs, routing, security, templating

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

    logs.init_app(app)
    inputs.init_app(app)  # first: no extension reads a request it refuses
    _init_extensions(app)
    routing.init_app(app)
    _register_blueprints(app)
    templating.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    cli.init_app(app)
    return app


def _init_extensions(app: Flask) -> None:
    """The database (tuned on SQLite, checked once), migrations, CSRF, languages, rate limits,
    sign-in, the audit trail's flush hook, and the public-data version and page cache."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    from campaign import ephemeral, hashkeys, migrating, ratelimits
    from campaign.accounts import sessions
    from campaign.database import tune_sqlite
    from campaign.extensions import babel, csrf, db, limiter, login_manager
    from campaign.history import recorder
    from campaign.public import version
    from campaign.search import index as search_index
    from campaign.timeline import reach
    from campaign.web import actors, caching, clients, i18n, requests

    if app.config["PROXY_FIX_X_FOR"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"])  # type: ignore[method-assign]
    else:
        clients.warn_of_unconfigured_proxy(app)

    db.init_app(app)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            tune_sqlite(
                engine,
                app.config["SQLITE_BUSY_TIMEOUT_MS"],
                requests.may_write,
                mmap_bytes=app.config["SQLITE_MMAP_BYTES"],
            )
        check_database(engine, app.config["SQLALCHEMY_DATABASE_URI"])
        ephemeral.init_app(app)
    hashkeys.init_app(app)
    ratelimits.init_app(app)

    migrating.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    sessions.init_app(app)
    recorder.init_app(app, resolve_actor=actors.request_actor)
    search_index.init_app(app)
    version.init_app(app)
    reach.init_app(app)
    caching.init_app(app, read_version=version.current)


def _register_blueprints(app: Flask) -> None:
    """The public blueprints (a small, explicit set), then the staff area, deny-by-default.

    Each package's views module defines ``bp`` (its staff blueprint, under /manage/) and, when it
    has a public face, ``public_bp``.
    """
    from campaign.accounts import views as accounts
    from campaign.api import views as api
    from campaign.appeals import views as appeals
    from campaign.archive import views as archive
    from campaign.cases import views as cases
    from campaign.content import views as content
    from campaign.directory import views as directory
    from campaign.events import views as events
    from campaign.health import views as health
    from campaign.history import views as history
    from campaign.imports import views as imports
    from campaign.manage import views as manage
    from campaign.messages import views as messages
    from campaign.offline import views as offline
    from campaign.photos import views as photos
    from campaign.public import views as public
    from campaign.search import views as search
    from campaign.subscriptions import views as subscriptions
    from campaign.timeline import views as timeline
    from campaign.web import access

    public_blueprints = (
        health.public_bp,
        public.public_bp,
        search.public_bp,
        timeline.public_bp,
        messages.public_bp,
        subscriptions.public_bp,
        accounts.public_bp,
        appeals.public_bp,
        api.public_bp,
        api.embeds_bp,
        offline.public_bp,
        photos.public_bp,
    )
    for blueprint in public_blueprints:
        app.register_blueprint(blueprint)
    # Everything under /manage/ passes the staff area's guard: no staff view can be forgotten.
    access.init_app(app)
    staff = (
        manage,
        cases,
        events,
        directory,
        history,
        messages,
        accounts,
        search,
        archive,
        appeals,
        content,
        imports,
        offline,
        photos,
    )
    for package in staff:
        app.register_blueprint(package.bp)
