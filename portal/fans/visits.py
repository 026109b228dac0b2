"""A day with a visit: the first successful request of a day by a signed-in member earns its event.

Counted after the request (its own commit, once its answer is known), so that a page's work and a
refused form stay exactly what they were; the day is kept in the member's session, so later requests
that day cost nothing, and a second browser the same day finds the day's event and adds none.
"""
from __future__ import annotations

import logging

from flask import Response, session
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..kernel.uow import commit
from . import scoring, service
from .models import EngagementEvent

KEY = "fans_visit_day"
log = logging.getLogger(__name__)


def count_visit(response: Response) -> Response:
    if response.status_code >= 400 or not current_user.is_authenticated or current_user.deleted_at is not None:
        return response
    day = scoring.today()
    if session.get(KEY) == day:
        return response
    session[KEY] = day
    try:
        seen = db.session.scalar(select(EngagementEvent.id).where(
            EngagementEvent.user_id == current_user.id, EngagementEvent.kind == "visit",
            EngagementEvent.day == day).limit(1))
        if seen is None:
            service.record(db.session, current_user.id, "visit")
            commit(db.session)
    except Exception:  # noqa: BLE001 - the answer is ready: a visit not counted must not turn it into an error
        db.session.rollback()
        log.exception("could not count the visit of member %s", current_user.id)
    return response
