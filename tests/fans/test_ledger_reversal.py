"""Undoing a contribution takes its points back exactly: unlike, unvote, deletion, hiding, a suspension, an
idea leaving "planned". What stops counting without being undone stays on the ledger, marked voided."""
from __future__ import annotations

import pytest

from portal.community import moderation, social
from portal.community import service as community
from portal.community.models import Post
from portal.extensions import db
from portal.fans import jobs
from portal.feedback import service as feedback
from portal.feedback import triage
from portal.feedback.models import IdeaStatus, Visibility

from .core_fixtures import formula, ledger, snapshot, standing


def _state(*members):
    """Each member's standing, and that it matches the ledger."""
    found = snapshot()
    for member in members:
        assert found.get(member.id, (0, 0, 0)) == formula(member, as_of=standing(member).scored_day)
    return {m.id: found.get(m.id, (0, 0, 0)) for m in members}


@pytest.fixture
def board(admin, request_context):
    return triage.save_board(db.session, admin, None, name="Ideas", slug="ideas", description="",
                             visibility=Visibility.PUBLIC, vote_budget=50, categories="")


@pytest.fixture
def pair(people):
    alice, bob = people(display_name="Alice"), people(display_name="Bob")
    community.create_post(db.session, alice, body="Something to start with")
    community.create_post(db.session, bob, body="Bob's first words")
    return alice, bob


def test_unlike_takes_back_both_sides(pair):
    alice, bob = pair
    post = community.create_post(db.session, alice, body="Like this one")
    comment = community.add_comment(db.session, post, alice, body="And this comment")
    before = _state(alice, bob)
    social.toggle_post_like(db.session, post, bob)
    social.toggle_comment_like(db.session, comment, bob)
    assert _state(alice, bob) != before
    social.toggle_post_like(db.session, post, bob)
    social.toggle_comment_like(db.session, comment, bob)
    assert _state(alice, bob) == before
    assert ledger(bob, "like_given") == [] and ledger(alice, "like_received") == []


def test_deleting_a_post_or_comment_takes_back_what_it_earned(pair):
    alice, bob = pair
    before = _state(alice, bob)
    post = community.create_post(db.session, alice, body="Soon gone", is_question=True)
    answer = community.add_comment(db.session, post, bob, body="Here is how")  # comment + reply for Bob
    social.toggle_post_like(db.session, post, bob)
    social.toggle_comment_like(db.session, answer, alice)
    social.mark_answer(db.session, post, answer, alice)
    assert [e.kind for e in ledger(bob)][-5:] == ["comment", "reply", "like_given", "like_received", "answer_accepted"]
    community.delete_comment(db.session, answer, bob)  # the comment, the reply, its like, the answer it was
    assert [e.kind for e in ledger(bob)][-1] == "like_given"
    community.delete_post(db.session, post, alice)  # the question and the like it received
    after = _state(alice, bob)
    assert after[alice.id][2] == before[alice.id][2] + 500  # Alice keeps the like she gave the comment...
    assert after[bob.id][2] == before[bob.id][2] + 500  # ...and Bob the one he gave the question


def test_unmarking_an_answer_takes_its_points_back(pair):
    alice, bob = pair
    post = community.create_post(db.session, alice, body="How do I fold it?", is_question=True)
    answer = community.add_comment(db.session, post, bob, body="Like a map")
    before = _state(bob)
    social.mark_answer(db.session, post, answer, alice)
    assert _state(bob)[bob.id][2] == before[bob.id][2] + 15_000
    social.unmark_answer(db.session, post, alice)
    assert _state(bob) == before


def test_unvote_and_deleting_an_idea_take_back_their_points(pair, board):
    alice, bob = pair
    before = _state(alice, bob)
    idea, _ = feedback.submit_idea(db.session, board, alice, title="A warmer sleeping bag")
    feedback.cast_vote(db.session, idea, bob)
    assert _state(bob)[bob.id][2] == before[bob.id][2] + 1000
    feedback.withdraw_vote(db.session, idea, bob)
    assert _state(bob)[bob.id] == before[bob.id]
    comment = feedback.add_comment(db.session, idea, alice, body="Down to minus ten")
    feedback.delete_comment(db.session, comment, alice)
    feedback.delete_idea(db.session, idea, alice)
    assert _state(alice, bob) == before


def test_an_idea_leaving_planned_takes_back_its_authors_and_voters_points(pair, board, staff):
    alice, bob = pair
    idea, _ = feedback.submit_idea(db.session, board, alice, title="Pockets on the inside")
    feedback.cast_vote(db.session, idea, bob)
    before = _state(alice, bob)
    triage.change_status(db.session, idea, staff, status=IdeaStatus.PLANNED, explanation="We like it")
    assert [(e.kind, e.points) for e in ledger(alice, "idea_planned")] == [("idea_planned", 20_000)]
    assert [(e.kind, e.points) for e in ledger(bob, "voted_idea_planned")] == [("voted_idea_planned", 2000)]
    triage.change_status(db.session, idea, staff, status=IdeaStatus.DONE, explanation="Shipped")
    assert _state(alice)[alice.id][2] == before[alice.id][2] + 60_000
    triage.change_status(db.session, idea, staff, status=IdeaStatus.PLANNED, explanation="Recalled")
    assert _state(alice)[alice.id][2] == before[alice.id][2] + 20_000
    assert ledger(bob, "voted_idea_done") == []
    triage.change_status(db.session, idea, staff, status=IdeaStatus.OPEN, explanation="Back to the drawing board")
    assert _state(alice, bob) == before


def test_hidden_content_stops_counting_and_counts_again_when_restored(pair, moderator, board):
    alice, bob = pair
    post = community.create_post(db.session, alice, body="Borderline words")
    own = community.add_comment(db.session, post, alice, body="My own comment under it")
    comment = community.add_comment(db.session, post, bob, body="Bob agrees")
    social.toggle_post_like(db.session, post, bob)
    idea, _ = feedback.submit_idea(db.session, board, alice, title="A tent for twelve")
    before = _state(alice, bob)
    moderation.hide(db.session, moderator, post=post)
    assert [e.voided for e in ledger(alice) if e.post_id == post.id and e.comment_id is None] == ["hidden"] * 2
    assert [e.voided for e in ledger(alice) if e.comment_id == own.id] == [None]  # the comment is its own
    moderation.hide(db.session, moderator, comment=comment)
    assert {e.voided for e in ledger(bob) if e.comment_id == comment.id} == {"hidden"}
    triage.set_hidden(db.session, idea, moderator, True)
    assert {e.voided for e in ledger(alice, "idea_posted")} == {"hidden"}
    assert _state(alice, bob) != before
    moderation.restore(db.session, moderator, post=post)
    moderation.restore(db.session, moderator, comment=comment)
    triage.set_hidden(db.session, idea, moderator, False)
    assert _state(alice, bob) == before
    assert all(e.voided is None for e in ledger(alice) + ledger(bob))


def test_a_suspension_voids_the_points_until_it_is_lifted(pair, moderator, clock):
    alice, bob = pair
    social.toggle_post_like(db.session, db.session.get(Post, ledger(alice, "post")[0].post_id), bob)
    before = _state(alice)
    moderation.suspend(db.session, moderator, alice, days=2, reason="Heated words")
    assert standing(alice).score == 0 and standing(alice).lifetime == 0
    assert {e.voided for e in ledger(alice)} == {"suspended"}
    moderation.lift_suspension(db.session, moderator, alice)
    assert _state(alice) == before

    moderation.suspend(db.session, moderator, alice, days=2, reason="Again")
    clock.advance(days=1)
    jobs.nightly_pass()
    assert standing(alice).lifetime == 0  # still suspended
    clock.advance(days=2)
    assert jobs.nightly_pass()["restored"] == 1  # the suspension ran out: the night gives the points back
    assert _state(alice)[alice.id][2] == before[alice.id][2]
    assert all(e.voided is None for e in ledger(alice))


def test_lifting_a_suspension_leaves_hidden_content_hidden(pair, moderator):
    alice, bob = pair
    post = community.create_post(db.session, alice, body="Hidden during the suspension")
    kept = _state(alice)
    moderation.suspend(db.session, moderator, alice, days=5, reason="Spam")
    moderation.hide(db.session, moderator, post=post)
    moderation.lift_suspension(db.session, moderator, alice)
    assert [e.voided for e in ledger(alice, "post") if e.post_id == post.id] == ["hidden"]
    assert _state(alice)[alice.id][2] == kept[alice.id][2] - 5000
    moderation.restore(db.session, moderator, post=post)
    assert _state(alice) == kept


def test_restoring_content_of_a_suspended_member_waits_for_the_suspension(pair, moderator):
    alice, bob = pair
    post = community.create_post(db.session, alice, body="Hidden first")
    kept = _state(alice)
    moderation.hide(db.session, moderator, post=post)
    moderation.suspend(db.session, moderator, alice, days=5, reason="Spam")
    moderation.restore(db.session, moderator, post=post)
    assert standing(alice).lifetime == 0
    assert {e.voided for e in ledger(alice)} == {"suspended"}
    moderation.lift_suspension(db.session, moderator, alice)
    assert _state(alice) == kept
