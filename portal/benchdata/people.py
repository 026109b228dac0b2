"""The benchmark's members: an admin, a few staff and moderators, everyone else a member; English and
French speakers; joined over the history, the most active ones earlier. Then who follows whom."""
from __future__ import annotations

import math
import unicodedata
from datetime import datetime, timedelta

from werkzeug.security import generate_password_hash

from ..accounts.models import Role, User
from ..community.models import Follow
from .kit import Bench, Picker
from .texts import FIRST, LAST

PASSWORD = "bench-password-2026"
STAFF = 3
MODERATORS = 2
FOLLOW_MEDIAN = 25  # a typical member follows a few dozen people; the active ones follow more


def email(user_id: int) -> str:
    return f"member{user_id}@bench.tribune.test"


class People:
    """Who the members are, as the other steps need them: ids by activity, join dates, languages."""

    def __init__(self, bench: Bench) -> None:
        self.bench = bench
        rng, count = bench.rng, bench.sizes.members
        self.ids = list(range(1, count + 1))
        self.admin, self.staff = 1, list(range(2, 2 + STAFF))
        self.moderators = list(range(2 + STAFF, 2 + STAFF + MODERATORS))
        # Rank by activity: a shuffled order, so the busiest members are not the first ids.
        self.by_activity = self.ids[:]
        rng.shuffle(self.by_activity)
        self.rank = {uid: rank for rank, uid in enumerate(self.by_activity)}
        self.active = Picker(rng, self.by_activity)
        self.language = {uid: "fr" if rng.random() < 0.3 else "en" for uid in self.ids}
        self.joined: dict[int, datetime] = {}
        span = (bench.now - bench.start).days + 20
        for uid in self.ids:
            # The busiest joined earliest (before the history starts); the tail kept joining since.
            early = self.rank[uid] / max(1, count)
            days_ago = span - int(rng.random() * early * (span - 30))
            self.joined[uid] = bench.now - timedelta(days=days_ago, seconds=rng.randint(0, 86_399))

    def since(self, uid: int) -> datetime:
        """When the member may first contribute: a day after joining (new accounts earn nothing), or the history's start."""
        return max(self.joined[uid] + timedelta(days=1, minutes=5), self.bench.start)

    def role(self, uid: int) -> Role:
        if uid == self.admin:
            return Role.ADMIN
        if uid in self.staff:
            return Role.STAFF
        if uid in self.moderators:
            return Role.MODERATOR
        return Role.MEMBER


def build(bench: Bench) -> People:
    people = People(bench)
    password = generate_password_hash(PASSWORD)  # once: every member shares it (the manifest says it)
    rng = bench.rng

    def rows():
        for uid in people.ids:
            first, last = rng.choice(FIRST), rng.choice(LAST)
            joined = people.joined[uid]
            yield {"id": uid, "email": email(uid), "display_name": f"{first} {last}",
                   "username": f"{_ascii(first + last)}_{uid}"[:30], "password_hash": password,
                   "role": people.role(uid).value, "bio": "", "locale": people.language[uid],
                   "email_notifications": True, "email_verified_at": joined + timedelta(minutes=3),
                   "created_at": joined, "unread_notifications": 0, "digest": "off", "tier": "member",
                   "suspension_reason": ""}

    bench.counts["members"] = bench.insert(User, rows())
    return people


def _ascii(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", name).lower() if c.isascii() and c.isalnum())


def follow(bench: Bench, people: People) -> dict[int, int]:
    """Each member follows a log-normal number of others (median FOLLOW_MEDIAN), the active ones more, chosen
    with the long tail (people follow the busy); returns how many each one follows."""
    rng, count = bench.rng, len(people.ids)
    most = max(0, (count - 1) // 2)
    follows: dict[int, int] = {}

    def rows():
        for uid in people.ids:
            boost = 1.5 if people.rank[uid] < count / 10 else 1.0
            wanted = min(most, int(math.exp(rng.gauss(math.log(FOLLOW_MEDIAN * boost), 0.8))))
            chosen = people.active.distinct(wanted, exclude=(uid,))
            follows[uid] = len(chosen)
            since = people.since(uid)
            for followed in chosen:
                yield {"follower_id": uid, "followed_id": followed,
                       "created_at": bench.moment(max(since, people.since(followed)))}

    bench.counts["follows"] = bench.insert(Follow, rows())
    return follows
