"""Passwords: the policy every new password meets, reset links, and changing one's password."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..config import Settings
from ..kernel import mail
from ..kernel.timeutil import utcnow
from ..kernel.uow import commit, use_case
from .models import User
from .sessions import end_other_sessions
from .tokens import TokenError, fingerprint, make_token, read_token
from .validation import AccountError, normalise_email

PASSWORD_MIN_LENGTH = 10
RESET_SALT = "reset-password"


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # here, on first use: the lists cost 85 ms and 12 MB to import

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problems(password: str, *, email: str = "", display_name: str = "") -> list[Any]:
    """Why this password is refused (too short, too common, personal); empty when it is fine."""
    problems: list[Any] = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append(_l("Use at least %(n)s characters.", n=PASSWORD_MIN_LENGTH))
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) <= 2:
        problems.append(_l("This password is too common; choose one that is harder to guess."))
    personal = {email.lower(), email.lower().partition("@")[0], display_name.lower()} - {""}
    if lowered in personal:
        problems.append(_l("Your password must not be your email address or your name."))
    return problems


def reset_token(settings: Settings, user: User) -> str:
    """The token of a reset link for this member."""
    # Bound to the current hash: once the password changes, the link is spent.
    return make_token(settings.secret_key, RESET_SALT, {"uid": user.id, "pw": fingerprint(user.password_hash)})


def request_password_reset(session: Session, settings: Settings, email: str) -> None:
    """Mail a reset link if the address belongs to a member; say nothing either way."""
    try:
        email = normalise_email(email)
    except ValueError:
        return
    user = session.scalar(select(User).where(User.email == email, User.deleted_at.is_(None)))
    if user is not None:  # nothing is written, so there is no commit for the mail to wait for
        mail.send(user.email, _l("Reset your password"), "reset_password", user.locale, user=user,
                  token=reset_token(settings, user), minutes=settings.reset_token_minutes)


def check_reset_token(session: Session, settings: Settings, token: str) -> User:
    """The member a reset link is for, or TokenError (expired, used, invalid)."""
    data = read_token(settings.secret_key, RESET_SALT, token, settings.reset_token_minutes * 60)
    user = session.get(User, data["uid"])
    if user is None or not user.is_active:
        raise TokenError("invalid")
    if data.get("pw") != fingerprint(user.password_hash):
        raise TokenError("used")
    return user


@use_case
def reset_password(session: Session, settings: Settings, token: str, new_password: str) -> User:
    """Set a new password from a reset link and sign the member out everywhere."""
    user = check_reset_token(session, settings, token)
    problems = password_problems(new_password, email=user.email, display_name=user.display_name)
    if problems:
        raise AccountError({"password": problems})
    user.password_hash = generate_password_hash(new_password)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()  # the link proved they read this inbox
    end_other_sessions(session, user)
    commit(session)
    return user


@use_case
def change_password(session: Session, user: User, *, current: str, new: str) -> None:
    """Change the password and end every other session of the member."""
    errors: dict[str, list[Any]] = {}
    if not check_password_hash(user.password_hash, current):
        errors["current_password"] = [_l("That is not your current password.")]
    problems = password_problems(new, email=user.email, display_name=user.display_name)
    if current and new == current:
        problems.append(_l("Choose a password different from the current one."))
    if problems:
        errors["new_password"] = problems
    if errors:
        raise AccountError(errors)
    user.password_hash = generate_password_hash(new)
    end_other_sessions(session, user, keep=user.session_token)
    commit(session)
