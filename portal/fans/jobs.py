"""The nightly pass of the fans feature: decay, lines, promotions and demotions, badges."""
from __future__ import annotations

from huey import crontab
from sqlalchemy import select

from ..accounts.models import User
from ..extensions import db
from ..kernel.tasks import periodic_task
from ..kernel.timeutil import utcnow
from ..kernel.uow import commit
from . import scoring, service, tiers
from .models import EngagementEvent
from .promotions import evaluate_everyone


def nightly_pass() -> dict[str, int]:
    """Suspensions that ended count again, every score decays to today, the lines are redrawn, and every
    member with a standing is evaluated (promotions, demotions after the grace period, badges)."""
    session = db.session
    ended = session.scalars(
        select(User).where(User.id.in_(select(EngagementEvent.user_id).where(EngagementEvent.voided == "suspended")),
                           (User.suspended_until.is_(None)) | (User.suspended_until <= utcnow())))
    restored = 0
    for member in list(ended):
        service.restore_points(session, member)
        restored += 1
    commit(session)
    rescored = scoring.recompute(session)
    lines = tiers.draw_lines(session)
    commit(session)
    changed = evaluate_everyone(session, demote=True, award=True)
    return {"restored": restored, "rescored": rescored, "changed": changed, "active": lines.active}


@periodic_task(crontab(minute="10", hour="3"))
def nightly() -> dict[str, int]:
    """Every night: decay, lines, tiers and badges (see nightly_pass)."""
    return nightly_pass()
