"""Search routes: the site's search page, the ideas' search page, and the "similar ideas" list shown while
a title is typed.

The site's page searches every registered source (or the kind chosen); the ideas' page is the
same page showing the "ideas" source, which the feedback board registers. This module knows
that name and the templates, never a feature's code.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask_login import current_user

from ..extensions import db, limiter
from . import service
from .sources import sources_of
from .words import MAX_CHARS, MAX_WORDS

bp = Blueprint("search", __name__)
IDEAS = "ideas"
SIMILAR_MIN_CHARS = 4  # shorter titles match too much to help


def _viewer() -> Any:
    """The signed-in member, or None for a visitor (the source decides what each may see)."""
    return current_user if current_user.is_authenticated else None


def _page(kind: str) -> str:
    text = request.args.get("q", "")[:MAX_CHARS]  # the index reads no further; the form shows what was used
    board_id = request.args.get("board", type=int)
    found = service.search_everything(db.session, sources_of(), _viewer(), text, kind,
                                      page=request.args.get("page", 1, type=int), scope=board_id)
    return render_template("search/results.html", q=text, board_id=board_id, found=found, results=found.results,
                           boards=found.choices, max_words=MAX_WORDS)


@bp.get("/search")
@limiter.limit("120 per minute")
def everything():
    """Search everything the viewer may read: ideas, posts, questions (every source), or one kind of them."""
    return _page(request.args.get("kind", ""))


@bp.get("/ideas/search")
@limiter.limit("120 per minute")
def search():
    """Search the ideas of every board the viewer may see, or of one board: the site's search, on the ideas."""
    return _page(IDEAS)


@bp.get("/ideas/similar")
@limiter.limit("60 per minute")
def similar():
    """An HTML fragment listing ideas like the title being typed (empty when there are none)."""
    title = request.args.get("title", "")[:MAX_CHARS]
    ideas = []
    if len(title.strip()) >= SIMILAR_MIN_CHARS:
        ideas = service.similar(db.session, sources_of(), IDEAS, _viewer(), title, scope=request.args.get("board", type=int))
    return render_template("search/_similar.html", ideas=ideas)
