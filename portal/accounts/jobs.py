"""Background work of accounts: forgetting sessions that have expired."""
from __future__ import annotations

from huey import crontab

from ..extensions import db
from ..kernel.tasks import periodic_task
from .sessions import purge_expired_sessions as purge


@periodic_task(crontab(minute="17"))
def purge_expired_sessions() -> int:
    """Hourly: forget server-side sessions that have expired."""
    return purge(db.session)
