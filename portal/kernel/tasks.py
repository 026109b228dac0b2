"""The task queue: Huey on Redis when REDIS_URL is set, else on a SQLite file; inline in tests.

Features declare their tasks with `task` and `periodic_task` at import; nothing is built
then. `init_app` (called by create_app) makes the app's own Huey from its settings and
binds every declared task to it, so importing a module never reads the environment.
A declared task is called as Huey's are (`task(args)`, `task.schedule(args, eta=...)`),
from inside an app context: it goes to that app's queue. Its body runs in the app's context.
"""
from __future__ import annotations

import functools
from typing import Any, Callable

from flask import Flask, current_app, has_app_context
from huey import RedisHuey, SqliteHuey
from huey.api import Huey, TaskWrapper

from ..config import Settings

EXTENSION = "tribune.tasks"


class Task:
    """A task declared by a feature, bound to each app's queue by `init_app`."""

    def __init__(self, fn: Callable[..., Any], options: dict[str, Any], schedule: Any = None):
        self.fn = fn
        self.name = fn.__name__
        self.options = options
        self.schedule_spec = schedule
        functools.update_wrapper(self, fn)

    def bind(self, app: Flask, queue: Huey) -> TaskWrapper:
        @functools.wraps(self.fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            if has_app_context():
                return self.fn(*args, **kwargs)
            with app.app_context():
                return self.fn(*args, **kwargs)

        options = {"name": self.name, **self.options}
        if self.schedule_spec is not None:
            return queue.periodic_task(self.schedule_spec, **options)(run)
        return queue.task(**options)(run)

    def _wrapper(self) -> TaskWrapper:
        return current_app.extensions[EXTENSION].wrappers[self.name]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Queue the task (inline when JOBS_IMMEDIATE is on)."""
        return self._wrapper()(*args, **kwargs)

    def schedule(self, *args: Any, **kwargs: Any) -> Any:
        return self._wrapper().schedule(*args, **kwargs)

    def call_local(self, *args: Any, **kwargs: Any) -> Any:
        """Run the body here and now (tests, commands)."""
        return self.fn(*args, **kwargs)


_DECLARED: dict[str, Task] = {}


def _declare(task: Task) -> Task:
    if _DECLARED.get(task.name, task).fn is not task.fn:
        raise RuntimeError(f"Two tasks are named {task.name!r}: Huey would mix them up.")
    _DECLARED[task.name] = task
    return task


def task(**options: Any) -> Callable[[Callable[..., Any]], Task]:
    """Declare a background task; its body runs with the app's database and settings."""
    return lambda fn: _declare(Task(fn, options))


def periodic_task(schedule: Any, **options: Any) -> Callable[[Callable[..., Any]], Task]:
    """Declare a task the consumer runs on a crontab schedule."""
    return lambda fn: _declare(Task(fn, options, schedule))


def make_queue(settings: Settings) -> Huey:
    """A Huey for these settings: Redis when configured, else a SQLite file in the instance folder."""
    if settings.redis_url:
        return RedisHuey("tribune", url=settings.redis_url, immediate=settings.jobs_immediate)
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("tribune", filename=str(settings.instance_path / "jobs.db"), immediate=settings.jobs_immediate)


class Queue:
    """The app's Huey and its bound tasks, by name."""

    def __init__(self, huey: Huey):
        self.huey = huey
        self.wrappers: dict[str, TaskWrapper] = {}


def init_app(app: Flask, settings: Settings) -> None:
    """Make the app's queue and bind every task declared so far (features are imported before)."""
    queue = Queue(make_queue(settings))
    for declared in _DECLARED.values():
        queue.wrappers[declared.name] = declared.bind(app, queue.huey)
    app.extensions[EXTENSION] = queue


def queue_of(app: Flask) -> Huey:
    """The app's Huey: what the consumer runs (`portal.worker.huey`)."""
    return app.extensions[EXTENSION].huey
