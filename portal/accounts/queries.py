"""The read side of accounts: members as others see them, and the demo's inbox."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..config import Settings
from ..kernel.outbox import OutboxMessage, outbox_messages
from .models import User


class InboxClosed(Exception):
    """The demo inbox exists only in demo mode, with mail written to the outbox."""


def count_members(session: Session) -> int:
    """Members who have not deleted their account."""
    return session.scalar(select(func.count(User.id)).where(User.deleted_at.is_(None))) or 0


def public_member(session: Session, user_id: int) -> User | None:
    """The member whose public profile this is; None for nobody, or an account that was deleted."""
    user = session.get(User, user_id)
    return user if user is not None and user.is_active else None


def demo_inbox(settings: Settings, user: User) -> list[OutboxMessage]:
    """Demo mode: the mail Tribune sent this member, read from the outbox (InboxClosed otherwise)."""
    if not settings.demo_mode or settings.mail_backend != "outbox":
        raise InboxClosed()
    return outbox_messages(recipient=user.email)
