"""The demo's feedback board: four boards, a few hundred ideas in every status, thousands of
votes within budgets, staff explanations, merged duplicates, comments, a roadmap and a changelog.

`FeedbackPlan` (feedback_plan.py) decides who does what and when; this writes it. The feedback
services commit once per use case and check a member's budget vote by vote, far too slow for
five thousand votes, so the rows (boards, ideas, votes, status changes, comments, subscriptions)
go in a few bulk inserts, and everything around them goes through the helpers real use calls:
`render_text` for the HTML, `fans.record` for the engagement events, `notify_many` for the news
(one fan-out to the followers of the moment, as `notify_subscribers` does), `ensure_budget_rows`,
`recount_heat` and the other recounts for the counters (`feedback.ledger.recount_counters`). The tiers come
from the scores, drawn by the fans builder once everything is written. The search index is rebuilt once the
demo is committed (`load`).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from ..accounts.models import AuditEvent, User
from ..fans import service as fans
from ..feedback import ledger
from ..feedback.models import (
    Idea,
    IdeaComment,
    IdeaEvent,
    IdeaEventKind,
    IdeaNotice,
    IdeaStatus,
    Subscription,
    Vote,
    VoteSource,
)
from .feedback_plan import Draft, FeedbackPlan
from .kit import Demo

S = IdeaStatus
COMMENT_NEWS = timedelta(days=10)  # older comments were never notified (status news: kit.NEWS_DAYS)


def build(demo: Demo) -> None:
    plan = FeedbackPlan(demo)
    plan.run()
    FeedbackRows(demo, plan).write()
    ledger.recount_counters(demo.session)


class FeedbackRows:
    """The plan as rows; `followed` collects who follows which idea since when (their subscriptions)."""

    def __init__(self, demo: Demo, plan: FeedbackPlan) -> None:
        self.demo, self.plan, self.session, self.rng, self.now = demo, plan, demo.session, demo.rng, demo.now
        self.followed: dict[Draft, dict[int, datetime]] = defaultdict(dict)
        self.comments: list[tuple[IdeaComment, Draft, Draft | None]] = []

    def follow(self, draft: Draft, user_id: int, when: datetime) -> None:
        if when < self.followed[draft].get(user_id, self.now):
            self.followed[draft][user_id] = when

    def write(self) -> None:
        plan, session = self.plan, self.session
        session.add_all(plan.boards.values())
        session.flush()
        self.ideas()
        self.discussion()
        self.votes()
        self.subscriptions()
        self.news()

    def html(self, source: str) -> str:
        return self.demo.text(source).html if source else ""

    def ideas(self) -> None:
        """Each idea as it stands today, its status changes (each explained), merges and the spam a moderator hid."""
        plan, session, rng, now = self.plan, self.session, self.rng, self.now
        hopefuls = sorted((d for d in plan.drafts if d.listed and d.status in (S.OPEN, S.UNDER_REVIEW, S.PLANNED)),
                          key=lambda d: -d.target)
        estimated = set(rng.sample(hopefuls[:120], 60))
        changes: list[dict[str, Any]] = []
        for draft in plan.drafts:
            categories = {c.name: c.id for c in draft.board.categories}
            moments = [draft.created, *(t for t, _ in draft.votes.values()), *(c["created_at"] for c in draft.customers),
                       *(c[2] for c in draft.comments if not c[4]), *(c[0] for c in draft.changes),
                       *(d.merged_at for d in draft.duplicates)]
            idea = draft.idea = Idea(
                board_id=draft.board.id, category_id=categories.get(draft.category), author_id=draft.author.id,
                title=draft.title, description=draft.description, description_html=self.html(draft.description),
                status=draft.status, created_at=draft.created, activity_at=draft.merged_at or max(moments),
                hidden_at=draft.hidden_at, merged_into=draft.merged_into.idea if draft.merged_into else None)
            if rng.random() < 0.05:
                idea.edited_at = min(draft.created + timedelta(hours=rng.uniform(1, 48)), now)
            if draft in estimated:
                idea.impact = rng.choice([2, 3, 3, 4, 4, 5] if draft.target > 30 else [1, 2, 2, 3, 3, 4])
                idea.effort = rng.randint(1, 5)
            for when, old, new, actor, explanation in draft.changes:
                changes.append({"idea": idea, "kind": IdeaEventKind.STATUS, "actor_id": actor.id, "old_status": old,
                                "status": new, "explanation": explanation, "explanation_html": self.html(explanation),
                                "merged_idea": None, "created_at": when})
            if draft.changes:  # the last explanation stays pinned as the official response, mostly
                idea.status_changed_at = idea.reviewed_at = draft.changes[-1][0]
                if draft is plan.alex_plan or rng.random() < (0.4 if draft.status is S.UNDER_REVIEW else 0.85):
                    idea.response_html, idea.response_at = changes[-1]["explanation_html"], draft.changes[-1][0]
                    idea.response_by_id = draft.changes[-1][3].id
            self.follow(draft, draft.author.id, draft.created)
        session.add_all(d.idea for d in plan.drafts)
        session.flush()
        for draft in plan.drafts:
            with self.demo.at(draft.created):
                fans.record(session, draft.author.id, "idea_posted", idea_id=draft.idea.id)
        for dup in (d for d in plan.drafts if d.merged_into):
            note = plan.replies["merge_notes"][dup.merged_into.lang]
            changes.append({"idea": dup.merged_into.idea, "kind": IdeaEventKind.MERGED, "actor_id": dup.merged_by.id,
                            "old_status": None, "status": None, "explanation": note, "explanation_html": self.html(note),
                            "merged_idea": dup.idea, "created_at": dup.merged_at})
            self.follow(dup.merged_into, dup.author.id, dup.merged_at)
        spam = plan.drafts[-1]
        session.add(AuditEvent(actor_id=plan.moderator.id, target_user_id=spam.author.id, action="idea.hide",
                               details={"idea": spam.idea.id}, created_at=spam.hidden_at))
        for change in changes:
            idea, merged = change.pop("idea"), change.pop("merged_idea")
            change.update(idea_id=idea.id, merged_idea_id=merged.id if merged else None)
        session.execute(insert(IdeaEvent), changes)

    def discussion(self) -> None:
        """Comments, those of merged duplicates moved to the original with a mark, as a merge leaves them."""
        session = self.session
        for draft in self.plan.drafts:
            for author, body, when, source, deleted in draft.comments:
                comment = IdeaComment(idea_id=draft.idea.id, author_id=author.id, body=body, body_html=self.html(body),
                                      merged_from_id=source.idea.id if source else None, created_at=when,
                                      deleted_at=when + timedelta(hours=1) if deleted else None)
                self.comments.append((comment, draft, source))
                self.follow(source or draft, author.id, when)
                if source:
                    self.follow(draft, author.id, source.merged_at)
                if not deleted:  # a deleted comment's event goes with it
                    with self.demo.at(when):
                        fans.record(session, author.id, "idea_comment", idea_id=draft.idea.id)
        session.add_all(c for c, _, _ in self.comments)
        session.flush()

    def votes(self) -> None:
        """Members' votes (those cast on a duplicate now on its original), and the customers staff voted for."""
        session, rows = self.session, []
        for draft in self.plan.drafts:
            for user_id, (when, via) in draft.votes.items():
                rows.append({"idea_id": draft.idea.id, "user_id": user_id, "customer_name": "", "customer_email": None,
                             "source": VoteSource.WEB, "note": "", "recorded_by_id": None, "created_at": when})
                with self.demo.at(when):
                    fans.record(session, user_id, "idea_vote", idea_id=draft.idea.id)
                self.follow(via or draft, user_id, when)
                if via:
                    self.follow(draft, user_id, via.merged_at)
            rows += [{**customer, "idea_id": draft.idea.id} for customer in draft.customers]
        session.execute(insert(Vote), rows)

    def subscriptions(self) -> None:
        """Everyone who posted, voted or commented follows the idea; a few unsubscribed."""
        plan, rng = self.plan, self.rng
        self.quiet = {(draft, user_id) for draft, people in self.followed.items() for user_id in people
                      if user_id != plan.alex.id and rng.random() < 0.03}
        self.session.execute(insert(Subscription), [
            {"user_id": user_id, "idea_id": draft.idea.id, "subscribed": (draft, user_id) not in self.quiet}
            for draft, people in self.followed.items() for user_id in people])

    def followers(self, draft: Draft, when: datetime) -> list[int]:
        return [u for u, since in self.followed[draft].items() if since < when and (draft, u) not in self.quiet]

    def tell(self, people: list[int], kind: IdeaNotice, actor_id: int, draft: Draft, detail: str, when: datetime) -> None:
        """As `notify_subscribers` tells them: one fan-out to the followers of the moment."""
        if people:
            self.demo.notify_many(when, select(User.id).where(User.id.in_(people)), kind, actor_id=actor_id,
                                  idea_id=draft.idea.id, detail=detail)

    def news(self) -> None:
        """What the followers were told lately: status changes, merges, new comments."""
        now = self.now
        for draft in self.plan.drafts:
            for when, _old, new, actor, _ in draft.changes:
                self.tell(self.followers(draft, when), IdeaNotice.STATUS, actor.id, draft, new.value, when)
            for dup in draft.duplicates:
                # The duplicate's followers and every one of its voters.
                people = set(self.followers(dup, dup.merged_at)) | {u for u, (_, via) in draft.votes.items() if via is dup}
                self.tell(sorted(people), IdeaNotice.MERGED, dup.merged_by.id, draft, str(dup.idea.id), dup.merged_at)
        for comment, draft, source in self.comments:
            if source is None and comment.deleted_at is None and comment.created_at > now - COMMENT_NEWS:
                self.tell(self.followers(draft, comment.created_at), IdeaNotice.COMMENT, comment.author_id, draft,
                          str(comment.id), comment.created_at)
