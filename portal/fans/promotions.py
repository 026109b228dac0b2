"""Promotions and badges after a contribution, and after admins change the settings (queued tasks).

Apart from the nightly pass (jobs.py) so that the service, which queues these, does not import
the module that imports it.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..extensions import db
from ..kernel.tasks import task
from ..kernel.uow import commit
from . import badges, scoring, tiers
from .models import FanStanding

BATCH = 1000


@task(retries=2, retry_delay=30)
def evaluate_member(user_id: int) -> str | None:
    """After a contribution: promote the member if they crossed a line, and award the badges they earned."""
    member = db.session.get(User, user_id)
    if member is None:
        return None
    tiers.evaluate(db.session, [member], demote=False)
    badges.award(db.session, [member])
    commit(db.session)
    return member.tier.value


@task(retries=2, retry_delay=30)
def redraw_tiers(rescore: bool = False) -> int:
    """After admins changed the settings: recompute every score if the half-life changed, redraw the lines,
    and promote whoever now crosses one (demotions wait for the nightly pass and its grace period)."""
    session = db.session
    if rescore:
        scoring.recompute(session)
    tiers.draw_lines(session)
    commit(session)
    return evaluate_everyone(session, demote=False)


def evaluate_everyone(session: Session, *, demote: bool, award: bool = False) -> int:
    """Set every member's tier (and award badges), a batch per commit. Returns how many tiers changed."""
    changed = 0
    ids = list(session.scalars(select(FanStanding.user_id).order_by(FanStanding.user_id)))
    for start in range(0, len(ids), BATCH):
        members = list(session.scalars(select(User).where(User.id.in_(ids[start:start + BATCH]))))
        changed += len(tiers.evaluate(session, members, demote=demote))
        if award:
            badges.award(session, members)
        commit(session)
    return changed
