"""Community rules for what members do to each other's words and to each other: likes,
accepted answers, follows. Each public function is a use case that commits once."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..fans import service as fans
from ..kernel.notifications import notify
from ..kernel.pagecache import invalidate
from ..kernel.uow import after_commit, commit, use_case
from .models import Comment, CommentLike, Follow, NotificationKind, Post, PostLike
from .posting import Gone, Missing, check_can_write, page_topics, refuse, visible_or_gone


def _added(session: Session, like: PostLike | CommentLike, target: type[Post] | type[Comment], target_id: int) -> bool:
    """Insert the like; False if the same member's other request liked it a moment ago (count it once).

    Raises Missing when the post or comment is no longer in the database.
    """
    try:
        session.add(like)
        session.flush()
    except IntegrityError:
        session.rollback()
        if session.scalar(select(exists().where(target.id == target_id))):
            return False
        raise Missing() from None
    return True


# -- likes -------------------------------------------------------------------


@use_case
def toggle_post_like(session: Session, post: Post, user: User) -> bool:
    """Like, or take back a like. Returns whether the member likes the post now."""
    check_can_write(user)
    removed = session.execute(delete(PostLike).where(PostLike.user_id == user.id, PostLike.post_id == post.id)).rowcount
    if removed:
        session.execute(update(Post).where(Post.id == post.id).values(like_count=Post.like_count - 1))
        fans.retract(session, user.id, "like_given", post_id=post.id)
        fans.retract(session, post.author_id, "like_received", post_id=post.id, other_user_id=user.id)
        after_commit(session, invalidate, *page_topics(post))
        commit(session)
        return False
    visible_or_gone(post)
    if not _added(session, PostLike(user_id=user.id, post_id=post.id), Post, post.id):
        return True
    session.execute(update(Post).where(Post.id == post.id).values(like_count=Post.like_count + 1))
    fans.record(session, user.id, "like_given", post_id=post.id, other_user_id=post.author_id)
    if post.author_id != user.id:
        fans.record(session, post.author_id, "like_received", post_id=post.id, other_user_id=user.id)
        notify(session, post.author_id, NotificationKind.LIKE, actor_id=user.id, post_id=post.id, once=True)
    after_commit(session, invalidate, *page_topics(post))
    commit(session)
    return True


@use_case
def toggle_comment_like(session: Session, comment: Comment, user: User) -> bool:
    """Like a comment, or take back a like. Returns whether the member likes the comment now."""
    check_can_write(user)
    removed = session.execute(delete(CommentLike).where(CommentLike.user_id == user.id,
                                                        CommentLike.comment_id == comment.id)).rowcount
    if removed:
        session.execute(update(Comment).where(Comment.id == comment.id).values(like_count=Comment.like_count - 1))
        fans.retract(session, user.id, "like_given", comment_id=comment.id)
        fans.retract(session, comment.author_id, "like_received", comment_id=comment.id, other_user_id=user.id)
        after_commit(session, invalidate, f"post:{comment.post_id}")
        commit(session)
        return False
    visible_or_gone(comment)
    visible_or_gone(comment.post)
    if not _added(session, CommentLike(user_id=user.id, comment_id=comment.id), Comment, comment.id):
        return True
    session.execute(update(Comment).where(Comment.id == comment.id).values(like_count=Comment.like_count + 1))
    fans.record(session, user.id, "like_given", comment_id=comment.id, other_user_id=comment.author_id)
    if comment.author_id != user.id:
        fans.record(session, comment.author_id, "like_received", comment_id=comment.id, other_user_id=user.id)
        notify(session, comment.author_id, NotificationKind.LIKE, actor_id=user.id, post_id=comment.post_id,
               comment_id=comment.id, once=True)
    after_commit(session, invalidate, f"post:{comment.post_id}")
    commit(session)
    return True


# -- answers -----------------------------------------------------------------


@use_case
def mark_answer(session: Session, post: Post, comment: Comment, actor: User) -> None:
    """The asker or a staff member marks a reply as the answer to a question."""
    if not post.is_question:
        raise refuse("body", _l("Only questions have answers."))
    if actor.id != post.author_id and not actor.is_staff:
        raise refuse("body", _l("Only the person who asked, or staff, can choose the answer."))
    if comment.post_id != post.id:
        raise Gone()
    if comment.author_id == post.author_id:
        raise refuse("body", _l("An answer comes from someone else than the person who asked."))
    visible_or_gone(post)
    visible_or_gone(comment)
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
    after_commit(session, invalidate, *page_topics(post), "questions")
    commit(session)


@use_case
def unmark_answer(session: Session, post: Post, actor: User) -> None:
    """The asker or a staff member takes back the answer mark: the question is open again."""
    if actor.id != post.author_id and not actor.is_staff:
        raise refuse("body", _l("Only the person who asked, or staff, can choose the answer."))
    if post.deleted_at is not None:
        raise Gone()
    if post.answer_id is None:
        return
    previous = session.get(Comment, post.answer_id)
    if previous is not None:
        fans.retract(session, previous.author_id, "answer_accepted", post_id=post.id, comment_id=previous.id)
    post.answer_id = None
    after_commit(session, invalidate, *page_topics(post), "questions")
    commit(session)


# -- follows -----------------------------------------------------------------


@use_case
def follow(session: Session, follower: User, followed: User) -> None:
    """Follow a member (it notifies them, so it is a write like any other)."""
    check_can_write(follower)
    if follower.id == followed.id:
        raise refuse("body", _l("You cannot follow yourself."))
    if not followed.is_active:
        raise Gone()
    already = session.scalar(select(exists().where(Follow.follower_id == follower.id, Follow.followed_id == followed.id)))
    if already:
        return
    try:
        session.add(Follow(follower_id=follower.id, followed_id=followed.id))
        session.flush()
    except IntegrityError:
        session.rollback()  # the same member's other request followed a moment ago
        return
    fans.record(session, followed.id, "follower_gained", other_user_id=follower.id)
    notify(session, followed.id, NotificationKind.FOLLOW, actor_id=follower.id, once=True)
    after_commit(session, invalidate, f"member:{followed.id}", f"member:{follower.id}")
    commit(session)


@use_case
def unfollow(session: Session, follower: User, followed: User) -> None:
    """Stop following a member; their posts leave the follower's feed. Harmless when not following."""
    removed = session.execute(delete(Follow).where(Follow.follower_id == follower.id,
                                                   Follow.followed_id == followed.id)).rowcount
    if removed:
        fans.retract(session, followed.id, "follower_gained", other_user_id=follower.id)
    after_commit(session, invalidate, f"member:{followed.id}", f"member:{follower.id}")
    commit(session)
