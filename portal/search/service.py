"""Searching the registered sources: the index finds candidates, the source decides what the viewer may see.

The index can lag behind the database (a job not run yet, a lost job), so every hit is
reloaded through the source's `visible()` with the viewer's scopes: a stale entry can hide a
result, never show an item the viewer may not see (for ideas: merged, hidden, deleted, or on
a board they may not read). Each function takes the app's `Sources` (`sources_of(app)`) and
the source's name; none reads the app itself.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import Session

from . import index
from .sources import SearchSource, Sources, Viewer

PER_PAGE = 20


@dataclass(frozen=True)
class SearchHit:
    item: Any  # what the source's visible() returned for the hit (an Idea)
    title_html: Markup
    snippet_html: Markup


@dataclass(frozen=True)
class SearchResults:
    query: str
    hits: list[SearchHit]
    total: int
    page: int
    pages: int
    correction: str | None


@dataclass(frozen=True)
class SearchPage:
    """What the search page shows: the results (None before anything was typed) and the scopes to narrow by."""

    results: SearchResults | None
    choices: list[Any]


def _scopes(session: Session, source: SearchSource, viewer: Viewer, scope: int | None) -> list[int]:
    """The scopes to search: every one the viewer may see, or just `scope` if they may see it."""
    allowed = source.scopes(session, viewer)
    if scope is None:
        return allowed
    return [scope] if scope in allowed else []


def search(session: Session, sources: Sources, name: str, viewer: Viewer, text: str, page: int = 1,
           scope: int | None = None) -> SearchResults:
    """A page of the source's documents the viewer may see that match `text`, best first, with highlights."""
    source = sources[name]
    scopes = _scopes(session, source, viewer, scope)
    found = index.search(sources.folder(name), text, scopes, page, PER_PAGE)
    items = source.visible(session, [hit.id for hit in found.hits], scopes) if found.hits else {}
    hits = [SearchHit(items[hit.id], hit.title_html, hit.snippet_html) for hit in found.hits if hit.id in items]
    # `total` counts the index's entries; a stale one dropped above can make it one or two too high.
    return SearchResults(query=text, hits=hits, total=found.total, page=found.page, pages=found.pages,
                         correction=found.correction)


def search_page(session: Session, sources: Sources, name: str, viewer: Viewer, text: str, page: int = 1,
                scope: int | None = None) -> SearchPage:
    """The search page: results once there are words to look for, and the scopes the viewer may narrow to."""
    results = search(session, sources, name, viewer, text, page, scope) if text.strip() else None
    return SearchPage(results, sources[name].choices(session, viewer))


def similar(session: Session, sources: Sources, name: str, viewer: Viewer, text: str, scope: int | None = None,
            limit: int = 5, *, exclude_id: int | None = None) -> list[Any]:
    """Items the viewer may see that look like `text` (a title being typed): the duplicates to use instead."""
    source = sources[name]
    scopes = _scopes(session, source, viewer, scope)
    # Ask for a few extra in case stale entries are dropped.
    ids = index.similar(sources.folder(name), text, scopes, limit + 5, exclude_id=exclude_id)
    items = source.visible(session, ids, scopes) if ids else {}
    return [items[i] for i in ids if i in items][:limit]


def rebuild(session: Session, sources: Sources, name: str) -> int:
    """Rebuild one source's index from the database; returns how many documents it holds."""
    return index.rebuild(sources.folder(name), sources[name].documents(session))


def rebuild_all(session: Session, sources: Sources) -> dict[str, int]:
    """Rebuild every registered source's index; returns how many documents each holds, by source name."""
    return {source.name: rebuild(session, sources, source.name) for source in sources}


def sync(session: Session, sources: Sources, name: str, ids: Iterable[int]) -> None:
    """Bring these documents' index entries up to date: the source's current ones are (re)indexed, the others removed."""
    wanted = sorted(set(ids))
    if not wanted:
        return
    folder = sources.folder(name)
    docs = list(sources[name].documents_for(session, wanted))
    if docs:
        index.update(folder, docs)
    kept = {int(doc["id"]) for doc in docs}
    gone = [i for i in wanted if i not in kept]  # for ideas: merged, hidden, deleted, or no longer in the database
    if gone:
        index.delete(folder, gone)
