"""Tribune: a self-hosted fan-club portal a brand runs for its own community."""
from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter

from . import config as settings
from .extensions import babel, cache, csrf, db, limiter, login_manager, migrate, talisman

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


class DatabaseId(IntegerConverter):
    """`<int:...>` in every route: ids beyond the database's integer are a 404, not a 500."""

    def __init__(self, url_map: Any, fixed_digits: int = 0, min: int | None = None, max: int | None = None,
                 signed: bool = False) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=2**31 - 1 if max is None else max, signed=signed)


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app from the environment; `overrides` replace settings (tests, CLI)."""
    from .jobs import huey, instance_path

    values = settings.load(overrides)
    folder = instance_path(values)
    app = Flask(__name__, instance_path=str(folder), template_folder="../templates", static_folder="../static")
    folder.mkdir(parents=True, exist_ok=True)
    app.url_map.converters["int"] = DatabaseId  # before any route is added
    app.config.update(values)
    app.config.update(settings.derive(values, folder))
    app.config.update({k: v for k, v in (overrides or {}).items() if k.isupper()})
    app.config["SECRET_KEY"] = values["SECRET_KEY"] or _instance_secret(folder)
    from .pagecache import settings as cache_settings

    for key, value in cache_settings(values, str(folder)).items():
        app.config.setdefault(key, value)
    huey.immediate = app.config["JOBS_IMMEDIATE"]
    if values["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = values["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    cache.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=_select_locale, default_translation_directories="translations")
    login_manager.init_app(app)
    talisman.init_app(
        app,
        force_https=values["PRODUCTION"],
        strict_transport_security=values["PRODUCTION"],
        session_cookie_secure=values["PRODUCTION"],
        content_security_policy=_csp(),
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
    )

    _register_models()
    _register_blueprints(app)
    _register_handlers(app)
    from .cli import portal_cli

    app.cli.add_command(portal_cli)
    return app


def _csp() -> dict[str, str]:
    from .security import CONTENT_SECURITY_POLICY

    return CONTENT_SECURITY_POLICY


def _instance_secret(folder: Path) -> str:
    """A development secret kept in the instance folder, so sessions survive restarts."""
    path = folder / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _register_models() -> None:
    from .accounts import models as _accounts  # noqa: F401
    from .admin import models as _admin  # noqa: F401
    from .community import models as _community  # noqa: F401
    from .fans import models as _fans  # noqa: F401
    from .feedback import models as _feedback  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from . import accounts, admin, pages
    from .accounts import service as accounts_service
    from .accounts import views as accounts_views
    from .community import moderation_views  # noqa: F401  (adds the moderation routes to community.bp)
    from .community import queries as community_queries
    from .community import views as community
    from .feedback import queries as feedback_queries
    from .feedback import staff_views  # noqa: F401  (adds the staff routes to feedback.bp)
    from .feedback import views as feedback
    from .search import views as search

    for blueprint in (pages.bp, accounts.bp, admin.bp, admin.logo_bp, community.bp, feedback.bp, search.bp):
        app.register_blueprint(blueprint)
    # What other features show on a profile and put in a member's data export.
    if community.profile_section not in accounts_views.PROFILE_SECTIONS:
        accounts_views.PROFILE_SECTIONS.append(community.profile_section)
    accounts_service.DATA_EXPORTERS["community"] = community_queries.export_member_data
    accounts_service.DATA_EXPORTERS["feedback"] = feedback_queries.export_member_data
    from .jobs import register_tasks

    register_tasks()


def _select_locale() -> str | None:
    if not has_request_context():
        return None  # the CLI and jobs: the default, unless force_locale says otherwise
    if current_user and current_user.is_authenticated and current_user.locale in settings.SUPPORTED_LOCALES:
        return current_user.locale
    return request.accept_languages.best_match(settings.SUPPORTED_LOCALES)


@login_manager.user_loader
def _load_user(token: str):
    from .accounts.service import load_session

    return load_session(db.session, token)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL for concurrent readers, foreign keys on, and waiting instead of failing on a lock."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def _register_handlers(app: Flask) -> None:
    from flask_babel import format_date, format_datetime, format_number, get_locale

    from .accounts.service import BIO_MAX, PASSWORD_MIN_LENGTH
    from .admin.forms import site_field_label
    from .admin.service import LOGO_MAX_SIDE, site_settings

    app.jinja_env.globals.update(format_date=format_date, format_datetime=format_datetime, format_number=format_number,
                                 current_locale=get_locale,
                                 password_min=PASSWORD_MIN_LENGTH, bio_max=BIO_MAX, logo_side=LOGO_MAX_SIDE)
    app.jinja_env.filters["site_field_label"] = site_field_label
    from .community.models import COMMENT_MAX, PHOTOS_MAX, POST_MAX
    from .community.moderation import SUSPENSION_DAYS_MAX
    from .feedback.models import STATUS_LABELS

    app.jinja_env.globals.update(status_labels=STATUS_LABELS, photos_max=PHOTOS_MAX, comment_max=COMMENT_MAX, post_max=POST_MAX,
                                 suspension_days_max=SUSPENSION_DAYS_MAX)

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

    @app.errorhandler(429)
    def too_many(_error: Any):
        return error_page(429, _("Slow down"), _("Too many attempts in a short time. Wait a minute and try again."))

    @app.errorhandler(500)
    def server_error(_error: Any):
        db.session.rollback()
        return error_page(500, _("Something went wrong"), _("We could not finish this. Please try again in a moment."))

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError):
        return error_page(400, _("Please try again"), _("The form was missing its security token or had expired. Nothing was saved."))

    class _LazySite:
        """Reads the site settings only if a template asks for them."""

        def __getattr__(self, name: str) -> Any:
            return getattr(site_settings(db.session), name)

