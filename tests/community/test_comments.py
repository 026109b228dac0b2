"""Comments (one level of replies) and who hears of them."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from portal.community import moderation, queries, service
from portal.community.models import Comment, NotificationKind
from portal.community.service import CommunityError, Gone
from portal.extensions import db
from portal.kernel.timeutil import utcnow

from .helpers import comment_count, event_count, live_comments, notes

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


