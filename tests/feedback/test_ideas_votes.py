"""The members' side of the board (portal/feedback/service.py): posting, votes within a budget,
comments, subscriptions, deleting an idea."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.feedback import service, triage
from portal.feedback.models import (
    COMMENT_MAX,
    DESCRIPTION_MAX,
    TITLE_MAX,
    TITLE_MIN,
    Idea,
    IdeaComment,
    IdeaNotice,
    IdeaStatus,
    Vote,
)
from portal.feedback.service import NoVotesLeft, VotingClosed
from portal.kernel.timeutil import utcnow

from .conftest import budget_used, vote_rows
from .helpers import budgets_exact, events, fresh, notes, refused, set_status, snapshot, subscribed, unread


def submit(board, author, title="Lighter tent poles", **kwargs):
    return service.submit_idea(db.session, board, author, title=title, **kwargs)


def take_off(how, idea, *, staff, moderator, other):
    """Close or unlist an idea the way staff, moderators or its author do."""
    if how in ("done", "declined"):
        set_status(idea, staff, how)
    elif how == "merged":
        triage.merge_ideas(db.session, idea, other, staff)
    elif how == "hidden":
        triage.set_hidden(db.session, idea, moderator, True)
    else:
        service.delete_idea(db.session, idea, staff)


# -- posting ---------------------------------------------------------------------


@pytest.mark.parametrize(("title", "fragment"), [("", f"at least {TITLE_MIN}"), ("  Tent  ", f"at least {TITLE_MIN}"),
                                                 ("x" * (TITLE_MIN - 1), f"at least {TITLE_MIN}"),
                                                 ("x" * (TITLE_MAX + 1), f"under {TITLE_MAX}")])
def test_a_title_too_short_or_too_long_is_refused(board, member, title, fragment):
    refused(lambda: submit(board, member, title), "title", fragment)


@pytest.mark.parametrize("length", [TITLE_MIN, TITLE_MAX])
def test_titles_at_the_limits_are_accepted(board, member, length):
    idea, _ = submit(board, member, "x" * length)
    assert fresh(idea).title == "x" * length and fresh(board).idea_count == 1


def test_an_over_long_description_is_refused(board, member):
    refused(lambda: submit(board, member, description="y" * (DESCRIPTION_MAX + 1)), "description", str(DESCRIPTION_MAX))
    idea, _ = submit(board, member, description="y" * DESCRIPTION_MAX)
    assert len(idea.description) == DESCRIPTION_MAX


def test_a_category_of_another_board_is_refused(board, make_board, member):
    elsewhere = make_board(categories="Boats")
    refused(lambda: submit(board, member, category_id=elsewhere.categories[0].id), "category_id")
    tents = next(c for c in board.categories if c.name == "Tents")
    idea, _ = submit(board, member, category_id=tents.id)
    assert fresh(idea).category.name == "Tents"


def test_the_same_title_twice_by_the_same_author_on_the_same_board_is_refused(board, make_board, member, stranger):
    submit(board, member, "Lighter tent poles")
    refused(lambda: submit(board, member, "  lighter TENT   poles "), "title", "already posted")
    assert submit(board, stranger, "Lighter tent poles")[0].id  # someone else may
    assert submit(make_board(), member, "Lighter tent poles")[0].id  # and so may the author, elsewhere


@pytest.mark.parametrize("state", [{"email_verified_at": None},
                                   {"suspended_until": utcnow() + timedelta(days=3), "suspension_reason": "Spam"}])
def test_unverified_or_suspended_members_cannot_post_or_vote(board, make_idea, make_member, state):
    blocked, idea = make_member(**state), make_idea()
    refused(lambda: submit(board, blocked), "title")
    refused(lambda: service.cast_vote(db.session, idea, blocked), "title")


def test_the_author_votes_for_and_follows_their_own_idea(board, member):
    idea, voted = submit(board, member)
    assert voted and fresh(idea).vote_count == 1 and vote_rows(idea) == 1
    assert budget_used(member, board) == 1 and service.votes_left(db.session, board, member) == 9
    assert subscribed(member, idea) is True
    assert events(member, "idea_posted", idea) == 1 and events(member, "idea_vote", idea) == 1
    assert fresh(board).idea_count == 1


def test_an_author_without_votes_left_still_posts_but_without_a_vote(make_board, member):
    small = make_board(vote_budget=1)
    submit(small, member, "First idea of the day")
    idea, voted = submit(small, member, "Second idea of the day")
    assert not voted and fresh(idea).vote_count == 0 and vote_rows(idea) == 0
    assert budget_used(member, small) == 1 and events(member, "idea_vote") == 1 and events(member, "idea_posted") == 2
    assert subscribed(member, idea) is True and fresh(small).idea_count == 2


def test_markdown_in_a_description_is_sanitised(board, member):
    idea, _ = submit(board, member, description="**Bold** <script>alert('x')</script> <img src=x onerror=alert(1)>")
    assert "<strong>Bold</strong>" in idea.description_html
    assert "<script" not in idea.description_html and "<img" not in idea.description_html  # shown as text


# -- votes -----------------------------------------------------------------------


def test_a_member_votes_once_per_idea(board, make_idea, member):
    idea = make_idea()
    assert service.cast_vote(db.session, idea, member) is True
    assert service.cast_vote(db.session, idea, member) is False
    assert fresh(idea).vote_count == 2 and vote_rows(idea) == 2
    assert budget_used(member, board) == 1 and events(member, "idea_vote", idea) == 1


def test_the_database_refuses_a_second_vote_row(make_idea, member):
    idea = make_idea()
    service.cast_vote(db.session, idea, member)
    for duplicate in (Vote(idea_id=idea.id, user_id=member.id),
                      Vote(idea_id=idea.id, user_id=idea.author_id)):
        db.session.add(duplicate)
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
    assert vote_rows(idea) == 2


def test_the_vote_budget_caps_votes_and_a_withdrawal_gives_one_back(make_board, make_idea, member):
    small = make_board(vote_budget=3)
    ideas = [make_idea(on=small) for _ in range(4)]
    for idea in ideas[:3]:
        assert service.cast_vote(db.session, idea, member)
    assert service.votes_left(db.session, small, member) == 0
    before = snapshot()
    with pytest.raises(NoVotesLeft) as caught:
        service.cast_vote(db.session, ideas[3], member)
    assert caught.value.budget == 3 and snapshot() == before
    assert service.withdraw_vote(db.session, ideas[0], member) is True
    assert service.withdraw_vote(db.session, ideas[0], member) is False
    assert fresh(ideas[0]).vote_count == 1 and events(member, "idea_vote", ideas[0]) == 0
    assert service.votes_left(db.session, small, member) == 1
    assert service.cast_vote(db.session, ideas[3], member) and fresh(ideas[3]).vote_count == 2
    assert budget_used(member, small) == 3


def test_a_board_without_a_budget_has_no_limit(make_board, make_idea, member):
    unlimited = make_board(vote_budget=None)
    for _ in range(12):
        assert service.cast_vote(db.session, make_idea(on=unlimited), member)
    assert service.votes_left(db.session, unlimited, member) is None and budget_used(member, unlimited) == 12


def test_a_visitor_sees_the_whole_budget(board):
    assert service.votes_left(db.session, board, None) == 10


@pytest.mark.parametrize("closed", ["done", "declined"])
def test_closing_an_idea_returns_its_votes_and_reopening_takes_them_back(make_board, make_idea, make_member, staff,
                                                                          closed):
    small = make_board(vote_budget=2)
    alice, bob = make_member(), make_member()
    idea, other = make_idea(author=alice, on=small), make_idea(on=small)
    service.cast_vote(db.session, idea, bob)
    service.cast_vote(db.session, other, bob)
    set_status(idea, staff, closed)
    assert budget_used(bob, small) == 1 and budget_used(alice, small) == 0
    assert service.votes_left(db.session, small, bob) == 1 and fresh(idea).vote_count == 2  # still shown
    set_status(idea, staff, IdeaStatus.OPEN)
    assert budget_used(bob, small) == 2 and budget_used(alice, small) == 1
    budgets_exact(alice, bob)


@pytest.mark.parametrize("how", ["done", "declined", "merged", "hidden", "deleted"])
@pytest.mark.parametrize("withdraw", [False, True], ids=["cast", "withdraw"])
def test_votes_are_frozen_on_closed_or_unlisted_ideas(make_idea, make_member, staff, moderator, how, withdraw):
    idea, other, voter = make_idea(), make_idea(), make_member()
    if withdraw:
        service.cast_vote(db.session, idea, voter)
    take_off(how, idea, staff=staff, moderator=moderator, other=other)
    before = snapshot()
    with pytest.raises(VotingClosed):
        (service.withdraw_vote if withdraw else service.cast_vote)(db.session, idea, voter)
    assert snapshot() == before


def test_recount_budget_matches_the_stored_budget_through_every_change(board, make_board, make_idea, make_member, staff,
                                                                        moderator):
    alice, bob, other_board = make_member(), make_member(), make_board()
    a, b, c, d = (make_idea(author=alice) for _ in range(4))
    e = make_idea(author=bob, on=other_board)
    steps = [lambda: service.cast_vote(db.session, b, bob), lambda: service.cast_vote(db.session, c, bob),
             lambda: service.cast_vote(db.session, d, bob), lambda: service.withdraw_vote(db.session, b, bob),
             lambda: set_status(c, staff, "done"), lambda: service.cast_vote(db.session, b, bob),
             lambda: set_status(c, staff, "planned"),
             lambda: triage.merge_ideas(db.session, d, c, staff),  # both voted for both
             lambda: triage.merge_ideas(db.session, e, a, staff),  # from another board
             lambda: triage.set_hidden(db.session, b, moderator, True),
             lambda: triage.set_hidden(db.session, b, moderator, False),
             lambda: service.delete_idea(db.session, a, alice)]
    for step in steps:
        step()
        budgets_exact(alice, bob)
    assert budget_used(alice, board) == 2 and budget_used(bob, board) == 2 and budget_used(bob, other_board) == 0


# -- comments --------------------------------------------------------------------


def comment(idea, author, body="Yes please, in green."):
    return service.add_comment(db.session, idea, author, body=body)


def test_a_comment_is_counted_and_tells_the_other_subscribers(make_idea, make_member):
    author, voter, commenter = make_member(), make_member(), make_member()
    idea = make_idea(author=author)
    service.cast_vote(db.session, idea, voter)
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(activity_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    stale = fresh(idea).activity_at
    made = comment(idea, commenter)
    assert fresh(idea).comment_count == 1 and idea.activity_at > stale
    assert subscribed(commenter, idea) is True and events(commenter, "idea_comment", idea) == 1
    for person in (author, voter):
        [note] = notes(person, IdeaNotice.COMMENT)
        assert note.idea_id == idea.id and note.detail == str(made.id) and unread(person) == 1
    assert notes(commenter, IdeaNotice.COMMENT) == [] and unread(commenter) == 0


@pytest.mark.parametrize("body", ["", " \n ", "z" * (COMMENT_MAX + 1)])
def test_an_empty_or_over_long_comment_is_refused(make_idea, member, body):
    idea = make_idea()
    refused(lambda: comment(idea, member, body), "body")


def test_the_same_comment_twice_within_five_minutes_is_refused(make_idea, member):
    idea = make_idea()
    first = comment(idea, member)
    refused(lambda: comment(idea, member), "body", "a moment ago")
    db.session.execute(update(IdeaComment).where(IdeaComment.id == first.id)
                       .values(created_at=utcnow() - timedelta(minutes=6)))
    db.session.commit()
    comment(idea, member)
    assert fresh(idea).comment_count == 2


@pytest.mark.parametrize("who", ["author", "moderator"])
def test_a_comment_is_deleted_by_its_author_or_a_moderator_and_counted_once(make_idea, member, moderator, who):
    idea = make_idea()
    doomed = comment(idea, member)
    comment(idea, member, "And in orange.")
    actor = member if who == "author" else moderator
    service.delete_comment(db.session, doomed, actor)
    service.delete_comment(db.session, doomed, actor)
    assert fresh(idea).comment_count == 1 and doomed.deleted_at is not None
    assert events(member, "idea_comment", idea) == 1


def test_a_stranger_cannot_delete_a_comment(make_idea, member, stranger):
    idea = make_idea()
    mine = comment(idea, member)
    refused(lambda: service.delete_comment(db.session, mine, stranger), "body", "author or a moderator")
    assert fresh(mine).deleted_at is None


@pytest.mark.parametrize("how", ["merged", "hidden", "deleted"])
def test_unlisted_ideas_take_no_comments(make_idea, member, staff, moderator, how):
    idea, other = make_idea(), make_idea()
    take_off(how, idea, staff=staff, moderator=moderator, other=other)
    refused(lambda: comment(idea, member), "body", "merged, hidden or deleted")


# -- subscriptions ---------------------------------------------------------------


def test_an_unsubscribe_sticks_through_later_votes_and_comments(make_idea, member, staff):
    idea = make_idea()
    service.cast_vote(db.session, idea, member)
    service.set_subscription(db.session, idea, member, False)
    service.withdraw_vote(db.session, idea, member)
    service.cast_vote(db.session, idea, member)
    comment(idea, member)
    assert subscribed(member, idea) is False
    set_status(idea, staff, "planned")
    assert notes(member, IdeaNotice.STATUS) == [] and unread(member) == 0
    assert len(notes(idea.author, IdeaNotice.STATUS)) == 1
    service.set_subscription(db.session, idea, member, True)
    set_status(idea, staff, "in_progress")
    assert [n.detail for n in notes(member, IdeaNotice.STATUS)] == ["in_progress"]


def test_a_stranger_is_not_subscribed_until_they_choose(make_idea, stranger):
    idea = make_idea()
    assert subscribed(stranger, idea) is None
    service.set_subscription(db.session, idea, stranger, True)
    assert subscribed(stranger, idea) is True


# -- deleting an idea --------------------------------------------------------------


@pytest.mark.parametrize("who", ["author", "staff"])
def test_the_author_or_staff_deletes_an_idea_and_its_votes_return(board, make_idea, member, staff, who):
    idea = make_idea()
    author = idea.author
    service.cast_vote(db.session, idea, member)
    service.delete_idea(db.session, idea, author if who == "author" else staff)
    assert fresh(idea).deleted_at is not None and fresh(board).idea_count == 0
    assert budget_used(member, board) == 0 and budget_used(author, board) == 0
    assert events(author, "idea_posted", idea) == 0
    budgets_exact(member, author)


def test_a_stranger_cannot_delete_an_idea(board, make_idea, stranger):
    idea = make_idea()
    refused(lambda: service.delete_idea(db.session, idea, stranger), "title", "author or staff")
    assert fresh(board).idea_count == 1
