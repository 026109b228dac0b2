"""Answers to questions: who may mark one, what it earns, who hears of it."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from portal.community import moderation, queries, service, social
from portal.community.models import NotificationKind, Post
from portal.community.service import CommunityError, Gone
from portal.extensions import db
from portal.kernel.timeutil import utcnow

from .helpers import event_count, notes

# -- answers ------------------------------------------------------------------------------


def test_only_questions_have_answers(app, alice, bob, make_post, make_comment, fresh):
    post = make_post(alice)
    comment = make_comment(post, bob)

    with pytest.raises(CommunityError):
        social.mark_answer(db.session, post, comment, alice)

    assert fresh(post).answer_id is None


def test_only_the_asker_or_staff_can_choose_the_answer(app, alice, bob, carol, moderator, make_post, make_comment, fresh):
    question = make_post(alice, "How do I descale it?", is_question=True)
    comment = make_comment(question, bob)

    for outsider in (carol, bob, moderator):
        with pytest.raises(CommunityError):
            social.mark_answer(db.session, question, comment, outsider)

    assert fresh(question).answer_id is None
    assert event_count("answer_accepted") == 0


def test_the_asker_marks_an_answer_and_its_author_hears_of_it(app, alice, bob, make_post, make_comment, fresh):
    question = make_post(alice, "How do I descale it?", is_question=True)
    answer = make_comment(question, bob, "Vinegar and water")

    social.mark_answer(db.session, question, answer, alice)

    assert fresh(question).answer_id == answer.id and question.is_answered
    [note] = notes(bob, NotificationKind.ANSWERED)
    assert (note.actor_id, note.comment_id) == (alice.id, answer.id)
    assert notes(alice, NotificationKind.ANSWERED) == []
    assert event_count("answer_accepted", user_id=bob.id, comment_id=answer.id) == 1


def test_staff_marking_an_answer_tells_the_asker_and_the_answerer(app, alice, bob, staff, make_post, make_comment):
    question = make_post(alice, "Where is my order?", is_question=True)
    answer = make_comment(question, bob)

    social.mark_answer(db.session, question, answer, staff)

    assert [n.actor_id for n in notes(alice, NotificationKind.ANSWERED)] == [staff.id]
    assert [n.actor_id for n in notes(bob, NotificationKind.ANSWERED)] == [staff.id]


def test_staff_answering_and_accepting_their_own_comment_tells_only_the_asker(app, alice, staff, make_post,
                                                                              make_comment):
    question = make_post(alice, "Do you ship to Belgium?", is_question=True)
    answer = make_comment(question, staff, "Yes, in three days")

    social.mark_answer(db.session, question, answer, staff)

    assert len(notes(alice, NotificationKind.ANSWERED)) == 1
    assert notes(staff, NotificationKind.ANSWERED) == []


def test_the_accepted_answer_event_moves_with_the_answer(app, alice, bob, carol, make_post, make_comment):
    question = make_post(alice, "Best recipe?", is_question=True)
    first = make_comment(question, bob)
    second = make_comment(question, carol)

    social.mark_answer(db.session, question, first, alice)
    social.mark_answer(db.session, question, second, alice)

    assert event_count("answer_accepted", user_id=bob.id) == 0
    assert event_count("answer_accepted", user_id=carol.id, comment_id=second.id) == 1

    social.unmark_answer(db.session, question, alice)
    assert event_count("answer_accepted") == 0
    assert question.answer_id is None


def test_marking_the_same_answer_twice_changes_nothing(app, alice, bob, make_post, make_comment):
    question = make_post(alice, "Battery life?", is_question=True)
    answer = make_comment(question, bob)

    social.mark_answer(db.session, question, answer, alice)
    social.mark_answer(db.session, question, answer, alice)

    assert event_count("answer_accepted") == 1
    assert len(notes(bob, NotificationKind.ANSWERED)) == 1


def test_deleting_the_answer_reopens_the_question(app, alice, bob, make_post, make_comment, fresh):
    question = make_post(alice, "Spare parts?", is_question=True)
    answer = make_comment(question, bob)
    social.mark_answer(db.session, question, answer, alice)

    service.delete_comment(db.session, answer, bob)

    assert fresh(question).answer_id is None
    assert event_count("answer_accepted") == 0
    assert [q.id for q in queries.unanswered_questions(db.session)] == [question.id]


def test_a_hidden_or_deleted_comment_cannot_be_the_answer(app, alice, bob, moderator, make_post, make_comment, fresh):
    question = make_post(alice, "Warranty?", is_question=True)
    hidden = make_comment(question, bob)
    moderation.hide(db.session, moderator, comment=hidden)

    with pytest.raises(Gone):
        social.mark_answer(db.session, question, hidden, alice)

    assert fresh(question).answer_id is None


def test_unanswered_questions_lists_only_open_visible_questions_oldest_first(app, alice, bob, moderator, make_post,
                                                                            make_comment):
    older = make_post(alice, "Older question?", is_question=True)
    newer = make_post(bob, "Newer question?", is_question=True)
    answered = make_post(alice, "Answered question?", is_question=True)
    make_post(alice, "Not a question")
    hidden = make_post(bob, "Hidden question?", is_question=True)
    deleted = make_post(alice, "Deleted question?", is_question=True)
    social.mark_answer(db.session, answered, make_comment(answered, bob), alice)
    moderation.hide(db.session, moderator, post=hidden)
    service.delete_post(db.session, deleted, alice)
    # Make the order a matter of publication time, not of ids.
    db.session.execute(update(Post).where(Post.id == older.id).values(published_at=utcnow() - timedelta(days=2)))
    db.session.execute(update(Post).where(Post.id == newer.id).values(published_at=utcnow() - timedelta(days=3)))
    db.session.commit()

    assert [q.id for q in queries.unanswered_questions(db.session)] == [newer.id, older.id]
