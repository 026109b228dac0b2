"""Feedback rules for staff: statuses with a public explanation, official responses, merges,
votes on behalf of customers, impact and effort, hiding ideas, and boards.

Closing the loop: a status change notifies every subscriber in the same transaction,
then queues the emails; a merge tells the duplicate's voters where their vote went.
"""
from __future__ import annotations

import re
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..accounts.models import AuditEvent, User
from ..community.models import NotificationKind
from ..community.service import clean_text, render_text
from ..fans import service as fans
from ..fans.models import EngagementEvent
from ..pagecache import invalidate
from ..timeutil import utcnow
from .ledger import (
    ACCEPTING,
    ensure_budget_rows,
    lock_votable,
    member_voters,
    notify_subscribers,
    recount_heat,
    relist,
    shift_budgets,
    spend_vote,
    subscribe_quietly,
)
from .models import (
    EXPLANATION_MAX,
    Board,
    Category,
    Idea,
    IdeaComment,
    IdeaEvent,
    IdeaEventKind,
    IdeaStatus,
    Subscription,
    Visibility,
    Vote,
    VoteBudget,
    VoteSource,
)
from .queries import listed
from .service import (
    FeedbackError,
    NoVotesLeft,
    VotingClosed,
    after_commit,
    record_vote,
    refuse,
)

SLUG_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")
CATEGORIES_MAX = 20


def _staff_only(actor: User) -> None:
    if not actor.is_staff:
        raise refuse("explanation", _l("Only staff can do this."))


def _explanation(text: str | None, errors: dict[str, list[Any]]) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        errors.setdefault("explanation", []).append(
            _l("Explain the change in a sentence or two: everyone who follows the idea will read it."))
    elif len(text) > EXPLANATION_MAX:
        errors.setdefault("explanation", []).append(
            _l("Keep the explanation under %(n)s characters (this is %(count)s).", n=EXPLANATION_MAX, count=len(text)))
    return text


def change_status(session: Session, idea: Idea, actor: User, *, status: IdeaStatus | str, explanation: str,
                  pin: bool = True) -> IdeaEvent:
    """Move an idea to a new status with a public explanation; every subscriber hears of it."""
    _staff_only(actor)
    errors: dict[str, list[Any]] = {}
    try:
        new = IdeaStatus(status)
    except ValueError:
        new = None
        errors.setdefault("status", []).append(_l("Choose one of the statuses."))
    text = _explanation(explanation, errors)
    if new is not None and new is idea.status:
        errors.setdefault("status", []).append(_l("The idea already has this status."))
    if not idea.is_listed:
        errors.setdefault("status", []).append(_l("This idea was merged, hidden or deleted, so its status cannot change."))
    if errors:
        raise FeedbackError(errors)
    old, now = idea.status, utcnow()
    changed = session.execute(update(Idea).where(Idea.id == idea.id, Idea.status == old, Idea.merged_into_id.is_(None),
                                                 Idea.hidden_at.is_(None), Idea.deleted_at.is_(None))
                              .values(status=new, status_changed_at=now, activity_at=now)
                              .execution_options(synchronize_session=False)).rowcount
    if not changed:
        session.rollback()
        raise refuse("status", _l("Someone changed this idea a moment ago. Look again, then try."))
    if old.accepts_votes != new.accepts_votes:
        shift_budgets(session, idea.board_id, member_voters(idea.id), -1 if old.accepts_votes else +1)
    html = render_text(session, text).html
    event = IdeaEvent(idea_id=idea.id, kind=IdeaEventKind.STATUS, actor_id=actor.id, old_status=old, status=new,
                      explanation=text, explanation_html=html, created_at=now)
    session.add(event)
    if pin:
        session.execute(update(Idea).where(Idea.id == idea.id).values(response_html=html, response_by_id=actor.id,
                                                                     response_at=now)
                        .execution_options(synchronize_session=False))
    notify_subscribers(session, idea.id, NotificationKind.IDEA_STATUS, actor.id, detail=new.value)
    session.commit()
    session.refresh(idea)
    from .jobs import mail_status_change

    mail_status_change(event.id)
    after_commit([idea])
    return event


def post_response(session: Session, idea: Idea, actor: User, *, text: str) -> None:
    """The official response, pinned above the comments; an empty text takes it down."""
    _staff_only(actor)
    text = (text or "").replace("\r\n", "\n").strip()
    errors: dict[str, list[Any]] = {}
    if len(text) > EXPLANATION_MAX:
        clean_text(text, EXPLANATION_MAX, errors, "response")
        raise FeedbackError(errors)
    idea.response_html = render_text(session, text).html if text else ""
    idea.response_by_id = actor.id if text else None
    idea.response_at = utcnow() if text else None
    session.commit()
    after_commit([idea], reindex=False)


def set_estimates(session: Session, idea: Idea, actor: User, *, impact: int | None, effort: int | None) -> None:
    """Staff's impact and effort, 1 to 5 each; priority is impact ÷ effort."""
    _staff_only(actor)
    errors: dict[str, list[Any]] = {}
    for name, value in (("impact", impact), ("effort", effort)):
        if value is not None and not 1 <= value <= 5:
            errors.setdefault(name, []).append(_l("Choose a number from 1 to 5."))
    if errors:
        raise FeedbackError(errors)
    idea.impact, idea.effort = impact, effort
    session.commit()


def set_hidden(session: Session, idea: Idea, actor: User, hidden: bool) -> None:
    """A moderator hides an idea (its votes return to the budgets) or restores it."""
    if not actor.is_moderator:
        raise refuse("title", _l("Only moderators can hide ideas."))
    def change() -> bool:
        if hidden == (idea.hidden_at is not None):
            return False  # seen fresh, it is already so
        idea.hidden_at = utcnow() if hidden else None
        return True

    if not relist(session, idea, change):
        session.rollback()
        return
    session.add(AuditEvent(actor_id=actor.id, target_user_id=idea.author_id,
                           action="idea.hide" if hidden else "idea.restore", details={"idea": idea.id}))
    session.commit()
    after_commit([idea], listing=True)


# -- merging -------------------------------------------------------------------


def merge_ideas(session: Session, duplicate: Idea, original: Idea, actor: User, *, explanation: str = "") -> None:
    """Fold a duplicate into the original: votes move (a member who voted for both counts once),
    comments move with a mark, subscribers follow, the duplicate redirects, its voters are told."""
    _staff_only(actor)
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
    # Lock both rows, lower id first, so two merges never wait on each other.
    for idea_id in sorted((duplicate.id, original.id)):
        session.execute(update(Idea).where(Idea.id == idea_id).values(vote_count=Idea.vote_count)
                        .execution_options(synchronize_session=False))
    session.refresh(duplicate)
    session.refresh(original)
    if duplicate.merged_into_id is not None or original.merged_into_id is not None:
        session.rollback()
        raise refuse("original_id", _l("One of these ideas was merged a moment ago. Look again, then try."))
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
        _move_events(session, duplicate.id, original.id, moved_members)
    if orig_held and moved_members:  # ...and the moved ones count again where they land
        voters = select(User.id).where(User.id.in_(moved_members))
        ensure_budget_rows(session, original.board_id, voters)
        shift_budgets(session, original.board_id, voters, +1)
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
        vote_count=Idea.vote_count + len(moved), comment_count=Idea.comment_count + duplicate.comment_count,
        activity_at=now).execution_options(synchronize_session=False))
    session.execute(update(Idea).where(Idea.id == duplicate.id).values(
        merged_into_id=original.id, vote_count=0, comment_count=0, activity_at=now).execution_options(synchronize_session=False))
    session.execute(update(Board).where(Board.id == duplicate.board_id).values(idea_count=Board.idea_count - 1))
    session.flush()
    session.execute(update(Idea).where(Idea.id == original.id).values(trending=recount_heat(session, original.id)))
    session.add(IdeaEvent(idea_id=original.id, kind=IdeaEventKind.MERGED, actor_id=actor.id, merged_idea_id=duplicate.id,
                          explanation=text, explanation_html=render_text(session, text).html if text else "",
                          created_at=now))
    # The duplicate's followers and every one of its voters hear where their vote went.
    notify_subscribers(session, original.id, NotificationKind.IDEA_MERGED, actor.id, detail=str(duplicate.id),
                       subscribers_of=duplicate.id,
                       also=select(User.id).where(User.id.in_([v.user_id for v in votes if v.user_id] or [-1])))
    session.commit()
    session.refresh(duplicate)
    session.refresh(original)
    after_commit([duplicate, original], listing=True)


def _move_events(session: Session, from_id: int, to_id: int, user_ids: list[int]) -> None:
    session.execute(update(EngagementEvent).where(EngagementEvent.idea_id == from_id, EngagementEvent.kind == "idea_vote",
                                                  EngagementEvent.user_id.in_(user_ids)).values(idea_id=to_id)
                    .execution_options(synchronize_session=False))


def _move_subscriptions(session: Session, from_id: int, to_id: int) -> None:
    """The duplicate's followers follow the original, keeping an unsubscribe they made there."""
    rows = session.execute(select(Subscription.user_id, Subscription.subscribed).where(Subscription.idea_id == from_id)).all()
    there = set(session.scalars(select(Subscription.user_id).where(Subscription.idea_id == to_id)))
    session.add_all(Subscription(user_id=user_id, idea_id=to_id, subscribed=subscribed)
                    for user_id, subscribed in rows if user_id not in there)
    session.flush()


# -- votes on behalf -----------------------------------------------------------


def vote_on_behalf(session: Session, idea: Idea, actor: User, *, email: str = "", name: str = "",
                   source: VoteSource | str = VoteSource.EMAIL, note: str = "") -> Vote:
    """Record the vote of a customer who asked by email, phone or social media. An email that
    belongs to a member makes it that member's vote (within their budget); otherwise the
    customer is kept by name and email."""
    _staff_only(actor)
    errors: dict[str, list[Any]] = {}
    try:
        source = VoteSource(source)
    except ValueError:
        errors.setdefault("source", []).append(_l("Choose where the request came from."))
    if source == VoteSource.WEB:
        errors.setdefault("source", []).append(_l("Choose where the request came from."))
    email, name, note = (email or "").strip().lower(), " ".join((name or "").split()), (note or "").strip()
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            errors.setdefault("email", []).append(_l("This email address does not look right."))
    if not email and not name:
        errors.setdefault("name", []).append(_l("Give the customer's name or email address."))
    if len(name) > 80:
        errors.setdefault("name", []).append(_l("Keep the name under %(n)s characters.", n=80))
    if len(note) > 300:
        errors.setdefault("note", []).append(_l("Keep the note under %(n)s characters.", n=300))
    if errors:
        raise FeedbackError(errors)
    member = session.scalar(select(User).where(User.email == email, User.deleted_at.is_(None))) if email else None
    if not lock_votable(session, idea.id, touch=True):
        session.rollback()
        raise VotingClosed()
    vote = Vote(idea_id=idea.id, source=source, note=note, recorded_by_id=actor.id)
    if member is not None:
        vote.user_id = member.id
    else:
        vote.customer_name, vote.customer_email = name or email, email or None
    try:
        if member is not None:
            spend_vote(session, member.id, idea.board)
        record_vote(session, idea.id, vote)
    except NoVotesLeft:
        session.rollback()
        raise refuse("email", _l("This member has no votes left on this board.")) from None
    except IntegrityError:
        session.rollback()
        raise refuse("email", _l("This customer's vote is already counted on this idea.")) from None
    if member is not None:
        subscribe_quietly(session, member.id, idea.id)
    session.commit()
    after_commit([idea], reindex=False)
    return vote


# -- boards --------------------------------------------------------------------


def save_board(session: Session, actor: User, board: Board | None, *, name: str, slug: str, description: str,
               visibility: Visibility | str, vote_budget: int | None, categories: str, position: int = 0) -> Board:
    """An admin creates a board or changes one; categories come one per line (a missing one is removed)."""
    if not actor.is_admin:
        raise refuse("name", _l("Only admins can manage boards."))
    errors: dict[str, list[Any]] = {}
    name, slug = " ".join((name or "").split()), (slug or "").strip().lower()
    if not 2 <= len(name) <= 80:
        errors.setdefault("name", []).append(_l("Give the board a name of 2 to 80 characters."))
    if not SLUG_PATTERN.fullmatch(slug):
        errors.setdefault("slug", []).append(
            _l("Use 1 to 40 lower-case letters, digits and dashes, such as product-ideas."))
    elif session.scalar(select(Board.id).where(Board.slug == slug, Board.id != (board.id if board else -1))):
        errors.setdefault("slug", []).append(_l("Another board has this address."))
    description = clean_text(description, 500, errors, "description", required=False)
    try:
        visibility = Visibility(visibility)
    except ValueError:
        errors.setdefault("visibility", []).append(_l("Choose who may see the board."))
    if vote_budget is not None and not 1 <= vote_budget <= 1000:
        errors.setdefault("vote_budget", []).append(_l("Choose from 1 to 1,000 votes, or leave it empty for no limit."))
    if not -10_000 <= (position or 0) <= 10_000:
        errors.setdefault("position", []).append(_l("Choose a position from -10,000 to 10,000 (lower comes first)."))
    names = list(dict.fromkeys(" ".join(line.split()) for line in (categories or "").splitlines() if line.strip()))
    if len(names) > CATEGORIES_MAX or any(len(n) > 40 for n in names):
        errors.setdefault("categories", []).append(
            _l("Up to %(n)s categories, each under 40 characters.", n=CATEGORIES_MAX))
    if errors:
        raise FeedbackError(errors)
    old_slug = board.slug if board is not None else slug
    if board is None:
        board = Board()
        session.add(board)
    board.name, board.slug, board.description = name, slug, description
    board.visibility, board.vote_budget, board.position = visibility, vote_budget, position
    kept = {c.name: c for c in board.categories}
    board.categories = [kept.get(n) or Category(name=n) for n in names]
    session.flush()
    session.add(AuditEvent(actor_id=actor.id, action="board.save", details={"board": board.id, "name": name}))
    session.commit()
    # Every feedback page shows board names, and visibility decides who may read them.
    invalidate("boards", f"board:{old_slug}", f"board:{slug}", "roadmap", "feedback-settings")
    return board


def recount_vote_counts(session: Session) -> tuple[int, int]:
    """Set every idea's vote count and every member's spent budget from the vote rows; returns
    how many of each were wrong (an operator's check: both are 0 unless something went astray)."""
    counts = select(func.count(Vote.id)).where(Vote.idea_id == Idea.id).scalar_subquery()
    wrong_ideas = session.scalar(select(func.count(Idea.id)).where(Idea.vote_count != counts)) or 0
    spent = (select(func.count(Vote.id)).join(Idea, Idea.id == Vote.idea_id)
             .where(Vote.user_id == VoteBudget.user_id, Idea.board_id == VoteBudget.board_id,
                    Idea.status.in_(ACCEPTING), listed())
             .scalar_subquery())
    wrong_budgets = session.scalar(select(func.count()).select_from(VoteBudget).where(VoteBudget.used != spent)) or 0
    if wrong_ideas:
        session.execute(update(Idea).values(vote_count=counts).execution_options(synchronize_session=False))
    if wrong_budgets:
        session.execute(update(VoteBudget).values(used=spent).execution_options(synchronize_session=False))
    session.commit()
    return wrong_ideas, wrong_budgets
