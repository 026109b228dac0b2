"""Who may write: the rule every feature that takes members' words applies first."""
from __future__ import annotations

from typing import Any

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

from .models import User


def write_refusal(user: User) -> Any | None:
    """Why this member may read but not write (unconfirmed, suspended), or None."""
    if not user.is_verified:
        return _l("Confirm your email address first: we sent you a link.")
    if user.is_suspended:
        return _l("Your account is suspended until %(date)s: %(reason)s",
                  date=format_datetime(user.suspended_until, "short"), reason=user.suspension_reason)
    return None
