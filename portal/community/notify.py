"""The notifications page, and the optional email digest of what a member has not read."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts.models import Digest, User
from ..config import Settings
from ..kernel import mail, notifications
from ..kernel.notifications import Notification
from ..kernel.timeutil import utcnow
from ..kernel.uow import after_commit, commit, use_case

PAGE_SIZE = 30
DIGEST_EVERY = {Digest.DAILY: timedelta(days=1), Digest.WEEKLY: timedelta(days=7)}
DIGEST_MAX_ITEMS = 20


def notifications_page(session: Session, user: User, *, before: int | None = None) -> list[Notification]:
    """The member's notifications, newest first, a page at a time (keyset on id); those about what they may no
    longer read (an idea on a board they no longer see) are left out."""
    query = (select(Notification).where(Notification.user_id == user.id, *notifications.readable_by(user))
             .options(*notifications.eager_targets())
             .order_by(Notification.id.desc()).limit(PAGE_SIZE))
    if before and before < 2**31:  # a larger id than INTEGER holds means "from the newest"
        query = query.where(Notification.id < before)
    return list(session.scalars(query))


@use_case
def mark_all_read(session: Session, user: User, *, up_to: int | None = None) -> int:
    """Mark the member's unread notifications read, up to the newest one they saw."""
    marked = notifications.mark_all_read(session, user.id, up_to=up_to)
    commit(session)
    session.refresh(user, ["unread_notifications"])
    return marked


@dataclass
class Opened:
    """A page of notifications as the member opened it: which were new to them, and where the next page starts."""

    items: list[Notification]
    unread: set[int]
    next_before: int | None


@use_case
def open_notifications(session: Session, user: User, *, before: int | None = None) -> Opened:
    """A page of the member's notifications; opening it marks read what it shows, and anything older.

    The first page also marks read those left out (about what the member may no longer read), up to the
    newest there was when the page was drawn, so the bell never counts news the page does not show.
    """
    newest = None
    if before is None and user.unread_notifications:
        newest = session.scalar(select(func.max(Notification.id)).where(Notification.user_id == user.id))
    items = notifications_page(session, user, before=before)
    shown = [n.id for n in items]
    unread = {n.id for n in items if n.read_at is None}
    up_to = max([*unread, newest or 0])
    if user.unread_notifications and up_to:
        notifications.mark_all_read(session, user.id, up_to=up_to)  # one that arrives meanwhile stays unread
        commit(session)
        # The commit expired the rows: read them again in one query, not one per notification.
        items = list(session.scalars(select(Notification).where(Notification.id.in_(shown))
                                     .options(*notifications.eager_targets()).order_by(Notification.id.desc())))
    next_before = shown[-1] if len(shown) == PAGE_SIZE else None
    return Opened(items, unread, next_before)


# -- digest ------------------------------------------------------------------


def _serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key, salt="digest-unsubscribe")


def unsubscribe_token(user: User, settings: Settings) -> str:
    """What the digest's unsubscribe link carries: the member, signed with the site's secret."""
    return _serializer(settings).dumps(user.id)


@use_case
def unsubscribe(session: Session, token: str, settings: Settings) -> User | None:
    """Turn the digest off from the link in a digest, without signing in."""
    try:
        user_id = _serializer(settings).loads(token)
    except BadSignature:
        return None
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active:
        return None
    user.digest = Digest.OFF
    commit(session)
    return user


@use_case
def send_due_digests(session: Session, settings: Settings, now: datetime | None = None) -> int:
    """Mail each member whose digest is due the unread notifications since the last one.

    One commit per member, each before its message is queued: a crash sends one digest too few, never two.
    """
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
                                       Notification.created_at > since, *notifications.readable_by(user))
            .options(*notifications.eager_targets())
            .order_by(Notification.id.desc()).limit(DIGEST_MAX_ITEMS)))
        if items:
            subject = _l("Your daily digest") if user.digest is Digest.DAILY else _l("Your weekly digest")
            message = mail.compose(user.email, subject, "digest", user.locale, user=user, items=items,
                                   unread=user.unread_notifications, unsubscribe=unsubscribe_token(user, settings))
            after_commit(session, mail.queue, message)
            sent += 1
        user.last_digest_at = now
        commit(session)
    return sent
