"""The feedback board: boards, ideas, votes, status changes, comments, subscriptions."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _p
from sqlalchemy import Boolean, CheckConstraint, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Tier, User
from ..extensions import db
from ..kernel.notifications import Notification, points_at
from ..kernel.timeutil import utcnow
from ..kernel.translatable import translations_column

TITLE_MIN = 6
TITLE_MAX = 120
DESCRIPTION_MAX = 5000
EXPLANATION_MAX = 2000
COMMENT_MAX = 2000
DEFAULT_VOTE_BUDGET = 10


def _enum(cls: type[enum.Enum], length: int = 20) -> db.Enum:
    return db.Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class Visibility(enum.StrEnum):
    PUBLIC = "public"
    MEMBERS = "members"
    SUPERFANS = "superfans"

    @property
    def label(self) -> str:
        return str(VISIBILITY_LABELS[self])


VISIBILITY_LABELS = {Visibility.PUBLIC: _l("Everyone, even visitors"), Visibility.MEMBERS: _l("Signed-in members"),
                     Visibility.SUPERFANS: _l("Superfans and staff")}


class IdeaStatus(enum.StrEnum):
    OPEN = "open"
    UNDER_REVIEW = "under_review"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DECLINED = "declined"

    @property
    def accepts_votes(self) -> bool:
        """Done and declined ideas are closed: no more votes, and their votes return to the voters' budgets."""
        return self not in (IdeaStatus.DONE, IdeaStatus.DECLINED)

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


# With a context: "Open" is also a verb elsewhere in the interface, and French tells them apart.
STATUS_LABELS = {IdeaStatus.OPEN: _p("idea status", "Open"), IdeaStatus.UNDER_REVIEW: _p("idea status", "Under review"),
                 IdeaStatus.PLANNED: _p("idea status", "Planned"), IdeaStatus.IN_PROGRESS: _p("idea status", "In progress"),
                 IdeaStatus.DONE: _p("idea status", "Done"), IdeaStatus.DECLINED: _p("idea status", "Declined")}


class VoteSource(enum.StrEnum):
    """Where a vote came from: the board itself, or a customer who asked elsewhere."""

    WEB = "web"
    EMAIL = "email"
    PHONE = "phone"
    SOCIAL = "social"
    IN_PERSON = "in_person"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(SOURCE_LABELS[self])


SOURCE_LABELS = {VoteSource.WEB: _l("On the board"), VoteSource.EMAIL: _l("Email"), VoteSource.PHONE: _l("Phone"),
                 VoteSource.SOCIAL: _l("Social media"), VoteSource.IN_PERSON: _l("In person"),
                 VoteSource.OTHER: _l("Other")}


class Board(db.Model):
    __tablename__ = "boards"
    __table_args__ = (CheckConstraint("vote_budget IS NULL OR vote_budget > 0", name="vote_budget_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    # Translations of the name and description (kernel/translatable.py): the plain columns are the default language.
    name_i18n: Mapped[dict[str, str]] = translations_column()
    description_i18n: Mapped[dict[str, str]] = translations_column()
    visibility: Mapped[Visibility] = mapped_column(_enum(Visibility), default=Visibility.PUBLIC)
    # Votes each member may have on the board's open ideas at once; None means no limit. evaluates_none():
    # an explicit None is stored as NULL, where the ORM would otherwise skip it and apply the default.
    vote_budget: Mapped[int | None] = mapped_column(Integer().evaluates_none(), default=DEFAULT_VOTE_BUDGET)
    position: Mapped[int] = mapped_column(Integer, default=0)
    idea_count: Mapped[int] = mapped_column(Integer, default=0)  # ideas that are listed (not merged, hidden, deleted)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    categories: Mapped[list[Category]] = relationship(order_by="Category.name",
                                                      cascade="all, delete-orphan", back_populates="board")


class Category(db.Model):
    __tablename__ = "idea_categories"
    __table_args__ = (UniqueConstraint("board_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(40))
    name_i18n: Mapped[dict[str, str]] = translations_column()

    board: Mapped[Board] = relationship(back_populates="categories")


class Idea(db.Model):
    __tablename__ = "ideas"
    __table_args__ = (
        # Each board sort walks one of these indexes: no scan of the votes, no sort in memory.
        Index("ix_ideas_board_trending", "board_id", "trending", "id"),
        Index("ix_ideas_board_votes", "board_id", "vote_count", "id"),
        Index("ix_ideas_board_created", "board_id", "created_at", "id"),
        Index("ix_ideas_board_activity", "board_id", "activity_at", "id"),
        Index("ix_ideas_status_changed", "status", "status_changed_at"),
        # The staff priorities' sorts (tallies.py keeps the figures with each vote).
        Index("ix_ideas_demand", "demand", "vote_count", "id"),
        Index("ix_ideas_voters", "voter_count", "vote_count", "id"),
        Index("ix_ideas_recent_votes", "recent_votes", "vote_count", "id"),
        Index("ix_ideas_superfan_votes", "superfan_votes", "vote_count", "id"),
        CheckConstraint("vote_count >= 0", name="vote_count_not_negative"),
        CheckConstraint("comment_count >= 0", name="comment_count_not_negative"),
        CheckConstraint("merged_into_id IS NULL OR merged_into_id <> id", name="not_merged_into_itself"),
        CheckConstraint("impact IS NULL OR impact BETWEEN 1 AND 5", name="impact_range"),
        CheckConstraint("effort IS NULL OR effort BETWEEN 1 AND 5", name="effort_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("idea_categories.id", ondelete="SET NULL"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[IdeaStatus] = mapped_column(_enum(IdeaStatus), default=IdeaStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Last vote, comment or status change: the "recently updated" sort.
    activity_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    vote_count: Mapped[int] = mapped_column(Integer, default=0)
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    # Demand figures, kept with each vote (tallies.py): people, votes of the last 30 days, superfans' votes,
    # and the votes weighed by tier.
    voter_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    recent_votes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    superfan_votes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    demand: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # log2 of the time-decayed activity, in a form that never needs recomputing (see trending.py).
    trending: Mapped[float] = mapped_column(Float, default=0.0)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="SET NULL"), index=True)
    hidden_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The official response, pinned above the comments: the text staff wrote (what their form starts with) and its HTML.
    response: Mapped[str] = mapped_column(Text, default="", server_default="")
    response_i18n: Mapped[dict[str, str]] = translations_column()
    response_html: Mapped[str] = mapped_column(Text, default="")
    response_html_i18n: Mapped[dict[str, str]] = translations_column()
    response_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    response_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Staff estimates, 1 (low) to 5 (high); priority is impact ÷ effort.
    impact: Mapped[int | None] = mapped_column(Integer)
    effort: Mapped[int | None] = mapped_column(Integer)
    # When staff last reviewed it: changed its status, answered it, set its estimates or pressed "Mark reviewed".
    # The staff home counts ideas never reviewed as new, and those with votes cast since as having new votes.
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)

    board: Mapped[Board] = relationship(lazy="joined", innerjoin=True)
    category: Mapped[Category | None] = relationship(lazy="joined")
    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined", innerjoin=True)
    response_by: Mapped[User | None] = relationship(foreign_keys=[response_by_id])
    merged_into: Mapped[Idea | None] = relationship(remote_side=[id], foreign_keys=[merged_into_id])

    @property
    def is_listed(self) -> bool:
        """Shown on its board: not merged away, hidden by a moderator or deleted."""
        return self.merged_into_id is None and self.hidden_at is None and self.deleted_at is None

    @property
    def holds_votes(self) -> bool:
        """Its votes count against the voters' budgets (it is listed and still open to votes)."""
        return self.is_listed and self.status.accepts_votes

    @property
    def priority(self) -> float | None:
        return round(self.impact / self.effort, 2) if self.impact and self.effort else None


class Vote(db.Model):
    """One vote per member per idea (the unique key), or per customer on whose behalf staff voted."""

    __tablename__ = "idea_votes"
    __table_args__ = (
        # Named: the convention names both "uq_idea_votes_idea_id", which PostgreSQL refuses.
        UniqueConstraint("idea_id", "user_id", name="uq_idea_votes_idea_user"),
        UniqueConstraint("idea_id", "customer_email", name="uq_idea_votes_idea_customer"),
        CheckConstraint("user_id IS NOT NULL OR customer_name <> ''", name="someone"),
        Index("ix_idea_votes_idea_created", "idea_id", "created_at"),
        Index("ix_idea_votes_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    # A member's vote; None for a customer without an account, named below.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    customer_name: Mapped[str] = mapped_column(String(80), default="")
    customer_email: Mapped[str | None] = mapped_column(String(254))
    source: Mapped[VoteSource] = mapped_column(_enum(VoteSource), default=VoteSource.WEB)
    note: Mapped[str] = mapped_column(String(300), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The voter's tier, which weighs the vote in the idea's demand (kept up with the member's: tallies.py).
    tier: Mapped[Tier] = mapped_column(_enum(Tier, 10), default=Tier.MEMBER, server_default=Tier.MEMBER.value)

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])


class VoteBudget(db.Model):
    """Votes a member has on a board's open ideas, kept exact with the votes so a budget check is one atomic update."""

    __tablename__ = "vote_budgets"
    __table_args__ = (CheckConstraint("used >= 0", name="used_not_negative"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True)
    used: Mapped[int] = mapped_column(Integer, default=0)


class IdeaEventKind(enum.StrEnum):
    STATUS = "status"
    MERGED = "merged"


class IdeaEvent(db.Model):
    """The idea's public timeline: status changes with their explanation, and merged duplicates."""

    __tablename__ = "idea_events"
    __table_args__ = (Index("ix_idea_events_idea_created", "idea_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    kind: Mapped[IdeaEventKind] = mapped_column(_enum(IdeaEventKind))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    old_status: Mapped[IdeaStatus | None] = mapped_column(_enum(IdeaStatus))
    status: Mapped[IdeaStatus | None] = mapped_column(_enum(IdeaStatus))
    explanation: Mapped[str] = mapped_column(Text, default="")
    explanation_html: Mapped[str] = mapped_column(Text, default="")
    explanation_i18n: Mapped[dict[str, str]] = translations_column()
    explanation_html_i18n: Mapped[dict[str, str]] = translations_column()
    merged_idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="joined")
    merged_idea: Mapped[Idea | None] = relationship(foreign_keys=[merged_idea_id])


class IdeaComment(db.Model):
    __tablename__ = "idea_comments"
    __table_args__ = (Index("ix_idea_comments_idea_created", "idea_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # Set when the comment came with a duplicate merged into this idea.
    merged_from_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(DateTime)

    author: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    merged_from: Mapped[Idea | None] = relationship(foreign_keys=[merged_from_id])

    @property
    def is_visible(self) -> bool:
        return self.deleted_at is None and self.hidden_at is None


class Subscription(db.Model):
    """Who hears about an idea. Voters and the author are subscribed; an unsubscribe is kept, so a later vote does not undo it."""

    __tablename__ = "idea_subscriptions"
    __table_args__ = (Index("ix_idea_subscriptions_idea", "idea_id", "subscribed"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True)
    subscribed: Mapped[bool] = mapped_column(Boolean, default=True)


class IdeaNotice(enum.StrEnum):
    """What the feedback board tells members about (kernel.notifications stores the word)."""

    STATUS = "idea_status"
    MERGED = "idea_merged"
    COMMENT = "idea_comment"


points_at("idea", relationship(Idea, foreign_keys=[Notification.idea_id]))
