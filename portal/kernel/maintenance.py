"""Keeping the database's planner informed: statistics for SQLite, whose planner has none unless asked.

Without them SQLite picks poor plans for correlated counts over large tables (a full vote recount took
minutes instead of about a second). PostgreSQL's autovacuum gathers its own, so it is left alone here.
"""
from __future__ import annotations

from huey import crontab
from sqlalchemy import text
from sqlalchemy.orm import Session

from ..extensions import db
from .tasks import periodic_task

ANALYSIS_LIMIT = 1000  # rows sampled per index: statistics in milliseconds, good enough for the planner


def analyze(session: Session) -> bool:
    """Refresh the planner's statistics on SQLite (sampled); returns whether it did."""
    if session.get_bind().dialect.name != "sqlite":
        return False
    session.execute(text(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}"))
    session.execute(text("ANALYZE"))
    session.commit()
    return True


@periodic_task(crontab(minute="40", hour="3"))
def nightly_analyze() -> bool:
    """Every night, after the day's writes and the other nightly passes."""
    return analyze(db.session)
