"""Each idea's demand figures, kept with every vote: the priorities page reads them, it never totals votes.

- `vote_count`: every vote; `voter_count`: those of a member or of a customer with an email (people);
- `superfan_votes` and `demand`: by the tier each vote row records (`Vote.tier`, the voter's when they voted),
  weighed 1 / 2 / 3 for a member / fan / superfan;
- `recent_votes`: votes cast since the window's start, `RECENT_DAYS` before the day of the last nightly recount
  (site setting `feedback.recent_since`; until the first one, every vote is recent).

A vote adds its figures and taking it back removes the same ones, under the idea's row lock, so each tally is
always the sum over the idea's vote rows. When a member's tier changes, a job moves their vote rows to the new
tier one idea at a time under that idea's lock (never while the tier change holds the member's standing, which a
vote takes after the idea: the two would deadlock), so the figures follow the voter's tier within moments. A
vote cast while the tier changed is checked after its own commit (`check_tier`), so no job can miss it.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, event, func, inspect, or_, select, update
from sqlalchemy.orm import Session, object_session

from ..accounts.models import Tier, User
from ..extensions import db
from ..kernel.site import SiteSetting
from ..kernel.tasks import task
from ..kernel.timeutil import utcnow
from ..kernel.uow import after_commit
from .models import Idea, Vote

RECENT_DAYS = 30
WEIGHTS = {Tier.MEMBER: 1, Tier.FAN: 2, Tier.SUPERFAN: 3}
WINDOW_KEY = "feedback.recent_since"
QUIET = {"synchronize_session": False}


def recent_since(session: Session) -> datetime | None:
    row = session.get(SiteSetting, WINDOW_KEY)
    return datetime.fromisoformat(row.value) if row is not None else None


def figures(vote: Vote, since: datetime | None = None) -> dict[str, int]:
    """What one vote adds to each of its idea's figures (recent against the window starting at `since`)."""
    tier = Tier(vote.tier or Tier.MEMBER)
    return {"vote_count": 1, "voter_count": int(vote.user_id is not None or bool(vote.customer_email)),
            "superfan_votes": int(tier is Tier.SUPERFAN), "demand": WEIGHTS[tier],
            "recent_votes": int(since is None or vote.created_at >= since)}


def count(session: Session, vote: Vote, sign: int = 1) -> None:
    """Add (1) or take back (-1) one vote's figures on its idea, whose row the caller has locked."""
    since = None if sign > 0 else recent_since(session)  # a new vote is always recent
    values = {name: getattr(Idea, name) + sign * amount for name, amount in figures(vote, since).items() if amount}
    session.execute(update(Idea).where(Idea.id == vote.idea_id).values(**values).execution_options(**QUIET))


def from_rows(since: datetime | None) -> dict[str, Any]:
    """Each tally as a correlated count over the idea's vote rows (for updates of `ideas`)."""
    def total(expression: Any) -> Any:
        return select(func.coalesce(func.sum(expression), 0)).where(Vote.idea_id == Idea.id).scalar_subquery()

    weight = case(*((Vote.tier == tier, w) for tier, w in WEIGHTS.items()), else_=1)
    person = case(((Vote.user_id.is_not(None)) | (Vote.customer_email.is_not(None)), 1), else_=0)
    recent = 1 if since is None else case((Vote.created_at >= since, 1), else_=0)
    return {"vote_count": total(1), "voter_count": total(person), "demand": total(weight),
            "superfan_votes": total(case((Vote.tier == Tier.SUPERFAN, 1), else_=0)), "recent_votes": total(recent)}


def mismatches(session: Session) -> list[int]:
    """The ideas whose stored figures differ from a count of their vote rows (empty when all is well)."""
    counted = from_rows(recent_since(session))
    return list(session.scalars(select(Idea.id).where(
        or_(*(getattr(Idea, name) != value for name, value in counted.items()))).order_by(Idea.id)))


def recount(session: Session, idea_ids: list[int] | None = None) -> None:
    """Every tally again from the vote rows, for these ideas (locked by the caller) or all of them, the rows
    first taking their voters' tiers of now (so no tier job is left to do). Adds to the caller's transaction."""
    _lock_ideas(session, idea_ids)
    tier_now = select(User.tier).where(User.id == Vote.user_id).scalar_subquery()
    votes = update(Vote).where(Vote.user_id.is_not(None), Vote.tier != tier_now)
    if idea_ids is not None:
        votes = votes.where(Vote.idea_id.in_(idea_ids))
    session.execute(votes.values(tier=tier_now).execution_options(**QUIET))
    query = update(Idea).values(**from_rows(recent_since(session)))
    if idea_ids is not None:
        query = query.where(Idea.id.in_(idea_ids))
    session.execute(query.execution_options(**QUIET))


def _lock_ideas(session: Session, idea_ids: list[int] | None) -> None:
    """The ideas' rows, locked in id order before their votes (the order a vote takes them in): on PostgreSQL a
    SELECT ... FOR UPDATE; SQLite's one write lock comes with the first write."""
    if session.get_bind().dialect.name == "postgresql":
        query = select(Idea.id).order_by(Idea.id).with_for_update()
        session.execute(query if idea_ids is None else query.where(Idea.id.in_(idea_ids)))


def move_window(session: Session, *, batch: int = 500) -> int:
    """The nightly step: the recent window starts RECENT_DAYS before today; recent votes are counted again,
    a batch of ideas at a time, each locked first so no vote lands between the count and its write."""
    start = datetime.combine(utcnow().date() - timedelta(days=RECENT_DAYS), datetime.min.time())
    row = session.get(SiteSetting, WINDOW_KEY)
    if row is None:
        session.add(SiteSetting(key=WINDOW_KEY, value=start.isoformat()))
    else:
        row.value = start.isoformat()
    session.commit()
    ids = list(session.scalars(select(Idea.id).order_by(Idea.id)))
    recent = from_rows(start)["recent_votes"]
    for first in range(0, len(ids), batch):
        chunk = ids[first:first + batch]
        _lock_ideas(session, chunk)  # before the count reads the votes
        session.execute(update(Idea).where(Idea.id.in_(chunk)).values(recent_votes=recent).execution_options(**QUIET))
        session.commit()
    return len(ids)


def retier(session: Session, user_id: int) -> int:
    """Move the member's vote rows to their tier of now, one idea at a time under its lock, until none is left
    behind (a vote cast or moved meanwhile is found by the next pass); returns the votes moved."""
    moved = 0
    for _pass in range(3):
        stale = (select(Vote.idea_id).join(User, User.id == Vote.user_id)
                 .where(Vote.user_id == user_id, Vote.tier != User.tier).order_by(Vote.idea_id))
        ideas = list(session.scalars(stale))
        if not ideas:
            break
        for idea_id in ideas:
            moved += _retier_one(session, idea_id, user_id)
            session.commit()
    return moved


def _retier_one(session: Session, idea_id: int, user_id: int) -> int:
    session.execute(update(Idea).where(Idea.id == idea_id).values(demand=Idea.demand).execution_options(**QUIET))
    # Both read under the idea's lock: an older job running late never moves a vote back to an old tier.
    tier = session.scalar(select(User.tier).where(User.id == user_id))
    old = session.scalar(select(Vote.tier).where(Vote.idea_id == idea_id, Vote.user_id == user_id))
    if tier is None or old is None or old == tier:  # taken back, or moved already
        return 0
    session.execute(update(Vote).where(Vote.idea_id == idea_id, Vote.user_id == user_id).values(tier=tier)
                    .execution_options(**QUIET))
    superfans = int(tier is Tier.SUPERFAN) - int(Tier(old) is Tier.SUPERFAN)
    session.execute(update(Idea).where(Idea.id == idea_id).values(
        superfan_votes=Idea.superfan_votes + superfans, demand=Idea.demand + WEIGHTS[tier] - WEIGHTS[Tier(old)])
        .execution_options(**QUIET))
    return 1


def stale_tiers(session: Session) -> list[int]:
    """The ideas holding a member's vote whose recorded tier is not the voter's of now (none once the tier
    jobs have run)."""
    return list(session.scalars(select(Vote.idea_id).join(User, User.id == Vote.user_id)
                                .where(Vote.tier != User.tier).distinct().order_by(Vote.idea_id)))


def check_tier(user_id: int, tier: Tier) -> None:
    """After a vote's commit: if the voter's tier changed while it was cast, the tier job may have missed it."""
    if db.session.scalar(select(User.tier).where(User.id == user_id)) != tier:
        follow_tier(user_id)


@task(retries=3, retry_delay=10)
def follow_tier(user_id: int) -> int:
    """After a member's tier changed: their votes weigh as their new tier."""
    return retier(db.session, user_id)


@event.listens_for(User.tier, "set")
def _tier_set(target: User, value: Any, oldvalue: Any, _initiator: Any) -> None:
    session, identity = object_session(target), inspect(target).identity
    if session is not None and identity is not None and value != oldvalue:
        after_commit(session, follow_tier, identity[0])
