"""What staff do about fans: voids, pinned tiers, notes, "last contacted", selections, the settings.

Each is a use case (it commits once); `touch_contact` is a helper for the caller's transaction.
The service module re-exports them, so callers read them as `fans.service.pin` and so on.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..accounts.models import AuditEvent, Tier, User
from ..kernel.errors import ValidationError
from ..kernel.timeutil import utcnow
from ..kernel.uow import after_commit, commit, use_case
from . import rules, scoring, tiers
from .ledger import FansError, clock, void_events
from .models import EngagementEvent, FanNote, FanSelection, FanSelectionMember, FanStanding, FanVoid
from .promotions import evaluate_member, redraw_tiers

REASON_MAX = 500
NOTE_MAX = 2000
SELECTION_NAME_MAX = 80


def _refuse(field: str, message: Any) -> FansError:
    return FansError({field: [message]})



def _require_staff(actor: User) -> None:
    if not actor.is_staff:
        raise PermissionError("staff only")


def _reason(raw: str, field: str = "reason") -> str:
    reason = " ".join((raw or "").split())
    if not reason:
        raise _refuse(field, _l("Give a reason: it goes into the audit log."))
    if len(reason) > REASON_MAX:
        raise _refuse(field, _l("Keep the reason under %(n)s characters.", n=REASON_MAX))
    return reason


@use_case
def void_period(session: Session, moderator: User, member: User, *, starts: date | None, ends: date | None,
                reason: str) -> int:
    """Void the member's points earned from `starts` to `ends` (days included), with a reason. Returns events voided."""
    if not moderator.is_moderator:
        raise PermissionError("moderators only")
    reason = _reason(reason)
    if starts is None:
        raise _refuse("starts", _l("Enter the first day of the period."))
    if ends is None:
        raise _refuse("ends", _l("Enter the last day of the period."))
    if ends < starts:
        raise _refuse("ends", _l("The period ends before it starts."))
    if starts > utcnow().date():
        raise _refuse("starts", _l("The period cannot start in the future."))
    start_at = datetime.combine(starts, datetime.min.time())
    end_at = datetime.combine(ends + timedelta(days=1), datetime.min.time())
    void = FanVoid(user_id=member.id, moderator_id=moderator.id, starts_on=start_at, ends_on=end_at, reason=reason)
    session.add(void)
    session.flush()
    events = EngagementEvent
    count = void_events(session, "void", [events.user_id == member.id, events.created_at >= start_at,
                                    events.created_at < end_at], void_id=void.id)
    session.add(AuditEvent(actor_id=moderator.id, target_user_id=member.id, action="fans.void",
                           details={"starts": starts.isoformat(), "ends": ends.isoformat(), "reason": reason,
                                    "events": count}))
    commit(session)
    return count


@use_case
def pin(session: Session, actor: User, member: User, tier: Any, reason: str) -> None:
    """Staff keep a member in a tier whatever their score, with a reason (audit log)."""
    _require_staff(actor)
    try:
        tier = Tier(tier)
    except ValueError:
        raise _refuse("tier", _l("Choose member, fan or superfan.")) from None
    reason = _reason(reason)
    standing = scoring.lock(session, [member.id])[member.id]
    before = member.tier
    standing.pinned, standing.pin_reason = True, reason
    if tier is not before:
        member.tier = tier
        standing.tier_since = utcnow()
    session.add(AuditEvent(actor_id=actor.id, target_user_id=member.id, action="fans.pin",
                           details={"tier": tier.value, "from": before.value, "reason": reason}))
    tiers.announce(session, member, before, tier)
    tiers.shown_changed(session, member)
    commit(session)


@use_case
def unpin(session: Session, actor: User, member: User, reason: str) -> None:
    """The member's tier follows their score again (a promotion at once; a demotion after the grace period)."""
    _require_staff(actor)
    reason = _reason(reason)
    standing = scoring.lock(session, [member.id])[member.id]
    if not standing.pinned:
        raise _refuse("reason", _l("This member's tier is not pinned."))
    standing.pinned, standing.pin_reason = False, ""
    standing.tier_since = utcnow()
    session.add(AuditEvent(actor_id=actor.id, target_user_id=member.id, action="fans.unpin",
                           details={"tier": member.tier.value, "reason": reason}))
    after_commit(session, evaluate_member, member.id)
    commit(session)


@use_case
def add_note(session: Session, actor: User, member: User, body: str) -> FanNote:
    """Staff write down something about a fan; the member finds it in their data export."""
    _require_staff(actor)
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise _refuse("body", _l("Write the note first."))
    if len(text) > NOTE_MAX:
        raise _refuse("body", _l("Keep a note under %(n)s characters.", n=NOTE_MAX))
    note = FanNote(user_id=member.id, author_id=actor.id, body=text)
    session.add(note)
    commit(session)
    return note


def touch_contact(session: Session, user_ids: list[int], when: datetime | None = None) -> None:
    """Staff reached these members (a newsletter, a sample shipped, a reply): their "last contacted" moves.

    A helper for the caller's transaction; it never moves the date back.
    """
    ids = sorted(set(user_ids))
    if not ids:
        return
    when = when or clock(session)
    scoring.lock(session, ids)
    session.execute(update(FanStanding).where(FanStanding.user_id.in_(ids),
                                              (FanStanding.last_contacted_at.is_(None))
                                              | (FanStanding.last_contacted_at < when))
                    .values(last_contacted_at=when).execution_options(synchronize_session=False))


@use_case
def set_leaderboard_visibility(session: Session, member: User, *, hidden: bool) -> None:
    """The member shows on the public leaderboard, or not (hidden, not re-ranked around)."""
    standing = scoring.lock(session, [member.id])[member.id]
    standing.hidden = bool(hidden)
    tiers.shown_changed(session, member)
    commit(session)


@use_case
def save_selection(session: Session, actor: User, name: str, user_ids: list[int]) -> FanSelection:
    """A hand-picked list of members under a name (the same name again replaces its members)."""
    _require_staff(actor)
    name = " ".join((name or "").split())
    if not name:
        raise _refuse("name", _l("Name the selection."))
    if len(name) > SELECTION_NAME_MAX:
        raise _refuse("name", _l("Keep the name under %(n)s characters.", n=SELECTION_NAME_MAX))
    ids = set(session.scalars(select(User.id).where(User.id.in_(set(user_ids)), User.deleted_at.is_(None))))
    if not ids:
        raise _refuse("members", _l("Pick at least one member."))
    selection = session.scalar(select(FanSelection).where(FanSelection.name == name))
    if selection is None:
        selection = FanSelection(name=name, created_by_id=actor.id)
        session.add(selection)
        session.flush()
    else:
        session.execute(delete(FanSelectionMember).where(FanSelectionMember.selection_id == selection.id))
    session.add_all(FanSelectionMember(selection_id=selection.id, user_id=uid) for uid in sorted(ids))
    commit(session)
    return selection


@use_case
def delete_selection(session: Session, actor: User, selection: FanSelection) -> None:
    _require_staff(actor)
    session.delete(selection)
    commit(session)


def selection_members(selection_id: int):
    """The member ids of a saved selection, as a subquery: the audience later features send to."""
    return select(FanSelectionMember.user_id).where(FanSelectionMember.selection_id == selection_id)


@use_case
def save_settings(session: Session, actor: User, raw_settings: dict[str, Any], raw_weights: dict[str, Any]) -> bool:
    """Admins change the weights and tier settings; either form's errors refuse both. Returns True when
    the half-life changed, so every score is being recomputed."""
    if not actor.is_admin:
        raise PermissionError("admins only")
    errors: dict[str, list[Any]] = {}
    new_settings = new_weights = None
    try:
        new_settings = rules.parse_settings(raw_settings)
    except ValidationError as error:
        errors.update(error.errors)
    try:
        new_weights = rules.parse_weights(raw_weights)
    except ValidationError as error:
        errors.update({f"weight-{k}": v for k, v in error.errors.items()})
    if errors:
        raise FansError(errors)
    before = rules.settings(session)
    rules.store(session, new_settings=new_settings, new_weights=new_weights)
    session.add(AuditEvent(actor_id=actor.id, action="fans.settings",
                           details={"settings": {k: v for k, v in vars(new_settings).items()
                                                 if getattr(before, k) != v},
                                    "weights": new_weights}))
    rescore = new_settings.half_life_days != before.half_life_days
    after_commit(session, redraw_tiers, rescore)
    commit(session)
    return rescore
