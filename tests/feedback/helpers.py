"""Small readers and actions shared by the feedback service tests (fixtures live in conftest.py)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.extensions import db
from portal.fans.models import EngagementEvent
from portal.feedback import service, triage
from portal.feedback.models import Idea, IdeaComment, IdeaEvent, IdeaStatus, Subscription, Vote, VoteBudget
from portal.feedback.service import FeedbackError
from portal.kernel.notifications import Notification


def fresh(*objects: Any) -> Any:
    """Reload rows the services changed with bulk UPDATEs; returns the first."""
    for obj in objects:
        db.session.refresh(obj)
    return objects[0]


def rows(model: Any, *where: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def events(user: User, kind: str, idea: Idea | None = None) -> int:
    """The member's engagement-ledger rows of this kind (on this idea)."""
    where = [EngagementEvent.user_id == user.id, EngagementEvent.kind == kind]
    if idea is not None:
        where.append(EngagementEvent.idea_id == idea.id)
    return rows(EngagementEvent, *where)


def notes(user: User, kind: str) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                              Notification.kind == kind)))


def unread(user: User) -> int:
    return db.session.scalar(select(User.unread_notifications).where(User.id == user.id))


def subscribed(user: User, idea: Idea) -> bool | None:
    """True or False for a subscription row (False: they unsubscribed), None without one."""
    return db.session.scalar(select(Subscription.subscribed).where(Subscription.user_id == user.id,
                                                                   Subscription.idea_id == idea.id))


def snapshot() -> dict[str, Any]:
    """Everything a refused request must leave as it was (signing in counts the day's visit: not a change)."""
    return {"ideas": rows(Idea), "votes": rows(Vote), "events": rows(EngagementEvent, EngagementEvent.kind != "visit"),
            "comments": rows(IdeaComment),
            "notifications": rows(Notification), "idea_events": rows(IdeaEvent), "subscriptions": rows(Subscription),
            "budgets": sorted(db.session.execute(select(VoteBudget.user_id, VoteBudget.board_id, VoteBudget.used))),
            "counts": sorted(db.session.execute(select(Idea.id, Idea.status, Idea.vote_count, Idea.comment_count)))}


def refused(call: Callable[[], Any], field: str, *fragments: str) -> str:
    """Run a call that must be refused with a message on `field`; nothing may be written."""
    before = snapshot()
    with pytest.raises(FeedbackError) as caught:
        call()
    message = " ".join(str(m) for m in caught.value.errors.get(field, []))
    assert message, caught.value.errors
    for fragment in fragments:
        assert fragment in message
    db.session.rollback()
    assert snapshot() == before
    return message


def set_status(idea: Idea, actor: User, status: IdeaStatus | str, explanation: str = "Because we looked at it.",
               **kwargs: Any) -> IdeaEvent:
    return triage.change_status(db.session, idea, actor, status=status, explanation=explanation, **kwargs)


def budgets_exact(*people: User) -> None:
    """Every member's stored budget equals the votes counted from the rows, on every board they voted on."""
    for person in people:
        stored = dict(db.session.execute(select(VoteBudget.board_id, VoteBudget.used)
                                         .where(VoteBudget.user_id == person.id)).all())
        boards = set(stored) | set(db.session.scalars(select(Idea.board_id).join(Vote, Vote.idea_id == Idea.id)
                                                      .where(Vote.user_id == person.id)))
        for board_id in boards:
            counted = service.recount_budget(db.session, board_id, person.id)
            assert stored.get(board_id, 0) == counted, (person.display_name, board_id)


def voters(idea: Idea) -> set[int | None]:
    return set(db.session.scalars(select(Vote.user_id).where(Vote.idea_id == idea.id)))
