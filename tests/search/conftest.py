"""Boards of every visibility, ideas made straight with the ORM, posts written through the community's service,
and the indexes rebuilt from them."""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from markupsafe import escape

from portal.accounts.models import User
from portal.community import service as community
from portal.community.models import Post
from portal.extensions import db
from portal.feedback.models import Board, Idea, Visibility
from portal.kernel.timeutil import utcnow
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


@pytest.fixture
def writer(make_member: Callable[..., User]) -> User:
    """A member of a month's standing (no first-day limit on posts)."""
    return make_member(display_name="Alex Writer", email="alex@example.com", created_at=utcnow() - timedelta(days=30))


@pytest.fixture
def make_post(writer: User) -> Callable[..., Post]:
    """Publish a post through the community's service: it is indexed after its commit, as in real use."""

    def make(body: str, author: User | None = None, **kwargs: Any) -> Post:
        return community.create_post(db.session, author or writer, body=body, **kwargs)

    return make


@pytest.fixture
def reindex_all(app) -> Callable[[], dict[str, int]]:
    """Rebuild every source's index from the database, as `flask portal reindex` does."""
    return lambda: service.rebuild_all(db.session, sources_of(app))
