"""The feedback demo's rows: what FeedbackPlan decided, written in a few bulk inserts.

Counters are set from the plan itself (vote and comment counts, budgets, trending, board
idea counts), and the recent news becomes notifications added to each member's unread count.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from flask import url_for
from sqlalchemy import insert

from . import demo_feedback_replies as replies
from .accounts.models import AuditEvent
from .community import markup
from .community.models import Notification, NotificationKind
from .fans.models import EngagementEvent
from .feedback import trending
from .feedback.models import Idea, IdeaComment, IdeaEvent, IdeaEventKind, IdeaStatus, Subscription, Vote, VoteBudget, VoteSource

if TYPE_CHECKING:
    from .demo_feedback import Draft, FeedbackPlan

S = IdeaStatus
STATUS_NEWS, COMMENT_NEWS = timedelta(days=30), timedelta(days=10)  # older news was never notified (before the demo)


def render(plan: FeedbackPlan, source: str) -> str:
    return markup.render(source, tag_url=lambda t: url_for("community.hashtag", name=t),
                         member_url=lambda h: url_for("community.handle", username=h), known_handles=plan.handles).html


def write(plan: FeedbackPlan) -> None:
    """The planned ideas, votes, comments and news as rows, with every counter the services keep."""
    session, rng, now = plan.session, plan.rng, plan.now
    followed: dict[Draft, dict[int, datetime]] = defaultdict(dict)

    def follow(draft: Draft, user_id: int, when: datetime) -> None:
        if when < followed[draft].get(user_id, now):
            followed[draft][user_id] = when

    hopefuls = sorted((d for d in plan.drafts if d.listed and d.status in (S.OPEN, S.UNDER_REVIEW, S.PLANNED)),
                      key=lambda d: -d.target)
    estimated = set(rng.sample(hopefuls[:120], 60))
    changes: list[dict[str, Any]] = []
    for draft in plan.drafts:
        categories = {c.name: c.id for c in draft.board.categories}
        heat = [(trending.VOTE_WEIGHT, t) for t, _ in draft.votes.values()]
        heat += [(trending.VOTE_WEIGHT, c["created_at"]) for c in draft.customers]
        heat += [(trending.COMMENT_WEIGHT, c[2]) for c in draft.comments if not c[4]]
        moments = [draft.created, *(t for _, t in heat), *(c[0] for c in draft.changes),
                   *(d.merged_at for d in draft.duplicates)]
        idea = draft.idea = Idea(
            board_id=draft.board.id, category_id=categories.get(draft.category), author_id=draft.author.id,
            title=draft.title, description=draft.description, description_html=render(plan, draft.description),
            status=draft.status, created_at=draft.created, activity_at=draft.merged_at or max(moments),
            vote_count=0 if draft.merged_into else len(draft.votes) + len(draft.customers),
            comment_count=sum(not c[4] for c in draft.comments), hidden_at=draft.hidden_at,
            trending=trending.compute([] if draft.merged_into else heat, draft.created),
            merged_into=draft.merged_into.idea if draft.merged_into else None)
        if rng.random() < 0.05:
            idea.edited_at = min(draft.created + timedelta(hours=rng.uniform(1, 48)), now)
        if draft in estimated:
            idea.impact = rng.choice([2, 3, 3, 4, 4, 5] if draft.target > 30 else [1, 2, 2, 3, 3, 4])
            idea.effort = rng.randint(1, 5)
        for when, old, new, actor, explanation in draft.changes:
            changes.append({"idea": idea, "kind": IdeaEventKind.STATUS, "actor_id": actor.id, "old_status": old,
                            "status": new, "explanation": explanation, "explanation_html": render(plan, explanation),
                            "merged_idea": None, "created_at": when})
        if draft.changes:
            idea.status_changed_at = draft.changes[-1][0]
            if draft is plan.alex_plan or rng.random() < (0.4 if draft.status is S.UNDER_REVIEW else 0.85):
                idea.response_html, idea.response_at = changes[-1]["explanation_html"], draft.changes[-1][0]
                idea.response_by_id = draft.changes[-1][3].id
        follow(draft, draft.author.id, draft.created)
    session.add_all(d.idea for d in plan.drafts)
    session.flush()
    for dup in (d for d in plan.drafts if d.merged_into):
        note = replies.MERGE_NOTES[dup.merged_into.lang]
        changes.append({"idea": dup.merged_into.idea, "kind": IdeaEventKind.MERGED, "actor_id": dup.merged_by.id,
                        "old_status": None, "status": None, "explanation": note, "explanation_html": render(plan, note),
                        "merged_idea": dup.idea, "created_at": dup.merged_at})
        follow(dup.merged_into, dup.author.id, dup.merged_at)
    spam = plan.drafts[-1]
    session.add(AuditEvent(actor_id=plan.moderator.id, target_user_id=spam.author.id, action="idea.hide",
                           details={"idea": spam.idea.id}, created_at=spam.hidden_at))
    for change in changes:
        idea, merged = change.pop("idea"), change.pop("merged_idea")
        change.update(idea_id=idea.id, merged_idea_id=merged.id if merged else None)
    session.execute(insert(IdeaEvent), changes)

    comments: list[tuple[IdeaComment, Draft, Draft | None]] = []
    for draft in plan.drafts:
        for author, body, when, source, deleted in draft.comments:
            comment = IdeaComment(idea_id=draft.idea.id, author_id=author.id, body=body, body_html=render(plan, body),
                                  merged_from_id=source.idea.id if source else None, created_at=when,
                                  deleted_at=when + timedelta(hours=1) if deleted else None)
            comments.append((comment, draft, source))
            follow(source or draft, author.id, when)
            if source:
                follow(draft, author.id, source.merged_at)
    session.add_all(c for c, _, _ in comments)
    session.flush()

    votes: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    voters: set[tuple[int, int]] = set()
    for draft in plan.drafts:
        events.append({"user_id": draft.author.id, "kind": "idea_posted", "idea_id": draft.idea.id,
                       "created_at": draft.created})
        for user_id, (when, via) in draft.votes.items():
            votes.append({"idea_id": draft.idea.id, "user_id": user_id, "customer_name": "", "customer_email": None,
                          "source": VoteSource.WEB, "note": "", "recorded_by_id": None, "created_at": when})
            events.append({"user_id": user_id, "kind": "idea_vote", "idea_id": draft.idea.id, "created_at": when})
            voters.add((user_id, draft.board.id))
            follow(via or draft, user_id, when)
            if via:
                follow(draft, user_id, via.merged_at)
        votes += [{**customer, "idea_id": draft.idea.id} for customer in draft.customers]
    events += [{"user_id": c.author_id, "kind": "idea_comment", "idea_id": c.merged_from_id or c.idea_id,
                "created_at": c.created_at} for c, _, _ in comments if c.deleted_at is None]
    session.execute(insert(Vote), votes)
    session.execute(insert(EngagementEvent), events)
    session.execute(insert(VoteBudget), [{"user_id": u, "board_id": b, "used": plan.used[(u, b)]} for u, b in sorted(voters)])

    quiet = {(draft, user_id) for draft, people in followed.items() for user_id in people
             if user_id != plan.alex.id and rng.random() < 0.03}  # a few unsubscribed
    session.execute(insert(Subscription), [
        {"user_id": user_id, "idea_id": draft.idea.id, "subscribed": (draft, user_id) not in quiet}
        for draft, people in followed.items() for user_id in people])
    notify(plan, followed, quiet, comments)
    for board in plan.boards.values():
        board.idea_count = sum(d.board is board and d.listed for d in plan.drafts)


def notify(plan: FeedbackPlan, followed: dict[Draft, dict[int, datetime]], quiet: set[tuple[Draft, int]],
           comments: list[tuple[IdeaComment, Draft, Draft | None]]) -> None:
    """The recent news each follower was told: status changes, merges, new comments (older ones were read)."""
    rng, now, alex = plan.rng, plan.now, plan.alex
    rows: list[dict[str, Any]] = []
    unread: Counter[int] = Counter()

    def followers(draft: Draft, when: datetime) -> list[int]:
        return [u for u, since in followed[draft].items() if since < when and (draft, u) not in quiet]

    def tell(people: list[int], kind: NotificationKind, actor: int, draft: Draft, detail: str, when: datetime) -> None:
        for user_id in people:
            if user_id == actor:
                continue
            fresh = when > now - timedelta(days=2) or (user_id != alex.id and rng.random() < 0.1)  # some never look
            rows.append({"user_id": user_id, "actor_id": actor, "kind": kind, "idea_id": draft.idea.id,
                         "detail": detail, "created_at": when,
                         "read_at": None if fresh else min(when + timedelta(hours=rng.uniform(1, 30)), now)})
            unread[user_id] += fresh

    for draft in plan.drafts:
        for when, _old, new, actor, _ in draft.changes:
            if when > now - STATUS_NEWS:
                tell(followers(draft, when), NotificationKind.IDEA_STATUS, actor.id, draft, new.value, when)
        for dup in draft.duplicates:
            if dup.merged_at > now - STATUS_NEWS:
                people = set(followers(dup, dup.merged_at)) | {u for u, (_, via) in draft.votes.items() if via is dup}
                tell(sorted(people), NotificationKind.IDEA_MERGED, dup.merged_by.id, draft, str(dup.idea.id),
                     dup.merged_at)
    for comment, draft, source in comments:
        if source is None and comment.deleted_at is None and comment.created_at > now - COMMENT_NEWS:
            tell(followers(draft, comment.created_at), NotificationKind.IDEA_COMMENT, comment.author_id, draft,
                 str(comment.id), comment.created_at)
    rows.sort(key=lambda row: row["created_at"])  # pages list notifications by id
    plan.session.execute(insert(Notification), rows)
    for user in plan.everyone:
        user.unread_notifications += unread[user.id]
