"""Member text: cleaning what was typed, and rendering it to safe HTML once, when it is saved.

A Markdown subset, #hashtags and @mentions linked, then sanitised with nh3. Which pages
hashtags and handles link to is the business of the feature that serves those pages: it
says so once with `set_links` from its init_app; until one does, they stay plain text.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

import nh3
from flask import Flask, current_app, has_request_context
from flask_babel import lazy_gettext as _l
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

HASHTAG = re.compile(r"(?<![\w&#/])#(\w{1,50})", re.UNICODE)
MENTION = re.compile(r"(?<![\w@/.])@([A-Za-z0-9_]{3,30})\b")
ALLOWED_TAGS = {"p", "br", "strong", "em", "a", "code", "pre", "ul", "ol", "li", "blockquote", "del", "s"}  # markdown-it strikes with <s>


def mention_candidates(text: str) -> set[str]:
    """Handles a text may mention, lower-cased, without '@' (to look up before rendering)."""
    return {name.lower() for name in MENTION.findall(text)}


def _link_tokens(state: StateCore, href: str, label: str, css: str) -> list[Token]:
    link_open = Token("link_open", "a", 1)
    link_open.attrs = {"href": href, "class": css}
    text = Token("text", "", 0)
    text.content = label
    return [link_open, text, Token("link_close", "a", -1)]


@dataclass
class Rendered:
    html: str
    hashtags: set[str] = field(default_factory=set)  # linked, lower-case
    mentions: set[str] = field(default_factory=set)  # linked handles of existing members


_TAG_OR_MENTION = re.compile(f"{HASHTAG.pattern}|{MENTION.pattern}", re.UNICODE)


@dataclass
class _Links:
    """One render's link builders and findings, carried in markdown-it's `env`."""

    tag_url: Callable[[str], str] | None
    member_url: Callable[[str], str] | None
    known: set[str]
    found: Rendered


def _tags_and_mentions(state: StateCore) -> None:
    """A core rule: link #hashtags and known @handles in text outside links."""
    links: _Links = state.env["tribune"]
    tag_url, member_url, known, found, pattern = links.tag_url, links.member_url, links.known, links.found, _TAG_OR_MENTION
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        inside_link = 0
        for token in block.children:
            if token.type == "link_open":
                inside_link += 1
            elif token.type == "link_close":
                inside_link -= 1
            if token.type != "text" or inside_link:
                children.append(token)
                continue
            position = 0
            for match in pattern.finditer(token.content):
                tag, handle = match.group(1), match.group(2)
                if tag and tag_url and not tag.isdigit() and len(tag.lower()) <= 50:  # "İ" lower-cases to 2 chars
                    link = _link_tokens(state, tag_url(tag.lower()), f"#{tag}", "hashtag")
                    found.hashtags.add(tag.lower())
                elif handle and member_url and handle.lower() in known:
                    link = _link_tokens(state, member_url(handle.lower()), f"@{handle}", "mention")
                    found.mentions.add(handle.lower())
                else:
                    continue  # an unknown name stays plain text
                before = Token("text", "", 0)
                before.content = token.content[position:match.start()]
                children.extend([before, *link])
                position = match.end()
            rest = Token("text", "", 0)
            rest.content = token.content[position:]
            children.append(rest)
        block.children = children


# Built once: the parser holds only its configuration (each render gets its own state), and making one
# costs about 2 ms.
_MARKDOWN = (MarkdownIt("commonmark", {"html": False, "linkify": True, "breaks": True, "typographer": False})
             .enable(["linkify", "strikethrough"])
             .disable(["heading", "lheading", "image", "hr", "html_block", "html_inline", "reference"]))
_MARKDOWN.core.ruler.push("tags_and_mentions", _tags_and_mentions)


def render(text: str, *, tag_url: Callable[[str], str] | None = None, member_url: Callable[[str], str] | None = None,
           known_handles: set[str] | frozenset[str] = frozenset()) -> Rendered:
    """Markdown subset to sanitised HTML; mentions link only for handles in `known_handles`."""
    found = Rendered(html="")
    env = {"tribune": _Links(tag_url, member_url, set(known_handles), found)}
    found.html = nh3.clean(_MARKDOWN.render(text, env), tags=ALLOWED_TAGS, attributes={"a": {"href", "class"}},
                           link_rel="nofollow ugc", url_schemes={"http", "https", "mailto"})
    return found


def clean_text(text: str | None, limit: int, errors: dict[str, list[Any]], field: str = "body", *,
               required: bool = True) -> str:
    """The text trimmed, with a message in `errors` when it is empty (if required) or too long."""
    text = (text or "").replace("\r\n", "\n").strip()
    if required and not text:
        errors.setdefault(field, []).append(_l("Write something first."))
    elif len(text) > limit:
        errors.setdefault(field, []).append(_l("Keep it under %(n)s characters (this is %(count)s).", n=limit, count=len(text)))
    return text


@dataclass(frozen=True)
class Links:
    """Where hashtags and @handles link, and which handles belong to someone."""

    tag_url: Callable[[str], str]
    member_url: Callable[[str], str]
    known_handles: Callable[[Any, set[str]], Iterable[str]]  # (session, candidates) -> the handles that exist


EXTENSION = "tribune.text_links"


def set_links(app: Flask, links: Links) -> None:
    app.extensions[EXTENSION] = links


def render_text(session: Any, text: str) -> Rendered:
    """Member text to stored HTML, with the hashtags and mentions linked where a feature said."""
    links: Links | None = current_app.extensions.get(EXTENSION)
    if links is None:
        return render(text)
    candidates = mention_candidates(text)
    known = set(links.known_handles(session, candidates)) if candidates else set()
    # Jobs (scheduled posts) and the CLI run without a request, where url_for cannot build links.
    outside = nullcontext() if has_request_context() else \
        current_app.test_request_context(base_url=current_app.config["BASE_URL"])
    with outside:
        return render(text, tag_url=links.tag_url, member_url=links.member_url, known_handles=known)
