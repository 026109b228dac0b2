"""Tribune: a self-hosted fan-club portal a brand runs for its own community."""
from __future__ import annotations

import secrets
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, render_template, request
from flask_babel import format_date, format_datetime, format_number, format_timedelta, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from . import accounts, admin, community, config, fans, feedback, pages, search, staff
from .cli import portal_cli
from .extensions import babel, cache, csrf, db, limiter, login_manager, migrate, talisman
from .kernel import choices, edge, features, fragments, images, maintenance, pagecache, ratelimits, tasks  # noqa: F401 (maintenance: its nightly task)
from .kernel.security import CONTENT_SECURITY_POLICY
from .kernel.site import site_settings
from .kernel.timeutil import utcnow
from .kernel.translatable import localized_attr

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
# Every feature, lowest first: each registers its blueprints, tasks, jinja globals and what it
# brings to the others (profile sections, data exporters, search sources, demo builder).
FEATURES = (accounts, admin, fans, search, community, feedback, pages, staff)


class DatabaseId(IntegerConverter):
    """`<int:...>` in every route: ids beyond the database's integer are a 404, not a 500."""

    def __init__(self, url_map: Any, fixed_digits: int = 0, min: int | None = None, max: int | None = None,
                 signed: bool = False) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=2**31 - 1 if max is None else max, signed=signed)


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app from the environment; `overrides` replace settings (tests, CLI)."""
    values = config.load(overrides)
    folder = config.instance_folder(values)
    folder.mkdir(parents=True, exist_ok=True)
    values["SECRET_KEY"] = values["SECRET_KEY"] or _instance_secret(folder)
    settings = config.Settings.from_values(values)
    app = Flask(__name__, instance_path=str(folder), template_folder="../templates", static_folder="../static")
    app.url_map.converters["int"] = DatabaseId  # before any route is added
    app.config.update(values)
    app.config.update(config.derive(values, folder))
    app.config.update({k: v for k, v in (overrides or {}).items() if k.isupper()})
    app.extensions[config.SETTINGS_EXTENSION] = settings
    for key, value in pagecache.settings(values, str(folder)).items():
        app.config.setdefault(key, value)
    if settings.trusted_proxies:
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    edge.init_app(app)  # first: its checks run before every other hook
    ratelimits.init_app(app)  # before the limiter binds, so the 429 page's Retry-After is the one sent
    _init_extensions(app, settings)
    features.init_app(app)
    fragments.init_app(app)
    choices.init_app(app)
    images.init_app(app, settings)
    for feature in FEATURES:
        feature.init_app(app)
    tasks.init_app(app, settings)  # after the features: binds the tasks they declared
    _register_handlers(app)
    config.watch_base_url(app)  # mail links are built from BASE_URL: say so if requests come elsewhere
    app.cli.add_command(portal_cli)
    return app


def _init_extensions(app: Flask, settings: config.Settings) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    cache.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=_select_locale, default_translation_directories="translations")
    login_manager.init_app(app)
    talisman.init_app(
        app,
        force_https=settings.production,
        strict_transport_security=settings.production,
        session_cookie_secure=settings.production,
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
    )


def _instance_secret(folder: Path) -> str:
    """A development secret kept in the instance folder, so sessions survive restarts."""
    path = folder / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _select_locale() -> str | None:
    if not has_request_context():
        return None  # the CLI and jobs: the default, unless force_locale says otherwise
    if current_user and current_user.is_authenticated and current_user.locale in config.SUPPORTED_LOCALES:
        return current_user.locale
    return request.accept_languages.best_match(config.SUPPORTED_LOCALES)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL for concurrent readers, foreign keys on, and waiting instead of failing on a lock."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


class _LazySite:
    """Reads the site settings only if a template asks for them."""

    def __getattr__(self, name: str) -> Any:
        return getattr(site_settings(db.session), name)


RELATIVE_FOR = timedelta(days=7)


def timestamp(value: datetime | None) -> Markup:
    """Every date a page shows, by one rule: within the last 7 days "3 hours ago", older a medium date ("16 Jun 2026")
    in the reader's language; the full date and time is always the tooltip and the instant the `datetime`.
    app.js keeps the recent ones current (the page may come from the cache)."""
    if value is None:
        return Markup("")
    age = utcnow() - value
    recent = timedelta(0) <= age < RELATIVE_FOR
    text = format_timedelta(-age, add_direction=True, threshold=1) if recent else format_date(value, "medium")
    return Markup('<time datetime="{}" title="{}"{}>{}</time>').format(
        value.strftime("%Y-%m-%dT%H:%M:%SZ"), format_datetime(value, "medium"), Markup(" data-relative") if recent else "", text)


def _register_handlers(app: Flask) -> None:
    app.jinja_env.filters["localized"] = localized_attr  # brand texts in the reader's language: obj|localized("name")
    app.jinja_env.globals.update(format_date=format_date, format_datetime=format_datetime, format_number=format_number,
                                 current_locale=get_locale, timestamp=timestamp)

    @app.context_processor
    def inject_site() -> dict[str, Any]:
        return {"site": _LazySite(), "demo_mode": app.config["DEMO_MODE"]}

    def error_page(code: int, title: str, message: str):
        return render_template("errors/error.html", code=code, title=title, message=message), code

    @app.errorhandler(403)
    def forbidden(_error: Any):
        return error_page(403, _("Not allowed"), _("Your account does not have access to this page."))

    @app.errorhandler(404)
    def not_found(_error: Any):
        return error_page(404, _("Page not found"), _("This page does not exist, or it was removed."))

    @app.errorhandler(405)
    def method_not_allowed(_error: Any):
        return error_page(405, _("Not allowed"), _("This address does not accept that kind of request."))

    @app.errorhandler(413)
    def too_large(_error: Any):
        return error_page(413, _("File too large"), _("What you sent is too large. Try a smaller file."))

    @app.errorhandler(500)
    def server_error(_error: Any):
        db.session.rollback()  # the request failed half-way: nothing of it is kept
        return error_page(500, _("Something went wrong"), _("We could not finish this. Please try again in a moment."))

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError):
        return error_page(400, _("Please try again"), _("The form was missing its security token or had expired. Nothing was saved."))
