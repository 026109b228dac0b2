"""The admin page of the fans feature: what each kind of contribution weighs, and where the tier lines fall.

It sits with the fans feature (the admin feature below it knows nothing of fans) and joins the
admin pages through their navigation. One route, one service call: `service.save_settings`.
"""
from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..accounts.models import Role
from ..extensions import db
from ..kernel.security import role_required
from . import rules, service, tiers

admin_bp = Blueprint("fans_admin", __name__, url_prefix="/admin/fans")
admin_required = role_required(Role.ADMIN)
FIELD_MAX = 40  # characters a number field keeps; anything longer is not a number an admin typed

# Each setting as the page shows it: (label, help, unit).
SETTING_TEXTS: dict[str, tuple[Any, Any, Any]] = {
    "half_life_days": (_l("Half-life"), _l("A contribution weighs half as much after this many days, a quarter after twice as many."), _l("days")),
    "superfan_percent": (_l("Superfans: top share"), _l("Superfans are this share of the active members, by score."), "%"),
    "superfan_floor": (_l("Superfans: minimum score"), _l("Nobody becomes a superfan below this score, however few members are active."), _l("points")),
    "fan_percent": (_l("Fans: top share"), _l("Fans are this share of the active members (superfans included)."), "%"),
    "fan_floor": (_l("Fans: minimum score"), _l("Nobody becomes a fan below this score."), _l("points")),
    "daily_cap": (_l("Daily cap per kind"), _l("Points a member can earn from one kind of contribution in a day."), _l("points")),
    "pair_cap": (_l("Likes between two members"), _l("Likes from one member to another that count in a day."), _l("likes")),
    "min_givers": (_l("Distinct likers"), _l("Likes received count toward a tier once this many different members gave them."), _l("members")),
    "grace_days": (_l("Grace period"), _l("A promotion holds at least this many days; after that, a member is demoted only once below nine tenths of the line."), _l("days")),
    "active_days": (_l("Active window"), _l("A member with a contribution in this many days counts as active."), _l("days")),
}


def _number(value: float) -> str:
    return f"{value:g}"


def _typed(form: Any, name: str) -> str:
    return str(form.get(name, ""))[:FIELD_MAX]


def _say_saved(rescore: bool, *, weights_changed: bool) -> None:
    if rescore:
        flash(_("Saved. Scores are being recomputed with the new half-life, and the tier lines redrawn."), "success")
    else:
        flash(_("Saved. The tier lines are being redrawn."), "success")
    if weights_changed:
        flash(_("New weights apply to contributions from now on; points already earned keep their weight."), "info")


@admin_bp.route("/", methods=["GET", "POST"])
@admin_required
def settings():
    """Weights per kind of contribution and the tier settings; the tier lines they draw today."""
    current = rules.settings(db.session)
    weights = rules.weights(db.session)
    values = {name: _number(value) for name, value in asdict(current).items()}
    values.update({f"weight-{kind}": _number(weight) for kind, weight in weights.items()})
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        typed_settings = {name: _typed(request.form, name) for name in SETTING_TEXTS}
        typed_weights = {kind: _typed(request.form, f"weight-{kind}") for kind in rules.KINDS}
        try:
            rescore = service.save_settings(db.session, current_user, typed_settings, typed_weights)
        except service.FansError as error:
            errors = {name: [str(m) for m in messages] for name, messages in error.errors.items()}
            values.update(typed_settings)
            values.update({f"weight-{kind}": value for kind, value in typed_weights.items()})
            flash(_("Nothing was changed: correct the fields marked below."), "danger")
        else:
            _say_saved(rescore, weights_changed=rules.weights(db.session) != weights)
            return redirect(url_for("fans_admin.settings"))
    lines = tiers.current_lines(db.session)
    return render_template(
        "fans/admin.html", kinds=rules.KINDS, settings_texts=SETTING_TEXTS, defaults=asdict(rules.Settings()), values=values,
        errors=errors, lines=lines, finite=math.isfinite, weight_max=rules.WEIGHT_MAX,
    ), 422 if errors else 200
