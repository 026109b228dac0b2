"""Background work of search: keeping each source's index in step with the database."""
from __future__ import annotations

from collections.abc import Iterable

from ..extensions import db
from ..kernel.tasks import task
from . import service
from .sources import sources_of


@task(retries=3, retry_delay=10)
def index_documents(source: str, ids: list[int]) -> None:
    """Re-read these documents of the source, index the ones it still has and remove the rest: one job for every change."""
    service.sync(db.session, sources_of(), source, ids)


def queue_index(source: str, ids: Iterable[int]) -> None:
    """Queue an index update for these documents of the source; register it with `after_commit`, so the job reads
    what was committed."""
    wanted = sorted(set(ids))
    if wanted:
        index_documents(source, wanted)
