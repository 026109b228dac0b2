"""Searching the registered sources: the index finds candidates, the source decides what the viewer may see.

The index can lag behind the database (a job not run yet, a lost job), so every hit is
reloaded through the source's `visible()` with the viewer's scopes: a stale entry can hide a
result, never show an item the viewer may not see (for ideas: merged, hidden, deleted, or on
a board they may not read). Each function takes the app's `Sources` (`sources_of(app)`) and
the source's name; none reads the app itself.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from math import ceil
from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import Session

from . import index, spelling
from .sources import SearchSource, Sources, Viewer
from .words import Words, parse

PER_PAGE = 20
MAX_PAGE = 50  # every kind scores page × PER_PAGE hits to merge them; nobody reads page 51


@dataclass(frozen=True)
class SearchHit:
    item: Any  # what the source's visible() returned for the hit (an Idea, a Post)
    title_html: Markup
    snippet_html: Markup
    source: SearchSource | None = None  # its kind: the page names it and draws it with its template


@dataclass(frozen=True)
class SearchResults:
    query: str
    hits: list[SearchHit]
    total: int
    page: int
    pages: int
    correction: str | None
    dropped: tuple[str, ...] = ()  # words beyond the MAX_WORDS looked for


@dataclass(frozen=True)
class Kind:
    """A tab of the search page: one source (or every one, `source` None), and how many hits it has."""

    source: SearchSource | None
    count: int | None  # None before anything was typed

    @property
    def name(self) -> str:
        return self.source.name if self.source else ""


@dataclass(frozen=True)
class SearchPage:
    """What the search page shows: the results (None before anything was typed), the scopes to narrow by,
    and the kinds to filter by with their counts."""

    results: SearchResults | None
    choices: list[Any]
    kinds: list[Kind] = field(default_factory=list)
    kind: str = ""  # the source shown, "" for all


def _scopes(session: Session, source: SearchSource, viewer: Viewer, scope: int | None) -> list[int]:
    """The scopes to search: every one the viewer may see, or just `scope` if they may see it."""
    allowed = source.scopes(session, viewer)
    if scope is None:
        return allowed
    return [scope] if scope in allowed else []


def _page_of(total: int, page: int) -> tuple[int, int]:
    pages = max(1, ceil(total / PER_PAGE))
    return min(max(1, page), pages), pages


def search(session: Session, sources: Sources, name: str, viewer: Viewer, text: str, page: int = 1,
           scope: int | None = None) -> SearchResults:
    """A page of the source's documents the viewer may see that match `text`, best first, with highlights."""
    return _search(session, sources, [name], viewer, text, page, {name: scope})


def _search(session: Session, sources: Sources, names: Sequence[str], viewer: Viewer, text: str, page: int,
            scope: dict[str, int | None], counts: dict[str, int] | None = None) -> SearchResults:
    """A page of the best hits of these sources, merged by score; `counts` gets each source's number of hits."""
    words, page = parse(text), max(1, min(page, MAX_PAGE))
    scopes = {name: _scopes(session, sources[name], viewer, scope.get(name)) for name in names}
    found = {name: index.find(sources.folder(name), words, scopes[name], page * PER_PAGE) for name in names}
    if counts is not None:
        counts.update({name: f.total for name, f in found.items()})
    # Where some kinds match every word, the kinds matching only some of them are left out, as within one.
    every = any(f.every_word for f in found.values())
    pool = sorted(((m, name) for name, f in found.items() if f.every_word or not every for m in f.matches),
                  key=lambda pair: -pair[0].score)
    total = sum(f.total for f in found.values() if f.every_word or not every)
    page, pages = _page_of(total, page)
    shown = pool[(page - 1) * PER_PAGE:page * PER_PAGE]
    items = {name: sources[name].visible(session, ids, scopes[name])
             for name in names if (ids := [m.id for m, n in shown if n == name])}
    terms = index.terms_of(words)
    # `total` counts the index's entries; a stale one dropped here can make it one or two too high.
    hits = [SearchHit(items[name][m.id], *index.highlight(m, terms), sources[name])
            for m, name in shown if m.id in items.get(name, {})]
    correction = _correction(sources, names, scopes, words) if total < 3 else None
    return SearchResults(text, hits, total, page, pages, correction, words.dropped)


def _correction(sources: Sources, names: Sequence[str], scopes: dict[str, list[int]], words: Words) -> str | None:
    return spelling.correct([(sources.folder(name), scopes[name]) for name in names], words)


def search_page(session: Session, sources: Sources, name: str, viewer: Viewer, text: str, page: int = 1,
                scope: int | None = None) -> SearchPage:
    """The search page of one source: results once there are words to look for, and the scopes to narrow to."""
    results = search(session, sources, name, viewer, text, page, scope) if text.strip() else None
    return SearchPage(results, sources[name].choices(session, viewer))


def search_everything(session: Session, sources: Sources, viewer: Viewer, text: str, kind: str = "", page: int = 1,
                      scope: int | None = None) -> SearchPage:
    """The site's search page: the hits of every source, or of the `kind` chosen, and each kind's count.

    The chosen kind's page costs one search of each index (the others only to count their hits)
    and one query per kind among the hits shown, whatever their number. `scope` narrows the
    chosen kind only (the ideas of one board).
    """
    chosen = kind if kind in sources else ""
    names = [chosen] if chosen else [source.name for source in sources]
    choices = sources[chosen].choices(session, viewer) if chosen else []
    if not text.strip():
        return SearchPage(None, choices, [Kind(None, None), *(Kind(s, None) for s in sources)], chosen)
    counts: dict[str, int] = {}
    results = _search(session, sources, names, viewer, text, page, {chosen: scope}, counts)
    others = [s.name for s in sources if s.name not in counts]
    words = parse(text)
    for name in others:  # only counted: no highlight, no query of the database
        counts[name] = index.find(sources.folder(name), words, _scopes(session, sources[name], viewer, None), 0).total
    kinds = [Kind(None, sum(counts.values())), *(Kind(s, counts[s.name]) for s in sources)]
    return SearchPage(results, choices, kinds, chosen)


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
