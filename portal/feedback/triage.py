"""Feedback rules for staff: statuses with a public explanation, official responses, votes on
behalf of customers, impact and effort, hiding ideas, and boards. Merges are in `merging`.

Closing the loop: a status change notifies every subscriber in the same transaction, and the
emails are queued once it commits.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..accounts.models import AuditEvent, User
from ..fans import service as fans
from ..kernel.text import clean_text, render_text
from ..kernel.timeutil import utcnow
from ..kernel.translatable import LANGUAGE_NAMES, default_locale, joined, split
from ..kernel.uow import after_commit, commit, use_case
from . import tallies
from .boards import save_board as save_board  # callers read it as triage.save_board, beside the other staff tools
from .jobs import mail_status_change
from .ledger import (
    lock_votable,
    member_voters,
    notify_subscribers,
    record_vote,
    relist,
    shift_budgets,
    spend_vote,
    spent_from_rows,
    subscribe_quietly,
)
from .merging import merge_ideas as merge_ideas  # callers read it as triage.merge_ideas, beside the other staff tools
from .models import (
    EXPLANATION_MAX,
    Idea,
    IdeaEvent,
    IdeaEventKind,
    IdeaNotice,
    IdeaStatus,
    Vote,
    VoteBudget,
    VoteSource,
)
from .service import (
    FeedbackError,
    NotFound,
    NoVotesLeft,
    VotingClosed,
    check_sees_board,
    check_staff,
    on_commit,
    refuse,
)


class _Keep:
    """The value a staff member did not send: it stays as it is."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


def check_on_board(idea: Idea, actor: User) -> None:
    """The staff tools work on ideas still there: a merged idea redirects to its original, a deleted one is gone."""
    check_sees_board(actor, idea.board)
    if idea.merged_into_id is not None or idea.deleted_at is not None:
        raise NotFound()


def _explanation(value: str | Mapping[str, str] | None, errors: dict[str, list[Any]]) -> tuple[str, dict[str, str]]:
    """The explanation in the default language (required) and its translations (kernel/translatable.py)."""
    text, others = split(value)
    text, others = (text or "").replace("\r\n", "\n").strip(), {k: v.replace("\r\n", "\n").strip() for k, v in others.items()}
    if not text:
        errors.setdefault("explanation", []).append(
            _l("Explain the change in a sentence or two: everyone who follows the idea will read it."))
    for written in (text, *others.values()):
        if len(written) > EXPLANATION_MAX:
            errors.setdefault("explanation", []).append(
                _l("Keep the explanation under %(n)s characters (this is %(count)s).", n=EXPLANATION_MAX, count=len(written)))
    return text, others


@use_case
def change_status(session: Session, idea: Idea, actor: User, *, status: IdeaStatus | str,
                  explanation: str | Mapping[str, str], pin: bool = False) -> IdeaEvent:
    """Move an idea to a new status with a public explanation (in one language, or {code: text} for each);
    every subscriber hears of it, each in their language."""
    check_staff(actor)
    errors: dict[str, list[Any]] = {}
    try:
        new = IdeaStatus(status)
    except ValueError:
        new = None
        errors.setdefault("status", []).append(_l("Choose one of the statuses."))
    text, translations = _explanation(explanation, errors)
    if new is not None and new is idea.status:
        errors.setdefault("status", []).append(_l("The idea already has this status."))
    if not idea.is_listed:
        errors.setdefault("status", []).append(_l("This idea was merged, hidden or deleted, so its status cannot change."))
    if errors:
        raise FeedbackError(errors)
    old, now = idea.status, utcnow()
    changed = session.execute(update(Idea).where(Idea.id == idea.id, Idea.status == old, Idea.merged_into_id.is_(None),
                                                 Idea.hidden_at.is_(None), Idea.deleted_at.is_(None))
                              .values(status=new, status_changed_at=now, activity_at=now, reviewed_at=now)
                              .execution_options(synchronize_session=False)).rowcount
    if not changed:
        raise refuse("status", _l("Someone changed this idea a moment ago. Look again, then try."))
    if old.accepts_votes != new.accepts_votes:
        shift_budgets(session, idea.board_id, member_voters(idea.id), -1 if old.accepts_votes else +1)
    html = render_text(session, text).html
    htmls = {code: render_text(session, written).html for code, written in translations.items()}
    event = IdeaEvent(idea_id=idea.id, kind=IdeaEventKind.STATUS, actor_id=actor.id, old_status=old, status=new,
                      explanation=text, explanation_html=html, explanation_i18n=translations,
                      explanation_html_i18n=htmls, created_at=now)
    session.add(event)
    if pin:
        session.execute(update(Idea).where(Idea.id == idea.id).values(response=text, response_i18n=translations, response_html=html,
                                                                     response_html_i18n=htmls, response_by_id=actor.id,
                                                                     response_at=now)
                        .execution_options(synchronize_session=False))
    notify_subscribers(session, idea.id, IdeaNotice.STATUS, actor.id, detail=new.value)
    _reward(session, idea, new)
    session.flush()
    after_commit(session, mail_status_change, event.id)
    on_commit(session, [idea])
    commit(session)
    session.refresh(idea)
    return event


# What an idea reaching a status earns: its author more, and each member who voted for it a little.
_REWARDS = (("idea_planned", "voted_idea_planned", frozenset({IdeaStatus.PLANNED, IdeaStatus.IN_PROGRESS, IdeaStatus.DONE})),
            ("idea_done", "voted_idea_done", frozenset({IdeaStatus.DONE})))


def _reward(session: Session, idea: Idea, status: IdeaStatus) -> None:
    """Points for the idea's author and voters once it is planned or shipped; taken back if it goes back."""
    voters: list[int] | None = None
    for author_kind, voter_kind, statuses in _REWARDS:
        given = fans.has_event(session, author_kind, idea_id=idea.id) or fans.has_event(session, voter_kind, idea_id=idea.id)
        if status in statuses and not given:
            fans.record(session, idea.author_id, author_kind, idea_id=idea.id)
            if voters is None:
                voters = [uid for uid in session.scalars(member_voters(idea.id)) if uid != idea.author_id]
            fans.record_many(session, voters, voter_kind, idea_id=idea.id, other_user_id=idea.author_id)
        elif status not in statuses and given:
            fans.retract_everyone(session, author_kind, idea_id=idea.id)
            fans.retract_everyone(session, voter_kind, idea_id=idea.id)


def response_texts(session: Session, idea: Idea) -> dict[str, str]:
    """The current official response as its form starts: {code: text} in every language (empty when there is none).
    A response saved before its text was kept is found again when it was pinned from a status explanation."""
    if idea.response or not idea.response_html:
        return joined(idea.response, idea.response_i18n)
    event = session.scalar(select(IdeaEvent).where(IdeaEvent.idea_id == idea.id, IdeaEvent.kind == IdeaEventKind.STATUS,
                                                   IdeaEvent.explanation_html == idea.response_html)
                           .order_by(IdeaEvent.created_at.desc(), IdeaEvent.id.desc()).limit(1))
    return joined(event.explanation, event.explanation_i18n) if event is not None else joined("", None)


@use_case
def post_response(session: Session, idea: Idea, actor: User, *, text: str | Mapping[str, str]) -> None:
    """The official response (in one language, or {code: text} for each), pinned above the comments;
    every box empty takes it down. A translation needs the text in the default language, which readers
    of the other languages fall back to."""
    check_staff(actor)
    check_on_board(idea, actor)
    text, others = split(text)
    errors: dict[str, list[Any]] = {}
    text = clean_text(text, EXPLANATION_MAX, errors, "response", required=False)
    others = {code: clean_text(t, EXPLANATION_MAX, errors, "response", required=False) for code, t in others.items()}
    others = {code: t for code, t in others.items() if t}
    if others and not text and not errors:
        errors.setdefault("response", []).append(
            _l("Write the response in %(language)s too: readers of the other languages see it when theirs is missing. "
               "To take the response down, empty every box.",
               language=LANGUAGE_NAMES.get(default_locale(), default_locale())))
    if errors:
        raise FeedbackError(errors)
    idea.response, idea.response_i18n = text, dict(others) if text else {}
    idea.response_html = render_text(session, text).html if text else ""
    idea.response_html_i18n = {code: render_text(session, t).html for code, t in others.items()} if text else {}
    idea.response_by_id = actor.id if text else None
    idea.response_at = utcnow() if text else None
    idea.reviewed_at = utcnow()  # staff answered it: reviewed (the staff home counts from here)
    on_commit(session, [idea], reindex=False)
    commit(session)


@use_case
def set_estimates(session: Session, idea: Idea, actor: User, *, impact: int | None = KEEP,
                  effort: int | None = KEEP) -> None:
    """Staff's impact and effort, 1 to 5 each (None clears one, one not given keeps its value); priority is impact ÷ effort."""
    check_staff(actor)
    check_on_board(idea, actor)
    impact = idea.impact if impact is KEEP else impact
    effort = idea.effort if effort is KEEP else effort
    errors: dict[str, list[Any]] = {}
    for name, value in (("impact", impact), ("effort", effort)):
        if value is not None and not 1 <= value <= 5:
            errors.setdefault(name, []).append(_l("Choose a number from 1 to 5."))
    if errors:
        raise FeedbackError(errors)
    idea.impact, idea.effort = impact, effort
    idea.reviewed_at = utcnow()  # staff weighed it: reviewed (the staff home counts from here)
    commit(session)


@use_case
def set_hidden(session: Session, idea: Idea, actor: User, hidden: bool) -> None:
    """A moderator hides an idea (its votes return to the budgets) or restores it."""
    if not actor.is_moderator:
        raise refuse("title", _l("Only moderators can hide ideas."))
    check_on_board(idea, actor)

    def change() -> bool:
        if hidden == (idea.hidden_at is not None):
            return False  # seen fresh, it is already so
        idea.hidden_at = utcnow() if hidden else None
        return True

    if not relist(session, idea, change):
        session.rollback()  # nothing changed: let go of the row lock
        return
    if hidden:
        fans.hide_contribution(session, idea.author_id, idea_id=idea.id)
    else:
        fans.restore_contribution(session, idea.author_id, idea_id=idea.id)
    session.add(AuditEvent(actor_id=actor.id, target_user_id=idea.author_id,
                           action="idea.hide" if hidden else "idea.restore", details={"idea": idea.id}))
    on_commit(session, [idea], listing=True)
    commit(session)


# -- votes on behalf -----------------------------------------------------------


def _customer(email: str, name: str, note: str, source: VoteSource | str) -> tuple[str, str, str, VoteSource]:
    """The customer's details, cleaned, or a FeedbackError listing what is wrong with them."""
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
    return email, name, note, VoteSource(source)


@use_case
def vote_on_behalf(session: Session, idea: Idea, actor: User, *, email: str = "", name: str = "",
                   source: VoteSource | str = VoteSource.EMAIL, note: str = "") -> Vote:
    """Record the vote of a customer who asked by email, phone or social media. An email that
    belongs to a member makes it that member's vote (within their budget); otherwise the
    customer is kept by name and email."""
    check_staff(actor)
    email, name, note, source = _customer(email, name, note, source)
    member = session.scalar(select(User).where(User.email == email, User.deleted_at.is_(None))) if email else None
    if not lock_votable(session, idea.id, touch=True):
        raise VotingClosed()
    vote = Vote(idea_id=idea.id, source=source, note=note, recorded_by_id=actor.id)
    if member is not None:
        vote.user_id, vote.tier = member.id, member.tier
    else:
        vote.customer_name, vote.customer_email = name or email, email or None
    try:
        if member is not None:
            spend_vote(session, member.id, idea.board)
        record_vote(session, idea.id, vote, idea.author_id)
    except NoVotesLeft:
        raise refuse("email", _l("This member has no votes left on this board.")) from None
    except IntegrityError:
        raise refuse("email", _l("This customer's vote is already counted on this idea.")) from None
    if member is not None:
        subscribe_quietly(session, member.id, idea.id)
    on_commit(session, [idea], reindex=False)
    commit(session)
    return vote


@use_case
def recount_vote_counts(session: Session) -> tuple[int, int]:
    """Set every idea's vote figures (votes, voters, recent, superfans, demand) and every member's spent budget
    from the vote rows; returns how many of each were wrong (an operator's check: both are 0 unless something
    went astray)."""
    spent = spent_from_rows()
    wrong_ideas = len(set(tallies.mismatches(session)) | set(tallies.stale_tiers(session)))
    wrong_budgets = session.scalar(select(func.count()).select_from(VoteBudget).where(VoteBudget.used != spent)) or 0
    if wrong_ideas:
        tallies.recount(session)
    if wrong_budgets:
        session.execute(update(VoteBudget).values(used=spent).execution_options(synchronize_session=False))
    commit(session)
    return wrong_ideas, wrong_budgets
