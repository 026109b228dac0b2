"""Background work of search: keeping the ideas index in step with the database."""
from __future__ import annotations

from ..extensions import db
from ..jobs import task


@task(retries=3, retry_delay=10)
def index_ideas(idea_ids: list[int]) -> None:
    """Re-read these ideas and index the listed ones, remove the rest: one job for every kind of change."""
    from .service import sync_ideas

    sync_ideas(db.session, idea_ids)
