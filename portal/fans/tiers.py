"""Tiers: member, fan, superfan, drawn from the scores of the active members, with hysteresis.

The lines: superfans are the top `superfan_percent` of active members (an event in the last
`active_days`) by tier score, and at least `superfan_floor` points; fans likewise with their
share and floor. The tier score is the score, less the likes received while fewer than
`min_givers` distinct members gave them (likes between two friends do not make a superfan).
A member is promoted as soon as they cross a line; a promotion holds `grace_days`, and after
that a member is demoted only once below 90% of their tier's line (Discourse's trust level 3
does the same). Staff may pin a tier. The lines are drawn nightly and when admins change the
settings, and kept in the site settings, so a promotion costs a handful of queries.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts.models import Tier, User
from ..kernel import mail
from ..kernel.notifications import notify
from ..kernel.pagecache import invalidate
from ..kernel.timeutil import utcnow
from ..kernel.uow import after_commit
from . import rules, scoring
from .models import EngagementEvent, FanStanding

DEMOTION_MARGIN = 0.9
RANK = {Tier.MEMBER: 0, Tier.FAN: 1, Tier.SUPERFAN: 2}
TIER_LABELS = {Tier.MEMBER: _l("Member"), Tier.FAN: _l("Fan"), Tier.SUPERFAN: _l("Superfan")}


@dataclass(frozen=True)
class Lines:
    superfan: float
    fan: float
    active: int  # how many active members the lines were drawn from

    def of(self, tier: Tier) -> float:
        return {Tier.SUPERFAN: self.superfan, Tier.FAN: self.fan, Tier.MEMBER: 0.0}[tier]


def givers(session: Session, user_ids: list[int] | None) -> dict[int, int]:
    """How many distinct members gave each member (these, or everyone: None) a like that counts."""
    events = EngagementEvent
    query = (select(events.user_id, func.count(func.distinct(events.other_user_id)))
             .where(events.kind == "like_received", events.voided.is_(None), events.points > 0)
             .group_by(events.user_id))
    if user_ids is not None:
        query = query.where(events.user_id.in_(user_ids))
    return dict(session.execute(query).all())


def tier_score(standing: FanStanding, liked_by: int, settings: rules.Settings, day: int | None = None) -> float:
    """The score that counts toward a tier: likes received count once `min_givers` members gave them."""
    day = scoring.today() if day is None else day
    score = standing.score - (standing.like_score if liked_by < settings.min_givers else 0)
    return scoring.points_of(score) * scoring.factor(day - standing.scored_day, settings.half_life_days) / scoring.SCALE


def is_active(standing: FanStanding, settings: rules.Settings, day: int | None = None) -> bool:
    day = scoring.today() if day is None else day
    return standing.last_event_day is not None and standing.last_event_day > day - settings.active_days


def _line(scores: list[float], percent: float, floor: float) -> float:
    """The lowest score inside the top `percent` of `scores` (sorted high to low), and at least `floor`."""
    if percent <= 0 or not scores:
        return math.inf if percent <= 0 else max(floor, 0.0)
    rank = max(1, math.ceil(len(scores) * percent / 100))
    return max(floor, scores[min(rank, len(scores)) - 1])


def draw_lines(session: Session) -> Lines:
    """Draw the lines from every active member's tier score, and keep them for promotions to read."""
    settings = rules.settings(session)
    day = scoring.today()
    standings = session.scalars(select(FanStanding).join(User, User.id == FanStanding.user_id)
                                .where(FanStanding.last_event_day > day - settings.active_days,
                                       User.deleted_at.is_(None)))
    standings = list(standings)
    liked = givers(session, None) if standings else {}  # everyone's at once: no list of ids to bind
    scores = sorted((tier_score(s, liked.get(s.user_id, 0), settings, day) for s in standings), reverse=True)
    lines = Lines(superfan=_line(scores, settings.superfan_percent, settings.superfan_floor),
                  fan=_line(scores, settings.fan_percent, settings.fan_floor), active=len(scores))
    rules.store_lines(session, {"superfan": lines.superfan if math.isfinite(lines.superfan) else -1,
                                "fan": lines.fan if math.isfinite(lines.fan) else -1, "active": lines.active})
    return lines


def current_lines(session: Session) -> Lines:
    """The lines last drawn (drawn now when there are none yet)."""
    stored = rules.stored_lines(session)
    if "superfan" not in stored or "fan" not in stored:
        return draw_lines(session)
    return Lines(superfan=math.inf if stored["superfan"] < 0 else stored["superfan"],
                 fan=math.inf if stored["fan"] < 0 else stored["fan"], active=int(stored.get("active", 0)))


def deserved(score: float, active: bool, lines: Lines, margin: float = 1.0) -> Tier:
    """The tier a tier score reaches (`margin` below 1 lowers the lines, to decide a demotion)."""
    if not active:
        return Tier.MEMBER
    if score >= lines.superfan * margin:
        return Tier.SUPERFAN
    if score >= lines.fan * margin:
        return Tier.FAN
    return Tier.MEMBER


def decide(user: User, standing: FanStanding, score: float, lines: Lines, settings: rules.Settings,
           *, demote: bool, now=None) -> Tier:
    """The member's tier after this evaluation: promotions at once, demotions only when `demote` and
    past the grace period and below 90% of the tier's line; pinned tiers and suspended members aside."""
    now = now or utcnow()
    if standing.pinned:
        return user.tier
    if user.is_suspended or user.deleted_at is not None:
        return Tier.MEMBER
    active = is_active(standing, settings)
    reached = deserved(score, active, lines)
    if RANK[reached] >= RANK[user.tier]:
        return reached
    if not demote:
        return user.tier
    if standing.tier_since is not None and now - standing.tier_since < timedelta(days=settings.grace_days):
        return user.tier
    kept = deserved(score, active, lines, DEMOTION_MARGIN)
    return kept if RANK[kept] < RANK[user.tier] else user.tier


TIER_SUBJECTS = {Tier.FAN: _l("You are now a fan"), Tier.SUPERFAN: _l("You are now a superfan")}


def announce(session: Session, member: User, before: Tier, after: Tier) -> None:
    """Tell a member who reached a higher tier, in the app and by email, in their language."""
    if RANK[after] <= RANK[before]:
        return
    notify(session, member.id, "tier", detail=after.value)
    if member.email_verified_at is not None and member.email_notifications and member.deleted_at is None:
        after_commit(session, mail.send, member.email, TIER_SUBJECTS[after], "tier_reached", member.locale,
                     name=member.display_name, tier=after.value)


def shown_changed(session: Session, member: User) -> None:
    """The member's tier shows on their profile and the leaderboard: cached copies are redrawn after the commit."""
    after_commit(session, invalidate, f"member:{member.id}", "leaderboard")


def evaluate(session: Session, members: list[User], *, demote: bool) -> list[tuple[User, Tier, Tier]]:
    """Set each member's tier from their standing; returns the changes (the caller commits)."""
    if not members:
        return []
    settings = rules.settings(session)
    lines = current_lines(session)
    ids = [m.id for m in members]
    standings = scoring.lock(session, ids)
    liked = givers(session, ids)
    changes = []
    now = utcnow()
    for member in members:
        standing = standings[member.id]
        score = tier_score(standing, liked.get(member.id, 0), settings)
        after = decide(member, standing, score, lines, settings, demote=demote, now=now)
        if after is not member.tier:
            before = member.tier
            member.tier = after
            standing.tier_since = now
            announce(session, member, before, after)
            shown_changed(session, member)
            changes.append((member, before, after))
    return changes


def progress(standing: FanStanding | None, liked_by: int, user: User, lines: Lines,
             settings: rules.Settings) -> dict:
    """Where the member stands against the next line, and at their pace of the last 30 days, how long to it."""
    score = tier_score(standing, liked_by, settings) if standing else 0.0
    nxt = {Tier.MEMBER: Tier.FAN, Tier.FAN: Tier.SUPERFAN}.get(user.tier)
    result = {"tier_score": score, "next": nxt, "line": None, "missing": None}
    if nxt is not None and math.isfinite(lines.of(nxt)):
        line = lines.of(nxt)
        result.update(line=line, missing=max(0.0, line - score),
                      share=min(100.0, 100.0 * score / line) if line > 0 else 100.0)
    return result
