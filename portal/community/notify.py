"""In-app notifications and the optional email digest."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from .. import mail
from ..accounts.models import Digest, User
from ..timeutil import utcnow
from .models import Notification, NotificationKind

PAGE_SIZE = 30
DIGEST_EVERY = {Digest.DAILY: timedelta(days=1), Digest.WEEKLY: timedelta(days=7)}
DIGEST_MAX_ITEMS = 20


# A like or a follow taken back and given again tells its receiver only the first time.
REPEATABLE_ONCE = {NotificationKind.LIKE, NotificationKind.FOLLOW}


def _same(column: Any, value: int | None) -> Any:
    return column.is_(None) if value is None else column == value


def notify(session: Session, user_id: int, kind: NotificationKind, *, actor_id: int | None = None,
           post_id: int | None = None, comment_id: int | None = None) -> None:
    """Add a notification and count it unread, in the caller's transaction. Nobody is told of their own act."""
    if user_id == actor_id:
        return
    if kind in REPEATABLE_ONCE and session.scalar(select(Notification.id).where(
            Notification.user_id == user_id, Notification.actor_id == actor_id, Notification.kind == kind,
            _same(Notification.post_id, post_id), _same(Notification.comment_id, comment_id)).limit(1)) is not None:
        return  # unlike and like again, unfollow and follow again: told once
    session.add(Notification(user_id=user_id, kind=kind, actor_id=actor_id, post_id=post_id, comment_id=comment_id))
    session.execute(update(User).where(User.id == user_id).values(unread_notifications=User.unread_notifications + 1))


def notifications_page(session: Session, user: User, *, before: int | None = None) -> list[Notification]:
    """The member's notifications, newest first, a page at a time (keyset on id)."""
    query = (select(Notification).where(Notification.user_id == user.id)
             .options(selectinload(Notification.post), selectinload(Notification.comment), selectinload(Notification.idea))
             .order_by(Notification.id.desc()).limit(PAGE_SIZE))
    if before and before < 2**31:  # a larger id than INTEGER holds means "from the newest"
        query = query.where(Notification.id < before)
    return list(session.scalars(query))


def mark_all_read(session: Session, user: User, *, up_to: int | None = None) -> int:
    """Mark unread notifications read, up to the newest one the member saw; the counter becomes the rows still unread."""
    conditions = [Notification.user_id == user.id, Notification.read_at.is_(None)]
    if up_to is not None:
        conditions.append(Notification.id <= up_to)  # one that arrived after the page was drawn stays unread
    marked = session.execute(update(Notification).where(*conditions).values(read_at=utcnow())).rowcount or 0
    still_unread = (select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))
                    .scalar_subquery())
    session.execute(update(User).where(User.id == user.id).values(unread_notifications=still_unread))
    session.commit()
    session.refresh(user, ["unread_notifications"])
    return marked


# -- digest ------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="digest-unsubscribe")


def unsubscribe_token(user: User) -> str:
    return _serializer().dumps(user.id)


def unsubscribe(session: Session, token: str) -> User | None:
    """Turn the digest off from the link in a digest, without signing in."""
    try:
        user_id = _serializer().loads(token)
    except BadSignature:
        return None
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active:
        return None
    user.digest = Digest.OFF
    session.commit()
    return user


def send_due_digests(session: Session, now: datetime | None = None) -> int:
    """Mail each member whose digest is due the unread notifications since the last one."""
    now = now or utcnow()
    sent = 0
    members = session.scalars(select(User).where(User.digest != Digest.OFF, User.deleted_at.is_(None),
                                                 User.email_verified_at.is_not(None), User.unread_notifications > 0))
    for user in list(members):
        every = DIGEST_EVERY[user.digest]
        if user.last_digest_at and now - user.last_digest_at < every:
            continue
        since = user.last_digest_at or now - every
        items = list(session.scalars(
            select(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None),
                                       Notification.created_at > since)
            .options(selectinload(Notification.post), selectinload(Notification.comment), selectinload(Notification.idea))
            .order_by(Notification.id.desc()).limit(DIGEST_MAX_ITEMS)))
        message = None
        if items:
            subject = _l("Your daily digest") if user.digest is Digest.DAILY else _l("Your weekly digest")
            message = mail.compose(user.email, subject, "digest", user.locale, user=user, items=items,
                                   unread=user.unread_notifications, unsubscribe=unsubscribe_token(user))
        user.last_digest_at = now
        session.commit()  # recorded before delivery: a crash here sends one digest too few, never two
        if message is not None:
            mail.queue(message)
            sent += 1
    return sent
