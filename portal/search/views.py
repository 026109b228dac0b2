"""Search routes: the ideas search page, and the "similar ideas" list shown while a title is typed.

Both search the "ideas" source, which the feedback board registers; this module knows its
name and its template, never its code.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask_login import current_user

from ..extensions import db, limiter
from . import service
from .index import MAX_CHARS
from .sources import sources_of

bp = Blueprint("search", __name__)
SOURCE = "ideas"
SIMILAR_MIN_CHARS = 4  # shorter titles match too much to help


def _viewer() -> Any:
    """The signed-in member, or None for a visitor (the source decides what each may see)."""
    return current_user if current_user.is_authenticated else None


@bp.get("/ideas/search")
@limiter.limit("120 per minute")
def search():
    """Search the ideas of every board the viewer may see, or of one board."""
    text = request.args.get("q", "")[:MAX_CHARS]  # the index reads no further; the form shows what was used
    board_id = request.args.get("board", type=int)
    found = service.search_page(db.session, sources_of(), SOURCE, _viewer(), text,
                                page=request.args.get("page", 1, type=int), scope=board_id)
    return render_template("search/results.html", q=text, board_id=board_id, results=found.results, boards=found.choices)


@bp.get("/ideas/similar")
@limiter.limit("60 per minute")
def similar():
    """An HTML fragment listing ideas like the title being typed (empty when there are none)."""
    title = request.args.get("title", "")[:MAX_CHARS]
    ideas = []
    if len(title.strip()) >= SIMILAR_MIN_CHARS:
        ideas = service.similar(db.session, sources_of(), SOURCE, _viewer(), title, scope=request.args.get("board", type=int))
    return render_template("search/_similar.html", ideas=ideas)
