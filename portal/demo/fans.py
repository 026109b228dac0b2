"""The demo's fans: tiers drawn from the scores every other builder's contributions earned, with the
story behind them, and what staff keep about fans.

Runs after the other builders (`demo.LAST`): by then every post, like, idea and vote has recorded its
engagement event through `fans.service.record`, dated by the demo clock, so each event earned its
points, caps included, as of its day, and every standing already holds its score as of today (the
incremental path, which a full recompute equals). This builder adds one member caught by the like
cap (written as `toggle_post_like` writes a like), then draws the lines (`tiers.draw_lines`) and
gives each member the tier their score reaches, dated when their score crossed the line, with the
notification and badges a member would have had. The longest-standing superfan had farmed likes: a
moderator voided those weeks yesterday, and the nightly evaluation itself (`tiers.evaluate`: past the
grace period, below 90% of the line) demotes them. The admin had widened the superfans a little (the
default floor of 100 points is above all but four of this small community). Promotions are not made
through `tiers.evaluate` because it would mail every one of them now. Also: a few staff notes, "last
contacted" dates, and the "Launch testers" selection.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, time, timedelta

from sqlalchemy import func, select, update

from ..accounts.models import AuditEvent, Tier, User
from ..community.models import NotificationKind, Post, PostLike
from ..community.posting import recount_counters
from ..fans import rules, scoring, service, tiers
from ..fans.badges import BADGES, Facts
from ..fans.models import EngagementEvent, FanBadge, FanNote, FanSelection, FanSelectionMember, FanVoid
from .kit import Demo, data

CAPPED_LIKES = 5  # likes in one evening from one member to another: the last ones are over the pair cap


@dataclass
class History:
    """One member's counted events, oldest first, as (day, points, kind, when, other member)."""

    events: list[tuple[int, int, str, datetime, int | None]] = field(default_factory=list)

    def crossings(self, line: float, half_life: int, *, likes: bool) -> list[tuple[int, float]]:
        """Each day the tier score rose across `line`, with the score that day, and the lowest score since."""
        if not math.isfinite(line):
            return []
        score, day, result = 0.0, None, []
        for event_day, points, kind, _when, _other in self.events:
            if kind == "like_received" and not likes:
                continue
            if day is not None and event_day != day:
                score *= 0.5 ** ((event_day - day) / half_life)
            before, day = score, event_day
            score += points / rules.MILLI
            if before < line <= score:
                result.append((event_day, score))
        return result

    def when(self, day: int) -> datetime:
        """The moment of the member's last event on `day` (a promotion follows the contribution that earned it)."""
        return max(when for event_day, *_rest, when, _other in self.events if event_day == day)

    def nth(self, kinds: set[str], n: int) -> datetime | None:
        moments = [when for _day, _points, kind, when, _other in self.events if kind in kinds]
        return moments[n - 1] if len(moments) >= n else None


def build(demo: Demo) -> None:
    Fans(demo).build()


class Fans:
    def __init__(self, demo: Demo) -> None:
        self.demo, self.session, self.rng, self.now = demo, demo.session, demo.rng, demo.now
        cast = demo.people
        self.members = [m for m in cast.members if m.is_verified]
        self.camille = cast.staff[0]
        self.alex = cast.alex
        self.texts = data("fans")

    def build(self) -> None:
        self.capped = self.like_cap()
        session = self.session
        self.admin_settings()
        session.flush()
        self.settings = rules.settings(session)
        ids = [m.id for m in self.members]
        self.givers = tiers.givers(session, ids)
        self.histories = self.read_histories(ids)
        self.void_farming()
        self.lines = tiers.draw_lines(session)
        session.flush()
        self.standings = scoring.lock(session, ids)
        self.givers = tiers.givers(session, ids)
        self.histories = self.read_histories(ids)
        self.tiers()
        self.demote()
        self.badges()
        self.staff_marks()

    def admin_settings(self) -> None:
        """Fernhill's admin made the superfans a slightly wider group than the default, with a lower floor, as
        the admin page does it (`rules.store`, an audit entry), three weeks ago."""
        chosen = replace(rules.settings(self.session), **self.texts["settings"])
        before = rules.Settings()
        rules.store(self.session, new_settings=chosen)
        self.session.add(AuditEvent(actor_id=self.demo.people.admin.id, action="fans.settings",
                                    created_at=self.now - timedelta(days=21),
                                    details={"settings": {k: v for k, v in asdict(chosen).items()
                                                          if getattr(before, k) != v}, "weights": None}))

    # -- the member over the like cap ------------------------------------------------------------

    def like_cap(self) -> User:
        """A member who liked five posts of the same member in one evening: the first three count, the rest
        are over the pair cap, and both ledgers say so. Written as `toggle_post_like` writes a like."""
        session = self.session
        posts = defaultdict(list)
        for post in session.scalars(select(Post).where(Post.published_at.is_not(None)).order_by(Post.id)):
            posts[post.author_id].append(post)
        author = max((m for m in self.members if m is not self.alex), key=lambda m: (len(posts[m.id]), -m.id))
        liked = {(uid, pid) for uid, pid in session.execute(select(PostLike.user_id, PostLike.post_id))}
        liker = next(m for m in self.members[10:] if m is not author
                     and sum((m.id, p.id) not in liked for p in posts[author.id]) >= CAPPED_LIKES)
        fresh = [p for p in posts[author.id] if (liker.id, p.id) not in liked
                 and p.created_at < self.now - timedelta(days=3)][:CAPPED_LIKES]
        evening = datetime.combine(max(p.created_at for p in fresh).date() + timedelta(days=1), time(20, 30))
        for minutes, post in enumerate(fresh):
            when = evening + timedelta(minutes=4 * minutes)
            with self.demo.at(when):
                session.add(PostLike(user_id=liker.id, post_id=post.id))
                service.record(session, liker.id, "like_given", post_id=post.id, other_user_id=author.id)
                service.record(session, author.id, "like_received", post_id=post.id, other_user_id=liker.id)
            self.demo.notify(when, author.id, NotificationKind.LIKE, actor_id=liker.id, post_id=post.id, once=True)
        recount_counters(session)
        return liker

    # -- tiers -------------------------------------------------------------------------------------

    def read_histories(self, ids: list[int]) -> dict[int, History]:
        events = EngagementEvent
        histories: dict[int, History] = defaultdict(History)
        for row in self.session.execute(
                select(events.user_id, events.day, events.points, events.kind, events.created_at, events.other_user_id)
                .where(events.user_id.in_(ids), events.voided.is_(None), events.points > 0)
                .order_by(events.created_at, events.id)):
            histories[row.user_id].events.append((row.day, row.points, row.kind, row.created_at, row.other_user_id))
        return histories

    def score(self, member: User) -> float:
        return tiers.tier_score(self.standings[member.id], self.givers.get(member.id, 0), self.settings)

    def likes_count(self, member: User) -> bool:
        return self.givers.get(member.id, 0) >= self.settings.min_givers

    def reached(self, member: User, tier: Tier) -> datetime:
        """When the member's tier score last rose across the tier's line (today's line)."""
        crossings = self.histories[member.id].crossings(self.lines.of(tier), self.settings.half_life_days,
                                                        likes=self.likes_count(member))
        if not crossings:
            return self.now - timedelta(days=1)
        return self.histories[member.id].when(crossings[-1][0])

    def promote(self, member: User, tier: Tier, since: datetime) -> None:
        """The tier and what reaching it left: the date, and the news when it is recent."""
        member.tier = tier
        self.standings[member.id].tier_since = since
        self.demo.notify(since, member.id, "tier", detail=tier.value)

    def tiers(self) -> None:
        for member in self.members:
            standing = self.standings[member.id]
            reached = tiers.deserved(self.score(member), tiers.is_active(standing, self.settings), self.lines)
            if reached is Tier.SUPERFAN:
                fan_since, since = self.reached(member, Tier.FAN), self.reached(member, Tier.SUPERFAN)
                if fan_since < since:
                    self.demo.notify(fan_since, member.id, "tier", detail=Tier.FAN.value)
                self.promote(member, Tier.SUPERFAN, since)
            elif reached is Tier.FAN:
                self.promote(member, Tier.FAN, self.reached(member, Tier.FAN))

    def void_farming(self) -> None:
        """The longest-standing superfan had traded likes with a second account: yesterday a moderator voided the
        points of those weeks (as `service.void_period` does, with its audit entry). Their tier waits for the nightly
        pass, which demotes them once past the grace period and below 90% of the line (`demote`)."""
        session, now, grace = self.session, self.now, timedelta(days=self.settings.grace_days)
        floor = self.settings.superfan_floor
        today, half_life = scoring.today(), self.settings.half_life_days
        last_day = (now - timedelta(days=1)).date().toordinal()
        best = None
        for member in self.members:
            if member is self.alex or member is self.capped:
                continue
            history = self.histories[member.id]
            crossings = history.crossings(floor, half_life, likes=self.likes_count(member))
            if not crossings or history.when(crossings[-1][0]) >= now - grace - timedelta(days=5):
                continue
            since = history.when(crossings[-1][0])
            first_day = (since - timedelta(days=40)).date().toordinal()
            end_day = last_day

            def worth(day: int, points: int) -> float:
                return points / rules.MILLI * 0.5 ** ((today - day) / half_life)
            total = sum(worth(day, points) for day, points, *_rest in history.events)
            kept = total - sum(worth(day, points) for day, points, kind, *_rest in history.events
                               if first_day <= day <= end_day)
            if kept < floor * 0.85 and (best is None or since < best[0]):
                best = (since, member)
        if best is None:
            return
        since, member = best
        moderator = next(person for person in self.demo.people.staff if person.is_moderator and not person.is_staff)
        starts, ends = (since - timedelta(days=40)).date(), (now - timedelta(days=1)).date()
        start_at, end_at = datetime.combine(starts, time()), datetime.combine(ends + timedelta(days=1), time())
        reason = self.texts["void_reason"]
        with self.demo.at(now - timedelta(hours=20)):
            void = FanVoid(user_id=member.id, moderator_id=moderator.id, starts_on=start_at, ends_on=end_at, reason=reason)
            session.add(void)
            session.flush()
            events = EngagementEvent
            conditions = [events.user_id == member.id, events.created_at >= start_at, events.created_at < end_at]
            scoring.apply(session, scoring.counted(session, *conditions), sign=-1)
            count = session.execute(update(events).where(*conditions, events.voided.is_(None))
                                    .values(voided="void", void_id=void.id)
                                    .execution_options(synchronize_session=False)).rowcount
            session.add(AuditEvent(actor_id=moderator.id, target_user_id=member.id, action="fans.void",
                                   details={"starts": starts.isoformat(), "ends": ends.isoformat(), "reason": reason,
                                            "events": count}))
        self.was_superfan = (member, since)

    def demote(self) -> None:
        """The superfan whose points were voided: a superfan since their score crossed the line, demoted now by
        the nightly evaluation itself (past the grace period, below 90% of the line), as its history shows."""
        if not getattr(self, "was_superfan", None):
            return
        member, since = self.was_superfan
        if self.score(member) >= self.lines.superfan * tiers.DEMOTION_MARGIN:
            return
        fan = min(self.reached(member, Tier.FAN), since - timedelta(days=2))
        if member.tier is not Tier.FAN:
            self.demo.notify(fan, member.id, "tier", detail=Tier.FAN.value)
        self.promote(member, Tier.SUPERFAN, since)
        self.session.add(FanBadge(user_id=member.id, badge="superfan", earned_at=since))
        self.demo.notify(since, member.id, "badge", detail="superfan")
        self.session.flush()
        tiers.evaluate(self.session, [member], demote=True)
        self.demoted = member

    # -- badges ------------------------------------------------------------------------------------

    def badges(self) -> None:
        """Each badge a member's ledger earns (the rules of `fans.badges`), dated by the event that earned it."""
        events = EngagementEvent
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        distinct: dict[int, dict[str, int]] = defaultdict(dict)
        for user_id, kind, number, others in self.session.execute(
                select(events.user_id, events.kind, func.count(), func.count(func.distinct(events.other_user_id)))
                .where(events.voided.is_(None), events.limited.is_(None) | (events.limited != "self"))
                .group_by(events.user_id, events.kind)):
            counts[user_id][kind] = number
            distinct[user_id][kind] = others
        held = {(uid, name) for uid, name in self.session.execute(select(FanBadge.user_id, FanBadge.badge))}
        for member in self.members:
            facts = Facts(member, counts[member.id], distinct[member.id])
            for name, badge in BADGES.items():
                if (member.id, name) in held or not badge.earned(facts):
                    continue
                when = self.earned(member, name)
                self.session.add(FanBadge(user_id=member.id, badge=name, earned_at=when))
                self.demo.notify(when, member.id, "badge", detail=name)

    def earned(self, member: User, name: str) -> datetime:
        history, standing = self.histories[member.id], self.standings[member.id]
        moments = {
            "first_post": lambda: history.nth({"post", "question"}, 1),
            "first_idea": lambda: history.nth({"idea_posted"}, 1),
            "idea_shipped": lambda: history.nth({"idea_done"}, 1),
            "helper": lambda: history.nth({"answer_accepted"}, 10),
            "crowd_favourite": lambda: history.nth({"like_received"}, 100),
            "voice": lambda: history.nth({"idea_vote"}, 25),
            "regular": lambda: history.nth({"visit"}, 30),
            "fan": lambda: self.reached(member, Tier.FAN),
            "superfan": lambda: standing.tier_since,
            "one_year": lambda: member.created_at + timedelta(days=365),
        }
        when = moments.get(name, lambda: None)()
        return min(when, self.now) if when else self.now - timedelta(hours=1)

    # -- what staff keep ---------------------------------------------------------------------------

    def staff_marks(self) -> None:
        """A few notes about fans, "last contacted" dates, and the hand-picked list for the next launch."""
        rng, now, session = self.rng, self.now, self.session
        ranked = sorted((m for m in self.members if m.tier is not Tier.MEMBER), key=lambda m: -self.score(m))
        for member, body in zip(ranked[1::3], self.texts["notes"], strict=False):
            session.add(FanNote(user_id=member.id, author_id=self.camille.id, body=body,
                                created_at=now - timedelta(days=rng.uniform(3, 40))))
        for member in ranked:
            if rng.random() < 0.6:
                service.touch_contact(session, [member.id], now - timedelta(days=rng.uniform(1, 90)))
        selection = FanSelection(name=self.texts["selection"], created_by_id=self.camille.id,
                                 created_at=now - timedelta(days=6))
        session.add(selection)
        session.flush()
        testers = [m for m in ranked if m.tier is Tier.SUPERFAN][:8]
        session.add_all(FanSelectionMember(selection_id=selection.id, user_id=m.id) for m in testers)
        session.flush()
