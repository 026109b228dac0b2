"""Scores, tiers and badges from the benchmark's ledger, by the fans feature's own rules.

Scores: `scoring.recompute`, as the nightly job does. Tiers: the lines `tiers.draw_lines` draws, and for each
member the tier `tiers.decide` gives (a promotion from member, as `tiers.evaluate` decides it); written in
bulk rather than through `tiers.evaluate`, which would notify and mail every member promoted (thousands of
messages no benchmark needs; every unread count stays 0). Badges likewise: `badges.BADGES`' rules, no notification.
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import bindparam, func, select, update

from ..accounts.models import Tier, User
from ..fans import rules, scoring, tiers
from ..fans.badges import BADGES, Facts
from ..fans.models import EngagementEvent, FanBadge, FanStanding
from .kit import Bench


def build(bench: Bench) -> None:
    session = bench.session
    with bench.step("scores"):
        bench.counts["fan_standings"] = scoring.recompute(session)
    with bench.step("tiers"):
        _tiers(bench)
    with bench.step("badges"):
        _badges(bench)


def _tiers(bench: Bench) -> None:
    session = bench.session
    lines = tiers.draw_lines(session)
    session.commit()
    settings = rules.settings(session)
    liked = tiers.givers(session, None)
    changes = []
    for standing in session.scalars(select(FanStanding)):
        member = standing.user
        score = tiers.tier_score(standing, liked.get(member.id, 0), settings)
        after = tiers.decide(member, standing, score, lines, settings, demote=False, now=bench.now)
        if after is not member.tier:
            changes.append({"member": member.id, "tier": after.value})
    session.expunge_all()  # the bulk writes below leave no loaded row stale
    users, standings = User.__table__, FanStanding.__table__
    for start in range(0, len(changes), 5000):
        chunk = changes[start:start + 5000]
        session.execute(update(users).where(users.c.id == bindparam("member")).values(tier=bindparam("tier")), chunk)
        session.execute(update(standings).where(standings.c.user_id.in_([c["member"] for c in chunk]))
                        .values(tier_since=bench.now))
    session.commit()
    for tier in Tier:
        bench.counts[f"tier_{tier.value}"] = session.scalar(select(func.count(User.id)).where(User.tier == tier)) or 0


def _badges(bench: Bench) -> None:
    session, events = bench.session, EngagementEvent
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    distinct: dict[int, dict[str, int]] = defaultdict(dict)
    for user_id, kind, number, others in session.execute(
            select(events.user_id, events.kind, func.count(), func.count(func.distinct(events.other_user_id)))
            .where(events.voided.is_(None), events.limited.is_(None) | (events.limited != "self"))
            .group_by(events.user_id, events.kind)):
        counts[user_id][kind] = number
        distinct[user_id][kind] = others
    rows = []
    for member in session.scalars(select(User).where(User.deleted_at.is_(None)).order_by(User.id)):
        facts = Facts(member, counts[member.id], distinct[member.id])
        rows.extend({"user_id": member.id, "badge": name, "earned_at": bench.now}
                    for name, badge in BADGES.items() if badge.earned(facts))
    session.expunge_all()
    bench.counts["fan_badges"] = bench.insert(FanBadge, rows)
    session.commit()
