"""Small readers shared by the community tests (fixtures live in conftest.py)."""
from __future__ import annotations

import html
import re

import sqlalchemy as sa
from sqlalchemy import select

from portal.community.models import Comment, NotificationKind, Post, PostLike
from portal.community.posting import CommunityError
from portal.extensions import db
from portal.fans.models import EngagementEvent
from portal.kernel.notifications import Notification

# -- rows -----------------------------------------------------------------------------------


def notes(user, kind: NotificationKind | None = None) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query))


def event_count(kind: str, **where) -> int:
    query = select(sa.func.count()).select_from(EngagementEvent).where(EngagementEvent.kind == kind)
    for column, value in where.items():
        query = query.where(getattr(EngagementEvent, column) == value)
    return db.session.scalar(query)


def comment_count(post: Post) -> int:
    return db.session.scalar(select(Post.comment_count).where(Post.id == post.id))


def like_count(model, item) -> int:
    return db.session.scalar(select(model.like_count).where(model.id == item.id))


def live_comments(post: Post) -> int:
    return db.session.scalar(select(sa.func.count()).select_from(Comment)
                             .where(Comment.post_id == post.id, Comment.deleted_at.is_(None)))


def post_like_rows(post: Post) -> int:
    return db.session.scalar(select(sa.func.count()).select_from(PostLike).where(PostLike.post_id == post.id))


def messages(error: CommunityError, field: str) -> str:
    return " ".join(str(m) for m in error.errors.get(field, []))


# -- pages ----------------------------------------------------------------------------------


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def flashes(response) -> str:
    match = re.search(r'<div class="flashes" role="status">(.*?)</div>', page(response), re.S)
    return match.group(1) if match else ""


def bell(text: str) -> str:
    """What the bell in the header says to screen readers, and its badge."""
    match = re.search(r'<a class="icon-button bell"[^>]*aria-label="([^"]*)">.*?</a>', text, re.S)
    badge = re.search(r'<span class="bell-count" aria-hidden="true">(\d+)</span>', match.group(0))
    return f"{match.group(1)}|{badge.group(1) if badge else ''}"


def fresh(model, key):
    db.session.expire_all()
    return db.session.get(model, key)
