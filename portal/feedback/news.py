"""Which notifications about ideas a member may still read: the idea page's rule (`can_read_idea`), as SQL.

A member told of an idea on a board they saw then (a superfan since demoted, a board made private
since) must not keep reading its title in their notifications. Registered with the kernel's
notification rules, so the notifications page and the digest leave those rows out in their one query.
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select

from ..accounts.models import User
from ..kernel.notifications import Notification
from .models import Board, Idea
from .queries import visible_visibilities


def readable_notifications(member: User) -> ColumnElement[bool]:
    """Notifications that point at no idea, or at one the member may open: not deleted, on a board they
    see, and if hidden, theirs or they moderate."""
    readable = (select(Idea.id).join(Board, Board.id == Idea.board_id)
                .where(Idea.deleted_at.is_(None), Board.visibility.in_(visible_visibilities(member))))
    if not member.is_moderator:
        readable = readable.where(or_(Idea.hidden_at.is_(None), Idea.author_id == member.id))
    return or_(Notification.idea_id.is_(None), Notification.idea_id.in_(readable))
