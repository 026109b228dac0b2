"""An idea page's thread: its timeline and comments, read only when the page draws them, and the viewer's own
vote, subscription and comments."""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..accounts.models import User
from ..kernel.pagecache import remembered
from .models import Idea, IdeaComment, IdeaEvent, Subscription, Vote


@dataclass
class Thread:
    """An idea page's timeline and comments, read only if the page draws them (not when its activity comes from
    the fragment cache), and the viewer's own vote and subscription."""

    load: Callable[[], tuple[list[IdeaEvent], list[IdeaComment]]]
    voted: bool
    subscribed: bool
    votes: list[Vote]  # for staff: who voted and from where
    automatic: bool = False  # the viewer's vote is the one added when they posted the idea
    commenters: frozenset[int] = frozenset()  # who wrote a comment still shown: their page has their own menus

    @functools.cached_property
    def _activity(self) -> tuple[list[IdeaEvent], list[IdeaComment]]:
        return self.load()

    @property
    def events(self) -> list[IdeaEvent]:
        return self._activity[0]

    @property
    def comments(self) -> list[IdeaComment]:
        return self._activity[1]


VOTERS_SHOWN = 50


def idea_thread(session: Session, idea: Idea, viewer: User | None) -> Thread:
    """The idea's timeline, its comments, and the viewer's vote and subscription."""
    member = viewer is not None and viewer.is_authenticated
    moderator = member and viewer.is_moderator

    def load() -> tuple[list[IdeaEvent], list[IdeaComment]]:
        events = list(session.scalars(select(IdeaEvent).where(IdeaEvent.idea_id == idea.id)
                                      .options(selectinload(IdeaEvent.merged_idea))
                                      .order_by(IdeaEvent.created_at, IdeaEvent.id)))
        conditions = [IdeaComment.idea_id == idea.id, IdeaComment.deleted_at.is_(None)]
        if not moderator:
            conditions.append(IdeaComment.hidden_at.is_(None))
        comments = list(session.scalars(select(IdeaComment).where(*conditions)
                                        .options(selectinload(IdeaComment.merged_from))
                                        .order_by(IdeaComment.created_at, IdeaComment.id)))
        return events, comments

    voted = subscribed = automatic = False
    votes: list[Vote] = []
    commenters: frozenset[int] = frozenset()
    if member:
        voted_at = session.scalar(select(Vote.created_at).where(Vote.idea_id == idea.id, Vote.user_id == viewer.id))
        voted = voted_at is not None
        automatic = voted and viewer.id == idea.author_id and voted_at == idea.created_at  # submit_idea gives both one time
        row = session.get(Subscription, (viewer.id, idea.id))
        subscribed = bool(row and row.subscribed)
        if viewer.is_staff:
            votes = list(session.scalars(select(Vote).where(Vote.idea_id == idea.id)
                                         .options(joinedload(Vote.user), joinedload(Vote.recorded_by))
                                         .order_by(Vote.created_at.desc()).limit(VOTERS_SHOWN)))
        commenters = frozenset(remembered(f"idea-commenters:{idea.id}", [f"idea:{idea.id}"], lambda: sorted(
            session.scalars(select(IdeaComment.author_id).distinct().where(
                IdeaComment.idea_id == idea.id, IdeaComment.deleted_at.is_(None))))))
    return Thread(load, voted, subscribed, votes, automatic, commenters)
