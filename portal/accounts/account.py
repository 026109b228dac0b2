"""A member's own account: profile and avatar, settings, their data (export) and erasing it (deletion)."""
from __future__ import annotations

import secrets
from typing import Any, BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from ..config import SUPPORTED_LOCALES
from ..kernel import features, images, outbox
from ..kernel.pagecache import invalidate
from ..kernel.site import site_settings
from ..kernel.timeutil import utcnow
from ..kernel.uow import after_commit, commit, use_case
from . import handles
from .models import Digest, Role, Tier, User
from .rules import write_refusal
from .sessions import active_sessions, end_other_sessions
from .validation import DELETED_HANDLE, AccountError, clean_display_name

BIO_MAX = 500
AVATAR_SIDE = 256


class DeletionRefused(Exception):
    """This account may not be deleted by its owner; the message says why, for the member."""


# -- profile and settings --------------------------------------------------


class ProfileLocked(Exception):
    """This member may not change what others see of them (name, handle, bio, avatar); the message says why."""


def profile_refusal(user: User) -> Any | None:
    """Why this member may not change their public profile now (unconfirmed address, suspension), or None."""
    return write_refusal(user)


@use_case
def update_profile(session: Session, user: User, *, display_name: str, bio: str, avatar: BinaryIO | None = None,
                   remove_avatar: bool = False, username: str | None = None) -> None:
    """Change name, handle, bio and avatar; nothing is saved if any part is wrong.

    Raises ProfileLocked for a member who may not write (what they show is public, as a post is).
    """
    if (refusal := profile_refusal(user)) is not None:
        raise ProfileLocked(refusal)
    errors: dict[str, list[Any]] = {}
    name = clean_display_name(display_name, errors)
    handle = user.username if username is None else username.strip().lstrip("@").lower()
    if handle != user.username and (problem := handles.handle_problem(
            session, user, handle, site_name=site_settings(session).name)) is not None:
        errors["username"] = [problem]
    bio = bio.strip()
    if len(bio) > BIO_MAX:
        errors["bio"] = [_l("Keep your bio under %(n)s characters.", n=BIO_MAX)]
    encoded: bytes | None = None
    if avatar is not None:
        try:
            encoded = images.square_webp(avatar, side=AVATAR_SIDE, **images.limits("avatars"))
        except images.ImageRejected as exc:
            errors["avatar"] = [exc.args[0]]
    if errors:
        raise AccountError(errors)
    old_avatar = user.avatar
    new_avatar = images.store("avatars", encoded, "webp") if encoded is not None else None
    if handle != user.username:
        handles.release(session, user, user.username, handle)  # the old one stays theirs for a while
    user.display_name, user.username, user.bio = name, handle, bio
    if new_avatar is not None or remove_avatar:
        user.avatar = new_avatar
    after_commit(session, invalidate, f"member:{user.id}", "people")  # their name and avatar show beside every post
    if old_avatar and old_avatar != user.avatar:
        after_commit(session, images.discard, "avatars", old_avatar)
    try:
        commit(session)
    except Exception:
        images.discard("avatars", new_avatar)  # the file of a change that was never saved
        raise


@use_case
def update_settings(session: Session, user: User, *, locale: str | None, email_notifications: bool,
                    digest: str = Digest.OFF.value) -> None:
    """Language, email notifications and the digest."""
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
    commit(session)


# -- your data -------------------------------------------------------------


def export_data(session: Session, user: User, exporters: dict[str, Any]) -> dict[str, Any]:
    """Everything Tribune holds about a member, as plain JSON-ready data."""
    data: dict[str, Any] = {
        "account": {
            "id": user.id,
            "email": user.email,
            "display_name": user.display_name,
            "username": user.username,
            "former_usernames": handles.former_handles(session, user),
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
    for section, exporter in exporters.items():  # what other features hold: features.registry().data_exporters
        data[section] = exporter(session, user)
    return data


def _iso(value: Any) -> str | None:
    return value.isoformat() + "Z" if value else None


def check_can_delete(user: User) -> None:
    """DeletionRefused if this member may not delete their own account (an admin: the site would lose its admin)."""
    if user.is_admin:
        raise DeletionRefused(_l("An admin account cannot delete itself. Ask another admin to take over first."))


@use_case
def delete_account(session: Session, user: User, *, password: str) -> None:
    """Erase the member's personal data; what they contributed stays, under 'deleted member'."""
    check_can_delete(user)
    if not check_password_hash(user.password_hash, password):
        raise AccountError({"password": [_l("That is not your password.")]})
    old_avatar, old_email = user.avatar, user.email
    user.email = f"deleted-{user.id}-{secrets.token_hex(4)}@deleted.invalid"
    user.display_name = "deleted member"
    placeholder = f"{DELETED_HANDLE}{user.id}_{secrets.token_hex(3)}"
    handles.release(session, user, user.username, placeholder)  # nobody else may pose as them for a while
    user.username = placeholder
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
    for erase in features.registry().erasers:
        erase(session, user)  # what the features above keep about the member (the fans ledger, staff notes)
    after_commit(session, invalidate, "members", "people", f"member:{user.id}")
    after_commit(session, images.discard, "avatars", old_avatar)
    after_commit(session, outbox.erase_mail_to, old_email)  # queued: the outbox (the demo's inboxes) forgets them too
    commit(session)
