"""Background work of accounts: forgetting sessions that have expired, and handles whose reservation has ended."""
from __future__ import annotations

from huey import crontab

from ..extensions import db
from ..kernel.tasks import periodic_task
from . import handles
from .sessions import purge_expired_sessions as purge


@periodic_task(crontab(minute="17"))
def purge_expired_sessions() -> int:
    """Hourly: forget server-side sessions that have expired, and former handles past their reservation
    (`handles.RESERVED_FOR`), a deleted account's too. Returns how many sessions were forgotten."""
    handles.purge_expired(db.session)  # committed with the sessions' purge
    return purge(db.session)
