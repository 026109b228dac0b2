"""Posts and questions as search sources: what the index keeps of a post (its first line as the title, the
rest as the body) and which posts a reader may find.

Two sources, "posts" and "questions" (a post is one or the other for good: editing keeps it), so
the search page can name and filter each kind. Everyone who may read the community may search
it, so each has a single scope. A post is found only while it is published, not deleted and not
hidden, checked against the database at query time whatever the index says; a suspended member's
posts stay found, as they stay in the feeds.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, lazyload

from ..kernel.uow import after_commit
from ..search import SearchSource, queue_index
from .models import Post

POSTS, QUESTIONS = "posts", "questions"  # the index folders instance/search/<name>
SCOPE = 1  # the community has no parts some readers may not see
TITLE_CHARS = 100


def _findable() -> ColumnElement[bool]:
    return Post.published_at.is_not(None) & Post.deleted_at.is_(None) & Post.hidden_at.is_(None)


def split(body: str) -> tuple[str, str]:
    """A post's first line (cut at a space near TITLE_CHARS) as its title, and what follows as its body."""
    first, _, rest = body.strip().partition("\n")
    if len(first) > TITLE_CHARS:
        cut = first.rfind(" ", TITLE_CHARS // 2, TITLE_CHARS)
        cut = cut if cut != -1 else TITLE_CHARS
        first, rest = first[:cut], f"{first[cut:].strip()}\n{rest}"
    return first.strip(), rest.strip()


def _documents(session: Session, question: bool, *conditions: ColumnElement[bool]) -> Iterator[dict[str, Any]]:
    # Columns, not Post objects: no author or photos to load, and the session's identity map stays small.
    query = (select(Post.id, Post.body, Post.body_i18n).where(_findable(), Post.is_question.is_(question), *conditions)
             .order_by(Post.id).execution_options(yield_per=500))
    for post_id, body, translations in session.execute(query):
        title, rest = split(body)
        # An announcement's translations are found too, in whichever language they are searched.
        rest = "\n".join([rest, *(translations or {}).values()]).strip()
        yield {"id": post_id, "scope": SCOPE, "title": title, "body": rest}


def _visible(session: Session, ids: Sequence[int], scopes: Sequence[int], question: bool) -> dict[int, Post]:
    """The posts among `ids` still findable, with their authors, in one query (their photos are not drawn)."""
    if SCOPE not in scopes:
        return {}
    query = (select(Post).where(Post.id.in_(ids), Post.is_question.is_(question), _findable())
             .options(lazyload(Post.photos)))
    return {post.id: post for post in session.scalars(query)}


def _source(name: str, question: bool, label: Any, plural: Any) -> SearchSource:
    return SearchSource(
        name=name,
        documents=lambda session: _documents(session, question),
        documents_for=lambda session, ids: _documents(session, question, Post.id.in_(ids)),
        scopes=lambda session, viewer: [SCOPE],
        visible=lambda session, ids, scopes: _visible(session, ids, scopes, question),
        label=label, plural=plural, template="search/_hit_post.html")


POST_SOURCE = _source(POSTS, False, _l("Post"), _l("Posts"))
QUESTION_SOURCE = _source(QUESTIONS, True, _l("Question"), _l("Questions"))


def reindex_later(session: Session, *posts: Post) -> None:
    """Bring these posts' index entries up to date once the transaction commits (found, changed or gone)."""
    for name, question in ((POSTS, False), (QUESTIONS, True)):
        ids = [post.id for post in posts if bool(post.is_question) == question]
        if ids:
            after_commit(session, queue_index, name, ids)
