"""What awaits staff, counted in a fixed number of statements whatever the size of the community."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ..community.models import Post, Report
from ..community.queries import visible_to
from ..feedback.models import Idea, Vote
from ..feedback.queries import listed
from ..kernel.timeutil import utcnow

# A member's question is answered within 4 hours (the community question target of the staff-console issue, #14).
ANSWER_TARGET = timedelta(hours=4)
LIST_SIZE = 5  # ideas listed under each count; the rest are one click away


@dataclass(frozen=True)
class StaffHome:
    questions_waiting: int
    questions_overdue: int
    open_reports: int
    new_ideas: int
    oldest_new_ideas: list[Idea]
    ideas_with_new_votes: int
    most_new_votes: list[tuple[Idea, int]]  # (idea, votes cast since staff last reviewed it)


def staff_home(session: Session, now: datetime | None = None) -> StaffHome:
    """The staff home's counts and short lists: five statements, however many questions, reports and ideas there are."""
    now = now or utcnow()
    waiting, overdue = session.execute(
        select(func.count(Post.id), func.count(case((Post.published_at < now - ANSWER_TARGET, Post.id))))
        .where(visible_to(None), Post.is_question.is_(True), Post.answer_id.is_(None))).one()
    reports = session.scalar(select(func.count(Report.id)).where(Report.resolved_at.is_(None))) or 0
    unreviewed = listed() & Idea.reviewed_at.is_(None)
    new_count = session.scalar(select(func.count(Idea.id)).where(unreviewed)) or 0
    oldest = list(session.scalars(select(Idea).where(unreviewed).order_by(Idea.created_at, Idea.id).limit(LIST_SIZE)))
    fresh = (select(Vote.idea_id, func.count(Vote.id).label("votes")).join(Idea, Idea.id == Vote.idea_id)
             .where(listed(), Idea.reviewed_at.is_not(None), Vote.created_at > Idea.reviewed_at)
             .group_by(Vote.idea_id).subquery())
    rows = session.execute(select(Idea, fresh.c.votes, func.count().over()).join(fresh, fresh.c.idea_id == Idea.id)
                           .order_by(fresh.c.votes.desc(), Idea.id).limit(LIST_SIZE)).all()
    return StaffHome(questions_waiting=waiting or 0, questions_overdue=overdue or 0, open_reports=reports,
                     new_ideas=new_count, oldest_new_ideas=oldest,
                     ideas_with_new_votes=rows[0][2] if rows else 0, most_new_votes=[(idea, votes) for idea, votes, _ in rows])
