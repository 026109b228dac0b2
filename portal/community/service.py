"""Community rules: posting, comments, likes, follows, answers, scheduled posts.

Each public function checks its rules, writes the contribution, its counters, its
engagement event and its notifications in one transaction, commits once, and only
then does what lies outside the database (page cache, job scheduling).
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from flask import current_app, has_request_context, url_for
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import images
from ..accounts.models import User
from ..errors import ValidationError
from ..fans import service as fans
from ..pagecache import invalidate
from ..timeutil import utcnow
from . import markup
from .models import (
    COMMENT_MAX,
    PHOTOS_MAX,
    POST_MAX,
    Comment,
    CommentLike,
    Follow,
    Hashtag,
    NotificationKind,
    Photo,
    Post,
    PostHashtag,
    PostLike,
)
from .notify import notify

DUPLICATE_WINDOW = timedelta(minutes=5)
NEW_ACCOUNT_AGE = timedelta(days=1)
NEW_ACCOUNT_POSTS_PER_DAY = 5
PHOTO_MAX_SIDE = 2048
THUMB_SIDE = 640


class CommunityError(ValidationError):
    """Something the member asked for breaks a rule; the message says which."""


class Gone(Exception):
    """The post or comment was deleted or hidden: it cannot be liked, answered or replied to."""


def _refuse(field: str, message: Any) -> CommunityError:
    return CommunityError({field: [message]})


def write_refusal(user: User) -> Any | None:
    """Why this member may read but not write (unconfirmed, suspended), or None. Shared with the feedback board."""
    if not user.is_verified:
        return _l("Confirm your email address first: we sent you a link.")
    if user.is_suspended:
        return _l("Your account is suspended until %(date)s: %(reason)s",
                  date=format_datetime(user.suspended_until, "short"), reason=user.suspension_reason)
    return None


def check_can_write(user: User) -> None:
    """Suspended or unconfirmed members read but do not write."""
    if (problem := write_refusal(user)) is not None:
        raise _refuse("body", problem)


def clean_text(text: str | None, limit: int, errors: dict[str, list[Any]], field: str = "body", *,
               required: bool = True) -> str:
    """The text trimmed, with a message in `errors` when it is empty (if required) or too long."""
    text = (text or "").replace("\r\n", "\n").strip()
    if required and not text:
        errors.setdefault(field, []).append(_l("Write something first."))
    elif len(text) > limit:
        errors.setdefault(field, []).append(_l("Keep it under %(n)s characters (this is %(count)s).", n=limit, count=len(text)))
    return text


def _digest(text: str) -> str:
    return hashlib.sha256(" ".join(text.lower().split()).encode()).hexdigest()


def _recent_duplicate(session: Session, model: type[Post] | type[Comment], author: User, text: str,
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


def render_text(session: Session, text: str) -> markup.Rendered:
    candidates = markup.mention_candidates(text)
    known = set(session.scalars(select(User.username).where(User.username.in_(candidates), User.deleted_at.is_(None)))) \
        if candidates else set()
    # Jobs (scheduled posts) and the CLI run without a request, where url_for cannot build links.
    outside = nullcontext() if has_request_context() else \
        current_app.test_request_context(base_url=current_app.config["BASE_URL"])
    with outside:
        return markup.render(text, tag_url=lambda tag: url_for("community.hashtag", name=tag),
                             member_url=lambda handle: url_for("community.handle", username=handle), known_handles=known)


def _mentioned_users(session: Session, handles: Iterable[str]) -> list[User]:
    handles = list(handles)
    return list(session.scalars(select(User).where(User.username.in_(handles)))) if handles else []


def _set_hashtags(session: Session, post: Post, names: set[str]) -> set[str]:
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


def photo_folder() -> Path:
    return Path(current_app.instance_path) / "uploads" / "photos"


@dataclass
class StoredPhoto:
    filename: str
    thumbnail: str
    width: int
    height: int


def _store_photos(uploads: list[BinaryIO], errors: dict[str, list[Any]]) -> list[StoredPhoto]:
    if len(uploads) > PHOTOS_MAX:
        errors.setdefault("photos", []).append(_l("Add at most %(n)s photos.", n=PHOTOS_MAX))
        return []
    config = current_app.config
    encoded = []
    for number, upload in enumerate(uploads, start=1):
        try:
            encoded.append(images.photo_and_thumbnail(upload, max_side=PHOTO_MAX_SIDE, thumb_side=THUMB_SIDE,
                                                      max_bytes=config["PHOTO_MAX_BYTES"], max_pixels=config["IMAGE_MAX_PIXELS"]))
        except images.ImageRejected as exc:
            errors.setdefault("photos", []).append(_l("Photo %(n)s: %(problem)s", n=number, problem=exc.args[0]))
    if errors:
        return []
    folder = photo_folder()
    return [StoredPhoto(images.store(folder, full, "jpg"), images.store(folder, thumb, "jpg"), width, height)
            for full, thumb, width, height in encoded]


def _discard_photos(stored: Iterable[StoredPhoto | Photo]) -> None:
    for photo in stored:
        images.discard(photo_folder(), photo.filename)
        images.discard(photo_folder(), photo.thumbnail)


def _page_topics(post: Post, tags: Iterable[str] = ()) -> list[str]:
    return ["community", f"member:{post.author_id}", f"post:{post.id}", *(f"tag:{t}" for t in tags)]


# -- posts -------------------------------------------------------------------


def create_post(session: Session, author: User, *, body: str, photos: list[BinaryIO] | None = None,
                is_question: bool = False, announcement: bool = False, publish_at: datetime | None = None) -> Post:
    """Publish a post (or schedule it, for staff) with up to four photos."""
    check_can_write(author)
    errors: dict[str, list[Any]] = {}
    body = clean_text(body, POST_MAX, errors)
    now = utcnow()
    if (announcement or publish_at) and not author.is_staff:
        errors.setdefault("body", []).append(_l("Only staff can post announcements or schedule posts."))
    if publish_at is not None and publish_at <= now:
        errors.setdefault("publish_at", []).append(_l("Choose a time in the future, or leave it empty to publish now."))
    if body and not errors and _recent_duplicate(session, Post, author, body):
        errors.setdefault("body", []).append(_l("You posted the same text a moment ago."))
    if not errors and not author.is_staff and now - author.created_at < NEW_ACCOUNT_AGE:
        today = session.scalar(select(func.count(Post.id)).where(Post.author_id == author.id, Post.created_at >= now - NEW_ACCOUNT_AGE))
        if today >= NEW_ACCOUNT_POSTS_PER_DAY:
            errors.setdefault("body", []).append(
                _l("New members can post %(n)s times on their first day. Thank you for your enthusiasm: come back tomorrow!",
                   n=NEW_ACCOUNT_POSTS_PER_DAY))
    stored = _store_photos(photos or [], errors)
    if errors:
        raise CommunityError(errors)
    rendered = render_text(session, body)
    post = Post(author_id=author.id, body=body, body_html=rendered.html, is_question=is_question,
                is_announcement=announcement, created_at=now, published_at=None if publish_at else now,
                scheduled_for=publish_at)
    post.photos = [Photo(position=i, filename=p.filename, thumbnail=p.thumbnail, width=p.width, height=p.height)
                   for i, p in enumerate(stored)]
    try:
        session.add(post)
        session.flush()
        _set_hashtags(session, post, rendered.hashtags)
        fans.record(session, author.id, "question" if is_question else "post", post_id=post.id)
        if post.published_at is not None:
            _notify_mentions(session, post, rendered.mentions, author)
        session.commit()
    except Exception:
        session.rollback()
        _discard_photos(stored)
        raise
    invalidate(*_page_topics(post, rendered.hashtags))
    if publish_at is not None:
        from .jobs import publish_scheduled

        publish_scheduled.schedule(eta=publish_at)
    return post


def _notify_mentions(session: Session, post: Post, handles: Iterable[str], actor: User, comment: Comment | None = None,
                     skip: Iterable[int] = ()) -> None:
    skipped = set(skip)
    for user in _mentioned_users(session, handles):
        if user.id not in skipped:
            notify(session, user.id, NotificationKind.MENTION, actor_id=actor.id, post_id=post.id,
                   comment_id=comment.id if comment else None)


def edit_post(session: Session, post: Post, editor: User, *, body: str) -> None:
    """The author rewrites a post; it shows "edited", and newly mentioned members hear of it."""
    if editor.id != post.author_id:
        raise _refuse("body", _l("Only the author can edit this post."))
    if post.deleted_at:
        raise Gone()
    check_can_write(editor)
    errors: dict[str, list[Any]] = {}
    body = clean_text(body, POST_MAX, errors)
    if errors:
        raise CommunityError(errors)
    if body == post.body:
        return
    before = render_text(session, post.body).mentions  # who was really mentioned (not in code) before
    rendered = render_text(session, body)
    post.body, post.body_html, post.edited_at = body, rendered.html, utcnow()
    changed_tags = _set_hashtags(session, post, rendered.hashtags)
    if post.published_at is not None:
        _notify_mentions(session, post, rendered.mentions - before, editor)
    session.commit()
    invalidate(*_page_topics(post, changed_tags | rendered.hashtags))


def delete_post(session: Session, post: Post, actor: User) -> None:
    """The author removes a post; its engagement event goes with it."""
    if actor.id != post.author_id:
        raise _refuse("body", _l("Only the author can delete this post."))
    if post.deleted_at:
        return
    tags = set(session.scalars(select(Hashtag.name).join(PostHashtag).where(PostHashtag.post_id == post.id)))
    post.deleted_at = utcnow()
    fans.retract(session, post.author_id, "question" if post.is_question else "post", post_id=post.id)
    session.commit()
    _discard_photos(post.photos)
    invalidate(*_page_topics(post, tags))


def publish_due_posts(session: Session, now: datetime | None = None) -> int:
    """Publish scheduled posts whose time has come; returns how many."""
    now = now or utcnow()
    due = list(session.scalars(select(Post).where(Post.published_at.is_(None), Post.scheduled_for <= now,
                                                  Post.deleted_at.is_(None)).with_for_update(skip_locked=True)))
    tags_by_post = {}
    for post in due:
        post.published_at = post.scheduled_for
        rendered = render_text(session, post.body)
        post.body_html = rendered.html  # link exactly the members told now (some may have joined or left since)
        tags_by_post[post.id] = rendered.hashtags
        _notify_mentions(session, post, rendered.mentions, post.author)
    session.commit()
    for post in due:
        invalidate(*_page_topics(post, tags_by_post[post.id]))
    return len(due)


# -- comments ----------------------------------------------------------------


def _visible_or_gone(item: Post | Comment) -> None:
    if not item.is_visible:
        raise Gone()


def add_comment(session: Session, post: Post, author: User, *, body: str, parent: Comment | None = None) -> Comment:
    """Comment on a post, or reply to a comment (replies stay one level deep)."""
    check_can_write(author)
    _visible_or_gone(post)
    if parent is not None:
        if parent.post_id != post.id:
            raise Gone()
        _visible_or_gone(parent)
        if parent.parent_id is not None:  # a reply to a reply joins the same thread
            parent = session.get(Comment, parent.parent_id)
            _visible_or_gone(parent)  # the thread went with its top comment: a reply there would never show
    errors: dict[str, list[Any]] = {}
    body = clean_text(body, COMMENT_MAX, errors)
    if body and not errors and _recent_duplicate(session, Comment, author, body, post_id=post.id):
        errors.setdefault("body", []).append(_l("You posted the same text a moment ago."))
    if errors:
        raise CommunityError(errors)
    rendered = render_text(session, body)
    comment = Comment(post_id=post.id, author_id=author.id, parent_id=parent.id if parent else None, body=body,
                      body_html=rendered.html)
    session.add(comment)
    session.flush()
    session.execute(update(Post).where(Post.id == post.id).values(comment_count=Post.comment_count + 1))
    fans.record(session, author.id, "comment", post_id=post.id, comment_id=comment.id)
    told = {author.id}
    if post.author_id not in told:
        notify(session, post.author_id, NotificationKind.REPLY, actor_id=author.id, post_id=post.id, comment_id=comment.id)
        told.add(post.author_id)
    if parent is not None and parent.author_id not in told:
        notify(session, parent.author_id, NotificationKind.REPLY, actor_id=author.id, post_id=post.id, comment_id=comment.id)
        told.add(parent.author_id)
    _notify_mentions(session, post, rendered.mentions, author, comment, skip=told)
    session.commit()
    invalidate(*_page_topics(post))
    return comment


def edit_comment(session: Session, comment: Comment, editor: User, *, body: str) -> None:
    if editor.id != comment.author_id:
        raise _refuse("body", _l("Only the author can edit this comment."))
    if comment.deleted_at:
        raise Gone()
    check_can_write(editor)
    errors: dict[str, list[Any]] = {}
    body = clean_text(body, COMMENT_MAX, errors)
    if errors:
        raise CommunityError(errors)
    if body == comment.body:
        return
    before = render_text(session, comment.body).mentions
    rendered = render_text(session, body)
    comment.body, comment.body_html, comment.edited_at = body, rendered.html, utcnow()
    _notify_mentions(session, comment.post, rendered.mentions - before, editor, comment)
    session.commit()
    invalidate(*_page_topics(comment.post))


def delete_comment(session: Session, comment: Comment, actor: User) -> None:
    if actor.id != comment.author_id:
        raise _refuse("body", _l("Only the author can delete this comment."))
    # Conditional, so two overlapping deletes (a double click, two tabs) count once.
    deleted = session.execute(update(Comment).where(Comment.id == comment.id, Comment.deleted_at.is_(None))
                              .values(deleted_at=utcnow())).rowcount
    if not deleted:
        session.rollback()
        return
    session.execute(update(Post).where(Post.id == comment.post_id).values(comment_count=Post.comment_count - 1))
    session.execute(update(Post).where(Post.id == comment.post_id, Post.answer_id == comment.id).values(answer_id=None))
    fans.retract(session, comment.author_id, "comment", post_id=comment.post_id, comment_id=comment.id)
    fans.retract(session, comment.author_id, "answer_accepted", post_id=comment.post_id, comment_id=comment.id)
    session.commit()
    invalidate(*_page_topics(comment.post))


# -- likes -------------------------------------------------------------------


def toggle_post_like(session: Session, post: Post, user: User) -> bool:
    """Like, or take back a like. Returns whether the member likes the post now."""
    check_can_write(user)
    removed = session.execute(delete(PostLike).where(PostLike.user_id == user.id, PostLike.post_id == post.id)).rowcount
    if removed:
        session.execute(update(Post).where(Post.id == post.id).values(like_count=Post.like_count - 1))
        fans.retract(session, user.id, "like_given", post_id=post.id)
        fans.retract(session, post.author_id, "like_received", post_id=post.id, other_user_id=user.id)
        session.commit()
        invalidate(*_page_topics(post))
        return False
    _visible_or_gone(post)
    try:
        session.add(PostLike(user_id=user.id, post_id=post.id))
        session.flush()
    except IntegrityError:
        session.rollback()  # the same member's other request liked it a moment ago: count it once
        return True
    session.execute(update(Post).where(Post.id == post.id).values(like_count=Post.like_count + 1))
    fans.record(session, user.id, "like_given", post_id=post.id)
    if post.author_id != user.id:
        fans.record(session, post.author_id, "like_received", post_id=post.id, other_user_id=user.id)
        notify(session, post.author_id, NotificationKind.LIKE, actor_id=user.id, post_id=post.id)
    session.commit()
    invalidate(*_page_topics(post))
    return True


def toggle_comment_like(session: Session, comment: Comment, user: User) -> bool:
    check_can_write(user)
    removed = session.execute(delete(CommentLike).where(CommentLike.user_id == user.id,
                                                        CommentLike.comment_id == comment.id)).rowcount
    if removed:
        session.execute(update(Comment).where(Comment.id == comment.id).values(like_count=Comment.like_count - 1))
        fans.retract(session, user.id, "like_given", comment_id=comment.id)
        fans.retract(session, comment.author_id, "like_received", comment_id=comment.id, other_user_id=user.id)
        session.commit()
        invalidate(f"post:{comment.post_id}")
        return False
    _visible_or_gone(comment)
    _visible_or_gone(comment.post)
    try:
        session.add(CommentLike(user_id=user.id, comment_id=comment.id))
        session.flush()
    except IntegrityError:
        session.rollback()
        return True
    session.execute(update(Comment).where(Comment.id == comment.id).values(like_count=Comment.like_count + 1))
    fans.record(session, user.id, "like_given", comment_id=comment.id)
    if comment.author_id != user.id:
        fans.record(session, comment.author_id, "like_received", comment_id=comment.id, other_user_id=user.id)
        notify(session, comment.author_id, NotificationKind.LIKE, actor_id=user.id, post_id=comment.post_id,
               comment_id=comment.id)
    session.commit()
    invalidate(f"post:{comment.post_id}")
    return True


# -- answers -----------------------------------------------------------------


def mark_answer(session: Session, post: Post, comment: Comment, actor: User) -> None:
    """The asker or a staff member marks a reply as the answer to a question."""
    if not post.is_question:
        raise _refuse("body", _l("Only questions have answers."))
    if actor.id != post.author_id and not actor.is_staff:
        raise _refuse("body", _l("Only the person who asked, or staff, can choose the answer."))
    if comment.post_id != post.id:
        raise Gone()
    if comment.author_id == post.author_id:
        raise _refuse("body", _l("An answer comes from someone else than the person who asked."))
    _visible_or_gone(post)
    _visible_or_gone(comment)
    if post.answer_id == comment.id:
        return
    if post.answer_id is not None:
        previous = session.get(Comment, post.answer_id)
        if previous is not None:
            fans.retract(session, previous.author_id, "answer_accepted", post_id=post.id, comment_id=previous.id)
    post.answer_id = comment.id
    fans.record(session, comment.author_id, "answer_accepted", post_id=post.id, comment_id=comment.id)
    for user_id in {post.author_id, comment.author_id} - {actor.id}:
        notify(session, user_id, NotificationKind.ANSWERED, actor_id=actor.id, post_id=post.id, comment_id=comment.id)
    session.commit()
    invalidate(*_page_topics(post), "questions")


def unmark_answer(session: Session, post: Post, actor: User) -> None:
    if actor.id != post.author_id and not actor.is_staff:
        raise _refuse("body", _l("Only the person who asked, or staff, can choose the answer."))
    if post.answer_id is None:
        return
    previous = session.get(Comment, post.answer_id)
    if previous is not None:
        fans.retract(session, previous.author_id, "answer_accepted", post_id=post.id, comment_id=previous.id)
    post.answer_id = None
    session.commit()
    invalidate(*_page_topics(post), "questions")


# -- follows -----------------------------------------------------------------


def follow(session: Session, follower: User, followed: User) -> None:
    """Follow a member (it notifies them, so it is a write like any other)."""
    check_can_write(follower)
    if follower.id == followed.id:
        raise _refuse("body", _l("You cannot follow yourself."))
    if not followed.is_active:
        raise Gone()
    already = session.scalar(select(exists().where(Follow.follower_id == follower.id, Follow.followed_id == followed.id)))
    if already:
        return
    try:
        session.add(Follow(follower_id=follower.id, followed_id=followed.id))
        session.flush()
    except IntegrityError:
        session.rollback()
        return
    fans.record(session, followed.id, "follower_gained", other_user_id=follower.id)
    notify(session, followed.id, NotificationKind.FOLLOW, actor_id=follower.id)
    session.commit()
    invalidate(f"member:{followed.id}", f"member:{follower.id}")


def unfollow(session: Session, follower: User, followed: User) -> None:
    removed = session.execute(delete(Follow).where(Follow.follower_id == follower.id,
                                                   Follow.followed_id == followed.id)).rowcount
    if removed:
        fans.retract(session, followed.id, "follower_gained", other_user_id=follower.id)
    session.commit()
    invalidate(f"member:{followed.id}", f"member:{follower.id}")
