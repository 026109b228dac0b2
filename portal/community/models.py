"""The community network: posts, photos, comments, likes, follows, hashtags, notifications, reports."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..extensions import db
from ..kernel.notifications import Notification, points_at
from ..kernel.timeutil import utcnow
from ..kernel.translatable import translations_column

POST_MAX = 2000
COMMENT_MAX = 2000
PHOTOS_MAX = 4


class Post(db.Model):
    __tablename__ = "posts"
    __table_args__ = (
        # Feeds walk posts newest first; keyset pagination seeks on (published_at, id).
        Index("ix_posts_published", "published_at", "id"),
        Index("ix_posts_author_published", "author_id", "published_at", "id"),
        Index("ix_posts_announcement_published", "is_announcement", "published_at", "id"),  # the feed's announcements
        CheckConstraint("like_count >= 0", name="like_count_not_negative"),
        CheckConstraint("comment_count >= 0", name="comment_count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # An announcement's translation into another language (kernel/translatable.py); the body is the original.
    body_i18n: Mapped[dict[str, str]] = translations_column()
    body_html_i18n: Mapped[dict[str, str]] = translations_column()
    is_question: Mapped[bool] = mapped_column(Boolean, default=False)
    is_announcement: Mapped[bool] = mapped_column(Boolean, default=False)
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", use_alter=True, ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # None while a scheduled post waits for its time; feeds show only published posts.
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    scheduled_for: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(DateTime)
    like_count: Mapped[int] = mapped_column(Integer, default=0)
    comment_count: Mapped[int] = mapped_column(Integer, default=0)

    author: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    photos: Mapped[list[Photo]] = relationship(order_by="Photo.position", cascade="all, delete-orphan",
                                               lazy="selectin")
    answer: Mapped[Comment | None] = relationship(foreign_keys=[answer_id], post_update=True)

    @property
    def is_answered(self) -> bool:
        return self.answer_id is not None

    @property
    def is_visible(self) -> bool:
        return self.deleted_at is None and self.hidden_at is None and self.published_at is not None


class Photo(db.Model):
    __tablename__ = "post_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Indexed: the photo route finds the post of each file it serves, to check who may see it.
    filename: Mapped[str] = mapped_column(String(80), index=True)
    thumbnail: Mapped[str] = mapped_column(String(80), index=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_post_created", "post_id", "created_at", "id"),
        CheckConstraint("like_count >= 0", name="like_count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # One level of replies: a reply's parent is always a top-level comment.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(DateTime)
    like_count: Mapped[int] = mapped_column(Integer, default=0)

    author: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    post: Mapped[Post] = relationship(foreign_keys=[post_id])

    @property
    def is_visible(self) -> bool:
        return self.deleted_at is None and self.hidden_at is None


class PostLike(db.Model):
    """One like per member and post: the primary key makes a second one impossible."""

    __tablename__ = "post_likes"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CommentLike(db.Model):
    __tablename__ = "comment_likes"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Follow(db.Model):
    __tablename__ = "follows"
    __table_args__ = (CheckConstraint("follower_id <> followed_id", name="not_self"),)

    follower_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    followed_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Hashtag(db.Model):
    __tablename__ = "hashtags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)  # lower-case, without '#'


class PostHashtag(db.Model):
    __tablename__ = "post_hashtags"
    __table_args__ = (Index("ix_post_hashtags_tag_post", "hashtag_id", "post_id"),)

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    hashtag_id: Mapped[int] = mapped_column(ForeignKey("hashtags.id", ondelete="CASCADE"), primary_key=True)


class NotificationKind(enum.StrEnum):
    """What the community tells members about (kernel.notifications stores the word)."""

    MENTION = "mention"
    REPLY = "reply"
    LIKE = "like"
    FOLLOW = "follow"
    ANSWERED = "answered"


# What a notification points at, for the pages that show it.
points_at("post", relationship(Post, foreign_keys=[Notification.post_id]))
points_at("comment", relationship(Comment, foreign_keys=[Notification.comment_id]))


class Report(db.Model):
    """A member flags a post or comment; a moderator resolves it by hiding or keeping it."""

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint("(post_id IS NULL) <> (comment_id IS NULL)", name="one_target"),
        Index("ix_reports_open", "resolved_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolution: Mapped[str] = mapped_column(String(20), default="")

    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])
    post: Mapped[Post | None] = relationship(foreign_keys=[post_id])
    comment: Mapped[Comment | None] = relationship(foreign_keys=[comment_id])
