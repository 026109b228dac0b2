"""Members, their server-side sessions, and the audit log of who changed what."""
from __future__ import annotations

import enum
import re
import secrets
import unicodedata
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, String, Text, func, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..kernel.notifications import Notification
from ..kernel.timeutil import utcnow


class Role(enum.StrEnum):
    """Roles in increasing order of power; each includes the ones below it."""

    MEMBER = "member"
    MODERATOR = "moderator"
    STAFF = "staff"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _ROLE_RANKS[self]

    def includes(self, other: "Role") -> bool:
        return _ROLE_RANKS[self] >= _ROLE_RANKS[other]


# Computed once: checked for every post's author badge on every page.
_ROLE_RANKS = {role: rank for rank, role in enumerate(Role)}

USERNAME_PATTERN = r"[a-z0-9_]{3,30}"


def handle_from(name: str) -> str:
    """A handle's readable part, from a display name: "Léa Rossi" -> "learossi"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9_]", "", ascii_name)[:24] or "member"


def _default_username(context: Any) -> str:
    # Rows made outside sign-up (demo, tests) get a readable handle with a random tail;
    # sign-up picks the shortest free one instead.
    return f"{handle_from(context.get_current_parameters().get('display_name') or '')}_{secrets.token_hex(2)}"


class Tier(enum.StrEnum):
    """Where a member stands among the brand's fans; the fans feature sets it from the engagement score.
    Until it has, everyone is a member."""

    MEMBER = "member"
    FAN = "fan"
    SUPERFAN = "superfan"


class Digest(enum.StrEnum):
    OFF = "off"
    DAILY = "daily"
    WEEKLY = "weekly"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique index is case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(60))
    # The @handle used in mentions and profile links; lower-case, unique.
    username: Mapped[str] = mapped_column(String(30), unique=True, default=_default_username)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        db.Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=Role.MEMBER,
        server_default=Role.MEMBER.value,
    )
    bio: Mapped[str] = mapped_column(Text, default="", server_default="")
    avatar: Mapped[str | None] = mapped_column(String(80))
    locale: Mapped[str | None] = mapped_column(String(8))
    email_notifications: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, server_default=func.current_timestamp())
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    suspended_until: Mapped[datetime | None] = mapped_column(DateTime)
    suspension_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Kept exact in the transaction that adds or reads notifications, so the bell costs no query.
    unread_notifications: Mapped[int] = mapped_column(default=0, server_default="0")
    digest: Mapped[Digest] = mapped_column(
        db.Enum(Digest, native_enum=False, length=10, values_callable=lambda e: [m.value for m in e]),
        default=Digest.OFF, server_default=Digest.OFF.value)
    last_digest_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Set by the fans feature from the engagement score; weighs votes and opens superfan-only boards.
    tier: Mapped[Tier] = mapped_column(
        db.Enum(Tier, native_enum=False, length=10, values_callable=lambda e: [m.value for m in e]),
        default=Tier.MEMBER, server_default=Tier.MEMBER.value)

    sessions: Mapped[list[UserSession]] = relationship(back_populates="user", cascade="all, delete-orphan", passive_deletes=True)

    # Set by the session loader: the server-side session this request runs under.
    session_token = None

    def get_id(self) -> str | None:
        return self.session_token

    @property
    def public_name(self) -> str:
        """The name shown beside contributions; a deleted member's, in the reader's language."""
        return str(_l("deleted member")) if self.deleted_at else self.display_name

    @property
    def is_active(self) -> bool:
        return self.deleted_at is None

    @property
    def is_suspended(self) -> bool:
        return self.suspended_until is not None and self.suspended_until > utcnow()

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_moderator(self) -> bool:
        return self.role.includes(Role.MODERATOR)

    @property
    def is_staff(self) -> bool:
        return self.role.includes(Role.STAFF)

    @property
    def is_superfan(self) -> bool:
        return self.tier is Tier.SUPERFAN

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserSession(db.Model):
    """One signed-in browser. Logging out deletes it, so a replayed cookie finds nothing."""

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_expires_at", "expires_at"),)

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User] = relationship(back_populates="sessions")


class AuditEvent(db.Model):
    """Who changed what in the site's administration, kept even when people leave."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    target_user: Mapped[User | None] = relationship(foreign_keys=[target_user_id])


Notification.actor = relationship(User, foreign_keys=[Notification.actor_id], lazy="joined")
