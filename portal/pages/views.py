"""The home page and the static pages every community needs."""
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from ..accounts.queries import count_members
from ..community import queries as community
from ..extensions import db
from ..kernel.pagecache import anonymous_page

bp = Blueprint("pages", __name__)


@bp.get("/")
@anonymous_page(lambda: ["members", "community"])
def home():
    """What the community is and how to join in; members go straight to their feed."""
    if current_user.is_authenticated:
        return redirect(url_for("community.feed"))
    trending = community.trending(db.session, None, limit=3)
    return render_template("pages/home.html", member_count=count_members(db.session), trending=trending)


@bp.get("/code-of-conduct")
@anonymous_page()
def conduct():
    """How members treat each other here."""
    return render_template("pages/conduct.html")


@bp.get("/privacy")
@anonymous_page()
def privacy():
    """What Tribune keeps about members and why."""
    return render_template("pages/privacy.html")
