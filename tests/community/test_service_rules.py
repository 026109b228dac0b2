"""Rules the community's views check before calling a service, which the services enforce themselves too,
and the unit of work of the writes with side effects (photo files, mail): nothing outside the database
happens unless the transaction commits."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from portal.accounts.models import AuditEvent, Digest, User
from portal.community import moderation, notify, service, social
from portal.community.models import Comment, CommentLike, NotificationKind, Photo, Post, PostLike, Report
from portal.community.posting import CommunityError, Gone, Missing, ReplyGone
from portal.extensions import db
from portal.kernel import mail
from portal.kernel.timeutil import utcnow


def removed_by_another_request(model: type[Post] | type[Comment], row_id: int) -> None:
    """The row goes, through another connection, after this request loaded it."""
    with db.engine.begin() as other:
        other.execute(delete(model).where(model.id == row_id))


def counter(user: User) -> int:
    return db.session.scalar(select(User.unread_notifications).where(User.id == user.id))


# -- likes of what is no longer there ----------------------------------------------------------


def test_a_like_of_a_post_no_longer_in_the_database_is_refused(app, alice, bob, make_post, rows):
    post = db.session.get(Post, make_post(alice).id)  # loaded, as the like view loads it
    removed_by_another_request(Post, post.id)

    with pytest.raises(Missing):
        social.toggle_post_like(db.session, post, bob)

    assert rows(PostLike) == 0 and rows(Post) == 0


def test_a_like_of_a_comment_no_longer_in_the_database_is_refused(app, alice, bob, make_post, make_comment, rows):
    post = make_post(alice)
    comment = db.session.get(Comment, make_comment(post, alice).id)
    db.session.get(Post, post.id)
    removed_by_another_request(Comment, comment.id)

    with pytest.raises(Missing):
        social.toggle_comment_like(db.session, comment, bob)

    assert rows(CommentLike) == 0 and rows(Comment) == 0


# -- replies ------------------------------------------------------------------------------------


def test_a_reply_to_a_deleted_comment_says_the_comment_was_deleted(app, alice, bob, carol, make_post, make_comment,
                                                                    rows):
    post = make_post(alice)
    target = make_comment(post, bob)
    service.delete_comment(db.session, target, bob)

    with pytest.raises(ReplyGone):
        service.add_comment(db.session, post, carol, body="Replying anyway", parent=target)

    assert rows(Comment, Comment.deleted_at.is_(None)) == 0


def test_a_reply_to_a_hidden_comment_is_refused_as_gone_not_as_deleted(app, alice, bob, carol, moderator, make_post,
                                                                        make_comment, rows):
    post = make_post(alice)
    target = make_comment(post, bob)
    moderation.hide(db.session, moderator, comment=target)

    with pytest.raises(Gone) as refused:
        service.add_comment(db.session, post, carol, body="Replying anyway", parent=target)

    assert not isinstance(refused.value, ReplyGone)
    assert rows(Comment) == 1


# -- answers --------------------------------------------------------------------------------------


def test_the_answer_of_a_deleted_question_can_no_longer_be_unmarked(app, alice, bob, make_post, make_comment, fresh):
    question = make_post(alice, "Which size?", is_question=True)
    answer = make_comment(question, bob)
    social.mark_answer(db.session, question, answer, alice)
    service.delete_post(db.session, question, alice)

    with pytest.raises(Gone):
        social.unmark_answer(db.session, question, alice)

    assert fresh(question).answer_id == answer.id


@pytest.mark.parametrize("how", ["deleted", "hidden"])
def test_a_deleted_or_hidden_question_takes_no_answer(app, alice, bob, moderator, make_post, make_comment, fresh, how):
    question = make_post(alice, "Which colour?", is_question=True)
    answer = make_comment(question, bob)
    if how == "deleted":
        service.delete_post(db.session, question, alice)
    else:
        moderation.hide(db.session, moderator, post=question)

    with pytest.raises(Gone):
        social.mark_answer(db.session, question, answer, alice)

    assert fresh(question).answer_id is None


def test_a_deleted_comment_cannot_be_edited(app, alice, bob, make_post, make_comment, fresh):
    comment = make_comment(make_post(alice), bob, "First words")
    service.delete_comment(db.session, comment, bob)

    with pytest.raises(Gone):
        service.edit_comment(db.session, comment, bob, body="Second words")

    assert fresh(comment).body == "First words"


# -- moderation -------------------------------------------------------------------------------------


def test_a_comment_under_a_post_the_member_cannot_open_cannot_be_reported(app, alice, bob, carol, moderator,
                                                                            make_post, make_comment, rows):
    post = make_post(alice)
    comment = make_comment(post, bob, "Something rude")
    moderation.hide(db.session, moderator, post=post)

    with pytest.raises(Gone):
        moderation.report(db.session, carol, reason="Rude", comment=comment)
    assert rows(Report) == 0

    # The post's author still opens it, so may still report what was said under it.
    moderation.report(db.session, alice, reason="Rude", comment=comment)
    assert rows(Report) == 1


def test_a_comment_under_a_deleted_post_cannot_be_reported(app, alice, bob, carol, make_post, make_comment, rows):
    post = make_post(alice)
    comment = make_comment(post, bob, "Something rude")
    service.delete_post(db.session, post, alice)

    for reporter in (carol, alice):
        with pytest.raises(Gone):
            moderation.report(db.session, reporter, reason="Rude", comment=comment)

    assert rows(Report) == 0


def test_a_deleted_account_cannot_be_suspended(app, established, moderator):
    gone = established(deleted_at=utcnow())

    with pytest.raises(Gone):
        moderation.suspend(db.session, moderator, gone, days=3, reason="Spam")

    assert not db.session.get(User, gone.id).is_suspended
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_members_cannot_restore_or_lift_a_suspension(app, alice, bob, moderator, make_post, fresh):
    post = make_post(alice)
    moderation.hide(db.session, moderator, post=post)
    moderation.suspend(db.session, moderator, alice, days=3, reason="Spam")

    with pytest.raises(CommunityError):
        moderation.restore(db.session, bob, post=post)
    with pytest.raises(CommunityError):
        moderation.lift_suspension(db.session, bob, alice)

    assert fresh(post).hidden_at is not None
    assert fresh(alice).is_suspended


# -- side effects wait for the commit ---------------------------------------------------------------


def test_a_post_that_fails_after_its_photos_were_stored_keeps_no_file(app, alice, image, rows, photo_files,
                                                                       monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(service, "set_hashtags", broken)

    with pytest.raises(RuntimeError):
        service.create_post(db.session, alice, body="Two views #trail", photos=[image(), image()])

    assert rows(Post) == 0 and rows(Photo) == 0
    assert photo_files() == []


def test_a_delete_that_fails_keeps_the_post_and_its_photos(app, alice, image, make_post, photo_files, fresh,
                                                            monkeypatch):
    post = make_post(alice, "Keep me", photos=[image()])
    files = photo_files()

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(service.fans, "retract_contribution", broken)

    with pytest.raises(RuntimeError):
        service.delete_post(db.session, post, alice)

    assert fresh(post).deleted_at is None
    assert photo_files() == files and len(files) == 2


def test_each_digest_is_recorded_before_it_is_mailed_one_member_at_a_time(app, alice, bob, carol, settings, mailbox,
                                                                           monkeypatch):
    for member in (alice, bob):
        member.digest = Digest.DAILY
    db.session.commit()
    social.follow(db.session, carol, alice)
    social.follow(db.session, carol, bob)
    compose, calls = mail.compose, []

    def fails_the_second_time(to, *args, **kwargs):
        calls.append(to)
        if len(calls) == 2:
            raise RuntimeError("the template engine fell over")
        return compose(to, *args, **kwargs)

    monkeypatch.setattr(mail, "compose", fails_the_second_time)

    with pytest.raises(RuntimeError):
        notify.send_due_digests(db.session, settings)

    [sent] = mailbox()
    first, second = (db.session.scalar(select(User).where(User.email == email)) for email in calls)
    assert sent["To"] == first.email
    assert first.last_digest_at is not None  # committed, then mailed
    assert second.last_digest_at is None  # rolled back, and nothing mailed


# -- the notifications page ---------------------------------------------------------------------------


def test_opening_the_notifications_marks_read_what_it_shows(app, alice, bob, carol, make_post):
    social.toggle_post_like(db.session, make_post(alice), bob)
    social.follow(db.session, carol, alice)
    social.follow(db.session, carol, bob)

    opened = notify.open_notifications(db.session, alice)

    assert [n.kind for n in opened.items] == [NotificationKind.FOLLOW, NotificationKind.LIKE]
    assert opened.unread == {n.id for n in opened.items}  # shown as new this once
    assert all(n.read_at is not None for n in opened.items)
    assert opened.next_before is None
    assert counter(alice) == 0 and counter(bob) == 1

    again = notify.open_notifications(db.session, alice)
    assert again.unread == set()
    assert [n.id for n in again.items] == [n.id for n in opened.items]
