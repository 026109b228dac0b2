"""The feedback board: ideas, votes, statuses, merges, roadmap and prioritisation."""
from flask import Flask
from flask_login import current_user

from .. import search
from ..extensions import db
from ..kernel import choices, features
from . import jobs  # noqa: F401  (declares the status-change mail)
from .models import STATUS_LABELS
from .news import readable_notifications
from .queries import export_member_data, voted_ids
from .search_source import IDEAS
from .staff_views import bp as staff_bp
from .views import bp

# The staff's routes, nested once at import (a blueprint takes no more setup once an app has
# registered it, and tests build many apps): endpoints feedback.staff.*, same paths.
bp.register_blueprint(staff_bp)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)  # with the nested staff blueprint
    app.jinja_env.globals.update(status_labels=STATUS_LABELS)
    # Idea rows hold their vote box both ways: which of a page's ideas hold the reader's vote, in one query.
    choices.register(app, "voted-idea", lambda ids: voted_ids(db.session, current_user, ids))
    search.register_source(app, IDEAS)
    registry = features.registry(app)
    registry.data_exporters["feedback"] = export_member_data
    registry.notification_rules.append(readable_notifications)  # news of ideas the member may no longer see is left out
    registry.demo_builders.append("portal.demo.feedback:build")
