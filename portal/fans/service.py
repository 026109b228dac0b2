"""Writing and removing engagement events; callers own the transaction."""
from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from .models import EngagementEvent


def record(session: Session, user_id: int, kind: str, *, post_id: int | None = None, comment_id: int | None = None,
           other_user_id: int | None = None) -> None:
    """Add one event to the session (the caller commits it with the contribution)."""
    session.add(EngagementEvent(user_id=user_id, kind=kind, post_id=post_id, comment_id=comment_id,
                                other_user_id=other_user_id))


def retract(session: Session, user_id: int, kind: str, *, post_id: int | None = None, comment_id: int | None = None,
            other_user_id: int | None = None) -> None:
    """Remove the event of a contribution that was undone (an unlike, an unfollow)."""
    conditions = [EngagementEvent.user_id == user_id, EngagementEvent.kind == kind]
    for column, value in ((EngagementEvent.post_id, post_id), (EngagementEvent.comment_id, comment_id),
                          (EngagementEvent.other_user_id, other_user_id)):
        conditions.append(column.is_(None) if value is None else column == value)
    session.execute(delete(EngagementEvent).where(*conditions))
