"""Likes on posts and comments: one per member, counted exactly, told once."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from portal.community import moderation, queries, service, social
from portal.community.models import Comment, CommentLike, NotificationKind, Post
from portal.community.service import CommunityError, Gone
from portal.extensions import db
from portal.kernel.timeutil import utcnow

from .helpers import event_count, like_count, notes, post_like_rows

# -- post likes --------------------------------------------------------------------------


def test_like_and_unlike_keep_the_counter_equal_to_the_likes(app, alice, bob, carol, make_post):
    post = make_post(alice)

    assert social.toggle_post_like(db.session, post, bob) is True
    assert social.toggle_post_like(db.session, post, carol) is True
    assert like_count(Post, post) == post_like_rows(post) == 2

    assert social.toggle_post_like(db.session, post, bob) is False
    assert like_count(Post, post) == post_like_rows(post) == 1
    assert queries.liked_posts(db.session, carol, [post]) == {post.id}
    assert queries.liked_posts(db.session, bob, [post]) == set()


def test_a_like_writes_given_and_received_events_and_unliking_retracts_them(app, alice, bob, make_post):
    post = make_post(alice)

    social.toggle_post_like(db.session, post, bob)
    assert event_count("like_given", user_id=bob.id, post_id=post.id) == 1
    assert event_count("like_received", user_id=alice.id, post_id=post.id, other_user_id=bob.id) == 1

    social.toggle_post_like(db.session, post, bob)
    assert event_count("like_given") == 0 and event_count("like_received") == 0


def test_the_author_is_told_of_a_like_once(app, alice, bob, make_post):
    post = make_post(alice)

    social.toggle_post_like(db.session, post, bob)

    [note] = notes(alice)
    assert (note.kind, note.actor_id, note.post_id) == (NotificationKind.LIKE, bob.id, post.id)
    assert alice.unread_notifications == 1


def test_liking_ones_own_post_tells_nobody_and_earns_nothing_received(app, alice, make_post):
    post = make_post(alice)

    assert social.toggle_post_like(db.session, post, alice) is True

    assert notes(alice) == []
    assert event_count("like_received") == 0
    assert like_count(Post, post) == 1


@pytest.mark.parametrize("how", ["deleted", "hidden", "scheduled"])
def test_liking_a_post_that_is_not_visible_is_refused(app, alice, bob, staff, moderator, make_post, how):
    if how == "scheduled":
        post = make_post(staff, publish_at=utcnow() + timedelta(hours=1))
    else:
        post = make_post(alice)
        if how == "deleted":
            service.delete_post(db.session, post, alice)
        else:
            moderation.hide(db.session, moderator, post=post)

    with pytest.raises(Gone):
        social.toggle_post_like(db.session, post, bob)

    assert post_like_rows(post) == 0 and like_count(Post, post) == 0
    assert event_count("like_given") == 0


def test_a_like_given_before_the_post_was_hidden_can_still_be_taken_back(app, alice, bob, moderator, make_post):
    post = make_post(alice)
    social.toggle_post_like(db.session, post, bob)
    moderation.hide(db.session, moderator, post=post)

    assert social.toggle_post_like(db.session, post, bob) is False
    assert like_count(Post, post) == post_like_rows(post) == 0


def test_suspended_members_cannot_like(app, alice, established, make_post):
    post = make_post(alice)
    troll = established(suspended_until=utcnow() + timedelta(days=1), suspension_reason="Spam")

    with pytest.raises(CommunityError):
        social.toggle_post_like(db.session, post, troll)

    assert post_like_rows(post) == 0


def test_a_like_that_loses_a_race_with_the_same_members_other_request_counts_once(app, alice, bob, make_post):
    """Two tabs, one like: the second INSERT hits the primary key and the member still likes it, once."""
    post = make_post(alice)
    post_id, bob_id = post.id, bob.id
    engine = db.engine
    fired = []

    def the_other_request_wins(conn, cursor, statement, parameters, context, executemany):
        if fired or not statement.lstrip().upper().startswith("INSERT INTO POST_LIKES"):
            return
        fired.append(True)
        if engine.dialect.name == "postgresql":
            # A real second request: its own app context, session and connection, committing first.
            errors = []

            def other():
                try:
                    with app.app_context():
                        social.toggle_post_like(db.session, db.session.get(Post, post_id), db.session.get(type(bob), bob_id))
                        db.session.remove()
                except Exception as exc:  # pragma: no cover - reported below
                    errors.append(exc)

            worker = threading.Thread(target=other)
            worker.start()
            worker.join(30)
            assert not errors, errors
        else:
            # SQLite serialises writers: our transaction holds the write lock, so the other
            # request's writes are committed through this connection just before our INSERT.
            raw = conn.connection.dbapi_connection
            raw.execute("INSERT INTO post_likes (user_id, post_id, created_at) VALUES (?, ?, ?)",
                        (bob_id, post_id, utcnow().isoformat(" ")))
            raw.execute("UPDATE posts SET like_count = like_count + 1 WHERE id = ?", (post_id,))
            raw.commit()

    sa.event.listen(engine, "before_cursor_execute", the_other_request_wins)
    try:
        assert social.toggle_post_like(db.session, post, bob) is True
    finally:
        sa.event.remove(engine, "before_cursor_execute", the_other_request_wins)

    assert fired
    db.session.expire_all()
    assert like_count(Post, post) == post_like_rows(post) == 1
    assert queries.liked_posts(db.session, bob, [post]) == {post.id}
    if db.engine.dialect.name == "postgresql":
        assert event_count("like_given", user_id=bob_id) == 1
        assert len(notes(alice, NotificationKind.LIKE)) == 1


def test_two_simultaneous_likes_by_one_member_leave_counter_and_rows_equal(app, alice, bob, make_post):
    post = make_post(alice)
    post_id, bob_id = post.id, bob.id
    start = threading.Barrier(2)
    results, errors = [], []

    def tap():
        try:
            with app.app_context():
                start.wait(10)
                results.append(social.toggle_post_like(db.session, db.session.get(Post, post_id),
                                                        db.session.get(type(bob), bob_id)))
                db.session.remove()
        except Exception as exc:
            errors.append(exc)

    workers = [threading.Thread(target=tap) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)

    assert not errors, errors
    assert len(results) == 2
    db.session.expire_all()
    rows_now = post_like_rows(post)
    assert rows_now in (0, 1)
    assert like_count(Post, post) == rows_now
    assert event_count("like_given", user_id=bob_id) == rows_now
    assert event_count("like_received", user_id=alice.id) == rows_now


# -- comment likes -----------------------------------------------------------------------


def test_comment_likes_toggle_count_event_and_notify(app, alice, bob, carol, make_post, make_comment):
    post = make_post(alice)
    comment = make_comment(post, bob)

    assert social.toggle_comment_like(db.session, comment, carol) is True
    assert like_count(Comment, comment) == 1
    assert event_count("like_given", user_id=carol.id, comment_id=comment.id) == 1
    assert event_count("like_received", user_id=bob.id, comment_id=comment.id) == 1
    [note] = notes(bob, NotificationKind.LIKE)
    assert (note.actor_id, note.comment_id, note.post_id) == (carol.id, comment.id, post.id)
    assert queries.thread(db.session, post, carol).liked == {comment.id}

    assert social.toggle_comment_like(db.session, comment, carol) is False
    assert like_count(Comment, comment) == 0
    assert event_count("like_given") == 0 and event_count("like_received") == 0
    assert db.session.scalar(select(sa.func.count()).select_from(CommentLike)) == 0


def test_liking_ones_own_comment_tells_nobody(app, alice, bob, make_post, make_comment):
    post = make_post(alice)
    comment = make_comment(post, bob)

    social.toggle_comment_like(db.session, comment, bob)

    assert notes(bob) == []
    assert like_count(Comment, comment) == 1


@pytest.mark.parametrize("how", ["comment deleted", "comment hidden", "post deleted"])
def test_liking_a_comment_that_is_gone_is_refused(app, alice, bob, carol, moderator, make_post, make_comment, how):
    post = make_post(alice)
    comment = make_comment(post, bob)
    if how == "comment deleted":
        service.delete_comment(db.session, comment, bob)
    elif how == "comment hidden":
        moderation.hide(db.session, moderator, comment=comment)
    else:
        service.delete_post(db.session, post, alice)

    with pytest.raises(Gone):
        social.toggle_comment_like(db.session, comment, carol)

    assert like_count(Comment, comment) == 0
    assert notes(bob, NotificationKind.LIKE) == []


