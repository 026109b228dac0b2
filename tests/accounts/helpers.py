"""Helpers shared by the accounts service tests."""
from __future__ import annotations

import io
from contextlib import contextmanager

import pytest
from itsdangerous import TimestampSigner
from PIL import Image
from sqlalchemy import func, select

from portal.accounts.models import AuditEvent, User, UserSession
from portal.extensions import db

PASSWORD = "correct horse battery staple"  # the password conftest gives every member
NEW_PASSWORD = "purple elephants dance at noon"


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def sessions_of(user: User) -> list[UserSession]:
    return list(db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)))


def audit_events() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


@contextmanager
def clock_ahead(seconds: int):
    """Check signed links as if `seconds` had passed (itsdangerous reads the clock in get_timestamp)."""
    real = TimestampSigner.get_timestamp
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) + seconds)
        yield


def png(size=(40, 30)) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, "PNG")
    out.seek(0)
    return out
