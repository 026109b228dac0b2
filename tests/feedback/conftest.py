"""Shared fixtures for the feedback board: boards, ideas, voters, staff, signed-in browsers.

Services render Markdown with url_for, so every test here runs inside a test request
context, the way a view or a job would call them.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal.accounts.models import Tier, User
from portal.extensions import db
from portal.feedback import service, triage
from portal.feedback.models import Board, Idea, Visibility, Vote, VoteBudget


@pytest.fixture(autouse=True)
def request_context(app: Flask) -> Iterator[None]:
    with app.test_request_context():
        yield


@pytest.fixture
def make_board(admin: User) -> Callable[..., Board]:
    counter = iter(range(1, 1000))

    def make(**overrides: Any) -> Board:
        n = next(counter)
        values: dict[str, Any] = {"name": f"Board {n}", "slug": f"board-{n}", "description": "",
                                  "visibility": Visibility.PUBLIC, "vote_budget": 10, "categories": "Tents\nShoes"}
        values.update(overrides)
        return triage.save_board(db.session, admin, None, **values)

    return make


@pytest.fixture
def board(make_board: Callable[..., Board]) -> Board:
    return make_board(name="Product ideas", slug="product-ideas")


@pytest.fixture
def make_idea(board: Board, make_member: Callable[..., User]) -> Callable[..., Idea]:
    """Post an idea through the service (with its author's vote); on a superfans' board, by a superfan."""
    counter = iter(range(1, 10_000))

    def make(title: str | None = None, *, author: User | None = None, on: Board | None = None, **kwargs: Any) -> Idea:
        n, target = next(counter), on or board
        if author is None:
            author = make_member(tier=Tier.SUPERFAN) if target.visibility is Visibility.SUPERFANS else make_member()
        idea, _voted = service.submit_idea(db.session, target, author, title=title or f"Idea number {n}", **kwargs)
        return idea

    return make


def vote_rows(idea: Idea) -> int:
    return db.session.scalar(select(func.count(Vote.id)).where(Vote.idea_id == idea.id))


def budget_used(user: User, board: Board) -> int:
    return db.session.scalar(select(VoteBudget.used).where(VoteBudget.user_id == user.id, VoteBudget.board_id == board.id)) or 0
