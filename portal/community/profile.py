"""The community's section of a member's profile page: their posts, follower counts and the follow button."""
from __future__ import annotations

from typing import Any

from flask import request
from flask_login import current_user

from ..accounts.models import User
from ..extensions import db
from ..kernel.fragments import Later
from . import queries


def profile_section(member: User) -> dict[str, Any]:
    """What the profile page draws with community/_profile_section.html (accounts calls it while drawing)."""
    viewer = current_user if current_user.is_authenticated else None
    followers, following = queries.follow_counts(db.session, member)
    cursor = request.args.get("cursor")
    return {
        "template": "community/_profile_section.html",
        "page": Later(lambda: queries.member_posts(db.session, member, viewer, cursor)),  # read only if drawn
        "cursor": cursor,
        "sees": queries.hidden_posts_seen(db.session, viewer),
        "followers": followers,
        "following": following,
        "is_following": queries.is_following(db.session, viewer, member),
    }
