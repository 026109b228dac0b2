"""The nightly statistics for SQLite's planner (PostgreSQL's autovacuum gathers its own)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import text

from portal.extensions import db
from portal.kernel import maintenance, tasks


def test_analyze_gives_sqlite_its_statistics_and_leaves_postgresql_to_autovacuum(app, make_member):
    for _ in range(3):
        make_member()
    done = maintenance.analyze(db.session)
    if db.engine.dialect.name == "sqlite":
        assert done
        assert "users" in set(db.session.scalars(text("SELECT tbl FROM sqlite_stat1")))
    else:
        assert not done


def test_the_nightly_passes_are_scheduled_ten_and_twenty_minutes_apart(app):
    queue = tasks.queue_of(app)
    due = {(hour, minute): {task.name for task in queue.read_periodic(datetime(2026, 1, 1, hour, minute))}
           for hour, minute in ((3, 10), (3, 20), (3, 40))}
    assert "nightly" in due[3, 10]  # the fans' decay and tiers
    assert "move_recent_window" in due[3, 20]  # the ideas' votes of the last 30 days
    assert "nightly_analyze" in due[3, 40]
