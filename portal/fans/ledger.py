"""Writing the ledger: what a contribution earns, what an undo takes back, and staff's own actions.

`record` and `retract` are helpers the other features call inside their own use case (the caller
commits): the event, its points and the member's score change in that one transaction. What an
event earns is decided when it happens, and the event keeps it, with the reason when it earned
less than its kind's weight (`rules.LIMITS`): that is what makes every point traceable, and a
full recompute equal to the incremental path. Promotions and badges follow after the commit.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, delete, func, select, update
from sqlalchemy.orm import Session

from ..accounts.models import Tier, User
from ..kernel.errors import ValidationError
from ..kernel.pagecache import invalidate
from ..kernel.timeutil import utcnow
from ..kernel.uow import after_commit, after_commit_once
from . import rules, scoring
from .models import EngagementEvent
from .promotions import evaluate_member
from .scoring import Change

# Kinds where doing it to yourself earns nothing: liking your own post, voting for your own idea.
SELF_KINDS = frozenset({"like_given", "like_received", "idea_vote", "follower_gained"})
NEW_ACCOUNT = timedelta(days=1)
_ANY: Any = object()


class FansError(ValidationError):
    """What staff asked for breaks a rule; the message says which, keyed by form field."""


def _refuse(field: str, message: Any) -> FansError:
    return FansError({field: [message]})


def clock(session: Session) -> datetime:
    """Now, or the moment a replay of the past (the demo) has set on the session."""
    return session.info.get("clock") or utcnow()


# -- the ledger ----------------------------------------------------------------------------------

# A replay of the past by the only writer of a new database (the demo sets session.info[REPLAY] = {}): the
# day's points per member and kind are counted in memory instead of asked of the database for every event.
# Same rules, same stored points; a live site never sets it.
REPLAY = "fans.replay"


def _tallied(tally: dict, result: dict[int, tuple[int, str | None]], open_ids: list[int], kind: str,
             other_user_id: int | None, day: int, weight: int, settings: rules.Settings) -> dict:
    cap = round(settings.daily_cap * rules.MILLI)
    for uid in open_ids:
        earned, pairs = tally.get((uid, kind, day), (0, {}))
        if kind in rules.PAIR_CAPPED and other_user_id is not None and pairs.get(other_user_id, 0) >= settings.pair_cap:
            result[uid] = (0, "pair_cap")
        else:
            points = weight if earned + weight <= cap else max(0, cap - earned)
            result[uid] = (points, None if points == weight else "daily_cap")
            if points:
                pairs = dict(pairs)
                pairs[other_user_id] = pairs.get(other_user_id, 0) + 1
                tally[(uid, kind, day)] = (earned + points, pairs)
    return result


def _allowances(session: Session, users: dict[int, User], kind: str, other_user_id: int | None, day: int,
                weight: int, when: datetime) -> dict[int, tuple[int, str | None]]:
    """What an event of `kind` earns today for each member, and why it earns less than `weight` if it does."""
    settings = rules.settings(session)
    result: dict[int, tuple[int, str | None]] = {}
    open_ids = []
    for uid, user in users.items():
        if other_user_id == uid and kind in SELF_KINDS:
            result[uid] = (0, "self")
        elif user.suspended_until is not None and user.suspended_until > when:
            result[uid] = (0, "suspended")
        elif user.email_verified_at is None:
            result[uid] = (0, "unverified")
        elif user.created_at is not None and when - user.created_at < NEW_ACCOUNT:
            result[uid] = (0, "new_account")
        elif weight <= 0:
            result[uid] = (0, None)
        else:
            open_ids.append(uid)
    if not open_ids:
        return result
    tally = session.info.get(REPLAY)
    if tally is not None:
        return _tallied(tally, result, open_ids, kind, other_user_id, day, weight, settings)
    events = EngagementEvent
    paired = (func.sum(case((and_(events.other_user_id == other_user_id, events.points > 0), 1), else_=0))
              if other_user_id is not None and kind in rules.PAIR_CAPPED else func.sum(0))
    today = {uid: (int(earned or 0), int(pairs or 0)) for uid, earned, pairs in session.execute(
        select(events.user_id, func.sum(events.points), paired)
        .where(events.user_id.in_(open_ids), events.kind == kind, events.day == day, events.voided.is_(None))
        .group_by(events.user_id))}
    cap = round(settings.daily_cap * rules.MILLI)
    for uid in open_ids:
        earned, pairs = today.get(uid, (0, 0))
        if kind in rules.PAIR_CAPPED and other_user_id is not None and pairs >= settings.pair_cap:
            result[uid] = (0, "pair_cap")
        elif earned + weight > cap:
            result[uid] = (max(0, cap - earned), "daily_cap")
        else:
            result[uid] = (weight, None)
    return result


def record_many(session: Session, user_ids: list[int], kind: str, *, post_id: int | None = None,
                comment_id: int | None = None, other_user_id: int | None = None, idea_id: int | None = None) -> None:
    """One event of `kind` for each member, scored, in a few statements whatever their number."""
    ids = sorted(set(user_ids))
    if not ids:
        return
    when = clock(session)
    day = when.date().toordinal()
    weight = rules.weight_milli(session, kind)
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        if len(chunk) == 1:  # one contribution: its member is usually loaded already
            found = session.get(User, chunk[0])
            users = {found.id: found} if found is not None else {}
        else:
            users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(chunk)))}
        earned = _allowances(session, users, kind, other_user_id, day, weight, when)
        rows = [{"user_id": uid, "kind": kind, "post_id": post_id, "comment_id": comment_id,
                 "other_user_id": other_user_id, "idea_id": idea_id, "created_at": when, "day": day,
                 "weight": weight, "points": earned[uid][0], "limited": earned[uid][1]} for uid in users]
        # The events first: on SQLite their insert takes the write lock the standings are then read under.
        scoring.add_events(session, rows)
        standings = scoring.lock(session, list(users))
        scoring.apply(session, [Change(uid, kind, earned[uid][0], day) for uid in users], standings=standings)
        for uid in users:
            if earned[uid][0] > 0:
                after_commit_once(session, _queue_evaluation, uid)


def record(session: Session, user_id: int, kind: str, *, post_id: int | None = None, comment_id: int | None = None,
           other_user_id: int | None = None, idea_id: int | None = None) -> None:
    """Add one event to the session and its points to the member's score (the caller commits)."""
    record_many(session, [user_id], kind, post_id=post_id, comment_id=comment_id, other_user_id=other_user_id,
                idea_id=idea_id)


def _conditions(user_id: Any, kind: Any, post_id: Any, comment_id: Any, other_user_id: Any, idea_id: Any) -> list:
    """Match on what the caller named; a name left out matches anything."""
    events = EngagementEvent
    pairs = ((events.user_id, user_id), (events.kind, kind), (events.post_id, post_id),
             (events.comment_id, comment_id), (events.other_user_id, other_user_id), (events.idea_id, idea_id))
    return [column.is_(None) if value is None else column == value for column, value in pairs if value is not _ANY]


def retract(session: Session, user_id: int, kind: str, *, post_id: Any = _ANY, comment_id: Any = _ANY,
            other_user_id: Any = _ANY, idea_id: Any = _ANY, one: bool = False) -> None:
    """Remove the events of a contribution that was undone (an unlike, a deletion) and their points.

    `one` removes a single matching event, for contributions a member may make several times on the
    same item (two comments on one idea).
    """
    events = EngagementEvent
    query = (select(events.id, events.user_id, events.kind, events.points, events.day, events.voided)
             .where(*_conditions(user_id, kind, post_id, comment_id, other_user_id, idea_id)).order_by(events.id))
    rows = session.execute(query.limit(1) if one else query).all()
    if not rows:
        return
    scoring.apply(session, [Change(r.user_id, r.kind, r.points, r.day) for r in rows if r.voided is None], sign=-1)
    session.execute(delete(events).where(events.id.in_([r.id for r in rows])))


def retract_contribution(session: Session, author_id: int, *, post_id: int | None = None,
                         comment_id: int | None = None, idea_id: int | None = None) -> None:
    """Content was deleted: every event it earned its author goes (the post itself, the likes it received...)."""
    events = EngagementEvent
    rows = session.execute(select(events.id, events.user_id, events.kind, events.points, events.day, events.voided)
                           .where(*_contribution(author_id, post_id, comment_id, idea_id))).all()
    if rows:
        scoring.apply(session, [Change(r.user_id, r.kind, r.points, r.day) for r in rows if r.voided is None], sign=-1)
        session.execute(delete(events).where(events.id.in_([r.id for r in rows])))


def retract_everyone(session: Session, kind: str, *, idea_id: int) -> None:
    """Take back an event of `kind` on this idea from everyone who had it (an idea leaving "planned")."""
    events = EngagementEvent
    rows = session.execute(select(events.id, events.user_id, events.kind, events.points, events.day, events.voided)
                           .where(events.kind == kind, events.idea_id == idea_id)).all()
    if rows:
        scoring.apply(session, [Change(r.user_id, r.kind, r.points, r.day) for r in rows if r.voided is None], sign=-1)
        session.execute(delete(events).where(events.id.in_([r.id for r in rows])))


def has_event(session: Session, kind: str, *, idea_id: int) -> bool:
    return session.scalar(select(EngagementEvent.id).where(EngagementEvent.kind == kind,
                                                           EngagementEvent.idea_id == idea_id).limit(1)) is not None


# A moderator's void outranks the hiding of content, which outranks a suspension: an event carries its strongest
# reason, and lifting a weaker one (a suspension ending) never brings back what a stronger one still holds.
_OUTRANKS = {"void": ("hidden", "suspended"), "hidden": ("suspended",), "suspended": ()}


def void_events(session: Session, reason: str, conditions: list, void_id: int | None = None) -> int:
    """Mark matching events as no longer counting, and take their points back. Returns how many."""
    events = EngagementEvent
    scoring.apply(session, scoring.counted(session, *conditions), sign=-1)
    state = events.voided.is_(None) | events.voided.in_(_OUTRANKS.get(reason, ()))
    result = session.execute(update(events).where(*conditions, state)
                             .values(voided=reason, void_id=void_id).execution_options(synchronize_session=False))
    return result.rowcount


def _unvoid(session: Session, reason: str, conditions: list, still: str | None = None) -> int:
    """The reason ends: matching events count again, or stay voided for `still` (a suspension still running)."""
    events = EngagementEvent
    changes = scoring.counted(session, *conditions, voided=reason) if still is None else []
    result = session.execute(update(events).where(*conditions, events.voided == reason)
                             .values(voided=still, void_id=None).execution_options(synchronize_session=False))
    scoring.apply(session, changes)
    return result.rowcount


def _contribution(author_id: int, post_id: int | None, comment_id: int | None, idea_id: int | None) -> list:
    """The author's events that a piece of content earned: the post itself, the likes it received..."""
    events = EngagementEvent
    if comment_id is not None:
        return [events.user_id == author_id, events.comment_id == comment_id]
    if post_id is not None:  # the post's own events; its author's comments under it are the comments'
        return [events.user_id == author_id, events.post_id == post_id, events.comment_id.is_(None)]
    return [events.user_id == author_id, events.idea_id == idea_id]


def hide_contribution(session: Session, author_id: int, *, post_id: int | None = None, comment_id: int | None = None,
                      idea_id: int | None = None) -> None:
    """A moderator hid content: what it earned its author stops counting (shown as such on the ledger)."""
    void_events(session, "hidden", _contribution(author_id, post_id, comment_id, idea_id))


def restore_contribution(session: Session, author_id: int, *, post_id: int | None = None,
                         comment_id: int | None = None, idea_id: int | None = None) -> None:
    """The hidden content is shown again, and counts again (once the suspension ends, for a suspended author)."""
    author = session.get(User, author_id)
    still = "suspended" if author is not None and author.is_suspended else None
    _unvoid(session, "hidden", _contribution(author_id, post_id, comment_id, idea_id), still)


def suspend_points(session: Session, member: User) -> None:
    """A suspension: the member's points stop counting until it ends, and their tier goes at once."""
    void_events(session, "suspended", [EngagementEvent.user_id == member.id])
    standing = scoring.lock(session, [member.id])[member.id]
    if not standing.pinned and member.tier is not Tier.MEMBER:
        member.tier = Tier.MEMBER
        standing.tier_since = utcnow()
    after_commit(session, invalidate, f"member:{member.id}", "leaderboard")  # off the leaderboard at once


def restore_points(session: Session, member: User) -> None:
    """The suspension ended: the member's points count again (a promotion follows after the commit)."""
    _unvoid(session, "suspended", [EngagementEvent.user_id == member.id])
    after_commit(session, invalidate, f"member:{member.id}", "leaderboard")  # back on the leaderboard at once
    after_commit(session, _queue_evaluation, member.id)


def _queue_evaluation(user_id: int) -> None:
    evaluate_member(user_id)
