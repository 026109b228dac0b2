"""How the audit log names and links the posts, comments, ideas and boards its entries point at.

The admin feature sits below community and feedback and cannot read them; the staff console sits
above both, so it registers the lookups (one statement per kind for a whole page of entries).
"""
from __future__ import annotations

from flask import Flask, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..admin.audit import Target, register_target
from ..community.models import Comment, Post
from ..feedback.models import Board, Idea

EXCERPT = 60


def excerpt(text: str) -> str:
    """A post's first words, as the log names it (posts have no titles)."""
    words = " ".join((text or "").split())
    return words if len(words) <= EXCERPT else words[:EXCERPT - 1].rstrip() + "…"


def posts(session: Session, ids: set[int]) -> dict[int, Target]:
    return {post.id: Target(excerpt(post.body), url_for("community.post", post_id=post.id), post.author.public_name)
            for post in session.scalars(select(Post).where(Post.id.in_(ids)))}


def comments(session: Session, ids: set[int]) -> dict[int, Target]:
    rows = session.execute(select(Comment.id, Comment.post_id, Post.body).join(Post, Post.id == Comment.post_id)
                           .where(Comment.id.in_(ids)))
    return {cid: Target(excerpt(body), url_for("community.post", post_id=post_id, _anchor=f"comment-{cid}"))
            for cid, post_id, body in rows}


def ideas(session: Session, ids: set[int]) -> dict[int, Target]:
    rows = session.execute(select(Idea.id, Idea.title).where(Idea.id.in_(ids)))
    return {iid: Target(title, url_for("feedback.idea", idea_id=iid)) for iid, title in rows}


def boards(session: Session, ids: set[int]) -> dict[int, Target]:
    rows = session.execute(select(Board.id, Board.slug, Board.name).where(Board.id.in_(ids)))
    return {bid: Target(name, url_for("feedback.board", slug=slug)) for bid, slug, name in rows}


def init_app(app: Flask) -> None:
    for kind, lookup in (("post", posts), ("comment", comments), ("idea", ideas), ("board", boards)):
        register_target(app, kind, lookup)
