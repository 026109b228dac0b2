"""Searching ideas: the index finds candidates, the database decides what the viewer may see.

The index can lag behind the database (a job not run yet, a lost job), so every hit is
reloaded with `listed()` and the viewer's boards: a stale entry can hide a result, never
show a merged, hidden, deleted or invisible idea.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..feedback.models import Idea, IdeaStatus
from ..feedback.queries import listed, visible_board_ids
from . import index

PER_PAGE = 20


@dataclass(frozen=True)
class SearchHit:
    idea: Idea
    title_html: Markup
    snippet_html: Markup


@dataclass(frozen=True)
class SearchResults:
    query: str
    hits: list[SearchHit]
    total: int
    page: int
    pages: int
    correction: str | None


def index_folder() -> Path:
    """Where the ideas index lives: in the instance folder, shared by every worker on the machine."""
    return Path(current_app.instance_path) / "search" / "ideas"


def document(idea: Idea) -> dict[str, Any]:
    """The fields of an idea that the index keeps."""
    return _fields(idea.id, idea.board_id, idea.status, idea.title, idea.description)


def _fields(idea_id: int, board_id: int, status: IdeaStatus, title: str, description: str | None) -> dict[str, Any]:
    return {"id": idea_id, "board": board_id, "status": status.value, "title": title, "body": description or ""}


def _board_ids(session: Session, viewer: User | None, board_id: int | None) -> list[int]:
    """The boards to search: every board the viewer sees, or just `board_id` if they see it."""
    visible = visible_board_ids(session, viewer)
    if board_id is None:
        return visible
    return [board_id] if board_id in visible else []


def _load(session: Session, ids: list[int], board_ids: list[int]) -> dict[int, Idea]:
    """The ideas among `ids` that are still listed on these boards, with their board, in one query."""
    if not ids:
        return {}
    query = select(Idea).where(Idea.id.in_(ids), Idea.board_id.in_(board_ids), listed())
    return {idea.id: idea for idea in session.scalars(query)}


def search_ideas(session: Session, viewer: User | None, text: str, page: int = 1,
                 board_id: int | None = None) -> SearchResults:
    """A page of the ideas the viewer may see that match `text`, best first, with highlights."""
    board_ids = _board_ids(session, viewer, board_id)
    found = index.search(index_folder(), text, board_ids, page, PER_PAGE)
    ideas = _load(session, [hit.id for hit in found.hits], board_ids)
    hits = [SearchHit(ideas[hit.id], hit.title_html, hit.snippet_html) for hit in found.hits if hit.id in ideas]
    # `total` counts the index's entries; a stale one dropped above can make it one or two too high.
    return SearchResults(query=text, hits=hits, total=found.total, page=found.page, pages=found.pages,
                         correction=found.correction)


def similar_ideas(session: Session, viewer: User | None, title: str, board_id: int | None = None, limit: int = 5,
                  *, exclude_id: int | None = None) -> list[Idea]:
    """Ideas the viewer may see that look like `title`: the duplicates to vote for instead of posting."""
    board_ids = _board_ids(session, viewer, board_id)
    # Ask for a few extra in case stale entries are dropped.
    ids = index.similar(index_folder(), title, board_ids, limit + 5, exclude_id=exclude_id)
    ideas = _load(session, ids, board_ids)
    return [ideas[i] for i in ids if i in ideas][:limit]


def reindex(session: Session) -> int:
    """Rebuild the whole index from the database; returns how many ideas it holds."""
    # Columns, not Idea objects: nothing to eager-load, and the session's identity map stays small.
    query = select(Idea.id, Idea.board_id, Idea.status, Idea.title, Idea.description).where(listed()).order_by(Idea.id)
    rows = session.execute(query.execution_options(yield_per=500))
    return index.rebuild(index_folder(), (_fields(*row) for row in rows))


def sync_ideas(session: Session, idea_ids: Iterable[int]) -> None:
    """Bring these ideas' index entries up to date: listed ideas are (re)indexed, the others removed."""
    ids = sorted(set(idea_ids))
    if not ids:
        return
    ideas = session.scalars(select(Idea).where(Idea.id.in_(ids))).all()
    keep = [idea for idea in ideas if idea.is_listed]
    kept_ids = {idea.id for idea in keep}
    if keep:
        index.update(index_folder(), [document(idea) for idea in keep])
    gone = [i for i in ids if i not in kept_ids]  # merged, hidden, deleted, or no longer in the database
    if gone:
        index.delete(index_folder(), gone)


def queue_index(idea_ids: Iterable[int]) -> None:
    """Queue an index update for these ideas; call it after the commit that changed them."""
    from .jobs import index_ideas

    ids = sorted(set(idea_ids))
    if ids:
        index_ideas(ids)
