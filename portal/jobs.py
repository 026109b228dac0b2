"""The task queue: Huey on Redis when REDIS_URL is set, else on a SQLite file.

Tests switch it to immediate mode. Every task runs inside a Flask app context:
in a request (immediate mode) the current one, in the consumer one made once.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Callable

from flask import Flask, has_app_context
from huey import RedisHuey, SqliteHuey, crontab
from huey.api import Huey

from . import config

DEFAULT_INSTANCE = Path(__file__).resolve().parent.parent / "instance"


def instance_path(values: dict[str, Any] | None = None) -> Path:
    values = values or config.load()
    return Path(values["INSTANCE_PATH"] or DEFAULT_INSTANCE).resolve()


def _make_huey() -> Huey:
    values = config.load()
    if values["REDIS_URL"]:
        return RedisHuey("tribune", url=values["REDIS_URL"], immediate=values["JOBS_IMMEDIATE"])
    folder = instance_path(values)
    folder.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("tribune", filename=str(folder / "jobs.db"), immediate=values["JOBS_IMMEDIATE"])


huey = _make_huey()
_worker_app: Flask | None = None


def _in_app_context(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        global _worker_app
        if has_app_context():
            return fn(*args, **kwargs)
        if _worker_app is None:
            from . import create_app

            _worker_app = create_app()
        with _worker_app.app_context():
            return fn(*args, **kwargs)

    return run


def set_worker_app(app: Flask) -> None:
    """The consumer's app, used by tasks that run outside a request."""
    global _worker_app
    _worker_app = app


def task(**options: Any) -> Callable[[Callable[..., Any]], Any]:
    """Like `huey.task`, but the task body runs with the app's database and config."""
    return lambda fn: huey.task(**options)(_in_app_context(fn))


def periodic_task(schedule: Any, **options: Any) -> Callable[[Callable[..., Any]], Any]:
    return lambda fn: huey.periodic_task(schedule, **options)(_in_app_context(fn))


@periodic_task(crontab(minute="17"))
def purge_expired_sessions() -> int:
    """Hourly: forget server-side sessions that have expired."""
    from .accounts import service
    from .extensions import db

    return service.purge_expired_sessions(db.session)


def register_tasks() -> None:
    """Import every module that defines tasks, so the consumer knows them all."""
    from . import mail  # noqa: F401
    from .community import jobs as community_jobs  # noqa: F401
    from .feedback import jobs as feedback_jobs  # noqa: F401
    from .search import jobs as search_jobs  # noqa: F401
