"""The job queue: the right storage for the settings, and a real consumer doing the work."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from huey import RedisHuey, SqliteHuey

from portal import create_app
from portal.config import Settings, load
from portal.kernel import tasks

ROOT = Path(__file__).resolve().parent.parent


def _queue(tmp_path, **values):
    """The queue create_app would make for these settings (the environment is never read at import)."""
    settings = Settings.from_values(load({"JOBS_IMMEDIATE": False, "INSTANCE_PATH": str(tmp_path), "REDIS_URL": "",
                                          **values}, environ={}))
    return tasks.make_queue(settings)


def test_storage_follows_the_settings(tmp_path):
    local = _queue(tmp_path)
    assert isinstance(local, SqliteHuey)
    assert (tmp_path / "jobs.db").exists()
    assert isinstance(_queue(tmp_path, REDIS_URL="redis://127.0.0.1:6379/15"), RedisHuey)


def test_each_app_gets_its_own_queue_from_its_settings(app, tmp_path):
    """Tests no longer set the environment before importing the app: the factory configures the queue."""
    other = create_app({"INSTANCE_PATH": str(tmp_path / "other"), "JOBS_IMMEDIATE": False, "REDIS_URL": "",
                        "DATABASE_URL": "sqlite://", "SECRET_KEY": "x"})
    assert tasks.queue_of(app).immediate is True
    assert tasks.queue_of(other).immediate is False
    assert tasks.queue_of(app) is not tasks.queue_of(other)


def _round_trip(queue):
    @queue.task()
    def add(a, b):
        return a + b

    result = add(2, 3)
    assert queue.pending_count() == 1, "the task waits in storage for a consumer"
    queue.execute(queue.dequeue())
    assert result.get() == 5


def test_a_task_round_trips_through_sqlite_storage(tmp_path):
    _round_trip(_queue(tmp_path))


def test_a_task_round_trips_through_redis(tmp_path, redis_url):
    queue = _queue(tmp_path, REDIS_URL=redis_url)
    queue.flush()
    try:
        _round_trip(queue)
    finally:
        queue.flush()


def test_the_hourly_session_purge_is_scheduled(app):
    queue = tasks.queue_of(app)
    due = {task.name for task in queue.read_periodic(datetime(2026, 1, 1, 10, 17))}
    not_due = {task.name for task in queue.read_periodic(datetime(2026, 1, 1, 10, 18))}
    assert "purge_expired_sessions" in due
    assert "purge_expired_sessions" not in not_due


def test_the_consumer_delivers_mail_queued_by_the_app(database_url, tmp_path):
    """What ./tribune run starts: the app queues, a separate consumer process delivers."""
    env = {**os.environ, "DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path), "JOBS_IMMEDIATE": "false",
           "SECRET_KEY": "consumer-test", "MAIL_BACKEND": "outbox"}
    env.pop("REDIS_URL", None)
    queue_mail = (
        "from portal import create_app\n"
        "from portal.kernel import mail\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    mail.send('fan@example.com', 'Hello from the queue', 'verify_email', 'fr',"
        " user=type('U', (), {'display_name': 'Fan'})(), token='t', hours=1)\n"
    )
    subprocess.run([sys.executable, "-c", queue_mail], env=env, cwd=ROOT, check=True, timeout=60)
    outbox = tmp_path / "outbox"
    assert not list(outbox.glob("*.eml")), "nothing is delivered before the consumer runs"
    consumer = subprocess.Popen([str(Path(sys.executable).with_name("huey_consumer")), "portal.worker.huey", "-w", "1"],
                                env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not list(outbox.glob("*.eml")):
            time.sleep(0.2)
    finally:
        consumer.terminate()
        _, errors = consumer.communicate(timeout=20)
    delivered = list(outbox.glob("*.eml"))
    assert len(delivered) == 1, errors.decode()[-2000:]
    text = delivered[0].read_text()
    assert "Subject: Hello from the queue" in text
    assert "Content-Language: fr" in text
