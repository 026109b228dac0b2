"""Telling a member that something happened: one row per notification, and the unread count
on the member's row kept exact in the same transaction (so the bell costs no query).

Every feature notifies through here. A notification names its kind (a feature's word, such as
"reply" or "idea_status") and what it points at; the features that own posts, comments and
ideas add the relationships to their rows with `points_at`, so this module knows their
tables' names only, never their code.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, DateTime, ForeignKey, Index, Select, String, Table, func, insert, literal, select, update
from sqlalchemy.orm import Mapped, Relationship, Session, mapped_column, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from ..extensions import db
from . import features
from .timeutil import utcnow


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    # What changed, for notifications that must say it as it was then (the new status of an idea).
    detail: Mapped[str] = mapped_column(String(30), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)


_TARGETS: list[str] = []


def points_at(name: str, target: Relationship[Any]) -> None:
    """A feature adds what its notifications point at (`points_at("post", relationship(Post, ...))`)."""
    setattr(Notification, name, target)
    if name not in _TARGETS:
        _TARGETS.append(name)


def eager_targets() -> list[LoaderOption]:
    """Loader options that fetch what a page of notifications points at, one query per kind of target."""
    return [selectinload(getattr(Notification, name)) for name in _TARGETS]


def readable_by(user: Any) -> list[ColumnElement[bool]]:
    """Conditions on Notification rows that leave out those about what `user` may no longer read (an idea on
    a board they no longer see), as each feature that owns a target registered them
    (`features.registry().notification_rules`): a page of notifications stays one query."""
    return [rule(user) for rule in features.registry().notification_rules]


def _users() -> Table:
    return db.metadata.tables["users"]


def _same(column: Any, value: int | None) -> Any:
    return column.is_(None) if value is None else column == value


def notify(session: Session, user_id: int, kind: str, *, actor_id: int | None = None, post_id: int | None = None,
           comment_id: int | None = None, idea_id: int | None = None, detail: str = "", once: bool = False,
           at: datetime | None = None) -> None:
    """Add a notification and count it unread, in the caller's transaction. Nobody is told of their own act.

    `once`: the same actor doing the same thing to the same item again (a like taken back and given
    again) tells its receiver only the first time. `at`: when it happened, if not now.
    """
    if user_id == actor_id:
        return
    if once and session.scalar(select(Notification.id).where(
            Notification.user_id == user_id, Notification.actor_id == actor_id, Notification.kind == kind,
            _same(Notification.post_id, post_id), _same(Notification.comment_id, comment_id)).limit(1)) is not None:
        return  # unlike and like again, unfollow and follow again: told once
    row = Notification(user_id=user_id, kind=str(kind), actor_id=actor_id, post_id=post_id, comment_id=comment_id,
                       idea_id=idea_id, detail=detail)
    if at is not None:
        row.created_at = at
    session.add(row)
    users = _users()
    session.execute(update(users).where(users.c.id == user_id)
                    .values(unread_notifications=users.c.unread_notifications + 1))


def notify_many(session: Session, recipients: Select, kind: str, *, actor_id: int | None = None,
                idea_id: int | None = None, post_id: int | None = None, detail: str = "",
                at: datetime | None = None) -> None:
    """One notification for each member id that `recipients` selects, counted unread, in two statements
    whatever their number. The actor is left out. `at`: when it happened, if not now."""
    users = _users()
    wanted = select(users.c.id).where(users.c.id.in_(recipients))
    if actor_id is not None:
        wanted = wanted.where(users.c.id != actor_id)
    now = at or utcnow()
    session.execute(insert(Notification).from_select(
        ["user_id", "kind", "actor_id", "idea_id", "post_id", "detail", "created_at"],
        select(users.c.id, literal(str(kind)), literal(actor_id), literal(idea_id), literal(post_id), literal(detail),
               literal(now)).where(users.c.id.in_(wanted))))
    session.execute(update(users).where(users.c.id.in_(wanted))
                    .values(unread_notifications=users.c.unread_notifications + 1)
                    .execution_options(synchronize_session=False))


def mark_all_read(session: Session, user_id: int, *, up_to: int | None = None) -> int:
    """Mark unread notifications read, up to the newest one the member saw; the counter becomes the rows
    still unread. Adds to the caller's transaction; returns how many were marked."""
    conditions = [Notification.user_id == user_id, Notification.read_at.is_(None)]
    if up_to is not None:
        conditions.append(Notification.id <= up_to)  # one that arrived after the page was drawn stays unread
    marked = session.execute(update(Notification).where(*conditions).values(read_at=utcnow())).rowcount or 0
    still_unread = (select(func.count(Notification.id)).where(Notification.user_id == user_id, Notification.read_at.is_(None))
                    .scalar_subquery())
    users = _users()
    session.execute(update(users).where(users.c.id == user_id).values(unread_notifications=still_unread))
    return marked
