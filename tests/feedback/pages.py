"""Reading the feedback pages in HTTP tests: the text, the flash messages, a field's errors."""
from __future__ import annotations

import html
import re


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def words(response) -> str:
    """The page as a reader sees it: tags (search highlights too) removed, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page(response)).split())


def flashes(response) -> str:
    match = re.search(r'<div class="flashes" role="status">(.*?)</div>', page(response), re.S)
    return " ".join(match.group(1).split()) if match else ""


def field_errors(response, field: str) -> str:
    match = re.search(rf'<ul class="errors" id="{field}-error">(.*?)</ul>', page(response), re.S)
    return " ".join(match.group(1).split()) if match else ""


def vote_counts(text: str) -> list[int]:
    """The counts shown in the vote boxes, in page order."""
    return [int(n) for n in re.findall(r'class="vote-count">\s*(\d+)\s*<', text)]


def comment_counts(text: str) -> list[int]:
    """The comment counts shown beside each idea of a listing, in page order."""
    return [int(n) for n in re.findall(r'icon-comment".*?</svg>\s*(\d+)\s*<', text, re.S)]


def titles_in_order(text: str, *titles: str) -> list[str]:
    """The given titles sorted by where they first appear on the page (absent ones left out)."""
    return sorted((t for t in titles if t in text), key=text.index)
