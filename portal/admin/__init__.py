"""Administration: the site's identity, roles, the audit log and the outbox."""
from flask import Flask

from .forms import site_field_label
from .service import LOGO_MAX_SIDE
from .views import bp, logo_bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(logo_bp)
    app.jinja_env.filters["site_field_label"] = site_field_label
    app.jinja_env.globals.update(logo_side=LOGO_MAX_SIDE)
