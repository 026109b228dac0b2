"""Search routes: the ideas search page, and the "similar ideas" list shown while a title is typed."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from ..accounts.models import User
from ..extensions import db, limiter
from ..feedback.queries import visible_boards
from . import service
from .index import MAX_CHARS

bp = Blueprint("search", __name__)
SIMILAR_MIN_CHARS = 4  # shorter titles match too much to help


def _viewer() -> User | None:
    return current_user if current_user.is_authenticated else None


@bp.get("/ideas/search")
@limiter.limit("120 per minute")
def search():
    """Search the ideas of every board the viewer may see, or of one board."""
    text = request.args.get("q", "")[:MAX_CHARS]  # the index reads no further; the form shows what was used
    board_id = request.args.get("board", type=int)
    viewer = _viewer()
    results = None
    if text.strip():
        results = service.search_ideas(db.session, viewer, text, page=request.args.get("page", 1, type=int),
                                       board_id=board_id)
    return render_template("search/results.html", q=text, board_id=board_id, results=results,
                           boards=visible_boards(db.session, viewer))


@bp.get("/ideas/similar")
@limiter.limit("60 per minute")
def similar():
    """An HTML fragment listing ideas like the title being typed (empty when there are none)."""
    title = request.args.get("title", "")[:MAX_CHARS]
    ideas = []
    if len(title.strip()) >= SIMILAR_MIN_CHARS:
        ideas = service.similar_ideas(db.session, _viewer(), title, board_id=request.args.get("board", type=int))
    return render_template("search/_similar.html", ideas=ideas)
