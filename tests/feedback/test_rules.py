"""Rules the feedback views used to enforce on their own (a 404, a 403, a form error), now refused by the
services themselves, so the CLI, the jobs, the demo and any future API cannot get around them."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import event, update

from portal.accounts.models import Tier, User
from portal.extensions import db
from portal.feedback import service, triage
from portal.feedback.models import Idea, Visibility
from portal.feedback.service import NotFound

from .helpers import fresh, refused, snapshot, subscribed


def not_found(call: Callable[[], Any]) -> None:
    """Run a call that must find nothing to act on (the view's 404); nothing may be written."""
    before = snapshot()
    with pytest.raises(NotFound):
        call()
    db.session.rollback()
    assert snapshot() == before


@pytest.fixture
def secret(make_board):
    """A superfans-only board: members and moderators may not see it."""
    return make_board(name="Inner circle", slug="inner", visibility=Visibility.SUPERFANS)


def lose_tier(person: User) -> None:
    db.session.execute(update(User).where(User.id == person.id).values(tier=Tier.MEMBER))
    db.session.commit()
    db.session.expire_all()


# -- a board the member may not see does not exist for them ---------------------------------


def test_nobody_posts_on_a_board_they_may_not_see(secret, member, superfan):
    not_found(lambda: service.submit_idea(db.session, secret, member, title="Let me in on the secret"))
    idea, _voted = service.submit_idea(db.session, secret, superfan, title="Backstage tour for superfans")
    assert idea.board_id == secret.id


@pytest.mark.parametrize("action", ["vote", "unvote", "comment"])
def test_nobody_votes_or_comments_on_a_board_they_may_not_see(secret, make_idea, member, action):
    idea = make_idea("Backstage tour for superfans", on=secret)
    call = {"vote": lambda: service.cast_vote(db.session, idea, member),
            "unvote": lambda: service.withdraw_vote(db.session, idea, member),
            "comment": lambda: service.add_comment(db.session, idea, member, body="Me too!")}[action]
    not_found(call)
    assert fresh(idea).vote_count == 1 and idea.comment_count == 0


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_an_author_who_lost_sight_of_the_board_no_longer_edits_or_deletes(secret, superfan, action):
    idea, _voted = service.submit_idea(db.session, secret, superfan, title="Backstage tour for superfans")
    lose_tier(superfan)
    author = db.session.get(User, superfan.id)
    call = {"edit": lambda: service.edit_idea(db.session, idea, author, title="A longer backstage tour",
                                              description="", category_id=None),
            "delete": lambda: service.delete_idea(db.session, idea, author)}[action]
    not_found(call)
    assert fresh(idea).title == "Backstage tour for superfans" and idea.deleted_at is None


def test_only_the_author_or_staff_edit_an_idea(make_idea, member, stranger, staff):
    idea = make_idea("Lighter trekking poles", author=member)
    refused(lambda: service.edit_idea(db.session, idea, stranger, title="Taken over by someone", description="",
                                      category_id=None), "title", "Only the author or staff can edit an idea.")
    service.edit_idea(db.session, idea, staff, title="Lighter carbon trekking poles", description="", category_id=None)
    assert fresh(idea).title == "Lighter carbon trekking poles"
    assert service.may_change(idea, member) and service.may_change(idea, staff) and not service.may_change(idea, stranger)


# -- comments and subscriptions on ideas the member may not read ---------------------------


def test_a_comment_is_not_deleted_on_an_idea_its_author_may_no_longer_read(make_board, make_idea, member, moderator,
                                                                           admin):
    board = make_board()
    hidden, moved = make_idea("Hidden by a moderator"), make_idea("On a board made superfans-only", on=board)
    on_hidden = service.add_comment(db.session, hidden, member, body="Mine, before it was hidden.")
    on_moved = service.add_comment(db.session, moved, member, body="Mine, before the board changed.")
    triage.set_hidden(db.session, hidden, moderator, True)
    not_found(lambda: service.delete_comment(db.session, on_hidden, member))
    triage.save_board(db.session, admin, board, name=board.name, slug=board.slug, description="",
                      visibility=Visibility.SUPERFANS, vote_budget=10, categories="")
    not_found(lambda: service.delete_comment(db.session, on_moved, member))
    assert fresh(on_hidden).deleted_at is None and fresh(on_moved).deleted_at is None
    service.delete_comment(db.session, on_hidden, moderator)  # moderators read hidden ideas
    assert fresh(on_hidden).deleted_at is not None


def test_nobody_follows_an_idea_they_may_not_read(secret, make_idea, member, stranger, moderator):
    superfans_only, hidden = make_idea("Backstage tour for superfans", on=secret), make_idea("Hidden by a moderator")
    triage.set_hidden(db.session, hidden, moderator, True)
    not_found(lambda: service.set_subscription(db.session, superfans_only, member, True))
    not_found(lambda: service.set_subscription(db.session, hidden, stranger, True))
    service.set_subscription(db.session, hidden, hidden.author, False)  # its author still reads it
    assert fresh(hidden).id == hidden.id


def test_following_and_unfollowing_is_one_transaction_each(make_idea, member):
    idea = make_idea()
    commits: list[object] = []

    def committed(connection: object) -> None:
        commits.append(connection)

    event.listen(db.engine, "commit", committed)  # the database's COMMIT, not a savepoint's release
    try:
        service.set_subscription(db.session, idea, member, True)  # no row yet: one is added
        assert (len(commits), subscribed(member, idea)) == (1, True)
        service.set_subscription(db.session, idea, member, False)  # the row changes
        assert (len(commits), subscribed(member, idea)) == (2, False)
    finally:
        event.remove(db.engine, "commit", committed)


# -- the staff tools work on ideas that are still there --------------------------------------


@pytest.fixture
def gone(make_idea, staff):
    """`gone("merged")` or `gone("deleted")`: an idea the staff tools' pages answer 404 for."""

    def make(how: str) -> Idea:
        idea = make_idea("Kids hiking boots")
        if how == "merged":
            triage.merge_ideas(db.session, idea, make_idea("Hiking boots for children"), staff)
        else:
            service.delete_idea(db.session, idea, staff)
        return fresh(idea)

    return make


@pytest.mark.parametrize("how", ["merged", "deleted"])
@pytest.mark.parametrize("tool", ["response", "estimates", "hide"])
def test_staff_tools_refuse_a_merged_or_deleted_idea(gone, staff, how, tool):
    idea = gone(how)
    call = {"response": lambda: triage.post_response(db.session, idea, staff, text="Forged official words"),
            "estimates": lambda: triage.set_estimates(db.session, idea, staff, impact=5, effort=1),
            "hide": lambda: triage.set_hidden(db.session, idea, staff, True)}[tool]
    not_found(call)
    assert (fresh(idea).response_html, idea.impact, idea.hidden_at) == ("", None, None)


def test_only_staff_post_an_official_response(make_idea, member, moderator):
    idea = make_idea()
    for actor in (member, moderator, idea.author):
        refused(lambda actor=actor: triage.post_response(db.session, idea, actor, text="Forged official words"),
                "explanation", "Only staff")
    assert fresh(idea).response_html == ""


def test_a_moderator_does_not_hide_an_idea_on_a_board_they_may_not_see(secret, make_idea, moderator, staff):
    idea = make_idea("Backstage tour for superfans", on=secret)
    not_found(lambda: triage.set_hidden(db.session, idea, moderator, True))
    triage.set_hidden(db.session, idea, staff, True)  # staff see every board
    assert fresh(idea).hidden_at is not None


def test_an_estimate_given_alone_keeps_the_other(make_idea, staff):
    idea = make_idea()
    triage.set_estimates(db.session, idea, staff, impact=3, effort=2)
    triage.set_estimates(db.session, idea, staff, impact=5)
    assert (fresh(idea).impact, idea.effort) == (5, 2)
    triage.set_estimates(db.session, idea, staff, effort=1)
    assert (fresh(idea).impact, idea.effort, idea.priority) == (5, 1, 5.0)
    triage.set_estimates(db.session, idea, staff, impact=None)  # "–" clears it
    assert (fresh(idea).impact, idea.effort) == (None, 1)


def test_merging_into_no_idea_says_there_is_none(make_idea, staff):
    idea = make_idea("Kids hiking boots")
    refused(lambda: triage.merge_ideas(db.session, idea, None, staff), "original_id", "There is no idea with this number.")
    assert fresh(idea).merged_into_id is None
