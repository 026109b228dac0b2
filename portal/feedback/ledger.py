"""The feedback board's counters: vote budgets, trending scores, subscriptions and the
notifications they fan out. Helpers here only add to the session; the caller commits.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, exists, func, insert, literal, or_, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..accounts.models import Role, Tier, User
from ..fans import service as fans
from ..kernel.notifications import notify_many
from ..kernel.timeutil import utcnow
from ..kernel.uow import after_commit
from . import tallies, trending
from .models import Board, Idea, IdeaComment, IdeaNotice, IdeaStatus, Subscription, Visibility, Vote, VoteBudget


class NoVotesLeft(Exception):
    """The member has spent the board's whole vote budget on open ideas."""

    def __init__(self, budget: int):
        super().__init__(budget)
        self.budget = budget


ACCEPTING = [status for status in IdeaStatus if status.accepts_votes]


def lock_votable(session: Session, idea_id: int, *, touch: bool) -> bool:
    """Lock the idea's row if it still takes votes (a write, so concurrent votes queue behind it)."""
    values: dict[str, Any] = {"activity_at": utcnow()} if touch else {"vote_count": Idea.vote_count}
    result = session.execute(update(Idea).where(
        Idea.id == idea_id, Idea.status.in_(ACCEPTING), Idea.merged_into_id.is_(None), Idea.hidden_at.is_(None),
        Idea.deleted_at.is_(None)).values(**values).execution_options(synchronize_session=False))
    return result.rowcount == 1


def ensure_budget_rows(session: Session, board_id: int, user_ids: Select | list[int]) -> None:
    """A budget row for every member in `user_ids` on this board (a row is where the spent votes are counted)."""
    if isinstance(user_ids, list):
        user_ids = select(User.id).where(User.id.in_(user_ids))
    wanted = user_ids.subquery()
    missing = select(wanted.c[0], literal(board_id), literal(0)).where(~exists().where(
        VoteBudget.user_id == wanted.c[0], VoteBudget.board_id == board_id))
    try:
        with session.begin_nested():
            session.execute(insert(VoteBudget).from_select(["user_id", "board_id", "used"], missing))
    except IntegrityError:
        pass  # the same member's other request made the row a moment ago


def spend_vote(session: Session, user_id: int, board: Board) -> None:
    """Take one vote from the member's budget on the board, or raise NoVotesLeft."""
    ensure_budget_rows(session, board.id, [user_id])
    conditions = [VoteBudget.user_id == user_id, VoteBudget.board_id == board.id]
    if board.vote_budget is not None:
        conditions.append(VoteBudget.used < board.vote_budget)
    if session.execute(update(VoteBudget).where(*conditions).values(used=VoteBudget.used + 1)).rowcount != 1:
        raise NoVotesLeft(board.vote_budget or 0)


def shift_budgets(session: Session, board_id: int, voters: Select, delta: int) -> None:
    """Give back (-1) or take again (+1) one vote from each member in `voters`: their idea closed or reopened."""
    if delta > 0:
        ensure_budget_rows(session, board_id, voters)
    used = case((VoteBudget.used + delta < 0, 0), else_=VoteBudget.used + delta)
    session.execute(update(VoteBudget).where(VoteBudget.board_id == board_id, VoteBudget.user_id.in_(voters))
                    .values(used=used).execution_options(synchronize_session=False))


def record_vote(session: Session, idea_id: int, vote: Vote, author_id: int | None = None) -> None:
    """Insert a vote on a locked idea and count it (raises IntegrityError for a second vote); the caller
    sets the vote's tier to its voter's."""
    now = utcnow()
    vote.idea_id, vote.created_at = idea_id, now
    with session.begin_nested():
        session.add(vote)
        session.flush()
    tallies.count(session, vote)
    if vote.user_id is not None:
        after_commit(session, tallies.check_tier, vote.user_id, vote.tier)
    add_heat(session, idea_id, trending.VOTE_WEIGHT, now)
    if vote.user_id is not None:
        fans.record(session, vote.user_id, "idea_vote", idea_id=idea_id, other_user_id=author_id)


def member_voters(idea_id: int) -> Select:
    return select(Vote.user_id).where(Vote.idea_id == idea_id, Vote.user_id.is_not(None))


def add_heat(session: Session, idea_id: int, weight: float, when: datetime) -> None:
    """Add an event to the idea's trending score; call after the row is locked, so the read is current."""
    score = session.scalar(select(Idea.trending).where(Idea.id == idea_id))
    session.execute(update(Idea).where(Idea.id == idea_id).values(trending=trending.add(score, weight, when))
                    .execution_options(synchronize_session=False))


def remove_heat(session: Session, idea_id: int, weight: float, when: datetime) -> None:
    score = session.scalar(select(Idea.trending).where(Idea.id == idea_id))
    new = trending.remove(score, weight, when)
    if new is None:  # too little left to subtract precisely: count again from the rows
        new = recount_heat(session, idea_id)
    session.execute(update(Idea).where(Idea.id == idea_id).values(trending=new)
                    .execution_options(synchronize_session=False))


def recount_heat(session: Session, idea_id: int) -> float:
    """The trending score from the idea's votes and visible comments (already flushed)."""
    created = session.scalar(select(Idea.created_at).where(Idea.id == idea_id))
    votes = session.scalars(select(Vote.created_at).where(Vote.idea_id == idea_id))
    comments = session.scalars(select(IdeaComment.created_at).where(
        IdeaComment.idea_id == idea_id, IdeaComment.deleted_at.is_(None)))
    events = [(trending.VOTE_WEIGHT, when) for when in votes] + [(trending.COMMENT_WEIGHT, when) for when in comments]
    return trending.compute(events, created)


def subscribe_quietly(session: Session, user_id: int, idea_id: int) -> None:
    """Subscribe a voter or commenter, unless they once unsubscribed (that choice stays)."""
    if session.get(Subscription, (user_id, idea_id)) is None:
        try:
            with session.begin_nested():
                session.add(Subscription(user_id=user_id, idea_id=idea_id, subscribed=True))
        except IntegrityError:
            pass


def may_see(board: Board) -> Any:
    """The members who may read this board (a board made private later, a member who lost their tier)."""
    if board.visibility is not Visibility.SUPERFANS:
        return true()
    return or_(User.role.in_([Role.STAFF, Role.ADMIN]), User.tier == Tier.SUPERFAN)


def notify_subscribers(session: Session, idea_id: int, kind: IdeaNotice, actor_id: int | None, *,
                       detail: str = "", also: Select | None = None, subscribers_of: int | None = None) -> None:
    """One notification per subscriber (and per member in `also`) who may still see the board, counted unread.

    The notification links to `idea_id`; the subscribers are those of `subscribers_of` when given.
    """
    people = select(Subscription.user_id).where(Subscription.idea_id == (subscribers_of or idea_id),
                                                Subscription.subscribed.is_(True))
    if also is not None:
        people = people.union(also)
    people = people.subquery()
    recipients = select(User.id).where(User.id.in_(select(people.c[0])), User.deleted_at.is_(None),
                                       may_see(session.get(Idea, idea_id).board))
    notify_many(session, recipients, kind, actor_id=actor_id, idea_id=idea_id, detail=detail)


def relist(session: Session, idea: Idea, change: Any) -> bool:
    """Apply a change that takes the idea off its board (deleted, hidden) or puts it back (restored):
    its voters' budgets and the board's count follow whether it still holds votes and is still listed.

    The row is locked and read again first, so two tabs (or a status change racing a hide) see
    each other's result; `change` returns False when, seen fresh, there is nothing to do."""
    lock(session, idea)
    held, listed = idea.holds_votes, idea.is_listed
    if not change():
        return False
    session.flush()
    if held != idea.holds_votes:
        shift_budgets(session, idea.board_id, member_voters(idea.id), +1 if idea.holds_votes else -1)
    if listed != idea.is_listed:
        session.execute(update(Board).where(Board.id == idea.board_id)
                        .values(idea_count=Board.idea_count + (1 if idea.is_listed else -1)))
    return True


def lock(session: Session, idea: Idea) -> None:
    """Lock the idea's row (a no-op write) and read it again, as another request may just have changed it."""
    session.execute(update(Idea).where(Idea.id == idea.id).values(vote_count=Idea.vote_count)
                    .execution_options(synchronize_session=False))
    session.refresh(idea)


def recount_budget(session: Session, board_id: int, user_id: int) -> int:
    """Votes the member has on the board's ideas that hold votes, counted from the rows (for checks)."""
    return session.scalar(select(func.count(Vote.id)).join(Idea, Idea.id == Vote.idea_id).where(
        Vote.user_id == user_id, Idea.board_id == board_id, Idea.status.in_(ACCEPTING), Idea.merged_into_id.is_(None),
        Idea.hidden_at.is_(None), Idea.deleted_at.is_(None))) or 0


# -- recounts: every counter again from the rows (the demo's bulk writes, the recount-votes command) --


def _listed() -> Any:
    return Idea.merged_into_id.is_(None) & Idea.hidden_at.is_(None) & Idea.deleted_at.is_(None)


def spent_from_rows() -> Any:
    """Each budget row's spent votes: the member's votes on the board's ideas that still hold votes."""
    return (select(func.count(Vote.id)).join(Idea, Idea.id == Vote.idea_id)
            .where(Vote.user_id == VoteBudget.user_id, Idea.board_id == VoteBudget.board_id, Idea.status.in_(ACCEPTING),
                   _listed())
            .scalar_subquery())


def recount_counters(session: Session) -> None:
    """Ideas' vote and comment counts and trending scores, boards' idea counts and members' spent votes,
    all from the rows. Adds to the caller's transaction."""
    quiet = {"synchronize_session": False}
    comments = (select(func.count(IdeaComment.id)).where(IdeaComment.idea_id == Idea.id, IdeaComment.deleted_at.is_(None))
                .scalar_subquery())
    session.execute(update(Idea).values(comment_count=comments).execution_options(**quiet))
    tallies.recount(session)
    ideas = select(func.count(Idea.id)).where(Idea.board_id == Board.id, _listed()).scalar_subquery()
    session.execute(update(Board).values(idea_count=ideas).execution_options(**quiet))
    for board_id in session.scalars(select(Board.id)).all():
        voters = (select(Vote.user_id).join(Idea, Idea.id == Vote.idea_id)
                  .where(Idea.board_id == board_id, Vote.user_id.is_not(None)).distinct())
        ensure_budget_rows(session, board_id, voters)
    session.execute(update(VoteBudget).values(used=spent_from_rows()).execution_options(**quiet))
    for idea_id in session.scalars(select(Idea.id).order_by(Idea.id)).all():
        session.execute(update(Idea).where(Idea.id == idea_id).values(trending=recount_heat(session, idea_id))
                        .execution_options(**quiet))
