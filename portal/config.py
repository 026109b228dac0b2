"""Every setting Tribune reads, with its environment variable and default.

`SETTINGS` is the single list: `load()` builds the Flask config from it and the
README's settings table is checked against it by a test, so the two cannot drift.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

from flask import current_app, request


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(value: str) -> int:
    return int(value.strip())


def _str(value: str) -> str:
    return value


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str
    cast: Callable[[str], Any] = _str


SETTINGS: list[Setting] = [
    Setting("SECRET_KEY", "", "Signs sessions and links. Required in production; a random key is made and kept in instance/secret_key otherwise."),
    Setting("DATABASE_URL", "", "SQLAlchemy URL, e.g. `postgresql+psycopg://user:pass@host/tribune`. Empty: SQLite file `instance/tribune.db`."),
    Setting("INSTANCE_PATH", "", "Folder for the SQLite file, uploads, outbox, job queue and search index. Empty: `instance/` beside the code."),
    Setting("SITE_NAME", "Tribune", "Site name shown until an admin sets one in Admin → Site."),
    Setting("BASE_URL", "", "Public address, used in links inside emails sent by background jobs. Empty: `http://127.0.0.1:$PORT`, the address `./tribune run` serves (PORT, 5000 unless set); a warning is logged once if requests come to another host."),
    Setting("PRODUCTION", "false", "Secure cookies, HTTPS redirects and HSTS. Turn on behind HTTPS.", _bool),
    Setting("TRUSTED_PROXIES", "0", "How many reverse proxies in front of Tribune set X-Forwarded-For and -Proto; their word is trusted for the visitor's address (rate limits) and https.", _int),
    Setting("DEMO_MODE", "false", "Shows the demo banner and lets a signed-in member read the mail sent to them in the outbox.", _bool),
    Setting("MAIL_BACKEND", "outbox", "`outbox` (each message an .eml file in instance/outbox/) or `smtp`."),
    Setting("MAIL_FROM", "Tribune <no-reply@tribune.local>", "Sender of every email."),
    Setting("SMTP_HOST", "localhost", "SMTP server host (MAIL_BACKEND=smtp)."),
    Setting("SMTP_PORT", "25", "SMTP server port.", _int),
    Setting("SMTP_USERNAME", "", "SMTP login; empty for none."),
    Setting("SMTP_PASSWORD", "", "SMTP password."),
    Setting("SMTP_STARTTLS", "false", "Upgrade the SMTP connection with STARTTLS.", _bool),
    Setting("SMTP_TIMEOUT", "10", "Seconds before an SMTP attempt gives up (the job retries).", _int),
    Setting("REDIS_URL", "", "Redis for the job queue, rate limits and page cache. Empty: jobs in instance/jobs.db, rate limits in instance/ratelimits.db, cache in instance/cache/."),
    Setting("RATELIMIT_STORAGE_URI", "", "Overrides where rate limits are counted (Flask-Limiter storage URI). Empty: REDIS_URL, else instance/ratelimits.db, shared by the workers of one machine."),
    Setting("RATELIMIT_ENABLED", "true", "Turn rate limiting off (never in production).", _bool),
    Setting("JOBS_IMMEDIATE", "false", "Run background jobs inline instead of in the consumer (tests).", _bool),
    Setting("DEFAULT_LOCALE", "en", "Language when neither the member nor the browser picks one of the supported ones."),
    Setting("VERIFY_TOKEN_HOURS", "72", "How long an email verification link stays valid.", _int),
    Setting("RESET_TOKEN_MINUTES", "60", "How long a password reset link stays valid.", _int),
    Setting("SESSION_DAYS", "1", "How long a sign-in without “remember me” lasts on the server.", _int),
    Setting("REMEMBER_DAYS", "30", "How long “remember me” keeps a member signed in.", _int),
    Setting("AVATAR_MAX_BYTES", "5242880", "Largest avatar or logo upload accepted, in bytes.", _int),
    Setting("PHOTO_MAX_BYTES", "10485760", "Largest photo accepted in a post, in bytes.", _int),
    Setting("IMAGE_MAX_PIXELS", "40000000", "Largest image accepted, in pixels (width × height), before re-encoding.", _int),
    Setting("FRAGMENT_CACHE_MB", "32", "MiB of drawn cards, rows and headers each worker keeps in memory (the fragment cache), a quarter of them for members' own headers and panels; the least recently used go first.", _int),
]

SUPPORTED_LOCALES = ("en", "fr")
DEFAULT_INSTANCE = Path(__file__).resolve().parent.parent / "instance"


def instance_folder(values: dict[str, Any]) -> Path:
    """The instance folder: INSTANCE_PATH, or instance/ beside the code."""
    return Path(values["INSTANCE_PATH"] or DEFAULT_INSTANCE).resolve()


@dataclass(frozen=True)
class Settings:
    """Tribune's settings, typed: built once by create_app and handed to what needs them.

    One field per entry of SETTINGS (lower-cased), plus the resolved instance folder.
    """

    secret_key: str = field(repr=False)
    database_url: str = field(repr=False)  # may hold a password
    instance_path: Path
    site_name: str
    base_url: str
    production: bool
    trusted_proxies: int
    demo_mode: bool
    mail_backend: str
    mail_from: str
    smtp_host: str
    smtp_port: int
    smtp_username: str
    smtp_password: str = field(repr=False)
    smtp_starttls: bool
    smtp_timeout: int
    redis_url: str
    ratelimit_storage_uri: str
    ratelimit_enabled: bool
    jobs_immediate: bool
    default_locale: str
    verify_token_hours: int
    reset_token_minutes: int
    session_days: int
    remember_days: int
    avatar_max_bytes: int
    photo_max_bytes: int
    image_max_pixels: int
    fragment_cache_mb: int

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> "Settings":
        """From `load()`'s values; an empty INSTANCE_PATH means instance/ beside the code."""
        fields = {setting.name.lower(): values[setting.name] for setting in SETTINGS}
        fields["instance_path"] = instance_folder(values)
        return cls(**fields)

    @property
    def uploads(self) -> Path:
        return self.instance_path / "uploads"



def load(overrides: dict[str, Any] | None = None, environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Read every setting from the environment; `overrides` wins (tests, CLI)."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = env.get(setting.name, setting.default)
        try:
            values[setting.name] = setting.cast(raw)
        except ValueError as exc:
            raise RuntimeError(f"{setting.name}={raw!r} is not valid: {exc}") from exc
    values.update(overrides or {})
    values["BASE_URL"] = (values["BASE_URL"] or default_base_url(env)).rstrip("/")
    return values


def default_base_url(environ: Any) -> str:
    """Where `./tribune run` serves when BASE_URL is not set: this machine, on PORT (5000 unless set)."""
    port = str(environ.get("PORT") or "5000").strip()
    return f"http://127.0.0.1:{port if port.isdigit() else '5000'}"


def watch_base_url(app: Any) -> None:
    """Log once (per process) when a request arrives at another host than BASE_URL's: links in mail,
    built from BASE_URL, would then lead somewhere else than the site the member is using."""
    expected = urlsplit(app.config["BASE_URL"]).netloc.lower()
    warned: set[str] = set()

    def check() -> None:
        host = request.host.lower()
        if host != expected and not warned:
            warned.add(host)
            app.logger.warning("A request came to %s, but BASE_URL is %s: links in emails lead there. "
                               "Set BASE_URL to the site's public address.", host, app.config["BASE_URL"])

    app.before_request(check)


def derive(values: dict[str, Any], instance_path: Path) -> dict[str, Any]:
    """Turn Tribune's settings into the keys Flask and its extensions read."""
    production = values["PRODUCTION"]
    database_url = values["DATABASE_URL"] or f"sqlite:///{instance_path / 'tribune.db'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://"):]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    # Counters shared by every worker (portal/kernel/ratelimits.py): memory:// would count per worker.
    limiter_uri = values["RATELIMIT_STORAGE_URI"] or values["REDIS_URL"] or f"sqlite:///{instance_path / 'ratelimits.db'}"
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "RATELIMIT_STORAGE_URI": limiter_uri,
        "RATELIMIT_HEADERS_ENABLED": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_DURATION": timedelta(days=values["REMEMBER_DAYS"]),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        # Room for a post's four largest photos and its text; larger requests get a clear 413 page.
        "MAX_CONTENT_LENGTH": values["PHOTO_MAX_BYTES"] * 4 + 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": values["DEFAULT_LOCALE"],
        "WTF_CSRF_TIME_LIMIT": None,
    }


SETTINGS_EXTENSION = "tribune.settings"


def settings_of(app: Any) -> Settings:
    """The typed settings create_app built for this app."""
    return app.extensions[SETTINGS_EXTENSION]


def current_settings() -> Settings:
    """The running app's settings: for views, jobs and commands, which hand them to services."""
    return settings_of(current_app)
