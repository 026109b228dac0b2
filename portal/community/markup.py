"""Member text to safe HTML: a Markdown subset, #hashtags and @mentions linked, then sanitised.

Rendering happens once, when the text is saved; pages show the stored HTML.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import nh3
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


def _tags_and_mentions(tag_url: Callable[[str], str], member_url: Callable[[str], str] | None,
                       known: set[str], found: Rendered) -> Callable[[StateCore], None]:
    pattern = re.compile(f"{HASHTAG.pattern}|{MENTION.pattern}", re.UNICODE)

    def rule(state: StateCore) -> None:
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
                    if tag and not tag.isdigit() and len(tag.lower()) <= 50:  # "İ" lower-cases to 2 chars
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

    return rule


def render(text: str, *, tag_url: Callable[[str], str], member_url: Callable[[str], str] | None = None,
           known_handles: set[str] | frozenset[str] = frozenset()) -> Rendered:
    """Markdown subset to sanitised HTML; mentions link only for handles in `known_handles`."""
    found = Rendered(html="")
    md = (MarkdownIt("commonmark", {"html": False, "linkify": True, "breaks": True, "typographer": False})
          .enable(["linkify", "strikethrough"])
          .disable(["heading", "lheading", "image", "hr", "html_block", "html_inline", "reference"]))
    md.core.ruler.push("tags_and_mentions", _tags_and_mentions(tag_url, member_url, set(known_handles), found))
    found.html = nh3.clean(md.render(text), tags=ALLOWED_TAGS, attributes={"a": {"href", "class"}},
                           link_rel="nofollow ugc", url_schemes={"http", "https", "mailto"})
    return found
