"""Roles: admins grant and revoke moderator and staff on the web; admins are made on the command line."""
from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from ..kernel.pagecache import invalidate
from ..kernel.timeutil import utcnow
from ..kernel.uow import after_commit, commit, use_case
from .models import AuditEvent, Role, User
from .passwords import password_problems
from .validation import AccountError, normalise_email

GRANTABLE_ROLES = (Role.MEMBER, Role.MODERATOR, Role.STAFF)


class RoleChangeRefused(Exception):
    """A role change that is not allowed; the message says why, for the admin."""


@use_case
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
    after_commit(session, invalidate, f"member:{target.id}", "people")  # the Staff badge beside their posts
    commit(session)


@use_case
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
    after_commit(session, invalidate, "members", "people", f"member:{user.id}")  # the Staff badge beside their posts
    commit(session)
    return user, generated
