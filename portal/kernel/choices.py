"""The viewer's own state inside HTML every member shares: a like button pressed or not, drawn both ways.

A post card looks the same to every member but for one thing: whether the reader likes it. Kept per reader, the
cards of a page would be drawn again for each member; kept with the reader's state in their key, twice for every
version. Instead the card holds both ways of its like button between marks, and once the page is drawn the marks
are resolved for the reader: one query per kind of choice for the whole page (which of these posts do I like?),
whatever the number of cards, and whether the cards came from the fragment cache or were just drawn.

    {% call(on) choice("liked-post", post.id, false) %}{{ like_button(..., on) }}{% endcall %}

Features register what each kind asks (`register(app, "liked-post", resolve)`: of these ids, the ones that are on
for the signed-in member). Outside a fragment being drawn, or for a visitor, `choice` draws the known state at once (the cards and rows are
always drawn inside their own fragment, so they pass false: for a member the marks decide).
The marks are random for each process, so no text a member writes can hold one.
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, current_app
from flask_login import current_user
from markupsafe import Markup

from .fragments import drawing

EXTENSION = "tribune.choices"
MARK = "choice" + secrets.token_hex(16)
# In the HTML: MARK kind:id:the way drawn when on MARK |the way drawn when off MARK

Resolve = Callable[[list[int]], Iterable[int]]


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = {}
    app.jinja_env.globals["choice"] = choice
    app.after_request(_resolve_page)


def register(app: Flask, kind: str, resolve: Resolve) -> None:
    """What `kind` asks of the database: of these ids, the ones that are on for the signed-in member."""
    if not re.fullmatch(r"[a-z-]+", kind):
        raise ValueError(f"a choice's kind is lowercase letters and dashes, not {kind!r}")
    app.extensions[EXTENSION][kind] = resolve


def choice(kind: str, item_id: int, on: bool, caller: Callable[[bool], Any]) -> Markup:
    """The HTML `caller(on)` draws; inside a fragment drawn for a member, both ways between marks, resolved once the
    page is done (`on` is then only what this request knew, never kept)."""
    if not drawing() or not current_user.is_authenticated:
        return Markup(caller(on))
    if kind not in current_app.extensions[EXTENSION]:
        raise KeyError(f"no feature registered the choice {kind!r}")
    yes, no = str(caller(True)), str(caller(False))
    if MARK in yes or MARK in no:
        raise ValueError(f"a choice ({kind!r}) cannot hold another one")
    return Markup(f"{MARK}{kind}:{int(item_id)}:{yes}{MARK}|{no}{MARK}")


def resolve(html: str) -> str:
    """The HTML with every choice drawn the way it is for the signed-in member: one question per kind.

    Split on the marks, the HTML reads text, "kind:id:on-way", "|off-way", text, and so on."""
    if MARK not in html:
        return html
    parts = html.split(MARK)
    if len(parts) % 3 != 1:
        raise ValueError("a choice's marks are not whole")
    heads = [part.split(":", 2) for part in parts[1::3]]
    wanted: dict[str, set[int]] = {}
    for kind, item_id, _on in heads:
        wanted.setdefault(kind, set()).add(int(item_id))
    resolvers = current_app.extensions[EXTENSION]
    on = {kind: set(resolvers[kind](sorted(ids))) for kind, ids in wanted.items()}
    out = [parts[0]]
    for (kind, item_id, yes), no, text in zip(heads, parts[2::3], parts[3::3], strict=True):
        out.append(yes if int(item_id) in on[kind] else no[1:])
        out.append(text)
    return "".join(out)


def _resolve_page(response: Any) -> Any:
    """Every member's HTML page leaves with its choices resolved (a visitor's holds none)."""
    if (response.mimetype == "text/html" and not response.direct_passthrough and not response.is_streamed
            and current_user.is_authenticated):
        html = response.get_data(as_text=True)
        if MARK in html:
            response.set_data(resolve(html))
    return response
