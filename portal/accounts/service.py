"""Accounts: sign-up, verification, sessions, passwords, profile, data export, deletion, roles.

Functions take the SQLAlchemy session first. Each public function that writes
commits once, then queues its side effects (mail). Validation collects every
problem and raises one `AccountError` whose `errors` map form fields to messages.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from .. import images, mail
from ..errors import ValidationError
from ..fans.tiers import Tier
from ..pagecache import invalidate
from ..timeutil import utcnow
from .models import USERNAME_PATTERN, AuditEvent, Digest, Role, User, UserSession, handle_from

PASSWORD_MIN_LENGTH = 10
DISPLAY_NAME_MAX = 60
BIO_MAX = 500
AVATAR_SIDE = 256
SESSION_TOUCH_EVERY = timedelta(minutes=5)
DELETED_HANDLE = "deleted_"  # deleted accounts' handles; nobody else may take one


class AccountError(ValidationError):
    """One or more problems with what the member sent, by form field."""


class InvalidCredentials(Exception):
    """Wrong email or password (never says which)."""


class TokenError(Exception):
    """A link that is expired, already used, or not one we made."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "expired", "used" or "invalid"


# -- validation -------------------------------------------------------------


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problems(password: str, *, email: str = "", display_name: str = "") -> list[Any]:
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


def normalise_email(raw: str) -> str:
    """The address as stored: validated and lower-cased. Raises ValueError."""
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc
    return result.normalized.lower()


def _clean_display_name(raw: str, errors: dict[str, list[Any]]) -> str:
    name = " ".join(raw.split())
    if not name:
        errors.setdefault("display_name", []).append(_l("Enter the name other members will see."))
    elif len(name) > DISPLAY_NAME_MAX:
        errors.setdefault("display_name", []).append(_l("Keep your name under %(n)s characters.", n=DISPLAY_NAME_MAX))
    return name


def free_username(session: Session, display_name: str) -> str:
    """The shortest free handle made from a display name: alex, then alex2, alex3..."""
    base = handle_from(display_name)
    base = base if len(base) >= 3 else f"{base}fan"
    if base.startswith(DELETED_HANDLE):
        base = "member"
    taken = set(session.scalars(select(User.username).where(User.username.like(f"{base}%"))))
    if base not in taken:
        return base
    number = 2
    while f"{base}{number}" in taken:
        number += 1
    return f"{base}{number}"


def email_taken(session: Session, email: str, *, except_user: User | None = None) -> bool:
    query = select(User.id).where(User.email == email.lower())
    if except_user is not None:
        query = query.where(User.id != except_user.id)
    return session.scalar(query) is not None


# -- sign-up and verification ----------------------------------------------


def register(session: Session, *, email: str, display_name: str, password: str, locale: str | None = None) -> User:
    """Create an unverified member and send the verification link."""
    errors: dict[str, list[Any]] = {}
    try:
        email = normalise_email(email)
    except ValueError:
        errors["email"] = [_l("Enter a valid email address, like name@example.com.")]
    else:
        if email_taken(session, email):
            errors["email"] = [_l("An account already uses this email address. Sign in or reset your password.")]
    display_name = _clean_display_name(display_name, errors)
    problems = password_problems(password, email=email, display_name=display_name)
    if problems:
        errors["password"] = problems
    if errors:
        raise AccountError(errors)
    user = User(email=email, display_name=display_name, password_hash=generate_password_hash(password), locale=locale,
                username=free_username(session, display_name))
    session.add(user)
    session.commit()
    invalidate("members")
    send_verification(user)
    return user


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def verification_token(user: User) -> str:
    return _serializer("verify-email").dumps({"uid": user.id, "email": _fingerprint(user.email)})


def send_verification(user: User) -> None:
    token = verification_token(user)
    mail.send(user.email, _l("Confirm your email address"), "verify_email", user.locale, user=user, token=token,
              hours=current_app.config["VERIFY_TOKEN_HOURS"])


def _load_token(salt: str, token: str, max_age: int) -> dict[str, Any]:
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenError("expired") from exc
    except BadSignature as exc:
        raise TokenError("invalid") from exc
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        raise TokenError("invalid")
    return data


def verify_email(session: Session, token: str) -> User:
    """Mark the address in the link as verified. A second click is 'used'."""
    data = _load_token("verify-email", token, current_app.config["VERIFY_TOKEN_HOURS"] * 3600)
    user = session.get(User, data["uid"])
    if user is None or not user.is_active or data.get("email") != _fingerprint(user.email):
        raise TokenError("invalid")
    if user.is_verified:
        raise TokenError("used")
    user.email_verified_at = utcnow()
    session.commit()
    return user


# -- sessions --------------------------------------------------------------


def authenticate(session: Session, email: str, password: str) -> User:
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


def start_session(session: Session, user: User, *, remember: bool, user_agent: str = "") -> str:
    """Open a server-side session for this browser and return its token."""
    config = current_app.config
    lifetime = timedelta(days=config["REMEMBER_DAYS"] if remember else config["SESSION_DAYS"])
    now = utcnow()
    token = secrets.token_urlsafe(32)
    session.add(UserSession(token=token, user_id=user.id, created_at=now, last_seen_at=now, expires_at=now + lifetime,
                            remember=remember, user_agent=user_agent[:200]))
    session.commit()
    user.session_token = token
    return token


def load_session(session: Session, token: str) -> User | None:
    """The member behind a session token, or None when it ended, expired or was replaced."""
    row = session.scalar(select(UserSession).options(joinedload(UserSession.user)).where(UserSession.token == token))
    now = utcnow()
    if row is None or row.expires_at <= now or not row.user.is_active:
        return None
    if now - row.last_seen_at > SESSION_TOUCH_EVERY:
        config = current_app.config
        row.last_seen_at = now
        row.expires_at = now + timedelta(days=config["REMEMBER_DAYS"] if row.remember else config["SESSION_DAYS"])
        session.commit()
    row.user.session_token = token
    return row.user


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(UserSession).where(UserSession.token == token))
        session.commit()


def end_other_sessions(session: Session, user: User, keep: str | None = None) -> None:
    """Sign the member out everywhere but `keep` (their current browser)."""
    query = delete(UserSession).where(UserSession.user_id == user.id)
    if keep:
        query = query.where(UserSession.token != keep)
    session.execute(query)


def purge_expired_sessions(session: Session) -> int:
    result = session.execute(delete(UserSession).where(UserSession.expires_at <= utcnow()))
    session.commit()
    return result.rowcount or 0


def active_sessions(session: Session, user: User) -> list[UserSession]:
    return list(session.scalars(select(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at > utcnow())
                                .order_by(UserSession.last_seen_at.desc())))


# -- passwords -------------------------------------------------------------


def reset_token(user: User) -> str:
    # Bound to the current hash: once the password changes, the link is spent.
    return _serializer("reset-password").dumps({"uid": user.id, "pw": _fingerprint(user.password_hash)})


def request_password_reset(session: Session, email: str) -> None:
    """Mail a reset link if the address belongs to a member; say nothing either way."""
    try:
        email = normalise_email(email)
    except ValueError:
        return
    user = session.scalar(select(User).where(User.email == email, User.deleted_at.is_(None)))
    if user is not None:
        mail.send(user.email, _l("Reset your password"), "reset_password", user.locale, user=user, token=reset_token(user),
                  minutes=current_app.config["RESET_TOKEN_MINUTES"])


def check_reset_token(session: Session, token: str) -> User:
    data = _load_token("reset-password", token, current_app.config["RESET_TOKEN_MINUTES"] * 60)
    user = session.get(User, data["uid"])
    if user is None or not user.is_active:
        raise TokenError("invalid")
    if data.get("pw") != _fingerprint(user.password_hash):
        raise TokenError("used")
    return user


def reset_password(session: Session, token: str, new_password: str) -> User:
    """Set a new password from a reset link and sign the member out everywhere."""
    user = check_reset_token(session, token)
    problems = password_problems(new_password, email=user.email, display_name=user.display_name)
    if problems:
        raise AccountError({"password": problems})
    user.password_hash = generate_password_hash(new_password)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()  # the link proved they read this inbox
    end_other_sessions(session, user)
    session.commit()
    return user


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
    session.commit()


# -- profile and settings --------------------------------------------------


def avatar_folder() -> Path:
    return Path(current_app.instance_path) / "uploads" / "avatars"


def update_profile(session: Session, user: User, *, display_name: str, bio: str, avatar: BinaryIO | None = None,
                   remove_avatar: bool = False, username: str | None = None) -> None:
    """Change name, handle, bio and avatar; nothing is saved if any part is wrong."""
    errors: dict[str, list[Any]] = {}
    name = _clean_display_name(display_name, errors)
    handle = user.username if username is None else username.strip().lstrip("@").lower()
    if handle != user.username:
        if not re.fullmatch(USERNAME_PATTERN, handle):
            errors["username"] = [_l("Use 3 to 30 lower-case letters, digits or underscores.")]
        elif handle.startswith(DELETED_HANDLE):
            errors["username"] = [_l("Handles starting with “%(prefix)s” are reserved.", prefix=DELETED_HANDLE)]
        elif session.scalar(select(User.id).where(User.username == handle, User.id != user.id)) is not None:
            errors["username"] = [_l("Someone already uses @%(handle)s.", handle=handle)]
    bio = bio.strip()
    if len(bio) > BIO_MAX:
        errors["bio"] = [_l("Keep your bio under %(n)s characters.", n=BIO_MAX)]
    encoded: bytes | None = None
    if avatar is not None:
        config = current_app.config
        try:
            encoded = images.square_webp(avatar, side=AVATAR_SIDE, max_bytes=config["AVATAR_MAX_BYTES"],
                                         max_pixels=config["IMAGE_MAX_PIXELS"])
        except images.ImageRejected as exc:
            errors["avatar"] = [exc.args[0]]
    if errors:
        raise AccountError(errors)
    old_avatar = user.avatar
    user.display_name = name
    user.username = handle
    user.bio = bio
    if encoded is not None:
        user.avatar = images.store(avatar_folder(), encoded, "webp")
    elif remove_avatar:
        user.avatar = None
    session.commit()
    invalidate(f"member:{user.id}", "people")  # their name and avatar show beside every post
    if old_avatar and old_avatar != user.avatar:
        images.discard(avatar_folder(), old_avatar)


def update_settings(session: Session, user: User, *, locale: str | None, email_notifications: bool,
                    digest: str = Digest.OFF.value) -> None:
    from ..config import SUPPORTED_LOCALES

    errors: dict[str, list[Any]] = {}
    if locale not in (None, *SUPPORTED_LOCALES):
        errors["locale"] = [_l("Choose one of the languages offered.")]
    if digest not in {d.value for d in Digest}:
        errors["digest"] = [_l("Choose one of the options offered.")]
    if errors:
        raise AccountError(errors)
    user.locale = locale
    user.email_notifications = email_notifications
    user.digest = Digest(digest)
    session.commit()


# -- your data -------------------------------------------------------------

# Features add a function (session, user) -> dict to this list, keyed by section name.
DATA_EXPORTERS: dict[str, Any] = {}


def export_data(session: Session, user: User) -> dict[str, Any]:
    """Everything Tribune holds about a member, as plain JSON-ready data."""
    data: dict[str, Any] = {
        "account": {
            "id": user.id,
            "email": user.email,
            "display_name": user.display_name,
            "username": user.username,
            "digest": user.digest.value,
            "bio": user.bio,
            "role": user.role.value,
            "language": user.locale,
            "email_notifications": user.email_notifications,
            "email_verified_at": _iso(user.email_verified_at),
            "created_at": _iso(user.created_at),
            "avatar": bool(user.avatar),
        },
        "sessions": [
            {"created_at": _iso(s.created_at), "last_seen_at": _iso(s.last_seen_at), "user_agent": s.user_agent}
            for s in active_sessions(session, user)
        ],
    }
    for section, exporter in DATA_EXPORTERS.items():
        data[section] = exporter(session, user)
    return data


def _iso(value: Any) -> str | None:
    return value.isoformat() + "Z" if value else None


def delete_account(session: Session, user: User, *, password: str) -> None:
    """Erase the member's personal data; what they contributed stays, under 'deleted member'."""
    if not check_password_hash(user.password_hash, password):
        raise AccountError({"password": [_l("That is not your password.")]})
    old_avatar = user.avatar
    user.email = f"deleted-{user.id}-{secrets.token_hex(4)}@deleted.invalid"
    user.display_name = "deleted member"
    user.username = f"{DELETED_HANDLE}{user.id}_{secrets.token_hex(3)}"
    user.digest = Digest.OFF
    user.tier = Tier.MEMBER  # their votes stay, weighing as anyone's
    user.bio = ""
    user.avatar = None
    user.locale = None
    user.email_notifications = False
    user.password_hash = "!" + secrets.token_hex(16)  # matches no password
    user.role = Role.MEMBER
    user.deleted_at = utcnow()
    end_other_sessions(session, user)
    session.commit()
    invalidate("members", "people", f"member:{user.id}")
    images.discard(avatar_folder(), old_avatar)


# -- roles -----------------------------------------------------------------


class RoleChangeRefused(Exception):
    pass


GRANTABLE_ROLES = (Role.MEMBER, Role.MODERATOR, Role.STAFF)


def set_role(session: Session, *, actor: User, target: User, role: Role) -> None:
    """An admin grants or revokes moderator/staff; the audit log records it."""
    if not actor.is_admin:
        raise RoleChangeRefused(_l("Only admins can change roles."))
    if target.id == actor.id:
        raise RoleChangeRefused(_l("You cannot change your own role."))
    if target.is_admin or role not in GRANTABLE_ROLES:
        raise RoleChangeRefused(_l("Admin rights are given with the create-admin command only."))
    if not target.is_active:
        raise RoleChangeRefused(_l("This account was deleted."))
    if target.role is role:
        return
    session.add(AuditEvent(actor_id=actor.id, target_user_id=target.id, action="role.change",
                           details={"from": target.role.value, "to": role.value}))
    target.role = role
    session.commit()
    invalidate(f"member:{target.id}", "people")  # the Staff badge beside their posts


def create_admin(session: Session, *, email: str, password: str | None, display_name: str = "Admin") -> tuple[User, str | None]:
    """Make (or promote) an admin from the command line. Returns the user and a new password if one was made."""
    email = normalise_email(email)
    user = session.scalar(select(User).where(User.email == email))
    generated = None
    if user is None:
        if password is None:
            password = generated = secrets.token_urlsafe(12)
        problems = password_problems(password, email=email, display_name=display_name)
        if problems:
            raise AccountError({"password": problems})
        user = User(email=email, display_name=display_name, password_hash=generate_password_hash(password),
                    email_verified_at=utcnow())
        session.add(user)
        session.flush()
    session.add(AuditEvent(actor_id=None, target_user_id=user.id, action="role.change",
                           details={"from": user.role.value if user.role else "member", "to": "admin", "via": "cli"}))
    user.role = Role.ADMIN
    session.commit()
    invalidate("members", f"member:{user.id}")
    return user, generated


def count_members(session: Session) -> int:
    return session.scalar(select(func.count(User.id)).where(User.deleted_at.is_(None))) or 0
