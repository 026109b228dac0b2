"""Engagement events (the ledger), each member's standing, and what staff keep about fans.

Each contribution writes one event in the same transaction as the contribution itself (a
post, a comment, a like given or received...), with the points it earned then: its kind's
weight at that moment, less any cap (`limited` says which). Undoing a contribution (an
unlike, a deletion) removes its event in that same transaction; a contribution hidden by a
moderator, a suspension or a moderator's void keeps its event, marked `voided`, so the
member's ledger shows why it no longer counts. A member's score is derived from the events
alone (`fans.scoring`).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..extensions import db
from ..kernel.timeutil import utcnow


class EngagementEvent(db.Model):
    __tablename__ = "engagement_events"
    __table_args__ = (
        # Each holds every column its reader sums, so it reads the index alone, not a top fan's thousands of rows:
        # a member's recent points (the staff fans view), and their ledger by kind and day (My engagement).
        Index("ix_engagement_events_user_recent", "user_id", "created_at", "day", "points", "voided"),
        Index("ix_engagement_events_user_ledger", "user_id", "kind", "day", "points", "weight", "limited", "voided"),
        Index("ix_engagement_events_day", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    # The other member involved: who was liked or followed, whose idea was voted for.
    other_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The UTC day it happened (date.toordinal()): its age, and the day its caps count in.
    day: Mapped[int] = mapped_column(default=0, server_default="0")
    # Milli-points: what the kind was worth then, and what this event earned (less, when capped).
    weight: Mapped[int] = mapped_column(default=0, server_default="0")
    points: Mapped[int] = mapped_column(default=0, server_default="0")
    # Why it earned less than its weight: self, pair_cap, daily_cap, new_account, unverified, suspended.
    limited: Mapped[str | None] = mapped_column(String(20))
    # Why it no longer counts at all: hidden (by a moderator), suspended, void (a moderator's void).
    voided: Mapped[str | None] = mapped_column(String(20))
    void_id: Mapped[int | None] = mapped_column(ForeignKey("fan_voids.id", ondelete="SET NULL"), index=True)

    @property
    def counts(self) -> bool:
        return self.voided is None and self.points > 0


class FanStanding(db.Model):
    """Where one member stands: their score, kept exact in each event's transaction, and staff's marks."""

    __tablename__ = "fan_standings"
    __table_args__ = (Index("ix_fan_standings_score", "score"), Index("ix_fan_standings_lifetime", "lifetime"))

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # Sum over counted events of points x decay factor (scoring.SCALE per milli-point), as of `scored_day`.
    score: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # The part of `score` from likes received: it counts toward a tier only once enough members gave them.
    like_score: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # Every counted point ever earned, in milli-points, without decay (the all-time leaderboard).
    lifetime: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    scored_day: Mapped[int] = mapped_column(default=0, server_default="0")
    last_event_day: Mapped[int | None] = mapped_column()
    tier_since: Mapped[datetime | None] = mapped_column(DateTime)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    pin_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The member chose to stay off the public leaderboard.
    hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # When staff last reached this member: a newsletter, a sample shipped, a staff reply.
    last_contacted_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class FanVoid(db.Model):
    """A moderator voided a member's points from a period, with a reason (also in the audit log)."""

    __tablename__ = "fan_voids"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    starts_on: Mapped[datetime] = mapped_column(DateTime)
    ends_on: Mapped[datetime] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    moderator: Mapped[User | None] = relationship(foreign_keys=[moderator_id])


class FanBadge(db.Model):
    __tablename__ = "fan_badges"
    __table_args__ = (UniqueConstraint("user_id", "badge"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    badge: Mapped[str] = mapped_column(String(30))
    earned_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class FanNote(db.Model):
    """What staff know about a fan (a call, a preference); the member sees it in their data export."""

    __tablename__ = "fan_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])


class FanSelection(db.Model):
    """A hand-picked list of members, saved from the staff fans view: an audience for newsletters and previews."""

    __tablename__ = "fan_selections"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class FanSelectionMember(db.Model):
    __tablename__ = "fan_selection_members"

    selection_id: Mapped[int] = mapped_column(ForeignKey("fan_selections.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
