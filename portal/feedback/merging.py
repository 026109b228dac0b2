"""Merging a duplicate into the original idea: votes, comments, followers and ledger rows move,
budgets stay exact, and the duplicate's voters hear where their vote went (read it as triage.merge_ideas)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..fans import service as fans
from ..fans.models import EngagementEvent
from ..kernel.text import render_text
from ..kernel.timeutil import utcnow
from ..kernel.uow import commit, use_case
from . import tallies
from .ledger import ensure_budget_rows, member_voters, notify_subscribers, recount_heat, shift_budgets
from .models import EXPLANATION_MAX, Board, Idea, IdeaComment, IdeaEvent, IdeaEventKind, IdeaNotice, Subscription, Vote
from .service import check_staff, on_commit, refuse


def _check_mergeable(duplicate: Idea, original: Idea | None, explanation: str) -> tuple[Idea, str]:
    """The original and the explanation, cleaned, once the two ideas may be merged; a FeedbackError otherwise."""
    if original is None:
        raise refuse("original_id", _l("There is no idea with this number."))
    if duplicate.id == original.id:
        raise refuse("original_id", _l("An idea cannot be merged into itself."))
    if original.merged_into_id is not None:
        raise refuse("original_id", _l("That idea was itself merged into another one: merge into that one instead."))
    if duplicate.merged_into_id is not None:
        raise refuse("original_id", _l("This idea was already merged."))
    if not original.is_listed or not duplicate.is_listed:
        raise refuse("original_id", _l("Hidden or deleted ideas cannot be merged."))
    if original.board.visibility is not duplicate.board.visibility:
        # Its comments and title would show where its readers were not meant to be, or its voters lose sight of their vote.
        raise refuse("original_id", _l("Merge only between boards that the same people can see."))
    text = (explanation or "").strip()
    if len(text) > EXPLANATION_MAX:
        raise refuse("explanation", _l("Keep the explanation under %(n)s characters (this is %(count)s).",
                                       n=EXPLANATION_MAX, count=len(text)))
    return original, text


@use_case
def merge_ideas(session: Session, duplicate: Idea, original: Idea | None, actor: User, *, explanation: str = "") -> None:
    """Fold a duplicate into the original: votes move (a member who voted for both counts once),
    comments move with a mark, subscribers follow, the duplicate redirects, its voters are told.
    `original` is None when the number staff typed names no idea."""
    check_staff(actor)
    original, text = _check_mergeable(duplicate, original, explanation)
    # Lock both rows, lower id first, so two merges never wait on each other.
    for idea_id in sorted((duplicate.id, original.id)):
        session.execute(update(Idea).where(Idea.id == idea_id).values(vote_count=Idea.vote_count)
                        .execution_options(synchronize_session=False))
    session.refresh(duplicate)
    session.refresh(original)
    if duplicate.merged_into_id is not None or original.merged_into_id is not None:
        raise refuse("original_id", _l("One of these ideas was merged a moment ago. Look again, then try."))
    votes, moved = _move_votes(session, duplicate, original)
    session.execute(update(IdeaComment).where(IdeaComment.idea_id == duplicate.id)
                    .values(idea_id=original.id, merged_from_id=duplicate.id)
                    .execution_options(synchronize_session=False))
    # Their ledger rows follow, so deleting a moved comment later retracts its own event.
    session.execute(update(EngagementEvent).where(EngagementEvent.idea_id == duplicate.id,
                                                  EngagementEvent.kind == "idea_comment").values(idea_id=original.id)
                    .execution_options(synchronize_session=False))
    _move_subscriptions(session, duplicate.id, original.id)
    now = utcnow()
    session.execute(update(Idea).where(Idea.id == original.id).values(
        comment_count=Idea.comment_count + duplicate.comment_count,
        activity_at=now).execution_options(synchronize_session=False))
    session.execute(update(Idea).where(Idea.id == duplicate.id).values(
        merged_into_id=original.id, comment_count=0, activity_at=now).execution_options(synchronize_session=False))
    tallies.recount(session, [duplicate.id, original.id])  # both rows are locked: the moved votes, counted again
    session.execute(update(Board).where(Board.id == duplicate.board_id).values(idea_count=Board.idea_count - 1))
    session.flush()
    session.execute(update(Idea).where(Idea.id == original.id).values(trending=recount_heat(session, original.id)))
    session.add(IdeaEvent(idea_id=original.id, kind=IdeaEventKind.MERGED, actor_id=actor.id, merged_idea_id=duplicate.id,
                          explanation=text, explanation_html=render_text(session, text).html if text else "",
                          created_at=now))
    # The duplicate's followers and every one of its voters hear where their vote went.
    notify_subscribers(session, original.id, IdeaNotice.MERGED, actor.id, detail=str(duplicate.id),
                       subscribers_of=duplicate.id,
                       also=select(User.id).where(User.id.in_([v.user_id for v in votes if v.user_id] or [-1])))
    on_commit(session, [duplicate, original], listing=True)
    commit(session)
    session.refresh(duplicate)
    session.refresh(original)


def _move_votes(session: Session, duplicate: Idea, original: Idea) -> tuple[list[Vote], int]:
    """Move the duplicate's votes to the original, once per voter, with their budgets and ledger rows; returns
    every vote the duplicate had (its voters are told) and how many moved (the original's count grows by as many)."""
    dup_held, orig_held = duplicate.holds_votes, original.holds_votes
    votes = list(session.scalars(select(Vote).where(Vote.idea_id == duplicate.id)))
    already = session.execute(select(Vote.user_id, Vote.customer_email).where(Vote.idea_id == original.id)).all()
    members, emails = {u for u, _e in already if u}, {e for _u, e in already if e}
    both = [v for v in votes if (v.user_id and v.user_id in members) or (v.customer_email and v.customer_email in emails)]
    moved = [v for v in votes if v not in both]
    moved_members = [v.user_id for v in moved if v.user_id]
    if dup_held:  # every vote on the duplicate leaves its budget...
        shift_budgets(session, duplicate.board_id, member_voters(duplicate.id), -1)
    for vote in both:
        session.delete(vote)
        if vote.user_id:
            fans.retract(session, vote.user_id, "idea_vote", idea_id=duplicate.id)
    session.flush()
    if moved:
        session.execute(update(Vote).where(Vote.id.in_([v.id for v in moved])).values(idea_id=original.id)
                        .execution_options(synchronize_session=False))
        session.execute(update(EngagementEvent).where(EngagementEvent.idea_id == duplicate.id,
                                                      EngagementEvent.kind == "idea_vote",
                                                      EngagementEvent.user_id.in_(moved_members))
                        .values(idea_id=original.id).execution_options(synchronize_session=False))
    if orig_held and moved_members:  # ...and the moved ones count again where they land
        voters = select(User.id).where(User.id.in_(moved_members))
        ensure_budget_rows(session, original.board_id, voters)
        shift_budgets(session, original.board_id, voters, +1)
    return votes, len(moved)


def _move_subscriptions(session: Session, from_id: int, to_id: int) -> None:
    """The duplicate's followers follow the original, keeping an unsubscribe they made there."""
    rows = session.execute(select(Subscription.user_id, Subscription.subscribed).where(Subscription.idea_id == from_id)).all()
    there = set(session.scalars(select(Subscription.user_id).where(Subscription.idea_id == to_id)))
    session.add_all(Subscription(user_id=user_id, idea_id=to_id, subscribed=subscribed)
                    for user_id, subscribed in rows if user_id not in there)
    session.flush()
