"""Two tabs (or two staff members) acting on the same idea: the second acts on a copy read before the
first one's change was committed. Budgets, board counts and comments must come out as if they had
taken turns (portal/feedback/service.py relist and lock, and the guarded UPDATEs in change_status
and add_comment)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.extensions import db
from portal.feedback import service, triage
from portal.feedback.models import Board, Idea, IdeaComment, IdeaStatus
from portal.feedback.service import FeedbackError

from .conftest import budget_used
from .helpers import budgets_exact, fresh, rows


@pytest.fixture
def tab(app) -> Iterator[Callable[..., list[Any]]]:
    """`tab(idea, user)` opens another tab: its own session, holding its own copies of the rows, loaded now
    and left stale by whatever other tabs commit afterwards."""
    opened: list[Session] = []

    def open_tab(*objects: Any) -> list[Any]:
        session = Session(db.engine)
        opened.append(session)
        copies = [session.get(type(obj), obj.id) for obj in objects]
        for copy in copies:
            if isinstance(copy, Idea):
                copy.board  # noqa: B018  (loaded now, like a page that showed it)
        return [session, *copies]

    yield open_tab
    for session in opened:
        session.close()


@pytest.fixture
def voted(board, make_idea, make_member):
    """An idea with a second voter, who also voted for another idea (so a budget given back twice shows)."""
    author, voter = make_member(), make_member()
    idea, other = make_idea("Lighter tent pegs", author=author), make_idea("Other idea")
    for target in (idea, other):
        service.cast_vote(db.session, target, voter)
    assert budget_used(voter, board) == 2
    return idea, author, voter


def counts_exact(board: Board, *people: User) -> None:
    """Budgets equal the votes counted from the rows, and the board counts the ideas it lists."""
    db.session.expire_all()
    budgets_exact(*people)  # VoteBudget.used == service.recount_budget(...) on every board
    listed = rows(Idea, Idea.board_id == board.id, Idea.merged_into_id.is_(None), Idea.hidden_at.is_(None),
                  Idea.deleted_at.is_(None))
    assert fresh(board).idea_count == listed


def test_an_idea_deleted_in_two_tabs_gives_its_votes_back_once(board, voted, tab):
    idea, author, voter = voted
    first, second = tab(idea, author), tab(idea, author)

    for session, copy, actor in (first, second):
        service.delete_idea(session, copy, actor)

    counts_exact(board, author, voter)
    assert budget_used(voter, board) == 1 and fresh(board).idea_count == 1


def test_an_idea_hidden_in_two_tabs_gives_its_votes_back_once(board, voted, moderator, tab):
    idea, author, voter = voted
    first, second = tab(idea, moderator), tab(idea, moderator)

    for session, copy, actor in (first, second):
        triage.set_hidden(session, copy, actor, True)

    counts_exact(board, author, voter)
    assert budget_used(voter, board) == 1 and fresh(board).idea_count == 1
    assert fresh(idea).hidden_at is not None


def test_restoring_in_two_tabs_takes_the_votes_back_once(board, voted, moderator, tab):
    idea, author, voter = voted
    triage.set_hidden(db.session, idea, moderator, True)
    first, second = tab(idea, moderator), tab(idea, moderator)

    for session, copy, actor in (first, second):
        triage.set_hidden(session, copy, actor, False)

    counts_exact(board, author, voter)
    assert budget_used(voter, board) == 2 and fresh(board).idea_count == 2


def test_a_status_change_on_an_idea_hidden_meanwhile_is_refused(board, voted, moderator, staff, tab):
    idea, author, voter = voted
    hider, hidden, mod = tab(idea, moderator)
    closer, closed, actor = tab(idea, staff)
    triage.set_hidden(hider, hidden, mod, True)

    with pytest.raises(FeedbackError) as caught:
        triage.change_status(closer, closed, actor, status="done", explanation="Shipped in May.")

    assert "changed this idea a moment ago" in " ".join(str(m) for m in caught.value.errors["status"])
    counts_exact(board, author, voter)
    assert fresh(idea).status is IdeaStatus.OPEN and budget_used(voter, board) == 1


def test_deleting_after_a_hide_in_another_tab_keeps_counts_exact(board, voted, moderator, tab):
    idea, author, voter = voted
    hider, hidden, mod = tab(idea, moderator)
    remover, removed, owner = tab(idea, author)

    triage.set_hidden(hider, hidden, mod, True)
    service.delete_idea(remover, removed, owner)

    counts_exact(board, author, voter)
    assert fresh(board).idea_count == 1


def test_a_comment_on_an_idea_merged_meanwhile_is_refused_and_not_written(board, make_idea, make_member, staff, tab):
    duplicate, original = make_idea("Boots for kids that keep water out"), make_idea("Waterproof kids boots")
    commenter = make_member()
    session, stale, author = tab(duplicate, commenter)
    triage.merge_ideas(db.session, duplicate, original, staff)
    before = (fresh(duplicate).comment_count, fresh(original).comment_count, rows(IdeaComment))

    with pytest.raises(FeedbackError) as caught:
        service.add_comment(session, stale, author, body="Late to the party: size 34 please.")

    assert "merged, hidden or deleted" in " ".join(str(m) for m in caught.value.errors["body"])
    db.session.expire_all()
    assert (fresh(duplicate).comment_count, fresh(original).comment_count, rows(IdeaComment)) == before == (0, 0, 0)
    assert db.session.scalar(select(IdeaComment.id).where(IdeaComment.body.like("Late to the party%"))) is None


@pytest.mark.parametrize("how", ["hidden", "deleted"])
def test_a_comment_on_an_idea_taken_off_meanwhile_is_refused(board, make_idea, make_member, moderator, how, tab):
    idea, commenter = make_idea("Waterproof kids boots"), make_member()
    session, stale, author = tab(idea, commenter)
    if how == "hidden":
        triage.set_hidden(db.session, idea, moderator, True)
    else:
        service.delete_idea(db.session, idea, idea.author)

    with pytest.raises(FeedbackError):
        service.add_comment(session, stale, author, body="Still here?")

    assert rows(IdeaComment) == 0 and fresh(idea).comment_count == 0
