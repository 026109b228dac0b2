"""Reports, hiding and restoring content, and suspending members."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session, selectinload

from ..accounts.models import AuditEvent, User
from ..fans import service as fans
from ..kernel.pagecache import invalidate
from ..kernel.timeutil import utcnow
from ..kernel.uow import after_commit, commit, use_case
from .models import Comment, Post, Report
from .posting import CommunityError, Gone, check_can_write
from .queries import can_open
from .search_source import reindex_later

REASON_MAX = 500
SUSPENSION_DAYS_MAX = 365


@use_case
def report(session: Session, reporter: User, *, reason: str, post: Post | None = None, comment: Comment | None = None) -> Report:
    """A member flags a post or comment for the moderators, with a reason."""
    check_can_write(reporter)
    target = post or comment
    if target is None or not target.is_visible:
        raise Gone()
    if comment is not None and not can_open(comment.post, reporter):
        raise Gone()  # a comment under a post the member cannot open (deleted, hidden, not yet published)
    reason = " ".join((reason or "").split())
    if not reason:
        raise CommunityError({"reason": [_l("Tell the moderators what is wrong.")]})
    if len(reason) > REASON_MAX:
        raise CommunityError({"reason": [_l("Keep the reason under %(n)s characters.", n=REASON_MAX)]})
    if target.author_id == reporter.id:
        raise CommunityError({"reason": [_l("You cannot report your own words; edit or delete them instead.")]})
    column = Report.post_id if post is not None else Report.comment_id
    if session.scalar(select(exists().where(column == target.id, Report.reporter_id == reporter.id,
                                            Report.resolved_at.is_(None)))):
        raise CommunityError({"reason": [_l("You already reported this; a moderator will look at it.")]})
    item = Report(reporter_id=reporter.id, reason=reason, post_id=post.id if post else None,
                  comment_id=comment.id if comment else None)
    session.add(item)
    commit(session)
    return item


def open_reports(session: Session) -> list[Report]:
    """Unresolved reports, oldest first, with what they point at."""
    return list(session.scalars(
        select(Report).where(Report.resolved_at.is_(None))
        .options(selectinload(Report.reporter), selectinload(Report.post).selectinload(Post.author),
                 selectinload(Report.comment).selectinload(Comment.author))
        .order_by(Report.created_at, Report.id)))


def _resolve(session: Session, moderator: User, *, post: Post | None, comment: Comment | None, resolution: str) -> None:
    column = Report.post_id if post is not None else Report.comment_id
    target_id = (post or comment).id
    session.execute(update(Report).where(column == target_id, Report.resolved_at.is_(None))
                    .values(resolved_at=utcnow(), resolved_by_id=moderator.id, resolution=resolution))


def _require_moderator(user: User) -> None:
    if not user.is_moderator:
        raise CommunityError({"reason": [_l("Only moderators can do this.")]})


def _topics(post: Post | None, comment: Comment | None) -> list[str]:
    owner = post or comment.post
    return ["community", "questions", f"post:{owner.id}", f"member:{owner.author_id}"]


@use_case
def hide(session: Session, moderator: User, *, post: Post | None = None, comment: Comment | None = None,
         note: str = "") -> None:
    """Hide content from everyone but its author and the moderators; its open reports are resolved."""
    _require_moderator(moderator)
    target = post or comment
    if target.hidden_at is None:
        target.hidden_at = utcnow()
        fans.hide_contribution(session, target.author_id, post_id=post.id if post else None,
                               comment_id=comment.id if comment else None)
    _resolve(session, moderator, post=post, comment=comment, resolution="hidden")
    session.add(AuditEvent(actor_id=moderator.id, target_user_id=target.author_id, action="content.hide",
                           details={"post": post.id if post else None, "comment": comment.id if comment else None,
                                    "note": note[:200]}))
    after_commit(session, invalidate, *_topics(post, comment))
    if post is not None:
        reindex_later(session, post)  # out of search while hidden, back once restored
    commit(session)


@use_case
def restore(session: Session, moderator: User, *, post: Post | None = None, comment: Comment | None = None) -> None:
    """Show hidden content again."""
    _require_moderator(moderator)
    target = post or comment
    if target.hidden_at is not None:
        fans.restore_contribution(session, target.author_id, post_id=post.id if post else None,
                                  comment_id=comment.id if comment else None)
    target.hidden_at = None
    session.add(AuditEvent(actor_id=moderator.id, target_user_id=target.author_id, action="content.restore",
                           details={"post": post.id if post else None, "comment": comment.id if comment else None}))
    after_commit(session, invalidate, *_topics(post, comment))
    if post is not None:
        reindex_later(session, post)  # out of search while hidden, back once restored
    commit(session)


@use_case
def dismiss(session: Session, moderator: User, item: Report) -> None:
    """Keep the content: the report (and others about the same content) is closed."""
    _require_moderator(moderator)
    _resolve(session, moderator, post=item.post, comment=item.comment if item.post is None else None, resolution="kept")
    commit(session)


@use_case
def suspend(session: Session, moderator: User, member: User, *, days: Any, reason: str) -> None:
    """Stop a member from writing for a number of days; they are shown the reason."""
    _require_moderator(moderator)
    if not member.is_active:
        raise Gone()  # the account was deleted: there is nobody to suspend
    errors: dict[str, list[Any]] = {}
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= SUSPENSION_DAYS_MAX:
        errors["days"] = [_l("Choose from 1 to %(n)s days.", n=SUSPENSION_DAYS_MAX)]
    reason = " ".join((reason or "").split())
    if not reason:
        errors["reason"] = [_l("Give the member a reason: they will see it.")]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [_l("Keep the reason under %(n)s characters.", n=REASON_MAX)]
    if member.id == moderator.id or member.is_moderator:
        errors["reason"] = [_l("Moderators and staff cannot be suspended here; an admin can change their role first.")]
    if errors:
        raise CommunityError(errors)
    member.suspended_until = utcnow() + timedelta(days=days)
    member.suspension_reason = reason
    fans.suspend_points(session, member)  # shown on their ledger; back when the suspension ends
    session.add(AuditEvent(actor_id=moderator.id, target_user_id=member.id, action="member.suspend",
                           details={"days": days, "reason": reason}))
    commit(session)


@use_case
def lift_suspension(session: Session, moderator: User, member: User) -> None:
    """End a suspension early: the member may write again."""
    _require_moderator(moderator)
    member.suspended_until = None
    member.suspension_reason = ""
    fans.restore_points(session, member)
    session.add(AuditEvent(actor_id=moderator.id, target_user_id=member.id, action="member.unsuspend", details={}))
    commit(session)
