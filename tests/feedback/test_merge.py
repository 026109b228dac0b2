"""Merging a duplicate into the original (portal/feedback/triage.py merge_ideas): votes, budgets,
comments, subscribers, notifications and the engagement ledger follow."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from portal.accounts.models import Tier
from portal.extensions import db
from portal.fans.models import EngagementEvent
from portal.feedback import ledger, service, triage
from portal.feedback.models import EXPLANATION_MAX, IdeaComment, IdeaEvent, IdeaEventKind, IdeaNotice

from .conftest import budget_used, vote_rows
from .helpers import budgets_exact, events, fresh, notes, refused, set_status, subscribed, voters


@pytest.fixture
def pair(board, make_board, make_idea, make_member):
    """Build an original by Alice that Carol voted for, and a duplicate by Bob that Carol and Dan voted for."""

    def build(*, duplicate_board=None):
        alice, bob, carol, dan = (make_member(display_name=n) for n in ("Alice", "Bob", "Carol", "Dan"))
        original = make_idea("Waterproof kids boots", author=alice)
        duplicate = make_idea("Boots for kids that keep water out", author=bob, on=duplicate_board or board)
        service.cast_vote(db.session, original, carol)
        for person in (carol, dan):
            service.cast_vote(db.session, duplicate, person)
        return SimpleNamespace(original=original, duplicate=duplicate, alice=alice, bob=bob, carol=carol, dan=dan,
                               people=(alice, bob, carol, dan))

    return build


def merge(duplicate, original, actor, explanation=""):
    triage.merge_ideas(db.session, duplicate, original, actor, explanation=explanation)


def test_votes_move_and_a_double_voter_counts_once(pair, staff):
    p = pair()
    for idea in (p.original, p.duplicate):
        triage.vote_on_behalf(db.session, idea, staff, email="jo@shop.example.com", name="Jo")
    triage.vote_on_behalf(db.session, p.duplicate, staff, name="Kim, by phone", source="phone")
    merge(p.duplicate, p.original, staff, "Same **boots**.")
    assert voters(p.original) == {p.alice.id, p.bob.id, p.carol.id, p.dan.id, None}
    assert fresh(p.original).vote_count == vote_rows(p.original) == 6  # four members, Jo once, Kim
    assert fresh(p.duplicate).vote_count == vote_rows(p.duplicate) == 0
    assert p.duplicate.merged_into_id == p.original.id and not p.duplicate.is_listed
    assert events(p.carol, "idea_vote") == 1 and events(p.carol, "idea_vote", p.original) == 1
    for mover in (p.bob, p.dan):
        assert events(mover, "idea_vote", p.original) == 1 and events(mover, "idea_vote", p.duplicate) == 0
    [event] = db.session.scalars(select(IdeaEvent).where(IdeaEvent.idea_id == p.original.id))
    assert (event.kind, event.merged_idea_id, event.actor_id) == (IdeaEventKind.MERGED, p.duplicate.id, staff.id)
    assert "<strong>boots</strong>" in event.explanation_html


@pytest.mark.parametrize("scenario", ["plain", "original_done", "duplicate_declined", "other_board"])
def test_budgets_stay_exact(pair, board, make_board, staff, scenario):
    elsewhere = make_board() if scenario == "other_board" else board
    p = pair(duplicate_board=elsewhere)
    if scenario == "original_done":
        set_status(p.original, staff, "done")
    if scenario == "duplicate_declined":
        set_status(p.duplicate, staff, "declined")
    merge(p.duplicate, p.original, staff)
    budgets_exact(*p.people)
    expected = 0 if scenario == "original_done" else 1
    assert [budget_used(person, board) for person in p.people] == [expected] * 4
    if scenario == "other_board":
        assert [budget_used(person, elsewhere) for person in p.people] == [0] * 4
        assert fresh(elsewhere).idea_count == 0 and fresh(board).idea_count == 1
    else:
        assert fresh(board).idea_count == 1
    set_status(p.original, staff, "open" if scenario == "original_done" else "done")  # and after the next change
    budgets_exact(*p.people)


def test_comments_move_with_a_mark(pair, staff):
    p = pair()
    service.add_comment(db.session, p.original, p.alice, body="First!")
    kept = service.add_comment(db.session, p.duplicate, p.dan, body="Size 34 please.")
    gone = service.add_comment(db.session, p.duplicate, p.dan, body="Oops, wrong idea.")
    service.delete_comment(db.session, gone, p.dan)
    merge(p.duplicate, p.original, staff)
    assert fresh(p.original).comment_count == 2 and fresh(p.duplicate).comment_count == 0
    assert (fresh(kept).idea_id, kept.merged_from_id) == (p.original.id, p.duplicate.id)
    assert fresh(gone).idea_id == p.original.id and gone.deleted_at is not None
    assert p.original.trending == pytest.approx(ledger.recount_heat(db.session, p.original.id), abs=1e-6)


def test_a_moved_comment_deleted_later_leaves_no_engagement_behind(pair, staff):
    p = pair()
    moved = service.add_comment(db.session, p.duplicate, p.dan, body="Size 34 please.")
    merge(p.duplicate, p.original, staff)
    assert events(p.dan, "idea_comment", p.original) == 1
    service.delete_comment(db.session, fresh(moved), p.dan)
    assert events(p.dan, "idea_comment") == 0
    assert db.session.scalar(select(IdeaComment.deleted_at).where(IdeaComment.id == moved.id)) is not None


def test_subscribers_follow_the_original_and_unsubscribes_stay(pair, make_member, staff):
    p = pair()
    erin, frank, gina = make_member(), make_member(), make_member()
    service.set_subscription(db.session, p.duplicate, erin, True)
    service.cast_vote(db.session, p.duplicate, frank)
    service.set_subscription(db.session, p.duplicate, frank, False)
    service.set_subscription(db.session, p.original, gina, False)
    service.set_subscription(db.session, p.duplicate, gina, True)
    merge(p.duplicate, p.original, staff)
    assert [subscribed(person, p.original) for person in (p.bob, p.dan, erin, frank, gina)] == [
        True, True, True, False, False]
    set_status(p.original, staff, "planned")
    assert notes(erin, IdeaNotice.STATUS) and not notes(frank, IdeaNotice.STATUS)


def test_the_duplicates_voters_hear_where_their_vote_went(pair, staff):
    p = pair()
    service.cast_vote(db.session, p.duplicate, staff)
    service.set_subscription(db.session, p.duplicate, p.dan, False)  # a voter is told all the same
    merge(p.duplicate, p.original, staff)
    for person in (p.bob, p.carol, p.dan):
        [note] = notes(person, IdeaNotice.MERGED)
        assert (note.idea_id, note.detail, note.actor_id) == (p.original.id, str(p.duplicate.id), staff.id)
        assert fresh(person).unread_notifications == 1
    assert notes(p.alice, IdeaNotice.MERGED) == [] and notes(staff, IdeaNotice.MERGED) == []


def test_only_staff_merge(pair, moderator):
    p = pair()
    refused(lambda: merge(p.duplicate, p.original, moderator), "explanation", "Only staff")
    refused(lambda: merge(p.duplicate, p.original, p.alice), "explanation", "Only staff")


def test_an_idea_is_not_merged_into_itself_nor_twice(pair, make_idea, staff):
    p = pair()
    third = make_idea("A third take on boots")
    refused(lambda: merge(p.original, p.original, staff), "original_id", "into itself")
    merge(p.duplicate, p.original, staff)
    refused(lambda: merge(third, p.duplicate, staff), "original_id", "merge into that one")
    refused(lambda: merge(p.duplicate, third, staff), "original_id", "already merged")
    refused(lambda: merge(third, p.original, staff, "x" * (EXPLANATION_MAX + 1)), "explanation", str(EXPLANATION_MAX))
    assert fresh(third).merged_into_id is None and third.vote_count == 1


@pytest.mark.parametrize("side", ["duplicate", "original"])
@pytest.mark.parametrize("how", ["hidden", "deleted"])
def test_hidden_or_deleted_ideas_are_not_merged(pair, staff, moderator, side, how):
    p = pair()
    target = getattr(p, side)
    if how == "hidden":
        triage.set_hidden(db.session, target, moderator, True)
    else:
        service.delete_idea(db.session, target, staff)
    refused(lambda: merge(p.duplicate, p.original, staff), "original_id", "Hidden or deleted")


def test_the_ledger_keeps_one_vote_event_per_vote(pair, staff):
    p = pair()
    merge(p.duplicate, p.original, staff)
    vote_events = db.session.scalar(select(db.func.count(EngagementEvent.id)).where(
        EngagementEvent.kind == "idea_vote", EngagementEvent.idea_id == p.original.id))
    assert vote_events == vote_rows(p.original) == 4


@pytest.mark.parametrize(("duplicate_sees", "original_sees"), [
    ("public", "superfans"), ("superfans", "public"), ("members", "superfans"), ("superfans", "members"),
    ("public", "members"), ("members", "public")])
def test_no_merge_between_boards_that_different_people_see(make_board, make_idea, make_member, staff, duplicate_sees,
                                                           original_sees):
    fan = make_member(tier=Tier.SUPERFAN)
    duplicate = make_idea("Codename Falcon jacket", author=fan, on=make_board(visibility=duplicate_sees))
    original = make_idea("A warmer jacket", author=fan, on=make_board(visibility=original_sees))
    service.add_comment(db.session, duplicate, fan, body="The zipper is titanium.")

    refused(lambda: merge(duplicate, original, staff), "original_id", "same people can see")

    assert fresh(duplicate).merged_into_id is None and fresh(original).comment_count == 0


@pytest.mark.parametrize("visibility", ["public", "members", "superfans"])
def test_a_merge_between_two_boards_that_the_same_people_see_works(make_board, make_idea, make_member, staff, visibility):
    fan = make_member(tier=Tier.SUPERFAN)
    duplicate = make_idea("Codename Falcon jacket", author=fan, on=make_board(visibility=visibility))
    original = make_idea("A warmer jacket", author=make_member(tier=Tier.SUPERFAN), on=make_board(visibility=visibility))

    merge(duplicate, original, staff)

    assert fresh(duplicate).merged_into_id == original.id and fresh(original).vote_count == 2
