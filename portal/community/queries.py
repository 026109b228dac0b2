"""Read side of the community: feeds with keyset pagination, trending, a post with its thread."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from flask import abort
from sqlalchemy import DateTime, Integer, Select, TextualSelect, and_, bindparam, column, func, or_, select, text
from sqlalchemy.orm import Session

from ..accounts import handles
from ..accounts.models import User
from ..kernel.pagecache import remembered
from ..kernel.timeutil import utcnow
from .models import Comment, CommentLike, Follow, Hashtag, Photo, Post, PostHashtag, PostLike

PAGE_SIZE = 20
TRENDING_WINDOW = timedelta(days=14)
TRENDING_CANDIDATES = 300


@dataclass
class Page:
    """A page of post cards; which of them the reader likes is resolved once the page is drawn (kernel/choices.py)."""

    posts: list[Post]
    next_cursor: str | None


def encode_cursor(post: Post) -> str:
    """Where the next page starts: just after this post (its publication time, then its id)."""
    return f"{post.published_at:%Y%m%d%H%M%S%f}-{post.id}"


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    """A cursor we made, or None (a bad one starts from the top rather than failing)."""
    if not cursor:
        return None
    try:
        stamp, _, post_id = cursor.partition("-")
        position = datetime.strptime(stamp, "%Y%m%d%H%M%S%f"), int(post_id)
    except ValueError:
        return None
    # An id no INTEGER column can hold would make the database refuse the query.
    return position if 0 < position[1] < 2**31 else None


def visible_to(viewer: User | None):
    """Published, not deleted; hidden posts only for their author and the moderators."""
    conditions = [Post.deleted_at.is_(None), Post.published_at.is_not(None)]
    if viewer is None or not viewer.is_authenticated:
        conditions.append(Post.hidden_at.is_(None))
    elif not viewer.is_moderator:
        conditions.append(or_(Post.hidden_at.is_(None), Post.author_id == viewer.id))
    return and_(*conditions)


def hidden_posts_seen(session: Session, viewer: User | None) -> str | int | None:
    """Whose hidden posts the viewer sees in lists (visible_to): "all" for moderators, their own id for a member who
    has a hidden post, None for everyone else: the part of a list's fragment key that says so. Whether a member has
    one is remembered under their page-cache topic, which hiding or restoring their post bumps."""
    if viewer is None or not viewer.is_authenticated:
        return None
    if viewer.is_moderator:
        return "all"
    hidden = remembered(f"hidden-posts:{viewer.id}", [f"member:{viewer.id}"], lambda: session.scalar(
        select(Post.id).where(Post.author_id == viewer.id, Post.hidden_at.is_not(None), Post.deleted_at.is_(None)).limit(1))
        is not None)
    return viewer.id if hidden else None


def _after(query: Select, position: tuple[datetime, int] | None) -> Select:
    """Only the posts after the cursor's position, newest first."""
    if position:
        stamp, post_id = position
        query = query.where(or_(Post.published_at < stamp, and_(Post.published_at == stamp, Post.id < post_id)))
    return query


NEWEST = (Post.published_at.desc(), Post.id.desc())


def _page(session: Session, query: Select, viewer: User | None, cursor: str | None, size: int = PAGE_SIZE) -> Page:
    query = _after(query, decode_cursor(cursor))
    return _cut(list(session.scalars(query.order_by(*NEWEST).limit(size + 1))), size)


def _cut(rows: list[Post], size: int) -> Page:
    """A page of the first `size` of rows (one more was read, to know whether a next page exists)."""
    posts = rows[:size]
    return Page(posts, encode_cursor(posts[-1]) if len(rows) > size else None)


def liked_posts(session: Session, viewer: User | None, posts: list[Post]) -> set[int]:
    """Which of these posts the viewer likes (none for visitors)."""
    return liked_ids(session, viewer, [p.id for p in posts])


# Every member's page of post cards asks it: built once, with the member and the ids as its parameters.
_LIKED = select(PostLike.post_id).where(PostLike.user_id == bindparam("viewer"),
                                        PostLike.post_id.in_(bindparam("ids", expanding=True)))


def liked_ids(session: Session, viewer: User | None, ids: list[int]) -> set[int]:
    """Which of the posts with these ids the viewer likes (none for visitors): the cards' "liked-post" choice."""
    if viewer is None or not viewer.is_authenticated or not ids:
        return set()
    return set(session.scalars(_LIKED, {"viewer": viewer.id, "ids": ids}))


FEED_FANOUT_MAX = 200  # up to this many people followed, the feed reads each one's newest posts


def home_feed(session: Session, viewer: User, cursor: str | None = None, size: int = PAGE_SIZE) -> Page:
    """Posts of the people the member follows, their own, and staff announcements; newest first.

    Walking all posts newest first until enough are by followed people reads thousands of rows in a
    large community; instead each author's newest posts come from their own index (and the announcements
    from theirs), a page's worth each, and the newest of those make the page. Someone who follows very
    many people finds enough of them near the top of all posts: for them the walk is the quicker way.
    """
    followed = list(session.scalars(select(Follow.followed_id).where(Follow.follower_id == viewer.id)
                                    .limit(FEED_FANOUT_MAX + 1)))
    if len(followed) > FEED_FANOUT_MAX:
        query = select(Post).where(visible_to(viewer), or_(
            Post.author_id.in_(select(Follow.followed_id).where(Follow.follower_id == viewer.id)),
            Post.author_id == viewer.id, Post.is_announcement.is_(True)))
        return _page(session, query, viewer, cursor, size)
    authors = [viewer.id, *followed]
    position = decode_cursor(cursor)
    values: dict[str, Any] = {f"a{n}": author for n, author in enumerate(authors)}
    values["size"] = size + 1
    if not viewer.is_moderator:  # they see hidden posts; others only their own
        values["viewer"] = viewer.id
    if position:
        values.update(stamp=position[0], post_id=position[1])
    ids = _fanout(len(authors), viewer.is_moderator, position is not None).bindparams(**values).subquery("ids")
    rows = session.scalars(select(Post).where(Post.id.in_(select(ids.c.id))).order_by(*NEWEST))
    return _cut(list(rows), size)


@lru_cache(maxsize=512)
def _fanout(authors: int, moderator: bool, after: bool) -> TextualSelect:
    """The ids of the newest posts of each of `authors` people and of the announcements, as one statement.

    Written as SQL text, made once per shape: SQLAlchemy would build and compile a statement of up to
    two hundred parts on every request. The conditions are visible_to's and _after's.
    """
    visible = "deleted_at IS NULL AND published_at IS NOT NULL"
    if not moderator:
        visible += " AND (hidden_at IS NULL OR author_id = :viewer)"
    if after:
        visible += " AND (published_at < :stamp OR (published_at = :stamp AND id < :post_id))"
    # `= true`, not `IS true`: PostgreSQL walks an index only for the former.
    sources = [f"author_id = :a{n}" for n in range(authors)] + ["is_announcement = true"]
    branches = " UNION ".join(f"SELECT * FROM (SELECT id, published_at FROM posts WHERE {source} AND {visible} "
                              f"ORDER BY published_at DESC, id DESC LIMIT :size) AS b{n}"
                              for n, source in enumerate(sources))
    statement = text(f"SELECT id FROM ({branches}) AS newest ORDER BY published_at DESC, id DESC LIMIT :size")
    params = [bindparam("stamp", type_=DateTime)] if after else []
    return statement.bindparams(*params).columns(column("id", Integer))


def latest(session: Session, viewer: User | None, cursor: str | None = None) -> Page:
    """Everyone's posts, newest first."""
    return _page(session, select(Post).where(visible_to(viewer)), viewer, cursor)


def announcements(session: Session, viewer: User | None, limit: int = 3) -> list[Post]:
    """Pinned staff announcements, newest first."""
    return list(session.scalars(select(Post).where(visible_to(viewer), Post.is_announcement.is_(True))
                                .order_by(Post.published_at.desc(), Post.id.desc()).limit(limit)))


@dataclass
class Stream:
    """The community page's posts (latest or trending) and its pinned announcements."""

    page: Page
    pinned: list[Post]


def community_stream(session: Session, viewer: User | None, tab: str, cursor: str | None) -> Stream:
    page = trending(session, viewer) if tab == "trending" else latest(session, viewer, cursor)
    return Stream(page, announcements(session, viewer))


def trending_score(post: Post, now: datetime) -> float:
    """Hacker-News-style decay: (likes + 2 x comments + 1) / (age in hours + 2) ^ 1.5.

    Comments weigh double (a conversation beats a tap); the +2 hours keeps a brand-new
    post from jumping to the top on its first like; 1.5 makes a day-old post need about
    ten times the activity of a fresh one.
    """
    age_hours = max((now - post.published_at).total_seconds() / 3600, 0)
    return (post.like_count + 2 * post.comment_count + 1) / math.pow(age_hours + 2, 1.5)


def trending(session: Session, viewer: User | None, limit: int = PAGE_SIZE) -> Page:
    """The liveliest posts of the last two weeks (scored in Python over the newest few hundred)."""
    now = utcnow()
    candidates = list(session.scalars(select(Post).where(visible_to(viewer), Post.published_at >= now - TRENDING_WINDOW)
                                      .order_by(Post.published_at.desc(), Post.id.desc()).limit(TRENDING_CANDIDATES)))
    posts = sorted(candidates, key=lambda p: trending_score(p, now), reverse=True)[:limit]
    return Page(posts, None)


def hashtag_posts(session: Session, name: str, viewer: User | None, cursor: str | None = None) -> Page:
    """Posts with this hashtag, newest first."""
    tagged = select(PostHashtag.post_id).join(Hashtag).where(Hashtag.name == name.lower())
    return _page(session, select(Post).where(visible_to(viewer), Post.id.in_(tagged)), viewer, cursor)


def member_posts(session: Session, member: User, viewer: User | None, cursor: str | None = None) -> Page:
    """One member's posts, newest first (their profile page)."""
    return _page(session, select(Post).where(visible_to(viewer), Post.author_id == member.id), viewer, cursor)


def unanswered_questions(session: Session, limit: int = 100) -> list[Post]:
    """Questions nobody has answered yet, oldest first: the ones to answer now."""
    return list(session.scalars(select(Post).where(visible_to(None), Post.is_question.is_(True), Post.answer_id.is_(None))
                                .order_by(Post.published_at, Post.id).limit(limit)))


def can_open(post: Post, viewer: User | None) -> bool:
    """Whether the viewer may open the post's page: never once deleted; while scheduled, only its author
    and staff; while hidden, only its author and the moderators."""
    if post.deleted_at is not None:
        return False
    signed_in = viewer is not None and viewer.is_authenticated
    mine = signed_in and viewer.id == post.author_id
    if post.published_at is None and not (mine or (signed_in and viewer.is_staff)):
        return False
    return post.hidden_at is None or mine or (signed_in and viewer.is_moderator)


def post_of_photo_or_404(session: Session, name: str, viewer: User | None) -> Post:
    """The post a photo file (or its thumbnail) belongs to, checked on every request: 404 unless the
    viewer may open that post now."""
    post = session.scalar(select(Post).join(Photo, Photo.post_id == Post.id)
                          .where(or_(Photo.filename == name, Photo.thumbnail == name)).limit(1))
    if post is None or not can_open(post, viewer):
        abort(404)
    return post


def get_post_or_404(session: Session, post_id: int, viewer: User | None) -> Post:
    """The post, if this viewer may open it."""
    post = session.scalar(select(Post).where(Post.id == post_id))
    if post is None or not can_open(post, viewer):
        abort(404)
    return post


def get_comment_or_404(session: Session, comment_id: int) -> Comment:
    """The comment, unless it was deleted."""
    comment = session.get(Comment, comment_id)
    if comment is None or comment.deleted_at is not None:
        abort(404)
    return comment


def get_visible_comment_or_404(session: Session, comment_id: int, viewer: User) -> Comment:
    """A comment the viewer may see: not deleted, hidden only for its author and the moderators, under a
    post they may open."""
    comment = get_comment_or_404(session, comment_id)
    if comment.hidden_at is not None and not (viewer.is_moderator or comment.author_id == viewer.id):
        abort(404)
    if not can_open(comment.post, viewer):
        abort(404)
    return comment


def member_by_handle_or_404(session: Session, username: str) -> User:
    """The member an @handle names (handles are stored lower-case), or, while a handle freed by a rename is
    reserved, the member who gave it up: old mentions link to `/@old` and still mean them."""
    handle = username.lower()
    member = session.scalar(select(User).where(User.username == handle, User.deleted_at.is_(None)))
    if member is None:
        member = handles.former_holder(session, handle)
    if member is None:
        abort(404)
    return member


@dataclass
class Thread:
    comments: list[Comment]  # top-level, oldest first
    replies: dict[int, list[Comment]]
    liked: set[int]
    # Top-level comments that were deleted or hidden but still have replies to show:
    # drawn as a placeholder, so the replies keep their context.
    placeholders: set[int] = field(default_factory=set)


def thread(session: Session, post: Post, viewer: User | None) -> Thread:
    """A post's comments with their replies, in two queries whatever their number."""
    signed_in = viewer is not None and viewer.is_authenticated
    rows = list(session.scalars(select(Comment).where(Comment.post_id == post.id).order_by(Comment.created_at, Comment.id)))

    def shown(comment: Comment) -> bool:
        if comment.deleted_at is not None:
            return False
        return comment.hidden_at is None or (signed_in and (viewer.is_moderator or comment.author_id == viewer.id))

    replies: dict[int, list[Comment]] = {}
    for comment in rows:
        if comment.parent_id is not None and shown(comment):
            replies.setdefault(comment.parent_id, []).append(comment)
    top = [c for c in rows if c.parent_id is None and (shown(c) or c.id in replies)]
    placeholders = {c.id for c in top if not shown(c)}
    rows = [c for c in rows if shown(c)]
    liked: set[int] = set()
    if viewer is not None and viewer.is_authenticated and rows:
        liked = set(session.scalars(select(CommentLike.comment_id).where(
            CommentLike.user_id == viewer.id, CommentLike.comment_id.in_([c.id for c in rows]))))
    return Thread(top, replies, liked, placeholders)


def follow_counts(session: Session, member: User) -> tuple[int, int]:
    """How many follow the member, and how many they follow: counted once per version of the member's topic, which
    a follow and an unfollow bump for both members (no other request writes them: a deleted account's follows stay)."""
    def count() -> tuple[int, int]:
        followers = session.scalar(select(func.count()).select_from(Follow).where(Follow.followed_id == member.id)) or 0
        following = session.scalar(select(func.count()).select_from(Follow).where(Follow.follower_id == member.id)) or 0
        return followers, following

    return remembered(f"follow-counts:{member.id}", [f"member:{member.id}"], count)


def is_following(session: Session, viewer: User | None, member: User) -> bool:
    """Whether the viewer follows the member."""
    if viewer is None or not viewer.is_authenticated or viewer.id == member.id:
        return False
    return session.scalar(select(Follow.follower_id).where(Follow.follower_id == viewer.id,
                                                           Follow.followed_id == member.id)) is not None


def export_member_data(session: Session, member: User) -> dict:
    """The member's community contributions, for the JSON export of their data."""
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() + "Z" if value else None

    posts = session.scalars(select(Post).where(Post.author_id == member.id, Post.deleted_at.is_(None)).order_by(Post.id))
    comments = session.scalars(select(Comment).where(Comment.author_id == member.id, Comment.deleted_at.is_(None))
                               .order_by(Comment.id))
    return {
        "posts": [{"id": p.id, "text": p.body, "question": p.is_question, "published_at": iso(p.published_at),
                   "photos": len(p.photos), "likes": p.like_count} for p in posts],
        "comments": [{"id": c.id, "post_id": c.post_id, "text": c.body, "created_at": iso(c.created_at)} for c in comments],
        "liked_posts": list(session.scalars(select(PostLike.post_id).where(PostLike.user_id == member.id))),
        "following": list(session.scalars(select(User.username).join(Follow, Follow.followed_id == User.id)
                                          .where(Follow.follower_id == member.id))),
    }
