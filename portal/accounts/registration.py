"""Joining: creating a member, and confirming their email address with a signed link."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from ..config import Settings
from ..kernel import mail
from ..kernel.pagecache import invalidate
from ..kernel.site import site_settings
from ..kernel.timeutil import utcnow
from ..kernel.uow import after_commit, commit, use_case
from . import handles
from .models import User, handle_from
from .passwords import password_problems, reset_token
from .tokens import TokenError, fingerprint, make_token, read_token
from .validation import DELETED_HANDLE, AccountError, clean_display_name, normalise_email

VERIFY_SALT = "verify-email"


class AlreadyVerified(Exception):
    """The member asked for a confirmation link, but their address is already confirmed."""


def free_username(session: Session, display_name: str) -> str:
    """The shortest free handle made from a display name: alex, then alex2, alex3..."""
    base = handle_from(display_name)
    base = base if len(base) >= 3 else f"{base}fan"
    if base.startswith(DELETED_HANDLE) or handles.is_reserved(base, site_settings(session).name):
        base = "member"  # "Admin", "Support", the site's own name: nobody's handle
    taken = handles.taken_like(session, base)  # in use, or still reserved for whoever gave it up
    if base not in taken:
        return base
    number = 2
    while f"{base}{number}" in taken:
        number += 1
    return f"{base}{number}"


@use_case
def register(session: Session, settings: Settings, *, email: str, display_name: str, password: str,
             locale: str | None = None) -> User | None:
    """Create an unverified member and mail the verification link; None when the address is taken.

    The form's answer must not tell who is a member: an address already in use raises nothing
    (its owner is mailed instead: "someone tried to join with your address"), and the password is
    hashed either way, so the two paths take the same time.
    """
    errors: dict[str, list[Any]] = {}
    try:
        email = normalise_email(email)
    except ValueError:
        errors["email"] = [_l("Enter a valid email address, like name@example.com.")]
    display_name = clean_display_name(display_name, errors)
    problems = password_problems(password, email=email, display_name=display_name)
    if problems:
        errors["password"] = problems
    if errors:
        raise AccountError(errors)
    password_hash = generate_password_hash(password)
    owner = session.scalar(select(User).where(User.email == email))
    if owner is not None:
        # An unconfirmed owner is sent a reset link, never a confirmation link: whoever made that account
        # may know its password, and confirming would hand them the address. Choosing a new password from
        # the mailed link proves the inbox (the reset then marks the address confirmed) and shuts them out.
        token = None if owner.is_verified else reset_token(settings, owner)
        after_commit(session, _mail_owner, settings, owner, token)
        commit(session)
        return None
    user = User(email=email, display_name=display_name, password_hash=password_hash, locale=locale,
                username=free_username(session, display_name))
    session.add(user)
    session.flush()  # the link carries the new id
    after_commit(session, invalidate, "members")
    after_commit(session, _mail_verification, settings, user, verification_token(settings, user))
    commit(session)
    return user


def _mail_owner(settings: Settings, owner: User, reset: str | None) -> None:
    """'Someone tried to join with your address'; `reset`, for an unconfirmed owner, is a reset link's token."""
    mail.send(owner.email, _l("Someone tried to join with your email address"), "signup_existing", owner.locale,
              user=owner, reset=reset, minutes=settings.reset_token_minutes)


def verification_token(settings: Settings, user: User) -> str:
    """The token of the link that confirms this member's current address."""
    return make_token(settings.secret_key, VERIFY_SALT, {"uid": user.id, "email": fingerprint(user.email)})


def _mail_verification(settings: Settings, user: User, token: str) -> None:
    mail.send(user.email, _l("Confirm your email address"), "verify_email", user.locale, user=user, token=token,
              hours=settings.verify_token_hours)


def resend_verification(settings: Settings, user: User) -> None:
    """Mail the confirmation link again; AlreadyVerified if the address is confirmed."""
    if user.is_verified:
        raise AlreadyVerified()
    _mail_verification(settings, user, verification_token(settings, user))  # nothing is written: no commit to wait for


@use_case
def verify_email(session: Session, settings: Settings, token: str) -> User:
    """Mark the address in the link as verified. A second click is 'used'."""
    data = read_token(settings.secret_key, VERIFY_SALT, token, settings.verify_token_hours * 3600)
    user = session.get(User, data["uid"])
    if user is None or not user.is_active or data.get("email") != fingerprint(user.email):
        raise TokenError("invalid")
    if user.is_verified:
        raise TokenError("used")
    user.email_verified_at = utcnow()
    commit(session)
    return user
