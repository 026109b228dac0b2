"""The staff fans view's read side: the filtered list of fans, one fan's history, the saved selections.

Every page runs a fixed number of statements whatever the size of the community: the list is one
aggregate over the standings with the last 30 days' points joined in, the history a handful of
bounded reads.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Float, Select, case, cast, func, select
from sqlalchemy.orm import Session, joinedload, lazyload

from ..accounts.models import AuditEvent, Tier, User
from ..fans import badges, rules, scoring
from ..fans.models import EngagementEvent, FanNote, FanSelection, FanSelectionMember, FanStanding
from ..feedback.models import Board, Category, Idea
from ..kernel.timeutil import utcnow

PAGE_SIZE = 25
RECENT_DAYS = 30  # the "30-day points" column
LEDGER_SIZE = 30  # events shown on a fan's page
CONTACT_WINDOWS = {"30": 30, "90": 90}  # "not contacted in the last N days (or never)"
SORTS = ("score", "contacted", "joined")
AUDIT_ACTIONS = ("fans.pin", "fans.unpin", "fans.void")
DAY_WINDOWS = (7, 30, 90, 365)  # "active on this board in the last N days"
# Distinct days the stored scores were computed on, beyond which the list orders by the stored score alone
# (the nightly recompute keeps them all on one day, so this never happens in practice).
MAX_SCORED_DAYS = 60


@dataclass
class FanFilters:
    tier: str = ""
    board_id: int | None = None
    category_id: int | None = None
    days: int = 30
    contacted: str = ""
    joined_after: date | None = None
    joined_before: date | None = None
    sort: str = "score"
    selection_id: int | None = None

    def args(self) -> dict[str, Any]:
        """The filters as a query string (for links, the CSV export and the pager)."""
        values = {"tier": self.tier, "board": self.board_id, "category": self.category_id,
                  "days": self.days if (self.board_id or self.category_id) else None, "contacted": self.contacted,
                  "joined_after": self.joined_after.isoformat() if self.joined_after else None,
                  "joined_before": self.joined_before.isoformat() if self.joined_before else None,
                  "sort": self.sort if self.sort != "score" else None, "selection": self.selection_id}
        return {k: v for k, v in values.items() if v not in (None, "")}


@dataclass
class FanRow:
    user: User
    standing: FanStanding | None
    score: float  # points as of today
    recent: float  # points earned in the last 30 days
    last_activity: date | None


@dataclass
class FanPage:
    rows: list[FanRow]
    total: int
    page: int
    pages: int


def _today_score(session: Session, half_life: int, today: int) -> Any:
    """A standing's score as of today, in points, as a SQL expression: each stored day's decay as a constant."""
    days = list(session.scalars(select(FanStanding.scored_day).distinct().limit(MAX_SCORED_DAYS + 1)))
    units = cast(func.coalesce(FanStanding.score, 0), Float)
    if not days or len(days) > MAX_SCORED_DAYS:
        return units / scoring.UNIT
    decay = case({d: scoring.factor(today - d, half_life) / scoring.SCALE for d in days},
                 value=FanStanding.scored_day, else_=1.0)
    return units * decay / scoring.UNIT


def recent_points(session: Session, user_ids: list[int] | None, today: int) -> dict[int, int]:
    """Milli-points each member earned in the last 30 days (these members, or everyone's for the export).

    Read for the rows shown only, never for every member on each page. The bound on `created_at` (an event's
    day is the date it was made) lets the (member, time) index skip a top fan's older events, and that index
    holds every column read here, so a top fan's thousands of recent events are summed without reading a row."""
    events = EngagementEvent
    start = datetime.combine(date.fromordinal(today - RECENT_DAYS + 1), datetime.min.time())
    query = (select(events.user_id, func.sum(events.points))
             .where(events.created_at >= start, events.day > today - RECENT_DAYS, events.voided.is_(None),
                    events.points > 0).group_by(events.user_id))
    if user_ids is None:
        return dict(session.execute(query).all())
    return dict(session.execute(query.where(events.user_id.in_(user_ids))).all()) if user_ids else {}


def _conditions(filters: FanFilters, now: datetime) -> list[Any]:
    conditions: list[Any] = [User.deleted_at.is_(None)]
    if filters.tier in {t.value for t in Tier}:
        conditions.append(User.tier == Tier(filters.tier))
    elif filters.tier == "pinned":
        conditions.append(FanStanding.pinned.is_(True))
    if filters.board_id or filters.category_id:
        on_ideas = [EngagementEvent.user_id == User.id,
                    EngagementEvent.created_at >= now - timedelta(days=filters.days)]
        on_ideas.append(Idea.board_id == filters.board_id if filters.board_id else Idea.category_id == filters.category_id)
        if filters.board_id and filters.category_id:
            on_ideas.append(Idea.category_id == filters.category_id)
        conditions.append(select(EngagementEvent.id).join(Idea, Idea.id == EngagementEvent.idea_id)
                          .where(*on_ideas).exists())
    if filters.contacted == "never":
        conditions.append(FanStanding.last_contacted_at.is_(None))
    elif filters.contacted in CONTACT_WINDOWS:
        since = now - timedelta(days=CONTACT_WINDOWS[filters.contacted])
        conditions.append(FanStanding.last_contacted_at.is_(None) | (FanStanding.last_contacted_at < since))
    if filters.joined_after:
        conditions.append(User.created_at >= datetime.combine(filters.joined_after, datetime.min.time()))
    if filters.joined_before:
        conditions.append(User.created_at < datetime.combine(filters.joined_before, datetime.min.time()))
    if filters.selection_id:
        conditions.append(User.id.in_(select(FanSelectionMember.user_id)
                                      .where(FanSelectionMember.selection_id == filters.selection_id)))
    return conditions


def _fans_query(session: Session, filters: FanFilters) -> Select:
    today = scoring.today()
    score = _today_score(session, rules.settings(session).half_life_days, today)
    never_first = case((FanStanding.last_contacted_at.is_(None), 0), else_=1)
    order = {"contacted": (never_first, FanStanding.last_contacted_at, User.id),
             "joined": (User.created_at.desc(), User.id.desc())}.get(filters.sort, (score.desc(), User.id))
    return (select(User, FanStanding, score.label("score"))
            .select_from(User)
            .outerjoin(FanStanding, FanStanding.user_id == User.id)
            .options(lazyload(FanStanding.user))  # the member is in the row already (the identity map has them)
            .where(*_conditions(filters, utcnow())).order_by(*order))


def _rows(session: Session, found: list[Any], everyone: bool = False) -> list[FanRow]:
    recent = recent_points(session, None if everyone else [user.id for user, *_ in found], scoring.today())
    return [_row(user, standing, score, recent.get(user.id)) for user, standing, score in found]


def _row(user: User, standing: FanStanding | None, score: float | None, recent: int | None) -> FanRow:
    last = date.fromordinal(standing.last_event_day) if standing and standing.last_event_day else None
    return FanRow(user, standing, float(score or 0) if standing else 0.0, (recent or 0) / rules.MILLI, last)


def fans(session: Session, filters: FanFilters, page: int | None = 1) -> FanPage:
    """The fans that match, best first (or as sorted); page None gives every row (the CSV export)."""
    query = _fans_query(session, filters)
    if page is None:
        rows = _rows(session, session.execute(query).all(), everyone=True)
        return FanPage(rows, len(rows), 1, 1)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(math.ceil(total / PAGE_SIZE), 1)
    page = min(max(page, 1), pages)
    rows = session.execute(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return FanPage(_rows(session, rows), total, page, pages)


def categories(session: Session) -> list[Category]:
    """Every idea category with its board, for the activity filter (one statement)."""
    return list(session.scalars(select(Category).options(joinedload(Category.board))
                                .join(Board, Board.id == Category.board_id).order_by(Board.position, Board.id, Category.name)))


def selections(session: Session) -> list[tuple[FanSelection, int]]:
    """Every saved selection, newest first, with its number of members."""
    counted = (select(FanSelectionMember.selection_id, func.count().label("members"))
               .group_by(FanSelectionMember.selection_id).subquery())
    rows = session.execute(select(FanSelection, func.coalesce(counted.c.members, 0))
                           .outerjoin(counted, counted.c.selection_id == FanSelection.id)
                           .order_by(FanSelection.created_at.desc(), FanSelection.id.desc()))
    return [(selection, members) for selection, members in rows]


# -- one fan's history ----------------------------------------------------------------------------

@dataclass
class FanHistory:
    member: User
    standing: FanStanding | None
    score: float
    lifetime: float
    recent: float
    last_activity: date | None
    events: list[EngagementEvent] = field(default_factory=list)
    badges: list[tuple[str, Any, Any]] = field(default_factory=list)
    notes: list[FanNote] = field(default_factory=list)
    audit: list[AuditEvent] = field(default_factory=list)


def member_or_none(session: Session, user_id: int) -> User | None:
    user = session.get(User, user_id)
    return user if user is not None and user.deleted_at is None else None


def history(session: Session, member: User) -> FanHistory:
    """A fan's standing, latest events, badges, staff notes and the audit trail of pins and voids."""
    today = scoring.today()
    standing = session.get(FanStanding, member.id)
    recent = recent_points(session, [member.id], today).get(member.id, 0)
    events = list(session.scalars(select(EngagementEvent).where(EngagementEvent.user_id == member.id)
                                  .order_by(EngagementEvent.created_at.desc(), EngagementEvent.id.desc())
                                  .limit(LEDGER_SIZE)))
    notes = list(session.scalars(select(FanNote).options(joinedload(FanNote.author)).where(FanNote.user_id == member.id)
                                 .order_by(FanNote.created_at.desc(), FanNote.id.desc())))
    audit = list(session.scalars(select(AuditEvent).options(joinedload(AuditEvent.actor))
                                 .where(AuditEvent.target_user_id == member.id, AuditEvent.action.in_(AUDIT_ACTIONS))
                                 .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())))
    half_life = rules.settings(session).half_life_days
    return FanHistory(member=member, standing=standing, score=scoring.current(standing, half_life, today),
                      lifetime=(standing.lifetime if standing else 0) / rules.MILLI, recent=recent / rules.MILLI,
                      last_activity=date.fromordinal(standing.last_event_day) if standing and standing.last_event_day
                      else None, events=events, badges=badges.of(session, member.id), notes=notes, audit=audit)


# -- the CSV export -------------------------------------------------------------------------------

CSV_HEADER = ["name", "handle", "email", "tier", "pinned", "score", "points_30_days", "last_contacted", "joined"]


def spreadsheet_safe(text: str) -> str:
    """A cell starting with = + - @ would run as a formula in a spreadsheet (as the priorities export does)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_row(row: FanRow) -> list[Any]:
    user, standing = row.user, row.standing
    contacted = standing.last_contacted_at if standing else None
    return [spreadsheet_safe(user.display_name), spreadsheet_safe(user.username), spreadsheet_safe(user.email),
            user.tier.value, "yes" if standing and standing.pinned else "no", f"{row.score:.1f}", f"{row.recent:g}",
            contacted.date().isoformat() if contacted else "", user.created_at.date().isoformat()]

