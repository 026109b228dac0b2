"""The fragment cache: the HTML of a card or row that is the same for every viewer, drawn once per version.

A page of twenty post cards used to run twenty sets of Jinja macros, Babel formatters and escapes on every
request, although the cards look the same to everyone who sees them. Here a card's HTML is kept in the
worker's memory under a key made of what it shows, read off the rows just loaded: every column of the post
and of its author, its photos, the reader's language, whether the reader is signed in, the viewer's own state
(liked or not), and the time bucket of its relative date ("3 hours ago" stays right until it would read
"4 hours ago"). A change to anything a card shows makes a new key, so a cached card is never stale and nothing
has to be invalidated: a like, an edit, a hide, a tier change, a deletion or a language switch shows at once,
to every viewer, on every worker. Old versions fall out of the bounded LRU.

Templates wrap what they cache in a call block:

    {% call fragment("post-card", row_version(post, post.author), post.id in liked) %}...{% endcall %}

and what differs per request inside it is drawn around it, not into it: the CSRF token and the address to
come back to (`fragment_here()`, the page's own path) are left as marks in the cached HTML and filled in for
each request.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any, Callable

from flask import Flask, current_app, g, request
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from sqlalchemy import inspect

from .timeutil import utcnow

EXTENSION = "tribune.fragments"
CSRF_MARK = "\ue000csrf\ue000"
HERE_MARK = "zzTribuneHerezz"  # survives HTML escaping and URL quoting unchanged; only used for signed-in viewers
_drawing: ContextVar[int] = ContextVar("tribune_fragment_depth", default=0)

# The same rule as Babel's format_timedelta(threshold=1), which `timestamp` uses: the largest unit the age
# reaches, rounded. Two ages in the same bucket read the same words.
_UNITS = ((86400 * 7, "week"), (86400, "day"), (3600, "hour"), (60, "minute"), (1, "second"))


class Fragments:
    """A bounded, thread-safe LRU of rendered HTML, one per worker process."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple, str] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple) -> str | None:
        with self._lock:
            html = self._items.get(key)
            if html is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return html

    def put(self, key: tuple, html: str) -> None:
        with self._lock:
            self._items[key] = html
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = Fragments(app.config.get("FRAGMENT_CACHE_ENTRIES", 3000))
    app.jinja_env.globals.update(fragment=fragment, fragment_here=fragment_here, row_version=row_version,
                                 viewer_version=viewer_version,
                                 age_bucket=age_bucket)


def store(app: Flask | None = None) -> Fragments:
    return (app or current_app).extensions[EXTENSION]


_COLUMNS: dict[type, tuple[str, ...]] = {}


def _columns(model: type) -> tuple[str, ...]:
    keys = _COLUMNS.get(model)
    if keys is None:
        keys = _COLUMNS[model] = tuple(attr.key for attr in inspect(model).column_attrs)
    return keys


def row_version(*rows: Any) -> tuple:
    """Every column value of these rows (None for a missing one): the version of what a fragment shows of them.
    Whatever column changes, the key changes, so no field can be forgotten. JSON columns (dicts, lists) enter
    as their repr: equal contents in another order only make a second copy, never a wrong one."""
    parts: list[Any] = []
    for row in rows:
        if row is None:
            parts.append(None)
            continue
        model = type(row)
        values = row.__dict__  # the loaded values; an unloaded or expired column is read (and loaded) by getattr
        parts.append(model.__name__)
        for key in _columns(model):
            value = values[key] if key in values else getattr(row, key)
            parts.append(repr(value) if isinstance(value, (dict, list)) else value)
    return tuple(parts)


def viewer_version() -> tuple | None:
    """The version of the signed-in member's own row (their name, avatar, role, unread count...), None for visitors."""
    return row_version(current_user._get_current_object()) if current_user.is_authenticated else None


def age_bucket(value: datetime | None, now: datetime | None = None) -> tuple | None:
    """What a relative date shows of this instant now: ("hour", 3) for "3 hours ago"; None when it shows a date."""
    if value is None:
        return None
    seconds = ((now or utcnow()) - value).total_seconds()
    if not 0 <= seconds < timedelta(days=7).total_seconds():
        return ("date",)
    for size, unit in _UNITS:
        if seconds >= size:
            return (unit, max(1, round(seconds / size)))
    return ("second", 0)


def fragment_here() -> str:
    """The address to come back to, for forms inside a fragment: a mark filled in per request for members."""
    if _drawing.get() and current_user.is_authenticated:
        return HERE_MARK
    return request.full_path


def fragment(name: str, *key: Any, caller: Callable[[], str]) -> Markup:
    """The HTML `caller` draws, from the cache when this name, key, language and kind of viewer were drawn before."""
    signed_in = current_user.is_authenticated
    # Visitors' sign-in links carry the page's path itself, so their fragments are kept per path.
    full_key = (name, str(get_locale()), signed_in, None if signed_in else request.path,
                *(tuple(part) if isinstance(part, list) else part for part in key))
    cache = store()
    html = cache.get(full_key)
    if html is None:
        depth = _drawing.set(_drawing.get() + 1)
        try:
            html = str(caller())
        finally:
            _drawing.reset(depth)
        token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))  # set once drawn in this request
        if token:
            html = html.replace(token, CSRF_MARK)
        cache.put(full_key, html)
    if CSRF_MARK in html:
        html = html.replace(CSRF_MARK, generate_csrf())
    if signed_in and HERE_MARK in html:
        html = html.replace(HERE_MARK, str(escape(request.full_path.rstrip("?"))))
    return Markup(html)
