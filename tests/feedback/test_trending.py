"""Trending (portal/feedback/trending.py) and the counters every change keeps: vote and comment counts,
budgets and the stored trending score stay equal to what the rows say."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.feedback import ledger, queries, service, trending
from portal.feedback.models import IdeaComment, Vote
from portal.feedback.service import NoVotesLeft
from portal.kernel.timeutil import utcnow

from .conftest import vote_rows
from .helpers import budgets_exact, fresh

T0 = datetime(2026, 3, 1, 12, 0)
VOTE, COMMENT = trending.VOTE_WEIGHT, trending.COMMENT_WEIGHT


def test_removing_an_event_gives_back_the_score_before_it():
    before = trending.add(trending.add(None, VOTE, T0), COMMENT, T0 + timedelta(hours=5))
    after = trending.add(before, VOTE, T0 + timedelta(days=2))
    assert trending.remove(after, VOTE, T0 + timedelta(days=2)) == pytest.approx(before, abs=1e-9)
    assert trending.remove(before, COMMENT, T0 + timedelta(hours=5)) == pytest.approx(trending.add(None, VOTE, T0))


def test_removing_the_last_event_asks_for_a_recount():
    assert trending.remove(trending.add(None, VOTE, T0), VOTE, T0) is None


def test_compute_equals_adding_each_event_in_turn():
    events = [(VOTE, T0), (COMMENT, T0 + timedelta(hours=1)), (VOTE, T0 - timedelta(days=400)),
              (VOTE, T0 + timedelta(days=30))]
    score = None
    for weight, when in events:
        score = trending.add(score, weight, when)
    assert trending.compute(events, T0) == pytest.approx(score, abs=1e-9)
    assert trending.compute(list(reversed(events)), T0) == pytest.approx(score, abs=1e-9)


def test_an_idea_without_events_ranks_below_one_with_a_vote_made_then():
    empty = trending.compute([], T0)
    assert empty == trending.EMPTY + trending.compute([(1.0, T0)], T0)
    assert empty < trending.add(None, VOTE, T0)


def test_a_vote_counts_half_as_much_after_three_days():
    now, then = T0, T0 - timedelta(hours=trending.HALF_LIFE_HOURS)
    fresh_vote, old_vote = trending.add(None, VOTE, now), trending.add(None, VOTE, then)
    assert trending.heat(fresh_vote, now) == pytest.approx(VOTE)
    assert trending.heat(fresh_vote, now) / trending.heat(old_vote, now) == pytest.approx(2.0)
    # Two three-day-old votes are worth one new one; the order never changes as time passes.
    two_old = trending.add(old_vote, VOTE, then)
    later = now + timedelta(days=9)
    assert trending.heat(two_old, later) == pytest.approx(trending.heat(fresh_vote, later))


def test_recent_votes_outrank_the_same_number_of_older_ones(board, make_idea, make_member, monkeypatch):
    earlier, recent = make_idea("Waited three days"), make_idea("Voted on just now")
    three_days_ago = utcnow() - timedelta(hours=trending.HALF_LIFE_HOURS)
    with monkeypatch.context() as patched:
        patched.setattr(service, "utcnow", lambda: three_days_ago)
        patched.setattr(ledger, "utcnow", lambda: three_days_ago)  # where a vote is dated
        for _ in range(2):
            service.cast_vote(db.session, earlier, make_member())
    for _ in range(2):
        service.cast_vote(db.session, recent, make_member())
    assert fresh(earlier).vote_count == fresh(recent).vote_count == 3
    assert [i.title for i in queries.list_ideas(db.session, board, None, sort="top").ideas] == [
        "Voted on just now", "Waited three days"]  # a tie on votes: the newer id first
    # Posted first, so only the age of its votes puts it below.
    oldest = db.session.scalar(select(func.min(Vote.created_at)).where(Vote.idea_id == earlier.id))
    assert oldest < utcnow() - timedelta(days=2)
    trending_order = [i.title for i in queries.list_ideas(db.session, board, None, sort="trending").ideas]
    assert trending_order == ["Voted on just now", "Waited three days"]
    now = utcnow()
    assert trending.heat(recent.trending, now) > trending.heat(earlier.trending, now)
    assert earlier.trending == pytest.approx(ledger.recount_heat(db.session, earlier.id), abs=1e-6)


def test_an_older_idea_with_recent_votes_outranks_a_newer_one_with_old_votes(board, make_idea, make_member,
                                                                              monkeypatch):
    revived = make_idea("Old idea, new votes")
    week_ago = utcnow() - timedelta(days=7)
    with monkeypatch.context() as patched:
        patched.setattr(service, "utcnow", lambda: week_ago)
        patched.setattr(ledger, "utcnow", lambda: week_ago)  # where a vote is dated
        faded = make_idea("New idea, old votes")
        for _ in range(3):
            service.cast_vote(db.session, faded, make_member())
    for _ in range(2):
        service.cast_vote(db.session, revived, make_member())
    assert fresh(faded).vote_count == 4 and fresh(revived).vote_count == 3
    assert [i.title for i in queries.list_ideas(db.session, board, None, sort="trending").ideas] == [
        "Old idea, new votes", "New idea, old votes"]


# -- every counter against the rows -------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counters_match_the_rows_after_a_random_day(board, make_idea, make_member, moderator, seed):
    rng = random.Random(seed)
    people = [make_member() for _ in range(4)]
    ideas = [make_idea(author=rng.choice(people)) for _ in range(3)]
    comments: list[IdeaComment] = []
    for step in range(60):
        idea, person = rng.choice(ideas), rng.choice(people)
        action = rng.choice(["cast", "cast", "withdraw", "comment", "delete"])
        if action == "cast":
            try:
                service.cast_vote(db.session, idea, person)
            except NoVotesLeft:
                pass
        elif action == "withdraw":
            service.withdraw_vote(db.session, idea, person)
        elif action == "comment":
            comments.append(service.add_comment(db.session, idea, person, body=f"Comment {step}"))
        elif comments:
            doomed = rng.choice(comments)
            service.delete_comment(db.session, doomed, rng.choice([doomed.author, moderator]))
    for idea in ideas:
        fresh(idea)
        live = db.session.scalar(select(func.count(IdeaComment.id)).where(
            IdeaComment.idea_id == idea.id, IdeaComment.deleted_at.is_(None)))
        assert (idea.vote_count, idea.comment_count) == (vote_rows(idea), live)
        assert idea.trending == pytest.approx(ledger.recount_heat(db.session, idea.id), abs=1e-6)
    budgets_exact(*people)
    assert sum(fresh(i).comment_count for i in ideas) == sum(c.deleted_at is None for c in map(fresh, comments))
