"""Staff's impact and effort for many ideas at once: the priorities page saves every changed row
with one button, in one transaction, or changes nothing when one value is wrong."""
from __future__ import annotations

import re
from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..kernel.timeutil import utcnow
from ..kernel.uow import commit, use_case
from .models import Idea
from .service import FeedbackError, check_staff

FIELDS = ("impact", "effort")
ROWS_MAX = 200  # a page shows 20; a form with more rows than this was not made by the page
_KEY = re.compile(r"(was-)?(impact|effort)-([0-9]{1,9})")
_VALUE = re.compile(r"[1-5]?")

Changes = dict[int, dict[str, int | None]]


def parse(form: Mapping[str, str]) -> Changes:
    """The rows whose impact or effort differ from what the page showed (`was-...`), as {idea id: {field: value}}.

    Raises FeedbackError, naming the first bad field, for anything the page's menus could not have sent."""
    sent: dict[tuple[str, str, int], str] = {}
    for key, value in form.items():
        if key in ("csrf_token", "next", "board"):
            continue
        match = _KEY.fullmatch(key)
        if match is None:
            raise FeedbackError({"estimates": [_l("The form sent a field this page does not have. Nothing was changed: "
                                                  "reload the page and try again.")]})
        if _VALUE.fullmatch(value) is None:
            raise FeedbackError({"estimates": [_l("Impact and effort are numbers from 1 to 5, or “–” for none; idea "
                                                  "#%(id)s had “%(value)s”. Nothing was changed.",
                                                  id=match.group(3), value=_printable(value))]})
        sent[(match.group(1) or "", match.group(2), int(match.group(3)))] = value
    changes: Changes = {}
    for (was, name, idea_id), value in sent.items():
        if not was and sent.get(("was-", name, idea_id)) != value:  # no `was-`: what the page showed is unknown
            changes.setdefault(idea_id, {})[name] = int(value) if value else None
    if len({idea_id for _was, _name, idea_id in sent}) > ROWS_MAX:
        raise FeedbackError({"estimates": [_l("Too many rows in one save. Nothing was changed.")]})
    return changes


def _printable(value: str) -> str:
    """The bad value, shown back safely: control characters as "?", and never more than a few characters."""
    shown = "".join(c if c.isprintable() else "?" for c in value[:12])
    return shown + ("…" if len(value) > 12 else "")


@use_case
def save_estimates(session: Session, actor: User, changes: Changes, *, board_id: int | None = None) -> int:
    """Set the impact and effort of every changed idea in one transaction; returns how many ideas changed.

    Every idea must still be on a board (on `board_id` when the page was filtered by it), not merged or deleted;
    otherwise nothing changes."""
    check_staff(actor)
    if not changes:
        return 0
    ideas = {idea.id: idea for idea in session.scalars(select(Idea).where(Idea.id.in_(list(changes))))}
    for idea_id in changes:
        idea = ideas.get(idea_id)
        if idea is None or not idea.is_listed:
            raise FeedbackError({"estimates": [_l("Idea #%(id)s is no longer on its board (deleted, merged or hidden). Nothing "
                                                  "was changed: reload the page and try again.", id=idea_id)]})
        if board_id is not None and idea.board_id != board_id:
            raise FeedbackError({"estimates": [_l("Idea #%(id)s is not on the board this page shows. Nothing was "
                                                  "changed.", id=idea_id)]})
    now = utcnow()
    for idea_id, values in changes.items():
        idea = ideas[idea_id]
        for name, value in values.items():
            setattr(idea, name, value)
        idea.reviewed_at = now  # setting estimates is a review, as on the idea page
    commit(session)
    return len(changes)

