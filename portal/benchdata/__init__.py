"""A benchmark community at a chosen scale, built deterministically and fast (`flask portal bench-data`), and
the check that every stored counter matches its rows (`flask portal bench-check`, in `check`).

Like the demo, this is no feature: it writes every feature's tables. Unlike the demo, it writes them in bulk
(SQLAlchemy Core inserts of prepared rows, ids chosen here) from a seeded generator, then derives what real use
derives (counters, trending scores, engagement scores, tiers, badges, the search index) with the features' own
functions. Scale 1 is 10,000 members, 50,000 posts, 150,000 comments, 500,000 likes, 20,000 ideas on 5 boards,
500,000 votes and 1,000,000 engagement events; the other scales are proportional (`kit.Sizes`).

A database it builds is marked in the site settings (`MARK`): the command refuses any other database that has
tables, and one it built already.
"""
from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..accounts.models import Role, Tier, User
from ..community.models import Follow, Post
from ..feedback import triage
from ..kernel.site import SiteSetting
from ..kernel.timeutil import utcnow
from ..search import sources_of
from ..search.service import rebuild_all
from . import community, feedback, people, standings
from .kit import SCALES, Bench, analyze, reset_sequences, roomy
from .ledger import Ledger
from .texts import SEARCHES

__all__ = ["MARK", "SCALES", "Refused", "build", "mark_of", "normal_scale", "prepare"]

MARK = "benchdata"  # the site setting that says this database was made by bench-data, at which scale


class Refused(Exception):
    """This scale or this database will not do; the message says why."""


def normal_scale(scale: str) -> str:
    """The scale as SCALES spells it ("1.0" is "1"), or Refused."""
    try:
        value = float(scale)
    except ValueError:
        value = None
    for known in SCALES:
        if value is not None and float(known) == value:
            return known
    raise Refused(f"Unknown scale {scale!r}: choose one of {', '.join(SCALES)}.")


def prepare(session: Session) -> None:
    """Migrate an empty database; refuse one with tables that bench-data did not make, or made already."""
    if not inspect(session.get_bind()).get_table_names():
        from flask_migrate import upgrade  # here: only an empty database is migrated, once

        session.close()
        upgrade()
        return
    try:
        mark = mark_of(session)
    except SQLAlchemyError:
        session.rollback()
        mark = None
    if mark is None:
        raise Refused("This database has tables but was not made by bench-data: use an empty database "
                      "(bench-data migrates it itself).")
    if mark.get("state") == "built":
        raise Refused(f"This database was already built at scale {mark.get('scale')}; use a fresh database.")
    raise Refused(f"A build at scale {mark.get('scale')} was interrupted in this database; use a fresh database.")


def mark_of(session: Session) -> dict[str, Any] | None:
    row = session.get(SiteSetting, MARK)
    return json.loads(row.value) if row is not None else None


def _mark(session: Session, scale: str, seed: int, state: str) -> None:
    value = json.dumps({"scale": scale, "seed": seed, "state": state})
    row = session.get(SiteSetting, MARK)
    if row is None:
        session.add(SiteSetting(key=MARK, value=value))
    else:
        row.value = value
    session.commit()


def build(session: Session, scale: str, seed: int = 1, *, now: datetime | None = None) -> dict[str, Any]:
    """Build the community into an empty, migrated database; returns the manifest (see NOTES: interface)."""
    if scale not in SCALES:
        raise ValueError(f"Unknown scale {scale}: choose one of {', '.join(SCALES)}.")
    if session.scalar(select(func.count(User.id))):
        raise ValueError("The database already has members: build into an empty one.")
    started = time.perf_counter()
    _mark(session, scale, seed, "building")
    roomy(session)
    bench = Bench(session, scale, seed, (now or utcnow()).replace(microsecond=0))
    ledger = Ledger(bench)
    with bench.step("members"):
        cast = people.build(bench)
    net = community.build(bench, cast, ledger)
    ideas = feedback.build(bench, cast, ledger)
    with bench.step("events"):
        ledger.flush()
        ledger.plan()
    with bench.step("follows"):
        follows = people.follow(bench, cast)
        _follow_events(bench, ledger)
    with bench.step("likes"):
        community.likes(bench, cast, ledger, net)
        ledger.keep("likes")
    with bench.step("votes"):
        feedback.votes(bench, cast, ledger, ideas)
        ledger.keep("votes")
    with bench.step("events"):
        _visits(bench, cast, ledger)
        ledger.flush()
        session.commit()
    bench.counts["engagement_events"] = ledger.written
    with bench.step("analyze"):
        analyze(session)  # the recounts below need the planner's statistics of the bulk load
    standings.build(bench)
    with bench.step("vote_tallies"):
        _ideas, wrong_budgets = triage.recount_vote_counts(session)  # the ideas' tallies are all set here
        bench.counts["budgets_recounted"] = wrong_budgets  # 0: the budgets made above were right
    with bench.step("search_index"):
        bench.counts.update({f"indexed_{name}": count for name, count in rebuild_all(session, sources_of()).items()})
    with bench.step("analyze"):
        reset_sequences(session)
        analyze(session)  # again: the scores, tiers and tallies changed since
    _mark(session, scale, seed, "built")
    bench.seconds["total"] = round(time.perf_counter() - started, 2)
    return _manifest(bench, cast, follows, net)


def _follow_events(bench: Bench, ledger: Ledger) -> None:
    """New followers' events, sampled from the follows just written (read back in one query)."""
    for follower, followed, when in bench.session.execute(
            select(Follow.follower_id, Follow.followed_id, Follow.created_at).order_by(Follow.follower_id, Follow.followed_id)):
        ledger.offer("follows", [ledger.event(followed, "follower_gained", when, other_user_id=follower)])
    ledger.keep("follows")


def _visits(bench: Bench, cast: people.People, ledger: Ledger) -> None:
    """Days with a visit (one event a member a day), the rest of the scale's events."""
    wanted, seen = ledger.wanted.get("visits", 0), set()
    tries, most = 0, 20 * wanted + 100
    while wanted > 0 and tries < most:
        tries += 1
        uid = cast.active.one()
        when = bench.moment(cast.since(uid))
        key = (uid, when.date().toordinal())
        if key in seen:
            continue
        seen.add(key)
        ledger.add(uid, "visit", when)
        wanted -= 1


def _manifest(bench: Bench, cast: people.People, follows: dict[int, int], net: community.Network) -> dict[str, Any]:
    session = bench.session
    members = [uid for uid in cast.by_activity if cast.role(uid) is Role.MEMBER]
    busy = members[:max(1, len(members) // 5)]
    typical = min(busy, key=lambda uid: (abs(follows.get(uid, 0) - 50), cast.rank[uid]))
    superfan = session.scalar(select(User.email).where(User.tier == Tier.SUPERFAN, User.role == Role.MEMBER)
                              .order_by(User.id).limit(1))
    like_posts = list(session.scalars(select(Post.id).where(Post.deleted_at.is_(None), Post.hidden_at.is_(None))
                                      .order_by(Post.published_at.desc(), Post.id.desc()).limit(200)))
    return {
        "scale": bench.scale, "seed": bench.seed, "password": people.PASSWORD, "built_at": bench.now.isoformat(),
        "build_seconds": bench.seconds, "counts": bench.counts,
        "member": people.email(typical), "member_follows": follows.get(typical, 0),
        "members": [people.email(uid) for uid in members[:200]],
        "staff": people.email(cast.staff[0]), "admin": people.email(cast.admin), "superfan": superfan,
        "boards": bench.manifest["boards"], "board": bench.manifest["board"],
        "idea_with_comments": bench.manifest["idea_with_comments"], "post_with_comments": net.busiest,
        "profile": f"/members/{typical}", "searches": list(SEARCHES), "vote_ideas": bench.manifest["vote_ideas"],
        "like_posts": like_posts,
    }
