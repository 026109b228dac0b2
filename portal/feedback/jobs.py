"""Background work of the feedback board: closing the loop by email, and moving the recent-votes window."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from huey import crontab
from sqlalchemy import select

from ..accounts.models import User
from ..extensions import db
from ..kernel import mail
from ..kernel.tasks import periodic_task, task
from . import tallies
from .ledger import may_see
from .models import STATUS_LABELS, Idea, IdeaEvent, Subscription


@task(retries=3, retry_delay=30)
def mail_status_change(event_id: int) -> int:
    """Email every subscriber of the idea about a status change, each in their own language."""
    event = db.session.get(IdeaEvent, event_id)
    if event is None or event.status is None:
        return 0
    idea = db.session.get(Idea, event.idea_id)
    people = db.session.scalars(
        select(User).join(Subscription, Subscription.user_id == User.id)
        .where(Subscription.idea_id == idea.id, Subscription.subscribed.is_(True), User.deleted_at.is_(None),
               User.email_verified_at.is_not(None), User.email_notifications.is_(True), User.id != event.actor_id,
               may_see(idea.board))
        .order_by(User.id))
    sent = 0
    for person in people:
        # Lazy strings, so that both are rendered in the recipient's language by compose().
        subject = _l("Idea update: “%(title)s” is %(status)s", title=idea.title, status=STATUS_LABELS[event.status])
        mail.queue(mail.compose(person.email, subject, "idea_status", person.locale, user=person, idea=idea,
                                event=event))
        sent += 1
    return sent


@periodic_task(crontab(minute="20", hour="3"), retries=3, retry_delay=60)  # idempotent: a rerun finishes the count
def move_recent_window() -> int:
    """Every night: each idea's votes of the last 30 days, counted again from the new day."""
    return tallies.move_window(db.session)
