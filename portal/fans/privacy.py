"""A member's fans data in their export (the ledger, badges, staff's notes), and erased with their account."""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from .badges import BADGES
from .models import EngagementEvent, FanBadge, FanNote, FanSelectionMember, FanStanding, FanVoid
from .rules import MILLI


def export_member_data(session: Session, member: User) -> dict[str, Any]:
    """Everything the fans feature keeps about the member, staff's notes included."""
    standing = session.get(FanStanding, member.id)
    events = session.scalars(select(EngagementEvent).where(EngagementEvent.user_id == member.id)
                             .order_by(EngagementEvent.id))
    return {
        "tier": member.tier.value,
        "pinned": bool(standing and standing.pinned),
        "hidden_from_leaderboard": bool(standing and standing.hidden),
        "last_contacted_at": standing.last_contacted_at.isoformat() if standing and standing.last_contacted_at else None,
        "ledger": [{"kind": e.kind, "at": e.created_at.isoformat(), "weight": e.weight / MILLI, "points": e.points / MILLI,
                    "limited": e.limited, "voided": e.voided, "post": e.post_id, "comment": e.comment_id,
                    "idea": e.idea_id} for e in events],
        "badges": [{"badge": str(BADGES[b.badge].label) if b.badge in BADGES else b.badge,
                    "earned_at": b.earned_at.isoformat()}
                   for b in session.scalars(select(FanBadge).where(FanBadge.user_id == member.id))],
        "staff_notes": [{"at": n.created_at.isoformat(), "note": n.body}
                        for n in session.scalars(select(FanNote).where(FanNote.user_id == member.id)
                                                 .order_by(FanNote.id))],
        "voids": [{"from": v.starts_on.isoformat(), "to": v.ends_on.isoformat(), "reason": v.reason}
                  for v in session.scalars(select(FanVoid).where(FanVoid.user_id == member.id))],
    }


def erase_member_data(session: Session, member: User) -> None:
    """The account is deleted: its ledger, standing, badges, notes, voids and places in selections go."""
    for model in (EngagementEvent, FanBadge, FanNote, FanSelectionMember, FanVoid, FanStanding):
        session.execute(delete(model).where(model.user_id == member.id))
