"""@handles: which ones a member may take, and what happens to one a member gives up.

A handle freed by a rename or an account deletion stays reserved for the account that held it for
`RESERVED_FOR` (`handle_history` keeps when it was freed): nobody else can take it, and `/@old`
still leads to that member. Mentions store the handle in their link (`/@alex`), so without this a
newcomer taking "alex" would become the person every old mention points to. Names that look like
the site speaking (admin, staff, support, the site's own name...) are nobody's.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, ForeignKey, Index, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..extensions import db
from ..kernel.timeutil import utcnow
from .models import USERNAME_PATTERN, User, handle_from
from .validation import DELETED_HANDLE

RESERVED_FOR = timedelta(days=90)
CHANGES_MAX = 3  # handle changes per RESERVED_FOR: each one reserves a handle, so this caps squatting

# A handle is the site's, not a member's, when one of its parts (split on "_") or its letters alone are one
# of these words, or when its letters start with one of STAFF_PREFIXES ("adminsam", "official_brand").
STAFF_WORDS = frozenset({"admin", "administrator", "staff", "moderator", "mod", "mods", "support", "help",
                         "official", "tribune", "root", "system", "security", "noreply"})
# Not "staff" or "support": fans are "supporters", and live in Stafford.
STAFF_PREFIXES = ("admin", "moderator", "official", "tribune")


class HandleHistory(db.Model):
    """A handle an account gave up, and when: reserved for that account until RESERVED_FOR has passed."""

    __tablename__ = "handle_history"
    __table_args__ = (Index("ix_handle_history_handle_freed", "handle", "freed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    handle: Mapped[str] = mapped_column(String(30))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    freed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


def is_reserved(handle: str, site_name: str = "") -> bool:
    """Whether the handle reads as the site or its staff speaking (never a member's)."""
    letters = re.sub(r"[^a-z]", "", handle)
    # The site's name, whole and word by word ("Fernhill Community": fernhillcommunity, fernhill, community),
    # and as a prefix whole and by its first word ("fernhill_official", "fernhillteam").
    site_words = [word for word in (handle_from(w) for w in site_name.split()) if len(word) >= 4 and word != "member"]
    whole = handle_from(site_name) if site_name else ""
    words = STAFF_WORDS | set(site_words) | ({whole} if len(whole) >= 3 else set())
    prefixes = STAFF_PREFIXES + tuple(dict.fromkeys(p for p in (whole, *site_words[:1]) if len(p) >= 4))
    return (letters in words or any(part in words for part in handle.split("_"))
            or letters.startswith(prefixes) or handle.startswith(DELETED_HANDLE))


def _reserved_since() -> datetime:
    return utcnow() - RESERVED_FOR


def held_by_others(session: Session, handles: Iterable[str], user: User | None = None) -> set[str]:
    """Of these handles, those another account uses now or gave up less than RESERVED_FOR ago."""
    wanted = set(handles)
    if not wanted:
        return set()
    others_now = select(User.username).where(User.username.in_(wanted))
    others_freed = select(HandleHistory.handle).where(HandleHistory.handle.in_(wanted),
                                                      HandleHistory.freed_at > _reserved_since())
    if user is not None and user.id is not None:
        others_now = others_now.where(User.id != user.id)
        others_freed = others_freed.where(HandleHistory.user_id != user.id)
    return set(session.scalars(others_now.union(others_freed)))


def handle_problem(session: Session, user: User, handle: str, *, site_name: str = "") -> Any | None:
    """Why `user` may not take `handle` now, for the member; None if they may. Staff may take staff-like ones."""
    if not re.fullmatch(USERNAME_PATTERN, handle):
        return _l("Use 3 to 30 lower-case letters, digits or underscores.")
    if handle.startswith(DELETED_HANDLE):
        return _l("Handles starting with “%(prefix)s” are reserved.", prefix=DELETED_HANDLE)
    if is_reserved(handle, site_name) and not user.is_staff:  # staff do speak for the site
        return _l("@%(handle)s is reserved for the site and its staff. Choose another handle.", handle=handle)
    if handle in held_by_others(session, [handle], user):
        return _l("Someone already uses @%(handle)s.", handle=handle)
    recent = session.scalars(select(HandleHistory.freed_at).where(
        HandleHistory.user_id == user.id, HandleHistory.freed_at > _reserved_since())
        .order_by(HandleHistory.freed_at).limit(CHANGES_MAX)).all()
    if len(recent) >= CHANGES_MAX and handle not in _own_reserved(session, user):
        return _l("You have changed your handle %(n)s times recently. You can change it again from %(date)s.",
                  n=CHANGES_MAX, date=format_date(recent[0] + RESERVED_FOR, "long"))
    return None


def _own_reserved(session: Session, user: User) -> set[str]:
    return set(session.scalars(select(HandleHistory.handle).where(
        HandleHistory.user_id == user.id, HandleHistory.freed_at > _reserved_since())))


def release(session: Session, user: User, old: str, new: str) -> None:
    """`user` gives up `old` for `new` (a rename, or the placeholder of a deleted account): `old` stays theirs
    for RESERVED_FOR; taking back a handle of their own ends its reservation. Adds to the caller's transaction."""
    session.execute(delete(HandleHistory).where(HandleHistory.user_id == user.id, HandleHistory.handle == new))
    if old and not old.startswith(DELETED_HANDLE):
        session.add(HandleHistory(user_id=user.id, handle=old, freed_at=utcnow()))


def purge_expired(session: Session) -> int:
    """Forget handles freed more than RESERVED_FOR ago, a deleted account's included: once the reservation ends,
    nothing ties a former handle to its account any more. Adds to the caller's transaction; returns how many."""
    result = session.execute(delete(HandleHistory).where(HandleHistory.freed_at <= _reserved_since()))
    return result.rowcount or 0


def former_holder(session: Session, handle: str) -> User | None:
    """The account that gave up `handle` less than RESERVED_FOR ago, if it is still active: where `/@handle`
    (the link of every old mention) leads while the handle is reserved."""
    user_id = session.scalar(select(HandleHistory.user_id).where(
        HandleHistory.handle == handle, HandleHistory.freed_at > _reserved_since())
        .order_by(HandleHistory.freed_at.desc()).limit(1))
    user = session.get(User, user_id) if user_id is not None else None
    return user if user is not None and user.is_active else None



def taken_like(session: Session, prefix: str) -> set[str]:
    """Handles starting with `prefix` that nobody new may take: in use, or freed less than RESERVED_FOR ago."""
    now_used = select(User.username).where(User.username.like(f"{prefix}%"))
    reserved = select(HandleHistory.handle).where(HandleHistory.handle.like(f"{prefix}%"),
                                                  HandleHistory.freed_at > _reserved_since())
    return set(session.scalars(now_used.union(reserved)))


def former_handles(session: Session, user: User) -> list[str]:
    """The handles this member gave up, newest first (part of their data export)."""
    return list(session.scalars(select(HandleHistory.handle).where(HandleHistory.user_id == user.id)
                                .order_by(HandleHistory.freed_at.desc(), HandleHistory.id.desc())))
