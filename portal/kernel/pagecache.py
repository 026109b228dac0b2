"""The page cache: anonymous pages come from it, and writes invalidate what they change.

Keys carry a generation token per topic ("site", "people", "members", "member:42"). A write
bumps the generations of the topics it changed, so every cached page that showed them
is missed from then on, while pages about other topics stay cached. The store is a
folder in instance/ by default (shared by every worker on the machine) or Redis.
"""
from __future__ import annotations

import functools
import uuid
from typing import Any, Callable, Iterable, TypeVar

from flask import has_request_context, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user

from ..extensions import cache

PAGE_TIMEOUT = 600

Topics = Callable[..., Iterable[str]]
T = TypeVar("T")


def settings(values: dict[str, Any], instance_path: str) -> dict[str, Any]:
    """Flask-Caching configuration for Tribune's settings.

    The folder store forgets a third of its files once it holds more than its threshold, the topics' generations
    among them (every page and fragment keyed on one is then drawn again): members' remembered data (whether they
    have a hidden post, who commented an idea) adds entries beside the pages, hence room for 10,000."""
    if values["REDIS_URL"]:
        return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": values["REDIS_URL"], "CACHE_KEY_PREFIX": "tribune:"}
    return {"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": f"{instance_path}/cache", "CACHE_THRESHOLD": 10_000}


def _read() -> dict[str, str]:
    """The tokens this request has read (or set) so far: each is asked of the store once a request, however many
    fragments and remembered values are keyed on it (one round trip to Redis instead of one per fragment). Kept in
    the request's environ, not in `g`, which lives as long as an app context a test or a command may hold."""
    return request.environ.setdefault("tribune.page_generations", {}) if has_request_context() else {}


def _generations(topics: list[str]) -> list[str]:
    """The current token of each topic. Tokens are random, so a token the store lost (evicted
    when the cache is full) becomes a new one: a miss, never a stale page."""
    known = _read()
    # The first read of a request asks for the two topics nearly every page is keyed on as well.
    wanted = [*topics] if known else ["site", "people", *topics]
    missing = [topic for topic in dict.fromkeys(wanted) if topic not in known]
    keys = [f"gen:{topic}" for topic in missing]
    for topic, key, token in zip(missing, keys, cache.get_many(*keys) if keys else [], strict=True):
        if token is None:
            token = uuid.uuid4().hex[:12]
            if not cache.add(key, token, timeout=0):
                token = cache.get(key) or token
        known[topic] = token
    return [known[topic] for topic in topics]


def versions(*topics: str) -> tuple[str, ...]:
    """The current version of what a cached anonymous page about these topics shows (the site's identity, members'
    names and avatars, and the topics): as a fragment's key part, the fragment is drawn again after every write
    that would make such a page drawn again, without loading the rows it shows."""
    return tuple(_generations(["site", "people", *topics]))


def invalidate(*topics: str) -> None:
    """Forget every cached page that shows any of these topics (also for the rest of this request)."""
    known = _read()
    for topic in topics:
        known[topic] = uuid.uuid4().hex[:12]
        cache.set(f"gen:{topic}", known[topic], timeout=0)


def remembered(name: str, topics: Iterable[str], compute: Callable[[], T], timeout: int = PAGE_TIMEOUT) -> T:
    """What `compute` reads from the database, kept as a cached page showing these topics would be (and
    forgotten with it): shared by every viewer, signed in or not, so it must hold nothing personal or
    language-bound. Members' names and avatars are in it, hence the "people" topic."""
    key = f"data:{name}:{':'.join(_generations(['people', *topics]))}"
    hit = cache.get(key)
    if hit is not None:
        return hit[0]
    value = compute()
    cache.set(key, (value,), timeout=timeout)
    return value


def _varies(response: Any) -> Any:
    """The same address answers in the browser's language, and differently once signed in: a cache
    between us and the reader must key on both."""
    response.vary.update(("Cookie", "Accept-Language"))
    return response


def anonymous_page(topics: Topics = lambda **_: ()) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Cache a GET view for visitors who are not signed in, keyed by path, language and topics."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            # Signed-in pages are personal, and a pending flash message is for one visitor.
            if current_user.is_authenticated or session.get("_flashes"):
                return view(*args, **kwargs)
            # Every page shows the site's identity, and names, avatars and badges of members.
            names = ["site", "people", *topics(**kwargs)]
            versions = ":".join(map(str, _generations(names)))
            key = f"page:{get_locale()}:{versions}:{request.full_path}"
            hit = cache.get(key)
            if hit is not None:
                body, status = hit
                return _varies(make_response(body, status))
            response = make_response(view(*args, **kwargs))
            if response.status_code == 200 and not response.direct_passthrough:
                cache.set(key, (response.get_data(as_text=True), response.status_code), timeout=PAGE_TIMEOUT)
            return _varies(response)

        return wrapped

    return decorator
