"""The fans pages for members: my engagement (score, progress, ledger), the leaderboard, badges on profiles."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, format_percent, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.models import Role, User
from ..extensions import db
from ..kernel.fragments import Later
from ..kernel.pagecache import anonymous_page, remembered
from ..kernel.security import role_required
from . import badges, queries, rules, service, tiers

bp = Blueprint("fans", __name__)
login_required = role_required(Role.MEMBER)


@bp.record_once
def _template_globals(state: Any) -> None:
    """Names the notification macros need (they are imported without the page's context)."""
    state.app.jinja_env.globals.update(fan_badges=badges.BADGES, fan_points=points, fan_share=share,
                                       fan_tiers={t.value: label for t, label in tiers.TIER_LABELS.items()})


def points(value: float) -> str:
    """Points as pages show them: one decimal at most, in the reader's language ("1,234.5", "1 234,5")."""
    return format_decimal(round(value, 1) + 0.0, "#,##0.#")


def share(percent: float) -> str:
    """A percentage with one decimal at most, in the reader's language's pattern ("95.5%", "95,5 %")."""
    pattern = get_locale().percent_formats[None].pattern  # "#,##0%" in English, "#,##0 %" (no-break space) in French
    return format_percent(percent / 100, pattern.replace("0", "0.#", 1) if pattern.count("0") == 1 else pattern)


@bp.get("/me/engagement")
@login_required
def engagement():
    """My score as of today, my tier and how far the next one is, the ledger that explains it, my badges."""
    data = queries.engagement(db.session, current_user, queries.page_number(request.args.get("page")))
    return render_template("fans/engagement.html", data=data, kinds=rules.KINDS, limits=rules.LIMITS,
                           voids=rules.VOIDS, tier_labels=tiers.TIER_LABELS, pair_capped=rules.PAIR_CAPPED, share=share)


@bp.post("/me/engagement/leaderboard")
@login_required
def leaderboard_visibility():
    """Show me on the public leaderboard, or leave me out."""
    hidden = request.form.get("show") != "1"
    service.set_leaderboard_visibility(db.session, current_user, hidden=hidden)
    if hidden:
        flash(_("You are no longer shown on the leaderboard."), "success")
    else:
        flash(_("You are shown on the leaderboard again."), "success")
    return redirect(url_for("fans.engagement", _anchor="leaderboard-visibility"))


@bp.get("/leaderboard")
@anonymous_page(lambda **_: ["leaderboard"])
def leaderboard():
    """The most engaged members over the last 30 days or all time, by tier; members who opted out are left out."""
    period = request.args.get("period", "30d")
    tier_key = request.args.get("tier", "all")
    if period not in queries.PERIODS or tier_key not in queries.TIER_FILTERS:
        abort(404)
    # The ranking is everyone's: drawn once for visitors and members alike, until a tier or a visibility changes.
    leaders = remembered(f"leaderboard:{period}:{tier_key}", ["leaderboard"],
                         lambda: queries.leaderboard(db.session, period, queries.TIER_FILTERS[tier_key]))
    return render_template("fans/leaderboard.html", leaders=leaders, period=period, tier_key=tier_key,
                           tier_labels=tiers.TIER_LABELS)


@bp.get("/badges/<name>")
@anonymous_page(lambda **_: ["badges"])
def badge(name: str):
    """A badge: its rule, and who earned it lately."""
    found = badges.BADGES.get(name)
    if found is None:
        abort(404)
    total, holders = queries.badge_holders(db.session, name)
    return render_template("fans/badge.html", name=name, badge=found, total=total, holders=holders,
                           all_badges=badges.BADGES)


def profile_section(member: User) -> dict[str, Any]:
    """The fans part of a member's profile: their tier and badges (accounts calls it while drawing); the badges are
    read only when the section is drawn, not when it comes from the fragment cache."""
    return {"template": "fans/_profile_section.html", "badges": Later(lambda: badges.of(db.session, member.id)),
            "tier": member.tier, "tier_labels": tiers.TIER_LABELS}
