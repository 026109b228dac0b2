"""The home page and the static pages every community needs."""
from flask import Blueprint, render_template

from ..accounts.service import count_members
from ..extensions import db
from ..pagecache import anonymous_page

bp = Blueprint("pages", __name__)


@bp.get("/")
@anonymous_page(lambda: ["members"])
def home():
    """What the community is and how to join in."""
    return render_template("pages/home.html", member_count=count_members(db.session))


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
