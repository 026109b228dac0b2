"""What a feature tells search: a `SearchSource` for each kind of document it wants found.

A feature registers its sources from its `init_app` (`search.register_source(app, source)`);
search keeps each source's index in its own folder, instance/search/<source name>, and asks
the source, never the feature's code, what to index and what a viewer may see. Search imports
no feature.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy.orm import Session

EXTENSION = "tribune.search"

# A document as the index takes it: {"id": int, "scope": int, "title": str, "body": str}. The scope is
# what viewers are allowed by (the ideas' board): a search only looks in the scopes it is given.
Document = Mapping[str, Any]
Viewer = Any  # the signed-in member, or None for a visitor


def _no_choices(session: Session, viewer: Viewer) -> list[Any]:
    return []


@dataclass(frozen=True)
class SearchSource:
    """One kind of searchable document, described by the feature that owns it."""

    name: str  # also its index folder's name: instance/search/<name>
    documents: Callable[[Session], Iterable[Document]]  # every document the index should hold, for a rebuild
    # The documents of these ids that the index should hold; an id left out is removed from it.
    documents_for: Callable[[Session, Sequence[int]], Iterable[Document]]
    scopes: Callable[[Session, Viewer], list[int]]  # the scopes this viewer may search
    # (ids, scopes) -> {id: item} for the hits still there and in these scopes: the index may lag,
    # so every hit is checked against the database before anyone sees it.
    visible: Callable[[Session, Sequence[int], Sequence[int]], Mapping[int, Any]]
    # What the search page offers to narrow by, each with `id` (a scope) and `name` (the ideas' boards).
    choices: Callable[[Session, Viewer], list[Any]] = _no_choices
    # How the search page names one hit of this kind and the kind's tab ("Idea", "Ideas"), in the
    # reader's language (lazy strings), and the template drawing one hit (given `hit` and `item`).
    label: Any = None  # the name, when not given
    plural: Any = None
    template: str = "search/_hit.html"

    @property
    def kind(self) -> Any:
        return self.label or self.name

    @property
    def kinds(self) -> Any:
        return self.plural or self.name


@dataclass
class Sources:
    """The sources registered on one app, and where their indexes live."""

    root: Path
    by_name: dict[str, SearchSource] = field(default_factory=dict)

    def __getitem__(self, name: str) -> SearchSource:
        return self.by_name[name]

    def __contains__(self, name: object) -> bool:
        return name in self.by_name

    def __iter__(self) -> Iterator[SearchSource]:
        return iter(self.by_name.values())

    def folder(self, name: str) -> Path:
        """The source's index folder, in the instance folder: shared by every worker on the machine."""
        return self.root / self[name].name

    def add(self, source: SearchSource) -> None:
        if source.name in self.by_name and self.by_name[source.name] is not source:
            raise ValueError(f"a search source named {source.name!r} is registered already")
        self.by_name[source.name] = source


def init_app(app: Flask) -> Sources:
    return app.extensions.setdefault(EXTENSION, Sources(Path(app.instance_path) / "search"))


def register_source(app: Flask, source: SearchSource) -> None:
    """Make `source` searchable on this app (call it from the feature's init_app)."""
    init_app(app).add(source)


def sources_of(app: Flask | None = None) -> Sources:
    """The app's search sources (the running app's by default), for views, jobs and commands to hand to the service."""
    return (app or current_app).extensions[EXTENSION]
