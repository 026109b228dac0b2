"""The benchmark's engagement ledger: one event for every authored row (posts, questions, comments, replies,
accepted answers, ideas, idea comments, ideas planned or shipped), then, to fill the scale's number of events,
an even sample of the interactions (likes given and received, votes, new followers) and daily visits.

Each event carries what `fans.ledger.record` would store for its row: its kind's default weight in
milli-points, the points it earned (nothing for oneself: an author's vote for their own idea), its
UTC day, its moment, and the ids of the rows and the other member it stands for. The data stays far
below the daily cap (no member earns 200 points of one kind a day); likes between the same two members past
the pair cap (3 a day) earn nothing, marked "pair_cap", as `fans.ledger` marks them.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from ..fans import rules
from ..fans.models import EngagementEvent
from .kit import Bench

# Shares of the interaction events, once every authored row has its event.
SHARES = {"likes": 0.5, "votes": 0.25, "follows": 0.125}


class Ledger:
    def __init__(self, bench: Bench) -> None:
        self.bench = bench
        self.pending: list[dict[str, Any]] = []
        self.weights = {kind: round(spec.weight * rules.MILLI) for kind, spec in rules.KINDS.items()}
        self.authored = 0
        self.written = 0
        self.pools: dict[str, list[list[dict[str, Any]]]] = {}
        self.seen: dict[str, int] = {}
        self.wanted: dict[str, int] = {}

    def event(self, user_id: int, kind: str, when: datetime, *, earns: bool = True, **ids: int | None) -> dict[str, Any]:
        weight = self.weights[kind]
        return {"user_id": user_id, "kind": kind, "post_id": ids.get("post_id"), "comment_id": ids.get("comment_id"),
                "other_user_id": ids.get("other_user_id"), "idea_id": ids.get("idea_id"), "created_at": when,
                "day": when.date().toordinal(), "weight": weight, "points": weight if earns else 0,
                "limited": None if earns else "self", "voided": None}

    def add(self, user_id: int, kind: str, when: datetime, **ids: Any) -> None:
        """An authored row's event: always kept."""
        self.pending.append(self.event(user_id, kind, when, **ids))
        self.authored += 1

    def plan(self) -> dict[str, int]:
        """How many interaction events of each group fill the scale's total (asked once the authored rows are in)."""
        rest = max(0, self.bench.sizes.events - self.authored)
        self.wanted = {"likes": int(rest * SHARES["likes"]) // 2, "votes": int(rest * SHARES["votes"]),
                       "follows": int(rest * SHARES["follows"])}
        self.wanted["visits"] = rest - 2 * self.wanted["likes"] - self.wanted["votes"] - self.wanted["follows"]
        return self.wanted

    def offer(self, group: str, events: list[dict[str, Any]]) -> None:
        """One interaction's events, kept or not by reservoir sampling: exactly the group's share, evenly drawn."""
        pool = self.pools.setdefault(group, [])
        seen = self.seen.get(group, 0)
        self.seen[group] = seen + 1
        wanted = self.wanted.get(group, 0)
        if len(pool) < wanted:
            pool.append(events)
        elif wanted:
            slot = self.bench.rng.randint(0, seen)
            if slot < wanted:
                pool[slot] = events

    def keep(self, group: str) -> None:
        """The group's sample goes with the next write (likes past the daily pair cap earn nothing, as live)."""
        pool = self.pools.pop(group, [])
        if group == "likes":
            pool.sort(key=lambda pair: (pair[0]["created_at"], pair[0]["user_id"]))
            pairs: dict[tuple[int, int, int], int] = {}
            for pair in pool:
                given = pair[0]
                key = (given["user_id"], given["other_user_id"], given["day"])
                pairs[key] = pairs.get(key, 0) + 1
                if pairs[key] > rules.Settings.pair_cap:
                    for event in pair:
                        event.update(points=0, limited="pair_cap")
        for events in pool:
            self.pending.extend(events)

    def flush(self) -> None:
        """Write what is pending (after the rows it points at are in)."""
        if self.pending:
            self.written += self.bench.insert(EngagementEvent, self.pending)
            self.pending = []
