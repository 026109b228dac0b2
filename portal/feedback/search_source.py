"""The ideas as a search source: what the index keeps of an idea (its title and details, its board
as the scope), and which ideas a viewer may find (listed ones on the boards they see)."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from ..search import SearchSource
from .models import Idea
from .queries import listed, visible_board_ids, visible_boards

NAME = "ideas"  # the index folder instance/search/ideas, and the name search's pages ask for


def _documents(session: Session, *conditions: ColumnElement[bool]) -> Iterator[dict[str, Any]]:
    # Columns, not Idea objects: nothing to eager-load, and the session's identity map stays small.
    query = (select(Idea.id, Idea.board_id, Idea.title, Idea.description).where(listed(), *conditions)
             .order_by(Idea.id).execution_options(yield_per=500))
    for idea_id, board_id, title, description in session.execute(query):
        yield {"id": idea_id, "scope": board_id, "title": title, "body": description or ""}


def documents(session: Session) -> Iterator[dict[str, Any]]:
    """Every listed idea, for a rebuild of the index."""
    return _documents(session)


def documents_for(session: Session, ids: Sequence[int]) -> Iterator[dict[str, Any]]:
    """These ideas, if they are still listed (the merged, hidden and deleted ones leave the index)."""
    return _documents(session, Idea.id.in_(ids))


def visible(session: Session, ids: Sequence[int], board_ids: Sequence[int]) -> dict[int, Idea]:
    """The ideas among `ids` that are still listed on these boards, with their board, in one query."""
    query = select(Idea).where(Idea.id.in_(ids), Idea.board_id.in_(board_ids), listed())
    return {idea.id: idea for idea in session.scalars(query)}


IDEAS = SearchSource(name=NAME, documents=documents, documents_for=documents_for, scopes=visible_board_ids,
                     visible=visible, choices=visible_boards, label=_l("Idea"), plural=_l("Ideas"),
                     template="search/_hit_idea.html")
