"""What earns points, and the settings admins change: one table of kinds with their default weights.

Later features add their kinds to `KINDS` (a newsletter confirmed, a sample review) and call
`fans.service.record` with them; the admin page lists every kind found here. Admins' weights
and settings are stored as two JSON rows of the site settings; a kind or setting an admin never
changed keeps its default.
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from flask import g, has_app_context
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _p
from sqlalchemy.orm import Session

from ..kernel.errors import ValidationError
from ..kernel.site import SiteSetting

WEIGHT_MAX = 1000  # points; more is a typo, not a policy
MILLI = 1000  # weights and points are stored in thousandths of a point


@dataclass(frozen=True)
class Kind:
    label: Any
    weight: float  # default, in points
    earns: Any  # what a member does for it, on the "what earns points" list


# Labels are nouns ("Comment" the thing, not the button): their own context "fans kind" in the catalogs.
KINDS: dict[str, Kind] = {
    "post": Kind(_p("fans kind", "Post"), 5, _l("Share a post with the community")),
    "question": Kind(_p("fans kind", "Question"), 3, _l("Ask the community a question")),
    "comment": Kind(_p("fans kind", "Comment"), 2, _l("Comment on a post")),
    "reply": Kind(_p("fans kind", "Reply to another member"), 1, _l("Reply to someone else's post")),
    "like_given": Kind(_p("fans kind", "Like given"), 0.5, _l("Like someone else's post or comment")),
    "like_received": Kind(_p("fans kind", "Like received"), 1, _l("Have your post or comment liked")),
    "follower_gained": Kind(_p("fans kind", "New follower"), 1, _l("Be followed by another member")),
    "answer_accepted": Kind(_p("fans kind", "Accepted answer"), 15, _l("Have your reply marked as the answer")),
    "idea_posted": Kind(_p("fans kind", "Idea posted"), 5, _l("Post an idea on a feedback board")),
    "idea_vote": Kind(_p("fans kind", "Vote"), 1, _l("Vote for someone else's idea")),
    "idea_comment": Kind(_p("fans kind", "Comment on an idea"), 2, _l("Comment on an idea")),
    "idea_planned": Kind(_p("fans kind", "Your idea planned"), 20, _l("Have your idea planned by the team")),
    "idea_done": Kind(_p("fans kind", "Your idea shipped"), 40, _l("Have your idea shipped")),
    "voted_idea_planned": Kind(_p("fans kind", "An idea you voted for planned"), 2, _l("Vote for an idea the team then plans")),
    "voted_idea_done": Kind(_p("fans kind", "An idea you voted for shipped"), 4, _l("Vote for an idea the team then ships")),
    "visit": Kind(_p("fans kind", "A day with a visit"), 1, _l("Visit the community (once a day)")),
    "newsletter_confirmed": Kind(_p("fans kind", "Newsletter confirmed"), 5, _l("Confirm your newsletter subscription")),
    "sample_review": Kind(_p("fans kind", "Sample review"), 25, _l("Review a product sample you received")),
}

# Kinds where the other member matters: one member's likes to another count only a few times a day.
PAIR_CAPPED = frozenset({"like_given", "like_received"})
# Why an event earned less than its weight, and why it no longer counts, as the ledger says it.
LIMITS = {
    "self": _l("your own contribution earns nothing"),
    "pair_cap": _l("daily limit of likes between the same two members reached"),
    "daily_cap": _l("daily limit for this kind reached"),
    "new_account": _l("the account was less than a day old"),
    "unverified": _l("the email address was not confirmed yet"),
    "suspended": _l("the account was suspended"),
}
VOIDS = {
    "hidden": _l("hidden by a moderator"),
    "suspended": _l("account suspended"),
    "void": _l("voided by a moderator"),
}


@dataclass(frozen=True)
class Settings:
    half_life_days: int = 90
    superfan_percent: float = 5
    superfan_floor: float = 100
    fan_percent: float = 25
    fan_floor: float = 25
    daily_cap: float = 200  # points per kind per member per day, as Stack Overflow's reputation cap
    pair_cap: int = 3  # likes from one member to another that count per day
    min_givers: int = 5  # distinct members whose likes a member needs before likes count toward a tier
    grace_days: int = 14  # a promotion holds at least this long
    active_days: int = 100  # a member with an event in this window is active

    def weight(self, kind: str, weights: dict[str, float]) -> float:
        return weights.get(kind, KINDS[kind].weight if kind in KINDS else 0)


# Bounds of each setting admins may set, as (low, high).
BOUNDS: dict[str, tuple[float, float]] = {
    "half_life_days": (1, 3650), "superfan_percent": (0, 100), "superfan_floor": (0, 1_000_000),
    "fan_percent": (0, 100), "fan_floor": (0, 1_000_000), "daily_cap": (1, 100_000), "pair_cap": (0, 100),
    "min_givers": (0, 1000), "grace_days": (0, 365), "active_days": (1, 3650),
}
_SETTINGS_KEY = "fans.settings"
_WEIGHTS_KEY = "fans.weights"


def _stored(session: Session, key: str) -> dict[str, Any]:
    row = session.get(SiteSetting, key)
    try:
        value = json.loads(row.value) if row else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def settings(session: Session) -> Settings:
    """The fans settings in force (read once per request)."""
    if has_app_context() and "fans_settings" in g:
        return g.fans_settings
    stored = _stored(session, _SETTINGS_KEY)
    known = {f.name: f.type for f in fields(Settings)}
    values = {}
    for name, value in stored.items():
        if name in known and isinstance(value, int | float) and not isinstance(value, bool):
            values[name] = int(value) if known[name] == "int" else float(value)
    result = Settings(**values)
    if has_app_context():
        g.fans_settings = result
    return result


def weights(session: Session) -> dict[str, float]:
    """Every kind's weight in points: the admin's, or the default."""
    if has_app_context() and "fans_weights" in g:
        return g.fans_weights
    stored = _stored(session, _WEIGHTS_KEY)
    result = {kind: float(stored[kind]) if isinstance(stored.get(kind), int | float) else float(spec.weight)
              for kind, spec in KINDS.items()}
    if has_app_context():
        g.fans_weights = result
    return result


def weight_milli(session: Session, kind: str) -> int:
    return round(weights(session).get(kind, 0) * MILLI)


def forget() -> None:
    """After a change: this request reads the settings again."""
    if has_app_context():
        g.pop("fans_settings", None)
        g.pop("fans_weights", None)


def _number(raw: Any) -> float | None:
    try:
        value = float(str(raw).strip().replace(",", "."))
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def parse_weights(raw: dict[str, Any]) -> dict[str, float]:
    """Weights as typed on the admin page, checked: a number from 0 to 1,000 for each kind, or one error per field."""
    errors: dict[str, list[Any]] = {}
    result: dict[str, float] = {}
    for kind in KINDS:
        value = _number(raw.get(kind, ""))
        if value is None:
            errors[kind] = [_l("Enter a number of points.")]
        elif value < 0:
            errors[kind] = [_l("A weight cannot be negative.")]
        elif value > WEIGHT_MAX:
            errors[kind] = [_l("Keep a weight at %(n)s points or less.", n=WEIGHT_MAX)]
        else:
            result[kind] = round(value, 3)
    if errors:
        raise ValidationError(errors)
    return result


def parse_settings(raw: dict[str, Any]) -> Settings:
    """Settings as typed on the admin page, checked against their bounds."""
    errors: dict[str, list[Any]] = {}
    values: dict[str, Any] = {}
    for item in fields(Settings):
        value = _number(raw.get(item.name, ""))
        low, high = BOUNDS[item.name]
        if value is None:
            errors[item.name] = [_l("Enter a number.")]
        elif not low <= value <= high:
            if item.name.endswith("_percent"):
                errors[item.name] = [_l("Enter a share from 0 to 100%.")]
            else:
                errors[item.name] = [_l("Enter a number from %(low)s to %(high)s.", low=f"{low:g}", high=f"{high:g}")]
        elif item.type == "int" and value != int(value):
            errors[item.name] = [_l("Enter a whole number.")]
        else:
            values[item.name] = int(value) if item.type == "int" else value
    if not errors and values["fan_percent"] < values["superfan_percent"]:
        errors["fan_percent"] = [_l("Fans are a wider group than superfans: give them at least the superfans' share.")]
    if not errors and values["fan_floor"] > values["superfan_floor"]:
        errors["fan_floor"] = [_l("The fans' minimum score cannot be above the superfans'.")]
    if errors:
        raise ValidationError(errors)
    return replace(Settings(), **values)


def store(session: Session, *, new_settings: Settings | None = None, new_weights: dict[str, float] | None = None) -> None:
    """Write the settings and weights to the session (the caller commits)."""
    for key, value in ((_SETTINGS_KEY, asdict(new_settings) if new_settings else None), (_WEIGHTS_KEY, new_weights)):
        if value is None:
            continue
        row = session.get(SiteSetting, key)
        if row is None:
            session.add(SiteSetting(key=key, value=json.dumps(value, sort_keys=True)))
        else:
            row.value = json.dumps(value, sort_keys=True)
    forget()


def stored_lines(session: Session) -> dict[str, float]:
    """The tier lines the last evaluation drew, in points: {"superfan": 120.0, "fan": 31.5, "active": 812}."""
    stored = _stored(session, "fans.lines")
    return {k: float(v) for k, v in stored.items() if isinstance(v, int | float)}


def store_lines(session: Session, lines: dict[str, float]) -> None:
    row = session.get(SiteSetting, "fans.lines")
    value = json.dumps(lines, sort_keys=True)
    if row is None:
        session.add(SiteSetting(key="fans.lines", value=value))
    else:
        row.value = value

