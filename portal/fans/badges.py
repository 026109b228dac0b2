"""Badges: each with its rule in words and the day it was earned. Earned once, kept.

A rule reads the member's counted events by kind (how many, from how many distinct members),
their tier and how long they have been a member; `award` checks every rule for a batch of
members in two queries.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts.models import Tier, User
from ..kernel.notifications import notify
from ..kernel.pagecache import invalidate
from ..kernel.timeutil import utcnow
from ..kernel.uow import after_commit
from .models import EngagementEvent, FanBadge


@dataclass(frozen=True)
class Facts:
    """What the rules read about one member."""

    user: User
    counts: dict[str, int]  # counted events by kind
    distinct: dict[str, int]  # distinct other members by kind

    def count(self, *kinds: str) -> int:
        return sum(self.counts.get(kind, 0) for kind in kinds)


@dataclass(frozen=True)
class Badge:
    label: Any
    rule: Any
    icon: str  # a name of templates/community/_icons.html's icon macro
    earned: Callable[[Facts], bool]


BADGES: dict[str, Badge] = {
    "first_post": Badge(_l("First post"), _l("Share your first post or question."), "pen",
                        lambda f: f.count("post", "question") >= 1),
    "first_idea": Badge(_l("First idea"), _l("Post your first idea on a feedback board."), "lightbulb",
                        lambda f: f.count("idea_posted") >= 1),
    "idea_shipped": Badge(_l("Idea shipped"), _l("Have one of your ideas shipped by the team."), "rocket",
                          lambda f: f.count("idea_done") >= 1),
    "helper": Badge(_l("Helper"), _l("Have 10 of your replies marked as the answer."), "award",
                    lambda f: f.count("answer_accepted") >= 10),
    "crowd_favourite": Badge(_l("Crowd favourite"), _l("Receive 100 likes from at least 20 different members."),
                             "heart", lambda f: f.count("like_received") >= 100 and f.distinct.get("like_received", 0) >= 20),
    "voice": Badge(_l("Voice of the community"), _l("Vote for 25 ideas of other members."), "vote",
                   lambda f: f.count("idea_vote") >= 25),
    "regular": Badge(_l("Regular"), _l("Visit the community on 30 different days."), "calendar",
                     lambda f: f.count("visit") >= 30),
    "fan": Badge(_l("Fan"), _l("Reach the fan tier."), "star", lambda f: f.user.tier in (Tier.FAN, Tier.SUPERFAN)),
    "superfan": Badge(_l("Superfan"), _l("Reach the superfan tier."), "crown", lambda f: f.user.tier is Tier.SUPERFAN),
    "one_year": Badge(_l("One year with us"), _l("Be a member of the community for a year."), "cake",
                      lambda f: f.user.created_at is not None and utcnow() - f.user.created_at >= timedelta(days=365)),
}


def award(session: Session, members: list[User]) -> list[tuple[int, str]]:
    """Give each member the badges whose rule they now meet (told in the app). Returns what was given."""
    members = [m for m in members if m.deleted_at is None]
    if not members:
        return []
    ids = [m.id for m in members]
    events = EngagementEvent
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    distinct: dict[int, dict[str, int]] = defaultdict(dict)
    for user_id, kind, number, others in session.execute(
            select(events.user_id, events.kind, func.count(), func.count(func.distinct(events.other_user_id)))
            .where(events.user_id.in_(ids), events.voided.is_(None),
                   events.limited.is_(None) | (events.limited != "self")).group_by(events.user_id, events.kind)):
        counts[user_id][kind] = number
        distinct[user_id][kind] = others
    held = {(uid, name) for uid, name in session.execute(select(FanBadge.user_id, FanBadge.badge)
                                                           .where(FanBadge.user_id.in_(ids)))}
    given = []
    for member in members:
        facts = Facts(member, counts[member.id], distinct[member.id])
        for name, badge in BADGES.items():
            if (member.id, name) not in held and badge.earned(facts):
                session.add(FanBadge(user_id=member.id, badge=name))
                notify(session, member.id, "badge", detail=name)
                given.append((member.id, name))
    if given:  # the badge pages and the profiles that show them are redrawn after the commit
        after_commit(session, invalidate, "badges", *{f"member:{uid}" for uid, _ in given})
    return given


def of(session: Session, user_id: int) -> list[tuple[str, Badge, Any]]:
    """The member's badges, oldest first: (name, badge, earned_at)."""
    rows = session.execute(select(FanBadge.badge, FanBadge.earned_at).where(FanBadge.user_id == user_id)
                           .order_by(FanBadge.earned_at, FanBadge.id))
    return [(name, BADGES[name], when) for name, when in rows if name in BADGES]
