"""Signing in and out: server-side sessions, one per browser, so signing out really ends one."""
from __future__ import annotations

import secrets
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session, joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from ..config import Settings
from ..kernel.edge import NOT_ALLOWED
from ..kernel.timeutil import utcnow
from ..kernel.uow import commit, use_case
from .models import User, UserSession
from .validation import normalise_email

SESSION_TOUCH_EVERY = timedelta(minutes=5)


class InvalidCredentials(Exception):
    """Wrong email or password (never says which)."""


def authenticate(session: Session, email: str, password: str) -> User:
    """The member with this email and password, or InvalidCredentials."""
    try:
        email = normalise_email(email)
    except ValueError:
        email = email.strip().lower()
    user = session.scalar(select(User).where(User.email == email, User.deleted_at.is_(None)))
    # Hash even when nobody has this address, so timing does not tell who is registered.
    stored = user.password_hash if user else _dummy_hash()
    if not check_password_hash(stored, password) or user is None:
        raise InvalidCredentials()
    return user


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16))


def _lifetime(settings: Settings, remember: bool) -> timedelta:
    return timedelta(days=settings.remember_days if remember else settings.session_days)


def open_session(session: Session, settings: Settings, user: User, *, remember: bool, user_agent: str = "") -> str:
    """Add a server-side session for this browser to the transaction and return its token; the caller commits."""
    now = utcnow()
    token = secrets.token_urlsafe(32)
    session.add(UserSession(token=token, user_id=user.id, created_at=now, last_seen_at=now,
                            expires_at=now + _lifetime(settings, remember), remember=remember,
                            user_agent=NOT_ALLOWED.sub("", user_agent)[:200]))  # a header: the edge checks only what was typed
    return token


@use_case
def start_session(session: Session, settings: Settings, user: User, *, remember: bool, user_agent: str = "") -> str:
    """Open a server-side session for this browser and return its token."""
    token = open_session(session, settings, user, remember=remember, user_agent=user_agent)
    commit(session)
    user.session_token = token
    return token


@use_case
def sign_in(session: Session, settings: Settings, *, email: str, password: str, remember: bool,
            user_agent: str = "") -> User:
    """Check the email and password, then open a session for this browser (InvalidCredentials if they do not match)."""
    user = authenticate(session, email, password)
    token = open_session(session, settings, user, remember=remember, user_agent=user_agent)
    commit(session)
    user.session_token = token
    return user


# Every request of a signed-in member runs it: built once, with the token as its parameter.
_SESSION_ROW = select(UserSession).options(joinedload(UserSession.user)).where(UserSession.token == bindparam("token"))


@use_case
def load_session(session: Session, settings: Settings, token: str) -> User | None:
    """The member behind a session token, or None when it ended, expired or was replaced.

    A session in use is extended, at most every few minutes: that write commits here.
    """
    row = session.scalar(_SESSION_ROW, {"token": token})
    now = utcnow()
    if row is None or row.expires_at <= now or not row.user.is_active:
        return None
    user = row.user
    if now - row.last_seen_at > SESSION_TOUCH_EVERY:
        row.last_seen_at = now
        row.expires_at = now + _lifetime(settings, row.remember)
        commit(session)
    user.session_token = token
    return user


@use_case
def end_session(session: Session, token: str | None) -> None:
    """Sign this browser out: its session row goes, so a replayed cookie finds nothing."""
    if token:
        session.execute(delete(UserSession).where(UserSession.token == token))
        commit(session)


def end_other_sessions(session: Session, user: User, keep: str | None = None) -> None:
    """Sign the member out everywhere but `keep` (their current browser); the caller commits."""
    query = delete(UserSession).where(UserSession.user_id == user.id)
    if keep:
        query = query.where(UserSession.token != keep)
    session.execute(query)


@use_case
def purge_expired_sessions(session: Session) -> int:
    """Forget the sessions that have expired; returns how many."""
    result = session.execute(delete(UserSession).where(UserSession.expires_at <= utcnow()))
    commit(session)
    return result.rowcount or 0


def active_sessions(session: Session, user: User) -> list[UserSession]:
    """The member's signed-in browsers, most recently used first."""
    return list(session.scalars(select(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at > utcnow())
                                .order_by(UserSession.last_seen_at.desc())))
