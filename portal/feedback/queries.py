"""Read side of the feedback board: who sees which board, board listings, budgets, the roadmap (an idea's thread: activity.py)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from flask import abort
from sqlalchemy import ColumnElement, Row, Select, bindparam, case, func, or_, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..kernel.pagecache import remembered
from . import tallies
from .ledger import ACCEPTING
from .models import Board, Category, Idea, IdeaComment, IdeaEvent, IdeaStatus, Subscription, Visibility, Vote, VoteBudget


def _signed_in(viewer: User | None) -> bool:
    return viewer is not None and viewer.is_authenticated


def visible_visibilities(viewer: User | None) -> list[Visibility]:
    """Visitors see public boards, members also members-only boards, superfans and staff every board."""
    if not _signed_in(viewer):
        return [Visibility.PUBLIC]
    if viewer.is_staff or viewer.is_superfan:
        return list(Visibility)
    return [Visibility.PUBLIC, Visibility.MEMBERS]


def can_see_board(viewer: User | None, board: Board) -> bool:
    return board.visibility in visible_visibilities(viewer)


def visible_boards(session: Session, viewer: User | None) -> list[Board]:
    return list(session.scalars(select(Board).where(Board.visibility.in_(visible_visibilities(viewer)))
                                .order_by(Board.position, Board.id)))


def visible_board_ids(session: Session, viewer: User | None) -> list[int]:
    return list(session.scalars(select(Board.id).where(Board.visibility.in_(visible_visibilities(viewer)))))


def listed() -> ColumnElement[bool]:
    """Ideas shown on boards, in search and on the roadmap: not merged away, hidden or deleted."""
    return Idea.merged_into_id.is_(None) & Idea.hidden_at.is_(None) & Idea.deleted_at.is_(None)


def readable_by(viewer: User | None) -> ColumnElement[bool]:
    """Listed ideas, plus hidden ones for their author and moderators (on boards the viewer sees)."""
    base = Idea.merged_into_id.is_(None) & Idea.deleted_at.is_(None)
    if not _signed_in(viewer):
        return base & Idea.hidden_at.is_(None)
    if viewer.is_moderator:
        return base
    return base & or_(Idea.hidden_at.is_(None), Idea.author_id == viewer.id)


# -- boards and ideas ------------------------------------------------------------

PAGE_SIZE = 20
# How much one vote weighs in an idea's demand score, by the voter's engagement tier.
VOTE_WEIGHTS = tallies.WEIGHTS  # a vote's weight in an idea's demand, by its voter's tier
SORTS = ("trending", "top", "new", "updated")
ACTIVE = "active"  # the default filter: every status that still takes votes
ROADMAP_COLUMNS = (IdeaStatus.PLANNED, IdeaStatus.IN_PROGRESS, IdeaStatus.DONE)
ROADMAP_LIMIT = 30


@dataclass
class IdeaPage:
    """A page of idea rows; which of them hold the reader's vote is resolved once the page is drawn (kernel/choices.py)."""

    ideas: list[Idea]
    total: int
    page: int
    pages: int


def get_board_or_404(session: Session, slug: str) -> Board:
    board = session.scalar(select(Board).where(Board.slug == slug[:40]))
    if board is None:
        abort(404)
    return board


def _order(sort: str) -> list[Any]:
    column = {"top": Idea.vote_count, "new": Idea.created_at, "updated": Idea.activity_at}.get(sort, Idea.trending)
    return [column.desc(), Idea.id.desc()]


def status_filter(status: str) -> ColumnElement[bool] | None:
    if status == "all":
        return None
    if status in {s.value for s in IdeaStatus}:
        return Idea.status == IdeaStatus(status)
    return Idea.status.in_(ACCEPTING)  # "active", the default


def page_number(value: Any) -> int:
    try:
        return min(max(int(value), 1), 10_000)
    except (TypeError, ValueError):
        return 1


def id_number(value: Any) -> int | None:
    """A row id from a query string, or None for anything that is not one (never a page-style fallback to 1)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def board_query(board: Board, sort: str = "trending", status: str = ACTIVE, category_id: int | None = None) -> Select:
    """The board's listed ideas in one of the indexed orders: what list_ideas pages through."""
    conditions = [Idea.board_id == board.id, listed()]
    if (by_status := status_filter(status)) is not None:
        conditions.append(by_status)
    if category_id:
        conditions.append(Idea.category_id == category_id)
    return select(Idea).where(*conditions).order_by(*_order(sort))


def list_ideas(session: Session, board: Board, viewer: User | None, *, sort: str = "trending", status: str = ACTIVE,
               category_id: int | None = None, page: int = 1) -> IdeaPage:
    """A page of the board's listed ideas, in one of the indexed orders: the same for every viewer (`viewer` is not
    read; their votes are resolved once the page is drawn, kernel/choices.py).

    How many ideas the filters list is counted once per version of the board (its page-cache topic, which every
    change to one of its ideas bumps), not on every request: at 10,000 ideas on a board the count took 12 ms."""
    query = board_query(board, sort, status, category_id)
    total = remembered(f"board-total:{board.id}:{status}:{category_id or ''}", [f"board:{board.slug}"],
                       lambda: session.scalar(query.with_only_columns(func.count(Idea.id)).order_by(None)) or 0)
    pages = max(math.ceil(total / PAGE_SIZE), 1)
    page = min(page, pages)
    ideas = list(session.scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    return IdeaPage(ideas, total, page, pages)


def voted_ideas(session: Session, viewer: User | None, ideas: list[Idea]) -> set[int]:
    return voted_ids(session, viewer, [i.id for i in ideas])


# Every member's page of idea rows asks it: built once, with the member and the ids as its parameters.
_VOTED = select(Vote.idea_id).where(Vote.user_id == bindparam("viewer"), Vote.idea_id.in_(bindparam("ids", expanding=True)))


def voted_ids(session: Session, viewer: User | None, ids: list[int]) -> set[int]:
    """Which of the ideas with these ids hold the viewer's vote (none for visitors): the rows' "voted-idea" choice."""
    if not _signed_in(viewer) or not ids:
        return set()
    return set(session.scalars(_VOTED, {"viewer": viewer.id, "ids": ids}))


@dataclass
class Budget:
    """A member's votes on a board: the budget (None: no limit) and how many of them their open ideas hold."""

    budget: int | None
    used: int

    @property
    def left(self) -> int | None:
        return None if self.budget is None else max(self.budget - self.used, 0)

    @property
    def exhausted(self) -> bool:
        return self.budget is not None and self.used >= self.budget


def budget_of(session: Session, board: Board, viewer: User | None) -> Budget:
    """The viewer's budget on the board, from its budget row (one statement; a visitor has spent nothing)."""
    if not _signed_in(viewer):
        return Budget(board.vote_budget, 0)
    used = session.scalar(select(VoteBudget.used).where(VoteBudget.user_id == viewer.id, VoteBudget.board_id == board.id))
    return Budget(board.vote_budget, used or 0)


MY_VOTES_SHOWN = 100


def my_votes(session: Session, board: Board, viewer: User | None) -> list[Row]:
    """The board's ideas that hold the viewer's votes (open to votes and listed), newest vote first: one statement.
    Only what the list shows (id, title, votes): up to a hundred whole ideas with their joins cost more than the page."""
    if not _signed_in(viewer):
        return []
    return list(session.execute(select(Idea.id, Idea.title, Idea.vote_count).join(Vote, Vote.idea_id == Idea.id).where(
        Vote.user_id == viewer.id, Idea.board_id == board.id, Idea.status.in_(ACCEPTING), listed())
        .order_by(Vote.created_at.desc(), Vote.id.desc()).limit(MY_VOTES_SHOWN)))


def can_read_idea(viewer: User | None, idea: Idea) -> bool:
    """Not deleted, on a board the viewer sees, and if hidden, theirs or they moderate (merged ones too: their page redirects)."""
    if idea.deleted_at is not None or not can_see_board(viewer, idea.board):
        return False
    return idea.hidden_at is None or (_signed_in(viewer) and (viewer.is_moderator or viewer.id == idea.author_id))


def get_idea_or_404(session: Session, idea_id: int, viewer: User | None) -> Idea:
    """The idea if the viewer may read it: merged ones too (the view redirects them), 404 otherwise."""
    idea = session.get(Idea, idea_id)
    if idea is None or not can_read_idea(viewer, idea):
        abort(404)
    return idea


def get_comment_or_404(session: Session, comment_id: int, viewer: User | None) -> IdeaComment:
    """The comment, if the viewer may read its idea; 404 otherwise."""
    comment = session.get(IdeaComment, comment_id)
    if comment is None:
        abort(404)
    get_idea_or_404(session, comment.idea_id, viewer)
    return comment


def idea_by_number(session: Session, number: int | None) -> Idea | None:
    """The idea with this number (as staff type it into the merge form), if there is one and it was not deleted."""
    idea = session.get(Idea, number) if number else None
    return idea if idea is not None and idea.deleted_at is None else None


@dataclass
class RoadmapColumn:
    ideas: list[Idea]  # the first ROADMAP_LIMIT
    total: int  # all of them: the column links to the full list when there are more


def _roadmap_order(status: IdeaStatus) -> list[Any]:
    if status is IdeaStatus.DONE:
        return [Idea.status_changed_at.desc(), Idea.id.desc()]
    return [Idea.vote_count.desc(), Idea.id.desc()]


def roadmap(session: Session, viewer: User | None) -> dict[IdeaStatus, RoadmapColumn]:
    """Planned, in progress and recently done ideas from the boards the viewer sees, most wanted first, with each
    column's total (a window count on the same statement, so the totals cost no query of their own)."""
    boards = visible_board_ids(session, viewer)
    columns: dict[IdeaStatus, RoadmapColumn] = {}
    for status in ROADMAP_COLUMNS:
        rows = session.execute(select(Idea, func.count().over().label("total"))
                               .where(Idea.board_id.in_(boards), Idea.status == status, listed())
                               .order_by(*_roadmap_order(status)).limit(ROADMAP_LIMIT)).all()
        columns[status] = RoadmapColumn([row[0] for row in rows], rows[0][1] if rows else 0)
    return columns


def roadmap_column(session: Session, viewer: User | None, status: IdeaStatus, page: int = 1) -> IdeaPage:
    """Every idea of one roadmap column, a page at a time, in the column's order."""
    conditions = [Idea.board_id.in_(visible_board_ids(session, viewer)), Idea.status == status, listed()]
    total = session.scalar(select(func.count(Idea.id)).where(*conditions)) or 0
    pages = max(math.ceil(total / PAGE_SIZE), 1)
    page = min(page, pages)
    ideas = list(session.scalars(select(Idea).where(*conditions).order_by(*_roadmap_order(status))
                                 .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    return IdeaPage(ideas, total, page, pages)


@dataclass
class ChangelogPage:
    entries: list[tuple[Idea, IdeaEvent | None]]
    page: int
    pages: int


def changelog(session: Session, viewer: User | None, page: int = 1) -> ChangelogPage:
    """Done ideas, newest first, each with the explanation that closed it."""
    conditions = [Idea.board_id.in_(visible_board_ids(session, viewer)), Idea.status == IdeaStatus.DONE, listed()]
    total = session.scalar(select(func.count(Idea.id)).where(*conditions)) or 0
    pages = max(math.ceil(total / PAGE_SIZE), 1)
    page = min(page, pages)
    ideas = list(session.scalars(select(Idea).where(*conditions).order_by(Idea.status_changed_at.desc(), Idea.id.desc())
                                 .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    latest: dict[int, IdeaEvent] = {}
    if ideas:
        for event in session.scalars(select(IdeaEvent).where(
                IdeaEvent.idea_id.in_([i.id for i in ideas]), IdeaEvent.status == IdeaStatus.DONE)
                .order_by(IdeaEvent.created_at, IdeaEvent.id)):
            latest[event.idea_id] = event
    return ChangelogPage([(idea, latest.get(idea.id)) for idea in ideas], page, pages)


# -- staff prioritisation ----------------------------------------------------------

PRIORITY_SORTS = ("demand", "votes", "voters", "recent", "superfans", "comments", "priority", "new")
PRIORITY_REVIEWS = ("new", "votes")  # the staff home's lists in full: never reviewed, voted for since the review
RECENT_DAYS = tallies.RECENT_DAYS


@dataclass
class PriorityRow:
    idea: Idea
    votes: int
    voters: int
    recent: int
    superfans: int
    demand: int


@dataclass
class PriorityPage:
    rows: list[PriorityRow]
    total: int
    page: int
    pages: int


def _priority_query(board_id: int | None, category_id: int | None, status: str, sort: str, review: str = "") -> Select:
    conditions = [listed()]
    if board_id:
        conditions.append(Idea.board_id == board_id)
    if category_id:
        conditions.append(Idea.category_id == category_id)
    if (by_status := status_filter(status)) is not None:
        conditions.append(by_status)
    if review in PRIORITY_REVIEWS:  # as the staff home counts them
        voted_since = select(Vote.id).where(Vote.idea_id == Idea.id, Vote.created_at > Idea.reviewed_at).exists()
        conditions.append(Idea.reviewed_at.is_(None) if review == "new" else Idea.reviewed_at.is_not(None) & voted_since)
    # Kept with each vote (tallies.py): no vote is read here, whatever their number.
    columns = {"votes": Idea.vote_count, "voters": Idea.voter_count, "recent": Idea.recent_votes,
               "superfans": Idea.superfan_votes, "demand": Idea.demand}
    priority = case((Idea.impact.is_not(None) & Idea.effort.is_not(None), Idea.impact * 1.0 / Idea.effort), else_=-1.0)
    order = {"comments": Idea.comment_count, "priority": priority, "new": Idea.created_at}.get(sort) \
        if sort in ("comments", "priority", "new") else columns.get(sort, columns["demand"])
    return (select(Idea, *(c.label(n) for n, c in columns.items()))
            .where(*conditions).order_by(order.desc(), Idea.vote_count.desc(), Idea.id.desc()))


def priorities(session: Session, *, board_id: int | None = None, category_id: int | None = None, status: str = ACTIVE,
               sort: str = "demand", review: str = "", page: int | None = 1) -> PriorityPage:
    """The most requested ideas with their demand figures; page None gives every row (the CSV export).

    How many ideas the filters list is counted once per version of the ideas ("roadmap", the page-cache topic
    that every change to an idea or a board bumps), not on every request: over 20,000 ideas it took 7 ms. Not
    with a review filter: marking an idea reviewed changes that count and bumps no topic."""
    query = _priority_query(board_id, category_id, status, sort, review)
    if page is None:
        rows = session.execute(query).all()
        return PriorityPage([PriorityRow(*row) for row in rows], len(rows), 1, 1)

    def count() -> int:
        return session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0

    total = remembered(f"priority-total:{board_id or ''}:{category_id or ''}:{status}", ["roadmap"], count) \
        if not review else count()
    pages = max(math.ceil(total / PAGE_SIZE), 1)
    page = min(page, pages)
    rows = session.execute(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return PriorityPage([PriorityRow(*row) for row in rows], total, page, pages)


def all_categories(session: Session) -> list[Category]:
    return list(session.scalars(select(Category).order_by(Category.name)))


def export_member_data(session: Session, member: User) -> dict[str, Any]:
    """The member's ideas, votes, comments and subscriptions, for the JSON export of their data."""
    def iso(value: Any) -> str | None:
        return value.isoformat() + "Z" if value else None

    ideas = session.scalars(select(Idea).where(Idea.author_id == member.id, Idea.deleted_at.is_(None)).order_by(Idea.id))
    votes = session.execute(select(Vote.idea_id, Vote.created_at, Vote.source).where(Vote.user_id == member.id)
                            .order_by(Vote.id))
    comments = session.scalars(select(IdeaComment).where(IdeaComment.author_id == member.id,
                                                         IdeaComment.deleted_at.is_(None)).order_by(IdeaComment.id))
    return {
        "ideas": [{"id": i.id, "board": i.board.name, "title": i.title, "description": i.description,
                   "status": i.status.value, "votes": i.vote_count, "created_at": iso(i.created_at)} for i in ideas],
        "votes": [{"idea_id": idea_id, "created_at": iso(when), "source": source.value} for idea_id, when, source in votes],
        "comments": [{"id": c.id, "idea_id": c.idea_id, "text": c.body, "created_at": iso(c.created_at)} for c in comments],
        "subscribed_ideas": list(session.scalars(select(Subscription.idea_id).where(
            Subscription.user_id == member.id, Subscription.subscribed.is_(True)).order_by(Subscription.idea_id))),
    }
