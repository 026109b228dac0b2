"""Feedback rules for members: posting ideas, voting within a budget, comments, subscriptions.

Each public function that writes is a use case: it checks its rules, writes the change, its
counters, its engagement event and its notifications in one transaction, registers what lies
outside the database (search index, page cache) with `after_commit`, and commits once. A vote
first locks the idea's row with a conditional UPDATE, so a vote racing a status change or a
merge waits for it and then sees the idea as it is; the budget is one conditional UPDATE too,
so two tabs can never spend the same vote twice.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import search
from ..accounts.models import User
from ..accounts.rules import write_refusal
from ..fans import service as fans
from ..kernel.errors import ValidationError
from ..kernel.pagecache import invalidate
from ..kernel.text import clean_text, render_text
from ..kernel.timeutil import utcnow
from ..kernel.uow import after_commit, commit, use_case
from . import tallies, trending
from .ledger import (
    NoVotesLeft,
    add_heat,
    lock_votable,
    notify_subscribers,
    record_vote,
    relist,
    remove_heat,
    spend_vote,
    subscribe_quietly,
)
from .ledger import recount_budget as recount_budget  # views and tests read it as service.recount_budget
from .models import (
    COMMENT_MAX,
    DESCRIPTION_MAX,
    TITLE_MAX,
    TITLE_MIN,
    Board,
    Category,
    Idea,
    IdeaComment,
    IdeaNotice,
    Subscription,
    Vote,
    VoteBudget,
)
from .queries import budget_of, can_read_idea, can_see_board
from .search_source import NAME as SEARCH_SOURCE

_DUPLICATE_WINDOW = timedelta(minutes=5)


class FeedbackError(ValidationError):
    """Something asked for breaks a rule; the message says which, keyed by form field."""


class VotingClosed(Exception):
    """The idea is done, declined, merged, hidden or deleted: its votes are frozen."""


class NotFound(LookupError):
    """The board or idea is not there for this member: on a board they may not see, or (for the
    staff tools) merged away or deleted. The views answer 404 before asking; this is the rule."""


def refuse(field: str, message: Any) -> FeedbackError:
    return FeedbackError({field: [message]})


def check_can_write(user: User, field: str = "title") -> None:
    """Suspended or unconfirmed members read and browse, but do not post, vote or comment."""
    if (problem := write_refusal(user)) is not None:
        raise refuse(field, problem)


def check_staff(actor: User) -> None:
    """The staff tools (statuses, responses, merges, votes on behalf, estimates) are for staff."""
    if not actor.is_staff:
        raise refuse("explanation", _l("Only staff can do this."))


def check_sees_board(user: User | None, board: Board) -> None:
    """Nobody acts on a board they may not see (a superfans' board, for a member): to them it does not exist."""
    if not can_see_board(user, board):
        raise NotFound()


def check_reads_idea(user: User | None, idea: Idea) -> None:
    """As on the idea's page: its board visible to them, not deleted, and if hidden, theirs or they moderate."""
    if not can_read_idea(user, idea):
        raise NotFound()


def may_change(idea: Idea, user: User) -> bool:
    """The author and staff may edit or delete an idea (the views also ask, to show the form or a 403)."""
    return user.id == idea.author_id or user.is_staff


def may_delete_comment(comment: IdeaComment, user: User) -> bool:
    return user.id == comment.author_id or user.is_moderator


def clean_title(title: str | None, errors: dict[str, list[Any]]) -> str:
    title = " ".join((title or "").split())
    if len(title) < TITLE_MIN:
        errors.setdefault("title", []).append(
            _l("Give your idea a title of at least %(n)s characters, so others can find it.", n=TITLE_MIN))
    elif len(title) > TITLE_MAX:
        errors.setdefault("title", []).append(_l("Keep the title under %(n)s characters (this is %(count)s).",
                                                 n=TITLE_MAX, count=len(title)))
    return title


def _category(board: Board, category_id: int | None, errors: dict[str, list[Any]]) -> Category | None:
    if not category_id:
        return None
    found = next((c for c in board.categories if c.id == category_id), None)
    if found is None:
        errors.setdefault("category_id", []).append(_l("Choose one of this board's categories."))
    return found


def page_topics(idea: Idea, listing: bool = False) -> list[str]:
    """Cached pages that show an idea: its page, its board, the roadmap and changelog (which show
    votes), and with `listing` (the idea joined or left its board) the boards list and its counts."""
    return [f"idea:{idea.id}", f"board:{idea.board.slug}", "roadmap", *(["boards"] if listing else [])]


def on_commit(session: Session, ideas: Iterable[Idea], *, reindex: bool = True, listing: bool = False) -> None:
    """Register what follows a change to these ideas once the transaction is safe: the page cache
    forgets the pages that show them, and (with `reindex`) the search index job is queued."""
    ideas = list(ideas)
    topics = sorted({topic for idea in ideas for topic in page_topics(idea, listing)})
    after_commit(session, invalidate, *topics)
    if reindex:
        after_commit(session, search.queue_index, SEARCH_SOURCE, [idea.id for idea in ideas])


# -- ideas ---------------------------------------------------------------------


@use_case
def submit_idea(session: Session, board: Board, author: User, *, title: str, description: str = "",
                category_id: int | None = None) -> tuple[Idea, bool]:
    """Post an idea, with its author's vote when the budget allows. Returns the idea and whether it got the vote."""
    check_sees_board(author, board)
    check_can_write(author)
    errors: dict[str, list[Any]] = {}
    title = clean_title(title, errors)
    description = clean_text(description, DESCRIPTION_MAX, errors, "description", required=False)
    category = _category(board, category_id, errors)
    if not errors and session.scalar(select(exists().where(
            Idea.author_id == author.id, Idea.board_id == board.id, func.lower(Idea.title) == title.lower(),
            Idea.deleted_at.is_(None)))):
        errors.setdefault("title", []).append(_l("You already posted an idea with this title on this board."))
    if errors:
        raise FeedbackError(errors)
    now = utcnow()
    idea = Idea(board_id=board.id, author_id=author.id, title=title, description=description,
                description_html=render_text(session, description).html if description else "",
                category_id=category.id if category else None, created_at=now, activity_at=now,
                trending=trending.compute([], now))
    session.add(idea)
    session.flush()
    session.execute(update(Board).where(Board.id == board.id).values(idea_count=Board.idea_count + 1))
    fans.record(session, author.id, "idea_posted", idea_id=idea.id)
    session.add(Subscription(user_id=author.id, idea_id=idea.id, subscribed=True))
    voted = True
    try:
        with session.begin_nested():
            spend_vote(session, author.id, board)
    except NoVotesLeft:
        voted = False
    if voted:
        vote = Vote(idea_id=idea.id, user_id=author.id, tier=author.tier, created_at=now)
        session.add(vote)
        after_commit(session, tallies.check_tier, author.id, author.tier)
        for name, amount in tallies.figures(vote).items():  # the idea's first vote: its figures are this vote's
            setattr(idea, name, amount)
        idea.trending = trending.add(None, trending.VOTE_WEIGHT, now)
        fans.record(session, author.id, "idea_vote", idea_id=idea.id, other_user_id=author.id)  # earns nothing
    on_commit(session, [idea], listing=True)
    commit(session)
    return idea, voted


@use_case
def edit_idea(session: Session, idea: Idea, editor: User, *, title: str, description: str,
              category_id: int | None) -> None:
    """The author (or staff) corrects the title, description or category."""
    check_sees_board(editor, idea.board)
    if not may_change(idea, editor):
        raise refuse("title", _l("Only the author or staff can edit an idea."))
    check_can_write(editor)
    if not idea.is_listed:
        raise refuse("title", _l("This idea was merged, hidden or deleted, so it cannot be changed any more."))
    errors: dict[str, list[Any]] = {}
    title = clean_title(title, errors)
    description = clean_text(description, DESCRIPTION_MAX, errors, "description", required=False)
    category = _category(idea.board, category_id, errors)
    if errors:
        raise FeedbackError(errors)
    idea.title, idea.description = title, description
    idea.description_html = render_text(session, description).html if description else ""
    idea.category_id = category.id if category else None
    idea.edited_at = utcnow()
    on_commit(session, [idea])
    commit(session)


@use_case
def delete_idea(session: Session, idea: Idea, actor: User) -> None:
    """The author or staff removes an idea; its votes return to the voters' budgets."""
    check_sees_board(actor, idea.board)
    if not may_change(idea, actor):
        raise refuse("title", _l("Only the author or staff can delete an idea."))

    def change() -> bool:
        if idea.deleted_at is not None:
            return False  # deleted already, from another tab
        idea.deleted_at = utcnow()
        return True

    if not relist(session, idea, change):
        session.rollback()  # nothing changed: let go of the row lock
        return
    fans.retract_contribution(session, idea.author_id, idea_id=idea.id)
    on_commit(session, [idea], listing=True)
    commit(session)


# -- votes ---------------------------------------------------------------------


@use_case
def cast_vote(session: Session, idea: Idea, voter: User) -> bool:
    """Add the member's vote. Returns False when they had already voted (nothing changes)."""
    check_sees_board(voter, idea.board)
    check_can_write(voter)
    if session.scalar(select(exists().where(Vote.idea_id == idea.id, Vote.user_id == voter.id))):
        return False
    board = idea.board
    if not lock_votable(session, idea.id, touch=True):
        raise VotingClosed()
    try:
        spend_vote(session, voter.id, board)
        record_vote(session, idea.id, Vote(user_id=voter.id, tier=voter.tier), idea.author_id)
    except IntegrityError:
        session.rollback()  # the member's other tab voted a moment ago: counted once, and its budget spent once
        return False
    subscribe_quietly(session, voter.id, idea.id)
    on_commit(session, [idea], reindex=False)
    commit(session)
    return True


@use_case
def withdraw_vote(session: Session, idea: Idea, voter: User) -> bool:
    """Take the member's vote back; it returns to their budget. Returns False if there was none."""
    check_sees_board(voter, idea.board)
    if not lock_votable(session, idea.id, touch=False):
        raise VotingClosed()
    vote = session.scalar(select(Vote).where(Vote.idea_id == idea.id, Vote.user_id == voter.id)
                          .execution_options(populate_existing=True))  # its tier as stored, read under the lock
    if vote is None:
        session.rollback()  # nothing to take back: let go of the row lock
        return False
    session.delete(vote)
    session.flush()
    tallies.count(session, vote, -1)
    session.execute(update(VoteBudget).where(VoteBudget.user_id == voter.id, VoteBudget.board_id == idea.board_id,
                                             VoteBudget.used > 0).values(used=VoteBudget.used - 1))
    remove_heat(session, idea.id, trending.VOTE_WEIGHT, vote.created_at)
    fans.retract(session, voter.id, "idea_vote", idea_id=idea.id)
    on_commit(session, [idea], reindex=False)
    commit(session)
    return True


def votes_left(session: Session, board: Board, user: User | None) -> int | None:
    """Votes the member may still cast on the board; None when the board has no budget."""
    return budget_of(session, board, user if user is not None and user.is_authenticated else None).left


# -- comments and subscriptions -------------------------------------------------


@use_case
def add_comment(session: Session, idea: Idea, author: User, *, body: str) -> IdeaComment:
    """Comment on an idea; the author is subscribed, the other subscribers are told."""
    check_sees_board(author, idea.board)
    check_can_write(author, "body")
    if not idea.is_listed:
        raise refuse("body", _l("This idea was merged, hidden or deleted, so it takes no more comments."))
    errors: dict[str, list[Any]] = {}
    body = clean_text(body, COMMENT_MAX, errors, "body")
    if not errors and session.scalar(select(exists().where(
            IdeaComment.idea_id == idea.id, IdeaComment.author_id == author.id, IdeaComment.body == body,
            IdeaComment.deleted_at.is_(None), IdeaComment.created_at >= utcnow() - _DUPLICATE_WINDOW))):
        errors.setdefault("body", []).append(_l("You posted the same comment a moment ago."))
    if errors:
        raise FeedbackError(errors)
    now = utcnow()
    counted = session.execute(update(Idea).where(Idea.id == idea.id, Idea.merged_into_id.is_(None), Idea.hidden_at.is_(None),
                                                 Idea.deleted_at.is_(None))
                              .values(comment_count=Idea.comment_count + 1, activity_at=now)
                              .execution_options(synchronize_session=False)).rowcount
    if not counted:  # merged, hidden or deleted a moment ago
        raise refuse("body", _l("This idea was merged, hidden or deleted, so it takes no more comments."))
    comment = IdeaComment(idea_id=idea.id, author_id=author.id, body=body, body_html=render_text(session, body).html,
                          created_at=now)
    session.add(comment)
    session.flush()
    add_heat(session, idea.id, trending.COMMENT_WEIGHT, now)
    fans.record(session, author.id, "idea_comment", idea_id=idea.id)
    if author.is_staff and idea.author_id != author.id:
        fans.touch_contact(session, [idea.author_id])  # a staff reply is staff reaching the idea's author
    subscribe_quietly(session, author.id, idea.id)
    session.flush()
    notify_subscribers(session, idea.id, IdeaNotice.COMMENT, author.id, detail=str(comment.id))
    on_commit(session, [idea], reindex=False)
    commit(session)
    return comment


@use_case
def delete_comment(session: Session, comment: IdeaComment, actor: User) -> None:
    """The author or a moderator removes a comment."""
    idea = session.get(Idea, comment.idea_id)
    check_reads_idea(actor, idea)
    if not may_delete_comment(comment, actor):
        raise refuse("body", _l("Only the author or a moderator can delete a comment."))
    gone = session.execute(update(IdeaComment).where(IdeaComment.id == comment.id, IdeaComment.deleted_at.is_(None))
                           .values(deleted_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    if not gone:
        session.rollback()
        return  # deleted already, from another tab: counted once
    session.execute(update(Idea).where(Idea.id == comment.idea_id).values(comment_count=Idea.comment_count - 1)
                    .execution_options(synchronize_session=False))
    remove_heat(session, comment.idea_id, trending.COMMENT_WEIGHT, comment.created_at)
    fans.retract(session, comment.author_id, "idea_comment", idea_id=comment.idea_id, one=True)
    on_commit(session, [idea], reindex=False)  # the board shows comment counts too
    commit(session)
    session.refresh(comment)


@use_case
def set_subscription(session: Session, idea: Idea, user: User, subscribed: bool) -> None:
    """Follow an idea's news, or stop."""
    check_reads_idea(user, idea)
    where = (Subscription.user_id == user.id, Subscription.idea_id == idea.id)
    if not session.execute(update(Subscription).where(*where).values(subscribed=subscribed)).rowcount:
        try:
            with session.begin_nested():
                session.add(Subscription(user_id=user.id, idea_id=idea.id, subscribed=subscribed))
        except IntegrityError:  # the member's other tab made the row a moment ago: this choice comes last, so it stays
            session.execute(update(Subscription).where(*where).values(subscribed=subscribed))
    commit(session)
