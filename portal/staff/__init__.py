"""The staff console: what awaits staff, on one page (the staff home); it grows into issue 14's console.

It sits above community and feedback: it reads their queries and models, and they never import it.
"""
from flask import Flask

from . import audit_targets, fans_views  # noqa: F401 - fans_views adds its routes to the staff blueprint
from .views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    audit_targets.init_app(app)
