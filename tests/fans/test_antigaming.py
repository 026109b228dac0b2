"""Anti-gaming: self-likes and self-votes, the pair cap, the daily cap, new, unverified and suspended accounts,
and likes that count toward a tier only from enough distinct members. Each cap shows on the ledger."""
from __future__ import annotations

from datetime import timedelta

import pytest

from portal.community import moderation, social
from portal.community import service as community
from portal.community.models import Post
from portal.extensions import db
from portal.fans import rules, scoring, service, tiers
from portal.feedback import service as feedback
from portal.feedback import triage
from portal.feedback.models import Visibility

from .core_fixtures import formula, ledger, settings_form, snapshot, standing, weights_form


def _post(author, text=None):
    return community.create_post(db.session, author, body=text or f"A post by {author.display_name} {len(ledger(author))}")


def _marks(user, kind):
    return [(e.points, e.limited) for e in ledger(user, kind)]


@pytest.fixture
def board(admin, request_context):
    return triage.save_board(db.session, admin, None, name="Ideas", slug="ideas", description="",
                             visibility=Visibility.PUBLIC, vote_budget=50, categories="")


def test_self_likes_and_self_votes_earn_nothing(people, board):
    alice = people()
    post = _post(alice)
    social.toggle_post_like(db.session, post, alice)
    comment = community.add_comment(db.session, post, alice, body="Me again")
    social.toggle_comment_like(db.session, comment, alice)
    assert _marks(alice, "like_given") == [(0, "self"), (0, "self")]
    assert _marks(alice, "like_received") == []
    idea, voted = feedback.submit_idea(db.session, board, alice, title="Lighter tent poles")
    assert voted
    assert _marks(alice, "idea_vote") == [(0, "self")]
    assert standing(alice).lifetime == (5 + 2 + 5) * rules.MILLI  # post, comment, idea: nothing for the self-acts


def test_likes_between_two_members_count_three_a_day(people, clock):
    alice, bob = people(), people()
    posts = [_post(alice, f"Post {n}") for n in range(4)]
    comment = community.add_comment(db.session, posts[0], alice, body="And a comment")
    for post in posts:
        social.toggle_post_like(db.session, post, bob)
    social.toggle_comment_like(db.session, comment, bob)  # comment likes share the pair's allowance
    assert _marks(bob, "like_given") == [(500, None)] * 3 + [(0, "pair_cap")] * 2
    assert _marks(alice, "like_received") == [(1000, None)] * 3 + [(0, "pair_cap")] * 2
    carol = people()
    social.toggle_post_like(db.session, posts[3], carol)  # another member: their own allowance
    assert _marks(alice, "like_received")[-1] == (1000, None)

    clock.advance(days=1)  # a new day: the pair may like again
    fresh = _post(alice, "Tomorrow's post")
    social.toggle_post_like(db.session, fresh, bob)
    assert _marks(bob, "like_given")[-1] == (500, None)
    assert _marks(alice, "like_received")[-2:] == [(1000, None), (1000, None)]
    assert snapshot()[alice.id] == formula(alice, as_of=standing(alice).scored_day)


def test_an_unlike_frees_the_pairs_allowance_and_gives_back_nothing_more(people):
    alice, bob = people(), people()
    posts = [_post(alice, f"Post {n}") for n in range(3)]
    for post in posts:
        social.toggle_post_like(db.session, post, bob)
    before = standing(bob).lifetime
    social.toggle_post_like(db.session, posts[0], bob)  # unlike: the event and its points go
    assert standing(bob).lifetime == before - 500
    social.toggle_post_like(db.session, posts[0], bob)  # like again: one of three again, earns again
    assert _marks(bob, "like_given") == [(500, None)] * 3
    assert standing(bob).lifetime == before


def test_a_cap_per_kind_per_day_with_the_partial_event_on_the_boundary(people, admin, clock):
    service.save_settings(db.session, admin, settings_form(daily_cap=12), weights_form())
    alice = people()
    for n in range(4):
        _post(alice, f"Capped post {n}")
    assert _marks(alice, "post") == [(5000, None), (5000, None), (2000, "daily_cap"), (0, "daily_cap")]
    first = db.session.get(Post, ledger(alice, "post")[0].post_id)
    community.add_comment(db.session, first, alice, body="Still counts")  # the cap is per kind
    assert _marks(alice, "comment") == [(2000, None)]
    clock.advance(days=1)
    _post(alice, "A new day")
    assert _marks(alice, "post")[-1] == (5000, None)
    assert standing(alice).lifetime == (12 + 2 + 5) * rules.MILLI


def test_new_unverified_and_suspended_accounts_earn_nothing_with_the_reason(people, make_member, clock, moderator):
    bob = people()
    newcomer = make_member(created_at=clock.now - timedelta(hours=3))
    _post(newcomer, "Hello, I am new here")
    assert _marks(newcomer, "post") == [(0, "new_account")]
    unverified = people(email_verified_at=None)
    social.follow(db.session, bob, unverified)  # an unverified member cannot write, but can be followed
    assert _marks(unverified, "follower_gained") == [(0, "unverified")]
    carol = people()
    post = _post(carol, "Before my suspension")
    moderation.suspend(db.session, moderator, carol, days=3, reason="Spam in the comments")
    social.toggle_post_like(db.session, post, bob)
    assert _marks(carol, "like_received") == [(0, "suspended")]
    assert _marks(carol, "post") == [(5000, None)]
    assert [e.voided for e in ledger(carol, "post")] == ["suspended"]
    assert standing(carol).score == 0
    assert standing(newcomer).score == standing(unverified).score == 0

    clock.advance(days=1)  # the newcomer's account is a day old now: it earns
    _post(newcomer, "My second day")
    assert _marks(newcomer, "post")[-1] == (5000, None)


def test_likes_count_toward_a_tier_only_from_enough_distinct_members(people):
    alice = people()
    post = _post(alice, "Like me")
    likers = [people() for _ in range(5)]
    settings = rules.settings(db.session)
    for liker in likers[:4]:
        social.toggle_post_like(db.session, post, liker)
    kept = standing(alice)
    liked_by = tiers.givers(db.session, [alice.id]).get(alice.id, 0)
    assert liked_by == 4
    assert scoring.points_of(kept.score) == pytest.approx(9)  # the score counts every like
    assert tiers.tier_score(kept, liked_by, settings) == pytest.approx(5)  # not toward a tier: 4 < 5 givers
    social.toggle_post_like(db.session, post, likers[4])
    kept = standing(alice)
    liked_by = tiers.givers(db.session, [alice.id])[alice.id]
    assert liked_by == 5
    assert tiers.tier_score(kept, liked_by, settings) == pytest.approx(10)


def test_likes_capped_or_from_oneself_do_not_make_a_giver(people):
    alice, bob = people(), people()
    posts = [_post(alice, f"Post {n}") for n in range(5)]
    for post in posts:
        social.toggle_post_like(db.session, post, bob)
        social.toggle_post_like(db.session, post, alice)
    assert tiers.givers(db.session, [alice.id]) == {alice.id: 1}
