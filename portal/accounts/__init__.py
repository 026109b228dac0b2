"""Accounts: members, roles, tiers (the column), sign-up, sign-in, profile, data export, deletion."""
from flask import Flask

from ..config import current_settings
from ..extensions import db, login_manager
from ..kernel import features
from . import jobs  # noqa: F401  (declares the session purge)
from .account import BIO_MAX
from .passwords import PASSWORD_MIN_LENGTH
from .sessions import load_session
from .validation import initials
from .views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(password_min=PASSWORD_MIN_LENGTH, bio_max=BIO_MAX)
    app.jinja_env.filters["initials"] = initials  # avatars without a picture: letters only, never "M("
    login_manager.user_loader(lambda token: load_session(db.session, current_settings(), token))
    features.registry(app).demo_builders.append("portal.demo.accounts:build")
