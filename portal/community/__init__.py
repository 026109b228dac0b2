"""The community network: posts, photos, comments, likes, follows, hashtags, mentions, moderation."""
from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import search
from ..accounts.models import User
from ..extensions import db
from ..kernel import choices, features, text
from . import (
    jobs,  # noqa: F401  (declares scheduled publication and digests)
    moderation_views,
    views,
)
from .models import COMMENT_MAX, PHOTOS_MAX, POST_MAX
from .moderation import SUSPENSION_DAYS_MAX
from .profile import profile_section
from .queries import export_member_data, liked_ids
from .search_source import POST_SOURCE, QUESTION_SOURCE


def _known_handles(session: Session, candidates: set[str]) -> Iterable[str]:
    return session.scalars(select(User.username).where(User.username.in_(candidates), User.deleted_at.is_(None)))


def init_app(app: Flask) -> None:
    """Register the community's blueprints, template globals, links in member text, search sources, profile section,
    export and demo."""
    app.register_blueprint(views.bp)
    app.register_blueprint(moderation_views.bp)
    app.jinja_env.globals.update(photos_max=PHOTOS_MAX, comment_max=COMMENT_MAX, post_max=POST_MAX,
                                 suspension_days_max=SUSPENSION_DAYS_MAX)
    # Hashtags link to this feature's tag pages, @handles to the member they name.
    text.set_links(app, text.Links(tag_url=lambda tag: url_for("community.hashtag", name=tag),
                                   member_url=lambda handle: url_for("community.handle", username=handle),
                                   known_handles=_known_handles))
    # Post cards hold their like button both ways: which of a page's posts the reader likes, in one query.
    choices.register(app, "liked-post", lambda ids: liked_ids(db.session, current_user, ids))
    search.register_source(app, POST_SOURCE)
    search.register_source(app, QUESTION_SOURCE)
    registry = features.registry(app)
    registry.profile_sections.append(profile_section)
    registry.data_exporters["community"] = export_member_data
    registry.demo_builders.append("portal.demo.community:build")
