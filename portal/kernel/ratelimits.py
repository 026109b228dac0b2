"""Rate limits: counters every worker shares, what counts as a failure, and a 429 page that says how long to wait.

Without Redis the counters live in a SQLite file in instance/ (`sqlite:///...`, registered with the
`limits` library below): every gunicorn worker on the machine reads and writes the same rows, so a
limit of 30 a minute is 30 a minute, not 30 per worker, and a refusal is not followed by a success
on a retry that lands on another worker. Each increment is one atomic UPSERT.
"""
from __future__ import annotations

import math
import os
import random
import sqlite3
import threading
import time
from typing import Any

from flask import Flask, g, render_template
from flask_babel import gettext as _
from flask_babel import ngettext
from limits.storage import Storage

from ..extensions import limiter

SCHEME = "sqlite"
PURGE_EVERY = 500  # about one increment in this many also forgets the windows that ended


class SQLiteStorage(Storage):
    """A `limits` storage for fixed windows in one SQLite file, shared by the processes of one machine."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any) -> None:
        self.path = (uri or "")[len(f"{SCHEME}:///"):] or ":memory:"
        self._local = threading.local()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._execute("CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL, "
                      "expires REAL NOT NULL)")

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        # One connection per thread and per process: gunicorn forks, and sqlite3 connections do not cross either.
        pid, connection = getattr(self._local, "connection", (None, None))
        if pid != os.getpid() or connection is None:
            connection = sqlite3.connect(self.path, timeout=15, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection = (os.getpid(), connection)
        return connection

    def _execute(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        return self._connection().execute(sql, args).fetchall()

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        if random.randrange(PURGE_EVERY) == 0:
            self._execute("DELETE FROM counters WHERE expires <= ?", now)
        [(value,)] = self._execute(
            "INSERT INTO counters (key, value, expires) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
            "value = CASE WHEN expires <= ? THEN excluded.value ELSE value + excluded.value END, "
            "expires = CASE WHEN expires <= ? THEN excluded.expires ELSE expires END RETURNING value",
            key, amount, now + expiry, now, now)
        return int(value)

    def get(self, key: str) -> int:
        rows = self._execute("SELECT value FROM counters WHERE key = ? AND expires > ?", key, time.time())
        return int(rows[0][0]) if rows else 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        rows = self._execute("SELECT expires FROM counters WHERE key = ? AND expires > ?", key, now)
        return float(rows[0][0]) if rows else now

    def check(self) -> bool:
        try:
            self._execute("SELECT 1")
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        [(count,)] = self._execute("SELECT count(*) FROM counters")
        self._execute("DELETE FROM counters")
        return int(count)

    def clear(self, key: str) -> None:
        self._execute("DELETE FROM counters WHERE key = ?", key)


# -- what counts -----------------------------------------------------------------------------------


def failed(response: Any) -> bool:
    """Deduct only what did not succeed: a sign-in that worked redirects, and costs nothing."""
    return response.status_code >= 400


# -- the 429 page --------------------------------------------------------------------------------


def wait_seconds() -> int:
    """Seconds until the limit this request broke lets the next one through."""
    breached = limiter.current_limit
    if breached is None:
        return 60
    return max(1, math.ceil(breached.reset_at - time.time()))


def wait_text(seconds: int) -> str:
    """'Try again in 42 minutes', rounded up so that trying then works."""
    if seconds < 60:
        return ngettext("Try again in %(num)s second.", "Try again in %(num)s seconds.", seconds)
    minutes = math.ceil(seconds / 60)
    if minutes < 90:
        return ngettext("Try again in %(num)s minute.", "Try again in %(num)s minutes.", minutes)
    return ngettext("Try again in %(num)s hour.", "Try again in %(num)s hours.", math.ceil(minutes / 60))


def too_many(_error: Any) -> Any:
    seconds = wait_seconds()
    g.retry_after = seconds
    message = _("Too many attempts in a short time.") + " " + wait_text(seconds)
    response = render_template("errors/error.html", code=429, title=_("Slow down"), message=message)
    return response, 429, {"Retry-After": str(seconds)}


def _same_retry_after(response: Any) -> Any:
    """Flask-Limiter rewrites Retry-After after the page is made, a second apart at times: the
    header says what the page said."""
    seconds = g.get("retry_after")
    if seconds is not None:
        response.headers["Retry-After"] = str(seconds)
    return response


def init_app(app: Flask) -> None:
    """Call before the limiter binds: after-request hooks run last-registered first, so this one
    runs after the limiter's."""
    app.after_request(_same_retry_after)
    app.register_error_handler(429, too_many)
