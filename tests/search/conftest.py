"""Boards of every visibility, ideas made straight with the ORM, and the index rebuilt from them."""
from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from markupsafe import escape

from portal.accounts.models import User
from portal.extensions import db
from portal.feedback.models import Board, Idea, Visibility
from portal.search import service, sources_of


@pytest.fixture
def boards(app) -> SimpleNamespace:
    made = SimpleNamespace(public=Board(slug="gear", name="Gear", visibility=Visibility.PUBLIC),
                           members=Board(slug="club", name="Club life", visibility=Visibility.MEMBERS),
                           superfans=Board(slug="inner", name="Inner circle", visibility=Visibility.SUPERFANS))
    db.session.add_all(vars(made).values())
    db.session.commit()
    return made


@pytest.fixture
def author(make_member: Callable[..., User]) -> User:
    return make_member(display_name="Idea Author", email="author@example.com")


@pytest.fixture
def make_idea(boards: SimpleNamespace, author: User) -> Callable[..., Idea]:
    """An idea on the public board unless `board` says otherwise; not indexed until `reindex()`."""

    def make(title: str, description: str = "", board: Board | None = None, **overrides: Any) -> Idea:
        idea = Idea(board_id=(board or boards.public).id, author_id=author.id, title=title, description=description,
                    description_html=f"<p>{escape(description)}</p>", trending=0.0, **overrides)
        db.session.add(idea)
        db.session.commit()
        return idea

    return make


@pytest.fixture
def reindex(app) -> Callable[[], int]:
    """Rebuild the ideas' index from the database, as `flask portal reindex` does; returns how many it holds."""
    return lambda: service.rebuild(db.session, sources_of(app), "ideas")
