"""Comments (one level of replies), likes on posts and comments, and answers to questions."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import select, update

from portal.community import queries, service
from portal.community.models import Comment, CommentLike, Notification, NotificationKind, Post, PostLike
from portal.community.service import CommunityError, Gone
from portal.extensions import db
from portal.fans.models import EngagementEvent
from portal.timeutil import utcnow


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


# -- comments ----------------------------------------------------------------------


def test_comment_count_follows_adds_and_deletes(app, alice, bob, carol, make_post, make_comment):
    post = make_post(alice)
    first = make_comment(post, bob)
    reply = make_comment(post, carol, parent=first)
    make_comment(post, alice)
    assert comment_count(post) == live_comments(post) == 3

    service.delete_comment(db.session, reply, carol)
    service.delete_comment(db.session, reply, carol)  # twice: counted once

    assert comment_count(post) == live_comments(post) == 2


def test_comments_show_in_the_thread_oldest_first_with_replies_under_them(app, alice, bob, carol, make_post,
                                                                           make_comment):
    post = make_post(alice)
    first = make_comment(post, bob, "First!")
    second = make_comment(post, carol, "Second")
    reply = make_comment(post, alice, "Thanks Bob", parent=first)

    thread = queries.thread(db.session, post, alice)

    assert [c.id for c in thread.comments] == [first.id, second.id]
    assert [c.id for c in thread.replies[first.id]] == [reply.id]


def test_a_reply_to_a_reply_joins_the_top_level_thread(app, alice, bob, carol, make_post, make_comment):
    post = make_post(alice)
    top = make_comment(post, bob)
    reply = make_comment(post, carol, parent=top)

    nested = make_comment(post, alice, parent=reply)

    assert nested.parent_id == top.id
    assert [c.id for c in queries.thread(db.session, post, None).replies[top.id]] == [reply.id, nested.id]


@pytest.mark.parametrize("how", ["deleted", "hidden"])
def test_commenting_on_a_deleted_or_hidden_post_is_refused(app, alice, bob, moderator, make_post, rows, how):
    post = make_post(alice)
    if how == "deleted":
        service.delete_post(db.session, post, alice)
    else:
        from portal.community import moderation
        moderation.hide(db.session, moderator, post=post)

    with pytest.raises(Gone):
        service.add_comment(db.session, post, bob, body="Hello?")

    assert rows(Comment) == 0 and comment_count(post) == 0
    assert notes(alice) == []


@pytest.mark.parametrize("how", ["deleted", "hidden"])
def test_replying_to_a_deleted_or_hidden_comment_is_refused(app, alice, bob, carol, moderator, make_post,
                                                            make_comment, rows, how):
    post = make_post(alice)
    target = make_comment(post, bob)
    if how == "deleted":
        service.delete_comment(db.session, target, bob)
    else:
        from portal.community import moderation
        moderation.hide(db.session, moderator, comment=target)
    before = rows(Comment)

    with pytest.raises(Gone):
        service.add_comment(db.session, post, carol, body="Replying anyway", parent=target)

    assert rows(Comment) == before
    assert notes(bob, NotificationKind.REPLY) == []


def test_replying_under_a_deleted_thread_is_refused(app, alice, bob, carol, make_post, make_comment, rows):
    """A reply's thread is gone with its top comment: a new reply there would never be shown."""
    post = make_post(alice)
    top = make_comment(post, bob)
    reply = make_comment(post, carol, parent=top)
    service.delete_comment(db.session, top, bob)
    before, count_before = rows(Comment), comment_count(post)

    with pytest.raises(Gone):
        service.add_comment(db.session, post, alice, body="Late reply", parent=reply)

    assert rows(Comment) == before and comment_count(post) == count_before


def test_a_reply_must_belong_to_the_same_post(app, alice, bob, make_post, make_comment, rows):
    one, other = make_post(alice), make_post(alice)
    elsewhere = make_comment(other, bob)

    with pytest.raises(Gone):
        service.add_comment(db.session, one, bob, body="Crossed wires", parent=elsewhere)

    assert rows(Comment) == 1


def test_a_blank_comment_is_refused(app, alice, bob, make_post, rows):
    post = make_post(alice)

    with pytest.raises(CommunityError) as refused:
        service.add_comment(db.session, post, bob, body=" \n ")

    assert refused.value.errors["body"]
    assert rows(Comment) == 0 and comment_count(post) == 0


def test_a_duplicate_comment_is_refused(app, alice, bob, make_post, make_comment, rows):
    post = make_post(alice)
    make_comment(post, bob, "Great idea!")

    with pytest.raises(CommunityError) as refused:
        make_comment(post, bob, "great   IDEA!")

    assert "same text" in str(refused.value)
    assert rows(Comment) == 1 and comment_count(post) == 1


def test_the_same_comment_is_fine_after_five_minutes(app, alice, bob, make_post, make_comment, rows):
    post = make_post(alice)
    first = make_comment(post, bob, "Great idea!")
    db.session.execute(update(Comment).where(Comment.id == first.id).values(created_at=utcnow() - timedelta(minutes=6)))
    db.session.commit()

    make_comment(post, bob, "Great idea!")

    assert rows(Comment) == 2


def test_suspended_members_cannot_comment(app, alice, established, make_post, rows):
    post = make_post(alice)
    troll = established(suspended_until=utcnow() + timedelta(days=1), suspension_reason="Spam links")

    with pytest.raises(CommunityError) as refused:
        service.add_comment(db.session, post, troll, body="Buy now")

    assert "Spam links" in str(refused.value)
    assert rows(Comment) == 0


def test_a_comment_writes_a_comment_event_removed_on_delete(app, alice, bob, make_post, make_comment):
    post = make_post(alice)
    comment = make_comment(post, bob)
    assert event_count("comment", user_id=bob.id, comment_id=comment.id) == 1

    service.delete_comment(db.session, comment, bob)

    assert event_count("comment") == 0


def test_only_the_author_can_edit_or_delete_a_comment(app, alice, bob, make_post, make_comment, fresh):
    post = make_post(alice)
    comment = make_comment(post, bob, "Bob's words")

    with pytest.raises(CommunityError):
        service.edit_comment(db.session, comment, alice, body="Alice's words")
    with pytest.raises(CommunityError):
        service.delete_comment(db.session, comment, alice)

    fresh(comment)
    assert comment.body == "Bob's words" and comment.deleted_at is None


def test_editing_a_comment_marks_it_and_tells_only_new_mentions(app, alice, bob, carol, make_post, make_comment, fresh):
    post = make_post(alice)
    comment = make_comment(post, bob, "Agree with @alice")
    mentions_before = len(notes(alice, NotificationKind.MENTION))

    service.edit_comment(db.session, comment, bob, body="Agree with @alice and @carol")

    assert fresh(comment).edited_at is not None
    assert len(notes(alice, NotificationKind.MENTION)) == mentions_before
    assert [n.comment_id for n in notes(carol, NotificationKind.MENTION)] == [comment.id]


# -- comment notifications ---------------------------------------------------------------


def test_the_post_author_hears_of_a_comment(app, alice, bob, make_post, make_comment):
    post = make_post(alice)
    comment = make_comment(post, bob)

    [note] = notes(alice)
    assert (note.kind, note.actor_id, note.post_id, note.comment_id) == (NotificationKind.REPLY, bob.id, post.id, comment.id)


def test_commenting_on_ones_own_post_tells_nobody(app, alice, make_post, make_comment):
    post = make_post(alice)
    make_comment(post, alice)

    assert notes(alice) == []
    assert alice.unread_notifications == 0


def test_a_reply_tells_the_post_author_and_the_parent_comment_author_once_each(app, alice, bob, carol, make_post,
                                                                              make_comment):
    post = make_post(alice)
    top = make_comment(post, bob)
    alice_before = len(notes(alice))

    make_comment(post, carol, "@bob @alice I agree", parent=top)

    assert [n.kind for n in notes(bob)] == [NotificationKind.REPLY]
    assert [n.kind for n in notes(alice)][alice_before:] == [NotificationKind.REPLY]
    assert notes(carol) == []


def test_replying_in_ones_own_thread_does_not_notify_oneself(app, alice, bob, make_post, make_comment):
    post = make_post(alice)
    top = make_comment(post, bob)

    make_comment(post, bob, "Adding to my own comment, cc @bob", parent=top)

    assert notes(bob) == []
    assert [n.kind for n in notes(alice)] == [NotificationKind.REPLY, NotificationKind.REPLY]


def test_a_mention_in_a_comment_tells_a_third_member(app, alice, bob, carol, make_post, make_comment):
    post = make_post(alice)
    comment = make_comment(post, bob, "@carol you should see this")

    [note] = notes(carol)
    assert (note.kind, note.comment_id, note.actor_id) == (NotificationKind.MENTION, comment.id, bob.id)


# -- post likes --------------------------------------------------------------------------


def test_like_and_unlike_keep_the_counter_equal_to_the_likes(app, alice, bob, carol, make_post):
    post = make_post(alice)

    assert service.toggle_post_like(db.session, post, bob) is True
    assert service.toggle_post_like(db.session, post, carol) is True
    assert like_count(Post, post) == post_like_rows(post) == 2

    assert service.toggle_post_like(db.session, post, bob) is False
    assert like_count(Post, post) == post_like_rows(post) == 1
    assert queries.liked_posts(db.session, carol, [post]) == {post.id}
    assert queries.liked_posts(db.session, bob, [post]) == set()


def test_a_like_writes_given_and_received_events_and_unliking_retracts_them(app, alice, bob, make_post):
    post = make_post(alice)

    service.toggle_post_like(db.session, post, bob)
    assert event_count("like_given", user_id=bob.id, post_id=post.id) == 1
    assert event_count("like_received", user_id=alice.id, post_id=post.id, other_user_id=bob.id) == 1

    service.toggle_post_like(db.session, post, bob)
    assert event_count("like_given") == 0 and event_count("like_received") == 0


def test_the_author_is_told_of_a_like_once(app, alice, bob, make_post):
    post = make_post(alice)

    service.toggle_post_like(db.session, post, bob)

    [note] = notes(alice)
    assert (note.kind, note.actor_id, note.post_id) == (NotificationKind.LIKE, bob.id, post.id)
    assert alice.unread_notifications == 1


def test_liking_ones_own_post_tells_nobody_and_earns_nothing_received(app, alice, make_post):
    post = make_post(alice)

    assert service.toggle_post_like(db.session, post, alice) is True

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
            from portal.community import moderation
            moderation.hide(db.session, moderator, post=post)

    with pytest.raises(Gone):
        service.toggle_post_like(db.session, post, bob)

    assert post_like_rows(post) == 0 and like_count(Post, post) == 0
    assert event_count("like_given") == 0


def test_a_like_given_before_the_post_was_hidden_can_still_be_taken_back(app, alice, bob, moderator, make_post):
    from portal.community import moderation
    post = make_post(alice)
    service.toggle_post_like(db.session, post, bob)
    moderation.hide(db.session, moderator, post=post)

    assert service.toggle_post_like(db.session, post, bob) is False
    assert like_count(Post, post) == post_like_rows(post) == 0


def test_suspended_members_cannot_like(app, alice, established, make_post):
    post = make_post(alice)
    troll = established(suspended_until=utcnow() + timedelta(days=1), suspension_reason="Spam")

    with pytest.raises(CommunityError):
        service.toggle_post_like(db.session, post, troll)

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
                        service.toggle_post_like(db.session, db.session.get(Post, post_id), db.session.get(type(bob), bob_id))
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
        assert service.toggle_post_like(db.session, post, bob) is True
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
                results.append(service.toggle_post_like(db.session, db.session.get(Post, post_id),
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

    assert service.toggle_comment_like(db.session, comment, carol) is True
    assert like_count(Comment, comment) == 1
    assert event_count("like_given", user_id=carol.id, comment_id=comment.id) == 1
    assert event_count("like_received", user_id=bob.id, comment_id=comment.id) == 1
    [note] = notes(bob, NotificationKind.LIKE)
    assert (note.actor_id, note.comment_id, note.post_id) == (carol.id, comment.id, post.id)
    assert queries.thread(db.session, post, carol).liked == {comment.id}

    assert service.toggle_comment_like(db.session, comment, carol) is False
    assert like_count(Comment, comment) == 0
    assert event_count("like_given") == 0 and event_count("like_received") == 0
    assert db.session.scalar(select(sa.func.count()).select_from(CommentLike)) == 0


def test_liking_ones_own_comment_tells_nobody(app, alice, bob, make_post, make_comment):
    post = make_post(alice)
    comment = make_comment(post, bob)

    service.toggle_comment_like(db.session, comment, bob)

    assert notes(bob) == []
    assert like_count(Comment, comment) == 1


@pytest.mark.parametrize("how", ["comment deleted", "comment hidden", "post deleted"])
def test_liking_a_comment_that_is_gone_is_refused(app, alice, bob, carol, moderator, make_post, make_comment, how):
    from portal.community import moderation
    post = make_post(alice)
    comment = make_comment(post, bob)
    if how == "comment deleted":
        service.delete_comment(db.session, comment, bob)
    elif how == "comment hidden":
        moderation.hide(db.session, moderator, comment=comment)
    else:
        service.delete_post(db.session, post, alice)

    with pytest.raises(Gone):
        service.toggle_comment_like(db.session, comment, carol)

    assert like_count(Comment, comment) == 0
    assert notes(bob, NotificationKind.LIKE) == []


# -- answers ------------------------------------------------------------------------------


def test_only_questions_have_answers(app, alice, bob, make_post, make_comment, fresh):
    post = make_post(alice)
    comment = make_comment(post, bob)

    with pytest.raises(CommunityError):
        service.mark_answer(db.session, post, comment, alice)

    assert fresh(post).answer_id is None


def test_only_the_asker_or_staff_can_choose_the_answer(app, alice, bob, carol, moderator, make_post, make_comment, fresh):
    question = make_post(alice, "How do I descale it?", is_question=True)
    comment = make_comment(question, bob)

    for outsider in (carol, bob, moderator):
        with pytest.raises(CommunityError):
            service.mark_answer(db.session, question, comment, outsider)

    assert fresh(question).answer_id is None
    assert event_count("answer_accepted") == 0


def test_the_asker_marks_an_answer_and_its_author_hears_of_it(app, alice, bob, make_post, make_comment, fresh):
    question = make_post(alice, "How do I descale it?", is_question=True)
    answer = make_comment(question, bob, "Vinegar and water")

    service.mark_answer(db.session, question, answer, alice)

    assert fresh(question).answer_id == answer.id and question.is_answered
    [note] = notes(bob, NotificationKind.ANSWERED)
    assert (note.actor_id, note.comment_id) == (alice.id, answer.id)
    assert notes(alice, NotificationKind.ANSWERED) == []
    assert event_count("answer_accepted", user_id=bob.id, comment_id=answer.id) == 1


def test_staff_marking_an_answer_tells_the_asker_and_the_answerer(app, alice, bob, staff, make_post, make_comment):
    question = make_post(alice, "Where is my order?", is_question=True)
    answer = make_comment(question, bob)

    service.mark_answer(db.session, question, answer, staff)

    assert [n.actor_id for n in notes(alice, NotificationKind.ANSWERED)] == [staff.id]
    assert [n.actor_id for n in notes(bob, NotificationKind.ANSWERED)] == [staff.id]


def test_staff_answering_and_accepting_their_own_comment_tells_only_the_asker(app, alice, staff, make_post,
                                                                              make_comment):
    question = make_post(alice, "Do you ship to Belgium?", is_question=True)
    answer = make_comment(question, staff, "Yes, in three days")

    service.mark_answer(db.session, question, answer, staff)

    assert len(notes(alice, NotificationKind.ANSWERED)) == 1
    assert notes(staff, NotificationKind.ANSWERED) == []


def test_the_accepted_answer_event_moves_with_the_answer(app, alice, bob, carol, make_post, make_comment):
    question = make_post(alice, "Best recipe?", is_question=True)
    first = make_comment(question, bob)
    second = make_comment(question, carol)

    service.mark_answer(db.session, question, first, alice)
    service.mark_answer(db.session, question, second, alice)

    assert event_count("answer_accepted", user_id=bob.id) == 0
    assert event_count("answer_accepted", user_id=carol.id, comment_id=second.id) == 1

    service.unmark_answer(db.session, question, alice)
    assert event_count("answer_accepted") == 0
    assert question.answer_id is None


def test_marking_the_same_answer_twice_changes_nothing(app, alice, bob, make_post, make_comment):
    question = make_post(alice, "Battery life?", is_question=True)
    answer = make_comment(question, bob)

    service.mark_answer(db.session, question, answer, alice)
    service.mark_answer(db.session, question, answer, alice)

    assert event_count("answer_accepted") == 1
    assert len(notes(bob, NotificationKind.ANSWERED)) == 1


def test_deleting_the_answer_reopens_the_question(app, alice, bob, make_post, make_comment, fresh):
    question = make_post(alice, "Spare parts?", is_question=True)
    answer = make_comment(question, bob)
    service.mark_answer(db.session, question, answer, alice)

    service.delete_comment(db.session, answer, bob)

    assert fresh(question).answer_id is None
    assert event_count("answer_accepted") == 0
    assert [q.id for q in queries.unanswered_questions(db.session)] == [question.id]


def test_a_hidden_or_deleted_comment_cannot_be_the_answer(app, alice, bob, moderator, make_post, make_comment, fresh):
    from portal.community import moderation
    question = make_post(alice, "Warranty?", is_question=True)
    hidden = make_comment(question, bob)
    moderation.hide(db.session, moderator, comment=hidden)

    with pytest.raises(Gone):
        service.mark_answer(db.session, question, hidden, alice)

    assert fresh(question).answer_id is None


def test_unanswered_questions_lists_only_open_visible_questions_oldest_first(app, alice, bob, moderator, make_post,
                                                                            make_comment):
    from portal.community import moderation
    older = make_post(alice, "Older question?", is_question=True)
    newer = make_post(bob, "Newer question?", is_question=True)
    answered = make_post(alice, "Answered question?", is_question=True)
    make_post(alice, "Not a question")
    hidden = make_post(bob, "Hidden question?", is_question=True)
    deleted = make_post(alice, "Deleted question?", is_question=True)
    service.mark_answer(db.session, answered, make_comment(answered, bob), alice)
    moderation.hide(db.session, moderator, post=hidden)
    service.delete_post(db.session, deleted, alice)
    # Make the order a matter of publication time, not of ids.
    db.session.execute(update(Post).where(Post.id == older.id).values(published_at=utcnow() - timedelta(days=2)))
    db.session.execute(update(Post).where(Post.id == newer.id).values(published_at=utcnow() - timedelta(days=3)))
    db.session.commit()

    assert [q.id for q in queries.unanswered_questions(db.session)] == [newer.id, older.id]
