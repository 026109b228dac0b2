"""Fixtures and readers for the fans core tests: a clock every module reads, members, standings, the ledger.

Test modules import the fixtures they use (`from .core_fixtures import clock, people  # noqa: F401`).
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.fans import rules, scoring
from portal.fans.models import EngagementEvent, FanStanding
from portal.kernel import timeutil

REAL_UTCNOW = timeutil.utcnow


class Clock:
    """Frozen time for every module that imported `utcnow` by name; `advance` moves it."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, days: float = 0, hours: float = 0) -> datetime:
        self.now += timedelta(days=days, hours=hours)
        return self.now

    def to_day(self, day: int, hour: int = 10) -> datetime:
        """Move to that day (an ordinal) at `hour`."""
        self.now = datetime.combine(datetime.fromordinal(day).date(), time(hour))
        return self.now

    @property
    def day(self) -> int:
        return self.now.date().toordinal()


@pytest.fixture
def clock(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Tomorrow (real time) at 10:00, so defaults written with the real clock are always in the past."""
    fake = Clock(datetime.combine(REAL_UTCNOW().date() + timedelta(days=1), time(10)))
    for name, module in list(sys.modules.items()):
        if (name == "portal" or name.startswith("portal.")) and getattr(module, "utcnow", None) is REAL_UTCNOW:
            monkeypatch.setattr(module, "utcnow", fake)
    return fake


@pytest.fixture
def request_context(app: Flask) -> Iterator[None]:
    """Services render links with url_for, as inside a request."""
    with app.test_request_context():
        yield


@pytest.fixture
def people(make_member: Callable[..., User], clock: Clock, request_context: None) -> Callable[..., User]:
    """A verified member whose account is a month old (by the test's clock): their events earn points."""

    def make(**overrides: Any) -> User:
        overrides.setdefault("created_at", clock.now - timedelta(days=30))
        return make_member(**overrides)

    return make


# -- readers -------------------------------------------------------------------------------------

def standing(user: User | int) -> FanStanding | None:
    uid = user if isinstance(user, int) else user.id
    return db.session.scalar(select(FanStanding).where(FanStanding.user_id == uid)
                             .execution_options(populate_existing=True))


def snapshot() -> dict[int, tuple[int, int, int]]:
    rows = db.session.execute(select(FanStanding.user_id, FanStanding.score, FanStanding.like_score,
                                     FanStanding.lifetime).order_by(FanStanding.user_id))
    return {uid: (score, like, lifetime) for uid, score, like, lifetime in rows}


def scored_days() -> set[int]:
    return set(db.session.scalars(select(FanStanding.scored_day)))


def ledger(user: User | int, kind: str | None = None) -> list[EngagementEvent]:
    uid = user if isinstance(user, int) else user.id
    query = select(EngagementEvent).where(EngagementEvent.user_id == uid).order_by(EngagementEvent.id)
    if kind is not None:
        query = query.where(EngagementEvent.kind == kind)
    return list(db.session.scalars(query.execution_options(populate_existing=True)))


def formula(user: User | int, as_of: int, half_life: int | None = None) -> tuple[int, int, int]:
    """(score, like score, lifetime) from the ledger, computed here, independently of fans.scoring."""
    half_life = half_life or rules.settings(db.session).half_life_days
    score = like = lifetime = 0
    for event in ledger(user):
        if event.voided is not None or event.points <= 0:
            continue
        part = event.points * round(1_000_000 * 0.5 ** ((as_of - event.day) / half_life))
        score += part
        like += part if event.kind == "like_received" else 0
        lifetime += event.points
    return score, like, lifetime


def points(user: User | int) -> float:
    """The member's score as of today, in points."""
    return scoring.current(standing(user), rules.settings(db.session).half_life_days)


def settings_form(**changes: Any) -> dict[str, str]:
    values = asdict(rules.settings(db.session))
    values.update(changes)
    return {k: str(v) for k, v in values.items()}


def weights_form(**changes: Any) -> dict[str, str]:
    values = dict(rules.weights(db.session))
    values.update(changes)
    return {k: str(v) for k, v in values.items()}
