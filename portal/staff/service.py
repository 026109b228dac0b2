"""What staff do from the staff home."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ..accounts.models import User
from ..feedback.models import Idea
from ..kernel.timeutil import utcnow
from ..kernel.uow import commit, use_case


class NotStaff(Exception):
    """Only staff review ideas (the staff home answers 403)."""


@use_case
def mark_reviewed(session: Session, actor: User, idea: Idea) -> None:
    """Staff have looked at the idea: it leaves "new ideas", and its votes so far are no longer "new votes"."""
    if not actor.is_staff:
        raise NotStaff()
    idea.reviewed_at = utcnow()
    commit(session)
