"""The read side of the fans pages: a member's ledger and progress, the leaderboard, badge holders.

Every function runs a fixed number of statements whatever the member's history or the number of
members: the ledger summary is one grouped query, a ledger page one query with its joins, the
leaderboard one query (ranked over everyone eligible, then the members who opted out filtered
out, so nobody is re-ranked around them).
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, Table, and_, case, func, literal, select
from sqlalchemy.orm import Session, aliased

from ..accounts.models import Tier, User
from ..extensions import db
from ..kernel.timeutil import utcnow
from . import badges, rules, scoring, tiers
from .models import EngagementEvent, FanBadge, FanStanding, FanVoid

PER_PAGE = 50
LEADERBOARD_SIZE = 50
WINDOW_DAYS = 30  # the leaderboard's "30 days" and the member's pace
PERIODS = ("30d", "all")
TIER_FILTERS = {"all": None, "superfans": Tier.SUPERFAN, "fans": Tier.FAN}


def page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or 1), 100_000))
    except ValueError:
        return 1


# -- my engagement ------------------------------------------------------------------------------

@dataclass
class KindLine:
    """One row of the ledger summary: a kind's events and what they earned."""

    kind: str
    label: Any
    weight: float  # today's weight, in points
    count: int = 0
    earned: float = 0.0  # points earned and still counting, undecayed
    now: float = 0.0  # the same, decayed to today
    capped: float = 0.0  # points the caps held back (weight less points earned)
    capped_count: int = 0
    voided: float = 0.0  # points earned that no longer count (hidden, suspended, voided)
    voided_count: int = 0

    @property
    def version(self) -> tuple:
        """What its summary row shows (the label follows from the kind), for the fragment cache."""
        return (self.kind, self.weight, self.count, self.earned, self.now, self.capped, self.capped_count, self.voided,
                self.voided_count)


@dataclass
class Ledger:
    lines: list[KindLine]
    total: KindLine
    pace: float  # points earned (and counting) in the last WINDOW_DAYS days
    events: int


def ledger_summary(session: Session, user_id: int, settings: rules.Settings, weights: dict[str, float]) -> Ledger:
    """Per kind: count, points earned, points now after decay, what caps and voids took, in one grouped query."""
    events = EngagementEvent
    counting = and_(events.voided.is_(None), events.points > 0)
    rows = session.execute(
        select(events.kind, events.day, func.count(),
               func.sum(case((counting, events.points), else_=0)),
               func.sum(case((events.limited.is_not(None), events.weight - events.points), else_=0)),
               func.sum(case((events.limited.is_not(None), 1), else_=0)),
               func.sum(case((events.voided.is_not(None), events.points), else_=0)),
               func.sum(case((events.voided.is_not(None), 1), else_=0)))
        .where(events.user_id == user_id).group_by(events.kind, events.day))
    today = scoring.today()
    by_kind: dict[str, KindLine] = {}
    pace = 0
    for kind, day, count, earned, capped, capped_count, voided, voided_count in rows:
        spec = rules.KINDS.get(kind)
        line = by_kind.get(kind)
        if line is None:
            line = by_kind[kind] = KindLine(kind, spec.label if spec else kind, weights.get(kind, 0.0))
        earned = int(earned or 0)
        line.count += count
        line.earned += earned / rules.MILLI
        line.now += earned * scoring.factor(today - day, settings.half_life_days) / scoring.UNIT
        line.capped += int(capped or 0) / rules.MILLI
        line.capped_count += int(capped_count or 0)
        line.voided += int(voided or 0) / rules.MILLI
        line.voided_count += int(voided_count or 0)
        if day > today - WINDOW_DAYS:
            pace += earned
    order = list(rules.KINDS)
    lines = sorted(by_kind.values(), key=lambda x: (-x.now, order.index(x.kind) if x.kind in order else len(order)))
    total = KindLine("total", "", 0.0)
    for line in lines:
        for name in ("count", "earned", "now", "capped", "capped_count", "voided", "voided_count"):
            setattr(total, name, getattr(total, name) + getattr(line, name))
    return Ledger(lines=lines, total=total, pace=pace / rules.MILLI, events=total.count)


@dataclass
class LedgerEvent:
    id: int
    kind: str
    label: Any
    created_at: datetime
    weight: float
    points: float
    factor: float  # the decay now, 0..1
    now: float
    limited: str | None
    voided: str | None
    void_reason: str | None
    post_id: int | None
    comment_id: int | None
    idea_id: int | None
    what: str | None  # the post's or idea's opening words, when still shown
    other: str | None  # the other member's name (who liked, whom you liked)
    other_id: int | None

    @property
    def version(self) -> tuple:
        """What its ledger row shows (the label follows from the kind), for the fragment cache."""
        return (self.id, self.kind, self.created_at, self.weight, self.points, self.factor, self.now, self.limited,
                self.voided, self.void_reason, self.post_id, self.comment_id, self.idea_id, self.what, self.other,
                self.other_id)

    @property
    def limit_text(self) -> Any:
        return rules.LIMITS.get(self.limited) if self.limited else None

    @property
    def void_text(self) -> Any:
        return rules.VOIDS.get(self.voided) if self.voided else None


def _table(name: str) -> Table | None:
    """Another feature's table, read for a title only: fans does not import community or feedback."""
    return db.metadata.tables.get(name)


@dataclass
class EventPage:
    events: list[LedgerEvent]
    page: int
    pages: int


def _ledger_query() -> Select:
    """The ledger's statement but for whose and which page."""
    return _ledger_statement(_table("posts"), _table("ideas"))


@functools.cache
def _ledger_statement(posts: Table | None, ideas: Table | None) -> Select:
    """Built once for each set of the features' tables present, since building it costs more than running it."""
    events = EngagementEvent
    other = aliased(User)
    columns: list[Any] = [events, FanVoid.reason, other.display_name, other.deleted_at]
    if posts is not None:
        shown = and_(posts.c.deleted_at.is_(None), posts.c.hidden_at.is_(None))
        columns.append(case((shown, func.substr(posts.c.body, 1, 90)), else_=None))
    else:
        columns.append(literal(None))
    if ideas is not None:
        shown = and_(ideas.c.deleted_at.is_(None), ideas.c.hidden_at.is_(None))
        columns.append(case((shown, ideas.c.title), else_=None))
    else:
        columns.append(literal(None))
    query = (select(*columns).select_from(events)
             .outerjoin(FanVoid, FanVoid.id == events.void_id)
             .outerjoin(other, other.id == events.other_user_id))
    if posts is not None:
        query = query.outerjoin(posts, posts.c.id == events.post_id)
    if ideas is not None:
        query = query.outerjoin(ideas, ideas.c.id == events.idea_id)
    return query.order_by(events.created_at.desc(), events.id.desc())


def ledger_page(session: Session, user_id: int, settings: rules.Settings, total: int, page: int = 1) -> EventPage:
    """One page of the member's events, newest first, with what each was about, in one query."""
    events = EngagementEvent
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(page, pages)
    rows = session.execute(_ledger_query().where(events.user_id == user_id)
                           .limit(PER_PAGE).offset((page - 1) * PER_PAGE))
    today = scoring.today()
    result = []
    for event, reason, other_name, other_deleted, post_text, idea_title in rows:
        spec = rules.KINDS.get(event.kind)
        decay = scoring.factor(today - event.day, settings.half_life_days) / scoring.SCALE
        points = event.points / rules.MILLI
        counts = event.voided is None
        name = None
        if other_name is not None:
            name = str(_l("deleted member")) if other_deleted else other_name
        result.append(LedgerEvent(
            id=event.id, kind=event.kind, label=spec.label if spec else event.kind, created_at=event.created_at,
            weight=event.weight / rules.MILLI, points=points, factor=decay, now=points * decay if counts else 0.0,
            limited=event.limited, voided=event.voided, void_reason=reason, post_id=event.post_id,
            comment_id=event.comment_id, idea_id=event.idea_id, what=idea_title or post_text,
            other=name, other_id=event.other_user_id if other_deleted is None else None))
    return EventPage(events=result, page=page, pages=pages)


@dataclass
class Engagement:
    """Everything the "My engagement" page shows, read in a fixed number of queries."""

    standing: FanStanding | None
    settings: rules.Settings
    weights: dict[str, float]
    lines: tiers.Lines
    score: float
    liked_by: int
    progress: dict
    ledger: Ledger
    page: EventPage
    earned: list[tuple[str, badges.Badge, datetime]]
    missing: list[tuple[str, badges.Badge]] = field(default_factory=list)

    @property
    def weeks(self) -> int | None:
        """Weeks to the next line at the pace of the last 30 days (None without a pace or a line)."""
        missing = self.progress.get("missing")
        if not missing or self.ledger.pace <= 0:
            return None
        return max(1, math.ceil(missing / (self.ledger.pace * 7 / WINDOW_DAYS)))

    @property
    def hidden(self) -> bool:
        return bool(self.standing and self.standing.hidden)


def engagement(session: Session, member: User, page: int = 1) -> Engagement:
    """The member's score as of today, tier, progress, ledger and badges."""
    settings = rules.settings(session)
    weights = rules.weights(session)
    standing = session.get(FanStanding, member.id)
    lines = tiers.current_lines(session)
    liked_by = tiers.givers(session, [member.id]).get(member.id, 0)
    ledger = ledger_summary(session, member.id, settings, weights)
    earned = badges.of(session, member.id)
    held = {name for name, _badge, _when in earned}
    return Engagement(
        standing=standing, settings=settings, weights=weights, lines=lines,
        score=scoring.current(standing, settings.half_life_days), liked_by=liked_by,
        progress=tiers.progress(standing, liked_by, member, lines, settings), ledger=ledger,
        page=ledger_page(session, member.id, settings, ledger.events, page), earned=earned,
        missing=[(name, badge) for name, badge in badges.BADGES.items() if name not in held])


# -- the leaderboard ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Leader:
    rank: int
    user_id: int
    display_name: str  # with `avatar`, what the avatar macro reads
    username: str
    avatar: str | None
    tier: Tier
    points: float

    @property
    def version(self) -> tuple:
        """Everything its row shows, as plain values: a dataclass's repr costs twenty times more, for the key."""
        return (self.rank, self.user_id, self.display_name, self.username, self.avatar, self.tier.value, self.points)


def leaderboard(session: Session, period: str, tier: Tier | None, limit: int = LEADERBOARD_SIZE) -> list[Leader]:
    """The top members, in one query: ranked over every eligible member of the tier, opted-out rows then left out."""
    now = utcnow()
    if period == "30d":
        events = EngagementEvent
        earned = (select(events.user_id.label("user_id"), func.sum(events.points).label("points"))
                  .where(events.day > scoring.today() - WINDOW_DAYS, events.voided.is_(None), events.points > 0)
                  .group_by(events.user_id).subquery())
        points, owner = earned.c.points, earned.c.user_id
        base = select(earned).join(User, User.id == owner).outerjoin(FanStanding, FanStanding.user_id == owner)
    else:
        points, owner = FanStanding.lifetime, FanStanding.user_id
        base = select(FanStanding).join(User, User.id == owner)
    ranked = (base.with_only_columns(
        owner.label("user_id"), points.label("points"), User.display_name, User.username, User.avatar, User.tier,
        func.coalesce(FanStanding.hidden, False).label("hidden"),
        func.rank().over(order_by=points.desc()).label("rank"))
        .where(points > 0, User.deleted_at.is_(None),
               User.suspended_until.is_(None) | (User.suspended_until <= now),
               *([User.tier == tier] if tier is not None else []))
        .subquery())
    rows = session.execute(select(ranked).where(ranked.c.hidden.is_(False))
                           .order_by(ranked.c.rank, ranked.c.user_id).limit(limit))
    return [Leader(rank=r.rank, user_id=r.user_id, display_name=r.display_name, username=r.username, avatar=r.avatar,
                   tier=Tier(r.tier), points=int(r.points) / rules.MILLI) for r in rows]


# -- badges ----------------------------------------------------------------------------------------

def badge_holders(session: Session, name: str, limit: int = 24) -> tuple[int, list[tuple[User, datetime]]]:
    """How many members hold a badge, and the latest to earn it who show on the leaderboard, in one query."""
    rows = session.execute(
        select(User, FanBadge.earned_at, func.count().over().label("total"),
               func.coalesce(FanStanding.hidden, False).label("hidden"))
        .join(FanBadge, FanBadge.user_id == User.id).outerjoin(FanStanding, FanStanding.user_id == User.id)
        .where(FanBadge.badge == name, User.deleted_at.is_(None))
        .order_by(FanBadge.earned_at.desc(), FanBadge.id.desc()).limit(200)).all()
    total = rows[0].total if rows else 0
    return total, [(row.User, row.earned_at) for row in rows if not row.hidden][:limit]
