"""Writing and removing engagement events; callers own the transaction."""
from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .models import EngagementEvent


def record(session: Session, user_id: int, kind: str, *, post_id: int | None = None, comment_id: int | None = None,
           other_user_id: int | None = None, idea_id: int | None = None) -> None:
    """Add one event to the session (the caller commits it with the contribution)."""
    session.add(EngagementEvent(user_id=user_id, kind=kind, post_id=post_id, comment_id=comment_id,
                                other_user_id=other_user_id, idea_id=idea_id))


def retract(session: Session, user_id: int, kind: str, *, post_id: int | None = None, comment_id: int | None = None,
            other_user_id: int | None = None, idea_id: int | None = None, one: bool = False) -> None:
    """Remove the event of a contribution that was undone (an unlike, an unfollow).

    `one` removes a single matching event, for contributions a member may make several
    times on the same item (two comments on one idea).
    """
    conditions = [EngagementEvent.user_id == user_id, EngagementEvent.kind == kind]
    for column, value in ((EngagementEvent.post_id, post_id), (EngagementEvent.comment_id, comment_id),
                          (EngagementEvent.other_user_id, other_user_id), (EngagementEvent.idea_id, idea_id)):
        conditions.append(column.is_(None) if value is None else column == value)
    if one:
        first = select(func.min(EngagementEvent.id)).where(*conditions).scalar_subquery()
        session.execute(delete(EngagementEvent).where(EngagementEvent.id == first))
    else:
        session.execute(delete(EngagementEvent).where(*conditions))
