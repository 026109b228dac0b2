"""Trending: recent votes and comments count most, and their weight halves every three days.

An idea's heat at time t is  sum(w_i * 2^(-(t - t_i) / H))  over its votes (w = 5) and
comments (w = 3) made at times t_i, with the half-life H = 72 hours (the weights are
Fider's). Comparing two ideas at the same t only needs  log2(sum(w_i * 2^(t_i / H))),
which does not change as time passes: that is the stored `Idea.trending`, updated when a
vote or comment arrives or leaves, and an index on (board, trending) sorts the board.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime

EPOCH = datetime(2024, 1, 1)
HALF_LIFE_HOURS = 72.0
VOTE_WEIGHT = 5.0
COMMENT_WEIGHT = 3.0
# An idea with nothing left (its author withdrew the only vote) ranks as a sliver of heat at its creation.
EMPTY = math.log2(1 / 1024)


def _exponent(when: datetime) -> float:
    return (when - EPOCH).total_seconds() / 3600 / HALF_LIFE_HOURS


def add(score: float | None, weight: float, when: datetime) -> float:
    """The score after an event of this weight at this time (log2 of a sum, added without overflow)."""
    term = math.log2(weight) + _exponent(when)
    if score is None:
        return term
    high, low = max(score, term), min(score, term)
    return high + math.log2(1 + 2 ** (low - high))


def remove(score: float, weight: float, when: datetime) -> float | None:
    """The score without an event added earlier; None when too little is left to subtract precisely."""
    term = math.log2(weight) + _exponent(when)
    rest = 1 - 2 ** (term - score)
    if rest < 1e-9:
        return None
    return score + math.log2(rest)


def compute(events: Iterable[tuple[float, datetime]], created_at: datetime) -> float:
    """The score from every event of an idea, for a recount."""
    score = None
    for weight, when in events:
        score = add(score, weight, when)
    return score if score is not None else EMPTY + _exponent(created_at)


def heat(score: float, now: datetime) -> float:
    """The decayed sum itself, at a given time (for display and tests)."""
    return 2 ** (score - _exponent(now))
