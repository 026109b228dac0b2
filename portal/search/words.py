"""Words: what a query looks for, what the index finds, how near two words are, and the words a query
matched marked in a result.

Plain text in, escaped HTML out, no search library: the stems come from the index's analyzers
(`index.highlight`).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

MAX_CHARS = 200  # of a query: the rest is not read
MAX_WORDS = 8  # words of a query looked for; the rest are left out (and the page says so)
SNIPPET_CHARS = 200
WORD = re.compile(r"\w+")  # what a word is, for the index, its queries and this
Terms = dict[str, set[str]]  # language -> the stems a query matches in it
Stems = Callable[[str, str], tuple[str, ...]]  # (language, word) -> what the index keeps of the word


@dataclass(frozen=True)
class Words:
    used: tuple[str, ...]  # the words looked for
    dropped: tuple[str, ...] = ()  # the words after the first MAX_WORDS, left out


@dataclass(frozen=True)
class Match:
    """A document found, before highlighting: its stored title and body, and its score in its own index."""

    id: int
    score: float
    title: str
    body: str


@dataclass(frozen=True)
class Found:
    matches: list[Match]  # the best ones, best first
    total: int
    every_word: bool  # matched all the words (not only some, the fallback)


def parse(text: str) -> Words:
    """User text reduced to plain words: never parsed as a query language, so no syntax can fail.

    Only the first MAX_WORDS words are looked for (the page says which were left out), so a
    pasted paragraph costs what a long query does.
    """
    found = WORD.findall(text[:MAX_CHARS])
    return Words(tuple(found[:MAX_WORDS]), tuple(found[MAX_WORDS:]))


def distance(a: str, b: str) -> int:
    """Edits from a to b: insertions, deletions, substitutions and swaps of neighbours (short words only)."""
    rows = [list(range(len(b) + 1))]
    for i, x in enumerate(a, 1):
        row = [i]
        for j, y in enumerate(b, 1):
            row.append(min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (x != y)))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]



def _spans(text: str, terms: Terms, stems: Stems) -> list[tuple[int, int]]:
    """Character ranges of the words in `text` that the query matched, in order."""
    wanted = [(lang, found) for lang, found in terms.items() if found]
    return [match.span() for match in WORD.finditer(text)
            if any(stem in found for lang, found in wanted for stem in stems(lang, match.group().lower()))]


def _mark(text: str, spans: list[tuple[int, int]]) -> Markup:
    """`text` HTML-escaped, with the spans wrapped in <mark>."""
    parts, at = [], 0
    for start, end in spans:
        parts += [escape(text[at:start]), Markup("<mark>"), escape(text[start:end]), Markup("</mark>")]
        at = end
    parts.append(escape(text[at:]))
    return Markup("").join(parts)


def highlight(title: str, body: str, terms: Terms, stems: Stems) -> tuple[Markup, Markup]:
    """The title and a snippet of the body, HTML-escaped, the words the query matched in <mark>."""
    return _mark(title, _spans(title, terms, stems)), _snippet(body, terms, stems)


def _snippet(body: str, terms: Terms, stems: Stems) -> Markup:
    """About SNIPPET_CHARS of the body around its first match (or its start), cut at spaces."""
    spans = _spans(body, terms, stems)
    if len(body) <= SNIPPET_CHARS:
        return _mark(body, spans)
    start = max(0, spans[0][0] - 60) if spans else 0
    if start:
        space = body.find(" ", start, spans[0][0])
        start = space + 1 if space != -1 else start
    end = min(len(body), start + SNIPPET_CHARS)
    if end < len(body):
        space = body.rfind(" ", start, end)
        end = space if space > start + SNIPPET_CHARS // 2 else end
    inside = [(s - start, e - start) for s, e in spans if s >= start and e <= end]
    return Markup("").join([Markup("…") if start else Markup(""), _mark(body[start:end], inside),
                            Markup("…") if end < len(body) else Markup("")])
