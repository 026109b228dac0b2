"""The fragment cache: the HTML of a card, a row or a whole list that is the same for every viewer, drawn once per version.

A page of twenty post cards used to run twenty sets of Jinja macros, Babel formatters and escapes on every
request, although the cards look the same to everyone who sees them. Here a fragment's HTML is kept in the
worker's memory under a key made of what it shows. Two kinds of keys, both exact:

- Read off the rows just loaded (`row_version`): every column of the post and of its author, its photos, the
  reader's language, whether the reader is signed in, and the time bucket of its relative date ("3 hours ago"
  stays right until it would read "4 hours ago"). A change to anything a card shows makes a new key, so nothing
  has to be invalidated, but the rows must be loaded to know the key.
- The page cache's versions of what it shows (`page_version("community")`): the same generation tokens that make
  a cached anonymous page drawn again, which every write path bumps for the topics it changes (pagecache.invalidate,
  after its commit): as exact as the anonymous page cache, and only so. A whole stream of cards keyed so is not
  even loaded when it comes from the cache (`Later`); beside `page_window()` its relative dates are at most ten
  minutes old, as a cached anonymous page's (app.js keeps them current in the browser).

A like, an edit, a hide, a tier change, a deletion or a language switch shows at once, to every viewer, on every
worker. Old versions fall out of a least-recently-used map bounded in bytes (FRAGMENT_CACHE_MB); what is drawn
for one member alone (their header, their panels, their feed) has a quarter of the room apart. The map holds a
16-byte digest of each key, not the values it is made of.

Templates wrap what they cache in a call block:

    {% call fragment("post-card", row_version(post, post.author), pinned) %}...{% endcall %}

and what differs per request inside it is drawn around it, not into it: the CSRF token and the address to
come back to (`fragment_here()`, the page's own path) are left as marks in the cached HTML and filled in for
each request, so that one copy serves every address a fragment shows on; the reader's own state (a like, a
vote) is drawn both ways and resolved once the page is done (kernel/choices.py). The marks are random for each
process, so no text a member writes can hold one.
"""
from __future__ import annotations

import functools
import secrets
import sys
import threading
from collections import OrderedDict
from contextvars import ContextVar
from datetime import datetime, timedelta
from hashlib import blake2b
from typing import Any, Callable
from urllib.parse import quote_plus

from flask import Flask, current_app, g, request
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from sqlalchemy import inspect

from .pagecache import PAGE_TIMEOUT, versions
from .timeutil import utcnow

EXTENSION = "tribune.fragments"
# Random for each process, so that no text a member writes can hold one; letters and digits only, so that they
# come through HTML escaping and URL quoting unchanged.
CSRF_MARK = "csrf" + secrets.token_hex(16)
HERE_MARK = "here" + secrets.token_hex(16)
_drawing: ContextVar[str | None] = ContextVar("tribune_fragment_here", default=None)  # set while drawing one

# The same rule as Babel's format_timedelta(threshold=1), which `timestamp` uses: the largest unit the age
# reaches, rounded. Two ages in the same bucket read the same words.
_UNITS = ((86400 * 7, "week"), (86400, "day"), (3600, "hour"), (60, "minute"), (1, "second"))


class LRU:
    """A thread-safe least-recently-used map of rendered HTML, bounded by the bytes it holds."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict[bytes, str] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: bytes) -> str | None:
        with self._lock:
            html = self._items.get(key)
            if html is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return html

    def put(self, key: bytes, html: str) -> None:
        cost = _cost(html)
        if cost > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.bytes -= _cost(old)
            self._items[key] = html
            self.bytes += cost
            while self.bytes > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self.bytes -= _cost(dropped)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.bytes = 0

    def __len__(self) -> int:
        return len(self._items)


def _cost(html: str) -> int:
    """What an entry holds in memory: the string, its 16-byte key and the map's node for it."""
    return sys.getsizeof(html) + ENTRY_OVERHEAD


ENTRY_OVERHEAD = 160


class Fragments:
    """One worker's fragment cache: fragments every viewer shares, and a quarter of the room apart for what is
    drawn for one member alone (their header, their panels), so that many members signing in cannot push the
    shared cards out."""

    def __init__(self, max_bytes: int) -> None:
        self.personal = LRU(max_bytes // 4)
        self.shared = LRU(max_bytes - self.personal.max_bytes)

    def pool(self, personal: bool) -> LRU:
        return self.personal if personal else self.shared

    @property
    def hits(self) -> int:
        return self.shared.hits + self.personal.hits

    @property
    def misses(self) -> int:
        return self.shared.misses + self.personal.misses

    @property
    def bytes(self) -> int:
        return self.shared.bytes + self.personal.bytes

    def clear(self) -> None:
        self.shared.clear()
        self.personal.clear()

    def __len__(self) -> int:
        return len(self.shared) + len(self.personal)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = Fragments(app.config["FRAGMENT_CACHE_MB"] * 1024 * 1024)
    # Inside a fragment the token is a mark, filled in per request: the cached HTML holds nobody's token.
    # Flask-WTF also hands templates its own through a context processor: this one, registered later, wins.
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"csrf_token": csrf_token})
    app.jinja_env.globals.update(fragment=fragment, fragment_here=fragment_here, row_version=row_version,
                                 viewer_version=viewer_version, page_version=versions, page_window=page_window,
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
    # Under a second: Babel reads "1 second ago", but exactly 0 as "in 0 seconds".
    return ("second", 1) if seconds > 0 else ("second", 0)


def page_window(now: datetime | None = None) -> int:
    """The number of the page cache's time window (PAGE_TIMEOUT, ten minutes) this instant falls in: beside
    `page_version()` in a fragment's key, its relative dates are as current as a cached anonymous page's."""
    return int((now or utcnow()).timestamp()) // PAGE_TIMEOUT


class Later:
    """What a fragment shows, read only if the fragment is drawn, not when it comes from the cache: the view passes
    `Later(load)`, the template reads its attributes (the first one calls `load`)."""

    def __init__(self, load: Callable[[], Any]) -> None:
        self._load = load

    @functools.cached_property
    def loaded(self) -> Any:
        return self._load()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name == "loaded":  # not what it loads (nor a loader raising AttributeError again)
            raise AttributeError(name)
        return getattr(self.loaded, name)

    def __iter__(self) -> Any:
        return iter(self.loaded)

    def __len__(self) -> int:
        return len(self.loaded)

    def __bool__(self) -> bool:
        return bool(self.loaded)


def drawing() -> bool:
    """Whether a fragment is being drawn (what is drawn now may be kept for other requests)."""
    return _drawing.get() is not None


def csrf_token() -> str:
    """The CSRF token for a form; while a fragment is drawn, the mark that stands for it."""
    return CSRF_MARK if _drawing.get() is not None else generate_csrf()


def fragment_here() -> str:
    """The address to come back to, for forms and sign-in links inside a fragment: while one is drawn a mark,
    filled in per request with the `here` the fragment was given (the page's own address by default)."""
    return HERE_MARK if _drawing.get() is not None else request.full_path


# What url_for leaves unquoted in a query value (werkzeug.urls._urlencode), so that the address filled into a
# visitor's sign-in link reads exactly as url_for would have drawn it.
_QUERY_SAFE = "!$'()*,/:;?@"


def _filled(here: str, signed_in: bool) -> str:
    """What stands for HERE_MARK in the HTML. Members' fragments hold it in forms' `next` fields, the page's
    address without its fragment; visitors' only in sign-in links (`url_for(..., next=here.split('?')[0])`),
    the page's path, quoted as a query value."""
    if signed_in:
        return str(escape(here.split("#")[0].rstrip("?")))
    return str(escape(quote_plus(here.split("?")[0], safe=_QUERY_SAFE)))


def fragment(name: str, *key: Any, caller: Callable[[], str], here: str | None = None,
             personal: bool = False) -> Markup:
    """The HTML `caller` draws, from the cache when this name, key, language and kind of viewer were drawn before.
    `here` is the address forms inside come back to (the page's own by default); `personal` says the fragment
    is drawn for the signed-in member alone (its key holds their version), kept apart from the shared ones.

    The key is a digest of everything it is made of: the cache holds no column value (an email, a hash) itself,
    and two keys are the same only when their every part reads the same. So its parts must be plain values,
    tuples, lists and dataclasses of them, whose repr is whole: not SQLAlchemy Rows, whose repr cuts a long
    value short (`rows|map("list")|list` in a template)."""
    outer = _drawing.get()
    if outer is not None:
        # The outermost fragment fills the marks in, with its own address: an inner one cannot have another.
        if here is not None and here != outer:
            raise ValueError(f"fragment {name!r} inside another one cannot come back to another address")
        here = outer
    elif here is None:
        here = request.full_path
    signed_in = current_user.is_authenticated
    digest = blake2b(repr((name, str(get_locale()), signed_in, key)).encode(), digest_size=16).digest()
    cache = store().pool(personal)
    html = cache.get(digest)
    if html is None:
        drawing = _drawing.set(here)
        try:
            html = str(caller())
        finally:
            _drawing.reset(drawing)
        # A form drawn some other way (a WTForms hidden_tag) holds this request's own token: never keep that.
        token = g.get(current_app.config["WTF_CSRF_FIELD_NAME"])
        if not token or token not in html:
            cache.put(digest, html)
    if outer is not None:
        return Markup(html)  # inside another fragment being drawn: the outermost one fills the marks in
    if CSRF_MARK in html:
        html = html.replace(CSRF_MARK, generate_csrf())
    if HERE_MARK in html:
        html = html.replace(HERE_MARK, _filled(here, signed_in))
    return Markup(html)
