"""What every community write shares: its errors, the write check, duplicates, hashtags, photos,
mentions and the cached pages it changes. Helpers here only add to the session; services commit.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..accounts.rules import write_refusal
from ..kernel import images
from ..kernel.errors import ValidationError
from ..kernel.notifications import notify
from ..kernel.timeutil import utcnow
from .models import PHOTOS_MAX, Comment, CommentLike, Hashtag, NotificationKind, Photo, Post, PostHashtag, PostLike

DUPLICATE_WINDOW = timedelta(minutes=5)
NEW_ACCOUNT_AGE = timedelta(days=1)
NEW_ACCOUNT_POSTS_PER_DAY = 5
PHOTO_MAX_SIDE = 2048
THUMB_SIDE = 640


class CommunityError(ValidationError):
    """Something the member asked for breaks a rule; the message says which."""


class Gone(Exception):
    """The post or comment was deleted or hidden: it cannot be liked, answered or replied to."""


class Missing(Gone):
    """The post or comment is not in the database (any more): there is nothing to like."""


class ReplyGone(Gone):
    """The comment a member replied to was deleted meanwhile."""


def refuse(field: str, message: Any) -> CommunityError:
    """A one-message CommunityError on `field`."""
    return CommunityError({field: [message]})


def check_can_write(user: User) -> None:
    """Suspended or unconfirmed members read but do not write."""
    if (problem := write_refusal(user)) is not None:
        raise refuse("body", problem)


def _digest(text: str) -> str:
    return hashlib.sha256(" ".join(text.lower().split()).encode()).hexdigest()


def recent_duplicate(session: Session, model: type[Post] | type[Comment], author: User, text: str,
                     post_id: int | None = None) -> bool:
    """The same text from the same member in the last few minutes (a double click, or spam).

    For comments only the same post counts: "Thanks!" under two different posts is fine.
    """
    since = utcnow() - DUPLICATE_WINDOW
    query = select(model.body).where(model.author_id == author.id, model.created_at >= since, model.deleted_at.is_(None))
    if post_id is not None:
        query = query.where(Comment.post_id == post_id)
    recent = session.scalars(query)
    wanted = _digest(text)
    return any(_digest(body) == wanted for body in recent)


def mentioned_users(session: Session, handles: Iterable[str]) -> list[User]:
    """The members these (lower-case) handles name."""
    handles = list(handles)
    return list(session.scalars(select(User).where(User.username.in_(handles)))) if handles else []


def set_hashtags(session: Session, post: Post, names: set[str]) -> set[str]:
    """Link the post to exactly these hashtags; returns every tag whose page changed."""
    old = set(session.scalars(select(Hashtag.name).join(PostHashtag).where(PostHashtag.post_id == post.id)))
    if old - names:
        old_ids = select(Hashtag.id).where(Hashtag.name.in_(old - names))
        session.execute(delete(PostHashtag).where(PostHashtag.post_id == post.id, PostHashtag.hashtag_id.in_(old_ids)))
    for name in sorted(names - old):
        tag = session.scalar(select(Hashtag).where(Hashtag.name == name))
        if tag is None:
            try:
                with session.begin_nested():  # another post may create the same tag at the same moment
                    tag = Hashtag(name=name)
                    session.add(tag)
            except IntegrityError:
                tag = session.scalar(select(Hashtag).where(Hashtag.name == name))
        session.add(PostHashtag(post_id=post.id, hashtag_id=tag.id))
    return old ^ names


@dataclass
class StoredPhoto:
    filename: str
    thumbnail: str
    width: int
    height: int


def store_photos(uploads: list[BinaryIO], errors: dict[str, list[Any]]) -> list[StoredPhoto]:
    """Re-encode and store the uploads (full size and thumbnail); nothing is stored when any is refused."""
    if len(uploads) > PHOTOS_MAX:
        errors.setdefault("photos", []).append(_l("Add at most %(n)s photos.", n=PHOTOS_MAX))
        return []
    encoded = []
    for number, upload in enumerate(uploads, start=1):
        try:
            encoded.append(images.photo_and_thumbnail(upload, max_side=PHOTO_MAX_SIDE, thumb_side=THUMB_SIDE,
                                                      **images.limits("photos")))
        except images.ImageRejected as exc:
            errors.setdefault("photos", []).append(_l("Photo %(n)s: %(problem)s", n=number, problem=exc.args[0]))
    if errors:
        return []
    return [StoredPhoto(images.store("photos", full, "jpg"), images.store("photos", thumb, "jpg"), width, height)
            for full, thumb, width, height in encoded]


def photo_names(photos: Iterable[StoredPhoto | Photo]) -> list[str]:
    """Every file a post's photos use: each photo and its thumbnail."""
    return [name for photo in photos for name in (photo.filename, photo.thumbnail)]


def discard_photos(names: Iterable[str]) -> None:
    """Remove photo files (once no committed row uses them)."""
    images.discard("photos", *names)


def page_topics(post: Post, tags: Iterable[str] = ()) -> list[str]:
    """The cached pages a change to this post (and these hashtags) makes stale."""
    return ["community", f"member:{post.author_id}", f"post:{post.id}", *(f"tag:{t}" for t in tags)]


def notify_mentions(session: Session, post: Post, handles: Iterable[str], actor: User, comment: Comment | None = None,
                    skip: Iterable[int] = ()) -> None:
    """Tell each existing member these handles name (except `skip`) that they were mentioned."""
    skipped = set(skip)
    for user in mentioned_users(session, handles):
        if user.id not in skipped:
            notify(session, user.id, NotificationKind.MENTION, actor_id=actor.id, post_id=post.id,
                   comment_id=comment.id if comment else None)


def visible_or_gone(item: Post | Comment) -> None:
    """Raise Gone unless everyone may see the post or comment (not deleted, hidden or waiting)."""
    if not item.is_visible:
        raise Gone()


def recount_counters(session: Session) -> None:
    """Posts' like and comment counts and comments' like counts, from the rows (after bulk writes, such as
    the demo's: real use keeps them exact in each event's transaction). Adds to the caller's transaction."""
    quiet = {"synchronize_session": False}
    likes = select(func.count()).select_from(PostLike).where(PostLike.post_id == Post.id).scalar_subquery()
    comments = (select(func.count(Comment.id)).where(Comment.post_id == Post.id, Comment.deleted_at.is_(None))
                .scalar_subquery())
    session.execute(update(Post).values(like_count=likes, comment_count=comments).execution_options(**quiet))
    comment_likes = (select(func.count()).select_from(CommentLike).where(CommentLike.comment_id == Comment.id)
                     .scalar_subquery())
    session.execute(update(Comment).values(like_count=comment_likes).execution_options(**quiet))
