"""Engagement tiers: where a member stands among the brand's fans.

The fans feature sets each member's tier from their engagement score; until it has,
everyone is a member and every vote weighs the same.
"""
from __future__ import annotations

import enum


class Tier(enum.StrEnum):
    MEMBER = "member"
    FAN = "fan"
    SUPERFAN = "superfan"

    @property
    def vote_weight(self) -> int:
        """How much one vote of this tier weighs in an idea's demand score."""
        return VOTE_WEIGHTS[self]


VOTE_WEIGHTS = {Tier.MEMBER: 1, Tier.FAN: 2, Tier.SUPERFAN: 3}
