"""The score: every counted event's points, halved every half-life, summed per member. Exact, always.

An event earns points on the day it happens (its kind's weight, less any cap) and they decay
with its age in whole days: points x 0.5^(age / half-life). To keep the incremental path and a
full recompute equal to the last unit, a member's stored score is an integer: each event adds
points (milli-points) x factor(age), where factor is the decay rounded to millionths, for the
age the event has on the standing's `scored_day`. A sum of integers does not depend on the order
it is made in, so adding events one by one, taking them back, and recomputing from the ledger
give the same number. The nightly job moves every standing to the new day by recomputing it
(decay applied); pages show the score as of today from whatever day it was stored at.

Writes take the standing's row lock first (a no-op UPDATE: the row lock on PostgreSQL, the write
lock on SQLite), so a contribution racing the nightly recompute waits for it and adds its points
to the recomputed score, never to the one it replaces.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import case, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ..kernel.timeutil import utcnow
from . import rules
from .models import EngagementEvent, FanStanding

SCALE = 1_000_000  # decay factors are stored in millionths
UNIT = SCALE * rules.MILLI  # score units per point


@lru_cache(maxsize=8192)
def factor(age_days: int, half_life_days: int) -> int:
    """0.5^(age / half-life) in millionths (above a million for an event after the standing's day)."""
    return round(SCALE * 0.5 ** (age_days / half_life_days))


def today() -> int:
    return utcnow().date().toordinal()


def points_of(units: int) -> float:
    return units / UNIT


def current(standing: FanStanding | None, half_life_days: int, day: int | None = None) -> float:
    """A stored score as of `day` (today): the decay since the day it was stored at applied."""
    if standing is None:
        return 0.0
    day = today() if day is None else day
    return points_of(standing.score) * factor(day - standing.scored_day, half_life_days) / SCALE


def contribution(points: int, event_day: int, scored_day: int, half_life_days: int) -> int:
    return points * factor(scored_day - event_day, half_life_days)


def _insert_missing(session: Session, user_ids: Iterable[int], day: int) -> None:
    """Standing rows for members who have none yet (a concurrent insert of the same row is not an error)."""
    table = FanStanding.__table__
    rows = [{"user_id": uid, "scored_day": day} for uid in user_ids]
    if not rows:
        return
    dialect_insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    for start in range(0, len(rows), 500):  # SQLite takes at most 32,766 parameters a statement
        session.execute(dialect_insert(table).values(rows[start:start + 500])
                        .on_conflict_do_nothing(index_elements=["user_id"]))


def lock(session: Session, user_ids: Iterable[int]) -> dict[int, FanStanding]:
    """The members' standings, created when missing and locked until the transaction ends."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    replay = session.info.get("fans.replay")  # ledger.REPLAY: the only writer keeps the standings it read
    if replay is not None:
        held = replay.setdefault("standings", {})
        missing = [i for i in ids if i not in held]
        if missing:
            held.update(_lock(session, missing))
        return {i: held[i] for i in ids if i in held}
    return _lock(session, ids)


def _lock(session: Session, ids: list[int]) -> dict[int, FanStanding]:
    session.flush()
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    if not postgres and not connection.connection.dbapi_connection.in_transaction:
        # SQLite has one write lock: a transaction that wrote already holds it (a contribution inserts its
        # event first); one that has not takes it with a write that changes nothing.
        table = FanStanding.__table__
        session.execute(update(table).where(table.c.user_id.in_(ids)).values(scored_day=table.c.scored_day))
    query = (select(FanStanding).where(FanStanding.user_id.in_(ids)).order_by(FanStanding.user_id)
             .execution_options(populate_existing=True))
    if postgres:
        # Only the standings, in id order: the member rows the query joins are written by other paths
        # (a notification's unread count) that take them before a standing, which would deadlock.
        query = query.with_for_update(of=FanStanding)
    found = {standing.user_id: standing for standing in session.scalars(query)}
    if len(found) != len(ids):
        _insert_missing(session, [i for i in ids if i not in found], today())
        found = {standing.user_id: standing for standing in session.scalars(query)}
    return found


@dataclass
class Change:
    """What one event adds to (or, negative, takes from) its member's standing."""

    user_id: int
    kind: str
    points: int
    day: int


def apply(session: Session, changes: list[Change], *, sign: int = 1, standings: dict[int, FanStanding] | None = None) -> None:
    """Add (sign 1) or take back (sign -1) counted events' points on their members' locked standings."""
    changes = [c for c in changes if c.points]
    if not changes:
        return
    half_life = rules.settings(session).half_life_days
    standings = standings if standings is not None else lock(session, [c.user_id for c in changes])
    for change in changes:
        standing = standings[change.user_id]
        delta = contribution(change.points, change.day, standing.scored_day, half_life)
        standing.score += sign * delta
        if change.kind == "like_received":
            standing.like_score += sign * delta
        standing.lifetime += sign * change.points
        if sign > 0 and (standing.last_event_day is None or change.day > standing.last_event_day):
            standing.last_event_day = change.day


def counted(session: Session, *conditions, voided: str | None = None) -> list[Change]:
    """The events that match and earn points: those that count (or those voided for `voided`)."""
    state = EngagementEvent.voided.is_(None) if voided is None else EngagementEvent.voided == voided
    rows = session.execute(select(EngagementEvent.user_id, EngagementEvent.kind, EngagementEvent.points,
                                  EngagementEvent.day)
                           .where(*conditions, state, EngagementEvent.points > 0))
    return [Change(*row) for row in rows]


def recompute(session: Session, user_ids: Iterable[int] | None = None, *, batch: int = 2000) -> int:
    """Rebuild standings from the ledger as of today (all members, or these), in batches that each commit.

    Returns how many standings were rebuilt. The nightly job calls it for everyone: that is the decay.
    """
    day = today()
    half_life = rules.settings(session).half_life_days
    events = EngagementEvent
    if user_ids is None:
        # Members with events but no standing yet get one first, so each batch below can lock its rows.
        missing = session.scalars(select(events.user_id).distinct()
                                  .where(events.user_id.not_in(select(FanStanding.user_id))))
        _insert_missing(session, list(missing), day)
        session.commit()
        ids = list(session.scalars(select(FanStanding.user_id).order_by(FanStanding.user_id)))
    else:
        ids = sorted(set(user_ids))
    done = 0
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        standings = lock(session, chunk)
        found = totals(session, chunk, day, half_life)
        for user_id, standing in standings.items():
            score, like_score, lifetime, last_day = found.get(user_id, (0, 0, 0, 0))
            standing.score, standing.like_score, standing.lifetime = score, like_score, lifetime
            standing.last_event_day = last_day or None
            standing.scored_day = day
        session.commit()
        done += len(standings)
    return done


def totals(session: Session, user_ids: list[int], day: int, half_life: int) -> dict[int, tuple[int, int, int, int]]:
    """What the ledger gives these members as of `day`, read only: {user_id: (score, like score, lifetime,
    last event day)} for those with counted events. The one formula of `recompute` and of the checks."""
    events = EngagementEvent
    result: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    is_like = case((events.kind == "like_received", 1), else_=0)
    rows = session.execute(
        select(events.user_id, events.day, is_like, func.sum(events.points))
        .where(events.user_id.in_(user_ids), events.voided.is_(None), events.points > 0)
        .group_by(events.user_id, events.day, is_like))
    for user_id, event_day, like, points in rows:
        total = result[user_id]
        delta = int(points) * factor(day - event_day, half_life)
        total[0] += delta
        if like:
            total[1] += delta
        total[2] += int(points)
        total[3] = max(total[3], event_day)
    return {user_id: (score, like_score, lifetime, last_day) for user_id, [score, like_score, lifetime, last_day]
            in result.items()}


def add_events(session: Session, rows: list[dict]) -> None:
    """Insert many prepared event rows in one statement (status changes reaching every voter)."""
    if not rows:
        return
    if "fans.replay" in session.info:  # the only writer (the demo): inserted with its next flush, in batches
        session.add_all(EngagementEvent(**row) for row in rows)
    else:
        session.execute(insert(EngagementEvent), rows)

