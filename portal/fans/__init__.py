"""Top fans: the engagement ledger, scores, tiers, badges, the leaderboard and what staff keep about fans."""
from __future__ import annotations

from flask import Flask

from ..kernel import features
from . import (
    jobs,  # noqa: F401  (declares promotions, badges and the nightly pass)
    models,  # noqa: F401  (the tables)
)
from .admin_views import admin_bp
from .privacy import erase_member_data, export_member_data
from .views import bp, profile_section
from .visits import count_visit


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
    app.after_request(count_visit)
    registry = features.registry(app)
    registry.profile_sections.append(profile_section)
    registry.data_exporters["fans"] = export_member_data
    registry.erasers.append(erase_member_data)
    registry.demo_builders.append("portal.demo.fans:build")
