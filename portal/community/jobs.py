"""Background work of the community: scheduled posts and email digests."""
from __future__ import annotations

from huey import crontab

from ..config import current_settings
from ..extensions import db
from ..kernel.tasks import periodic_task, task
from .notify import send_due_digests
from .scheduling import publish_due_posts


@task(retries=3, retry_delay=30)
def publish_scheduled() -> int:
    """Queued for a scheduled post's time; publishes every post that is due."""
    return publish_due_posts(db.session)


@periodic_task(crontab(minute="*"))
def publish_scheduled_sweep() -> int:
    """Every minute, in case a queued publication was lost (a restart, a full queue)."""
    return publish_due_posts(db.session)


@periodic_task(crontab(minute="5"))
def send_digests() -> int:
    """Hourly: mail the daily and weekly digests that are due."""
    return send_due_digests(db.session, current_settings())
