"""Community rules for posts and comments: publishing (now or scheduled), editing, deleting.

Each public function is a use case: it checks its rules, writes the contribution, its counters,
its engagement event and its notifications in one transaction, commits once, and only then
does what lies outside the database (page cache, photo files, the publication job).
Likes, answers and follows are in `social`; moderation in `moderation`.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..config import SUPPORTED_LOCALES
from ..fans import service as fans
from ..kernel.notifications import notify
from ..kernel.pagecache import invalidate
from ..kernel.text import clean_text, render_text
from ..kernel.timeutil import utcnow
from ..kernel.uow import after_commit, commit, use_case
from .jobs import publish_scheduled
from .models import COMMENT_MAX, POST_MAX, Comment, Hashtag, NotificationKind, Photo, Post, PostHashtag
from .posting import (
    NEW_ACCOUNT_AGE,
    NEW_ACCOUNT_POSTS_PER_DAY,
    CommunityError,
    Gone,
    ReplyGone,
    check_can_write,
    discard_photos,
    notify_mentions,
    page_topics,
    photo_names,
    recent_duplicate,
    refuse,
    set_hashtags,
    store_photos,
    visible_or_gone,
)
from .search_source import reindex_later

# -- posts -------------------------------------------------------------------


def _translations(translation: str, locale: str, announcement: bool, errors: dict[str, list[Any]]) -> dict[str, str]:
    """An announcement's translation as the post keeps it, {code: text} (empty: none), or the reasons in `errors`."""
    translation = clean_text(translation, POST_MAX, errors, "translation", required=False)
    if translation and not announcement:
        errors.setdefault("translation", []).append(_l("Only announcements take a translation."))
    elif translation and locale not in SUPPORTED_LOCALES:
        errors.setdefault("translation_locale", []).append(_l("Choose the language of the translation."))
    return {locale: translation} if translation else {}


def _translated_html(session: Session, translations: dict[str, str]) -> dict[str, str]:
    return {code: render_text(session, text).html for code, text in translations.items()}


@use_case
def create_post(session: Session, author: User, *, body: str, photos: list[BinaryIO] | None = None,
                is_question: bool = False, announcement: bool = False, publish_at: datetime | None = None,
                translation: str = "", translation_locale: str = "") -> Post:
    """Publish a post (or schedule it, for staff) with up to four photos; an announcement may come with a
    translation into another language, which its readers see instead (kernel/translatable.py)."""
    check_can_write(author)
    errors: dict[str, list[Any]] = {}
    body = clean_text(body, POST_MAX, errors)
    now = utcnow()
    if (announcement or publish_at) and not author.is_staff:
        errors.setdefault("body", []).append(_l("Only staff can post announcements or schedule posts."))
    translations = _translations(translation, translation_locale, announcement, errors)
    if publish_at is not None and publish_at <= now:
        errors.setdefault("publish_at", []).append(_l("Choose a time in the future, or leave it empty to publish now."))
    if body and not errors and recent_duplicate(session, Post, author, body):
        errors.setdefault("body", []).append(_l("You posted the same text a moment ago."))
    if not errors and not author.is_staff and now - author.created_at < NEW_ACCOUNT_AGE:
        today = session.scalar(select(func.count(Post.id)).where(Post.author_id == author.id, Post.created_at >= now - NEW_ACCOUNT_AGE))
        if today >= NEW_ACCOUNT_POSTS_PER_DAY:
            errors.setdefault("body", []).append(
                _l("New members can post %(n)s times on their first day. Thank you for your enthusiasm: come back tomorrow!",
                   n=NEW_ACCOUNT_POSTS_PER_DAY))
    stored = store_photos(photos or [], errors)
    if errors:
        raise CommunityError(errors)
    try:
        rendered = render_text(session, body)
        post = Post(author_id=author.id, body=body, body_html=rendered.html, is_question=is_question,
                    body_i18n=translations, body_html_i18n=_translated_html(session, translations),
                    is_announcement=announcement, created_at=now, published_at=None if publish_at else now,
                    scheduled_for=publish_at)
        post.photos = [Photo(position=i, filename=p.filename, thumbnail=p.thumbnail, width=p.width, height=p.height)
                       for i, p in enumerate(stored)]
        session.add(post)
        session.flush()
        set_hashtags(session, post, rendered.hashtags)
        fans.record(session, author.id, "question" if is_question else "post", post_id=post.id)
        if post.published_at is not None:
            notify_mentions(session, post, rendered.mentions, author)
        after_commit(session, invalidate, *page_topics(post, rendered.hashtags))
        if post.published_at is not None:
            reindex_later(session, post)  # a scheduled post is indexed when it is published
        if publish_at is not None:
            after_commit(session, publish_scheduled.schedule, eta=publish_at)
        commit(session)
    except Exception:
        discard_photos(photo_names(stored))  # files of a post that was never saved (use_case rolls its rows back)
        raise
    return post


@use_case
def edit_post(session: Session, post: Post, editor: User, *, body: str, translation: str | None = None,
              translation_locale: str = "") -> None:
    """The author rewrites a post; it shows "edited", and newly mentioned members hear of it. An announcement's
    translation is rewritten on the same terms as when it was posted (None keeps it, an empty one removes it)."""
    if editor.id != post.author_id:
        raise refuse("body", _l("Only the author can edit this post."))
    if post.deleted_at:
        raise Gone()
    check_can_write(editor)
    errors: dict[str, list[Any]] = {}
    body = clean_text(body, POST_MAX, errors)
    translations = dict(post.body_i18n or {}) if translation is None else \
        _translations(translation, translation_locale, post.is_announcement, errors)
    if errors:
        raise CommunityError(errors)
    if body == post.body and translations == (post.body_i18n or {}):
        return
    before = render_text(session, post.body).mentions  # who was really mentioned (not in code) before
    rendered = render_text(session, body)
    post.body, post.body_html, post.edited_at = body, rendered.html, utcnow()
    post.body_i18n, post.body_html_i18n = translations, _translated_html(session, translations)
    changed_tags = set_hashtags(session, post, rendered.hashtags)
    if post.published_at is not None:
        notify_mentions(session, post, rendered.mentions - before, editor)
    after_commit(session, invalidate, *page_topics(post, changed_tags | rendered.hashtags))
    reindex_later(session, post)
    commit(session)


@use_case
def delete_post(session: Session, post: Post, actor: User) -> None:
    """The author removes a post; its engagement event goes with it."""
    if actor.id != post.author_id:
        raise refuse("body", _l("Only the author can delete this post."))
    if post.deleted_at:
        return
    tags = set(session.scalars(select(Hashtag.name).join(PostHashtag).where(PostHashtag.post_id == post.id)))
    post.deleted_at = utcnow()
    fans.retract_contribution(session, post.author_id, post_id=post.id)  # the post and the likes it received
    after_commit(session, discard_photos, photo_names(post.photos))  # the rows stay, the files go
    after_commit(session, invalidate, *page_topics(post, tags))
    reindex_later(session, post)  # out of the search index
    commit(session)


# -- comments ----------------------------------------------------------------


@use_case
def add_comment(session: Session, post: Post, author: User, *, body: str, parent: Comment | None = None) -> Comment:
    """Comment on a post, or reply to a comment (replies stay one level deep)."""
    check_can_write(author)
    visible_or_gone(post)
    if parent is not None:
        if parent.post_id != post.id:
            raise Gone()
        if parent.deleted_at is not None:
            raise ReplyGone()
        visible_or_gone(parent)
        if parent.parent_id is not None:  # a reply to a reply joins the same thread
            parent = session.get(Comment, parent.parent_id)
            visible_or_gone(parent)  # the thread went with its top comment: a reply there would never show
    errors: dict[str, list[Any]] = {}
    body = clean_text(body, COMMENT_MAX, errors)
    if body and not errors and recent_duplicate(session, Comment, author, body, post_id=post.id):
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
    answered = parent.author_id if parent is not None else post.author_id
    if answered != author.id:
        fans.record(session, author.id, "reply", post_id=post.id, comment_id=comment.id, other_user_id=answered)
        if author.is_staff:
            fans.touch_contact(session, [answered])  # a staff reply is staff reaching that member
    told = {author.id}
    if post.author_id not in told:
        notify(session, post.author_id, NotificationKind.REPLY, actor_id=author.id, post_id=post.id, comment_id=comment.id)
        told.add(post.author_id)
    if parent is not None and parent.author_id not in told:
        notify(session, parent.author_id, NotificationKind.REPLY, actor_id=author.id, post_id=post.id, comment_id=comment.id)
        told.add(parent.author_id)
    notify_mentions(session, post, rendered.mentions, author, comment, skip=told)
    after_commit(session, invalidate, *page_topics(post))
    commit(session)
    return comment


@use_case
def edit_comment(session: Session, comment: Comment, editor: User, *, body: str) -> None:
    """The author rewrites a comment; it shows "edited", and newly mentioned members hear of it."""
    if editor.id != comment.author_id:
        raise refuse("body", _l("Only the author can edit this comment."))
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
    notify_mentions(session, comment.post, rendered.mentions - before, editor, comment)
    after_commit(session, invalidate, *page_topics(comment.post))
    commit(session)


@use_case
def delete_comment(session: Session, comment: Comment, actor: User) -> None:
    """The author removes a comment: the post counts one fewer, and an answer it was is unmarked."""
    if actor.id != comment.author_id:
        raise refuse("body", _l("Only the author can delete this comment."))
    # Conditional, so two overlapping deletes (a double click, two tabs) count once.
    deleted = session.execute(update(Comment).where(Comment.id == comment.id, Comment.deleted_at.is_(None))
                              .values(deleted_at=utcnow())).rowcount
    if not deleted:
        session.rollback()  # already deleted (a double click, two tabs): nothing to do
        return
    session.execute(update(Post).where(Post.id == comment.post_id).values(comment_count=Post.comment_count - 1))
    session.execute(update(Post).where(Post.id == comment.post_id, Post.answer_id == comment.id).values(answer_id=None))
    # The comment, the reply it was, the answer it was marked as, the likes it received.
    fans.retract_contribution(session, comment.author_id, comment_id=comment.id)
    after_commit(session, invalidate, *page_topics(comment.post))
    commit(session)
