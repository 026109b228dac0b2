"""“Did you mean”: a word of a query that finds nothing replaced by a near word of the indexes that finds something
the viewer may see. A gateway to Whoosh beside `index`, whose searchers, scopes and searches it uses.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from whoosh.query import Or
from whoosh.searching import Searcher

from . import index
from .words import Words, distance

# "Did you mean" corrects at most 3 words of a query, of 3 to 20 letters (a longer word is rarely a typo,
# and the edit-distance automaton grows with its length).
MAX_CORRECTED, MIN_CORRECTED, MAX_CORRECTED_CHARS = 3, 3, 20
SUGGESTIONS = 5  # near words asked of the index for each word corrected


def _suggest(searcher: Searcher, word: str) -> list[str]:
    """Words of the index near `word`, nearest first, then commonest: one lookup (the tests count the calls).
    Whoosh ranks by frequency only, so they are ranked again by edit distance (a swap of two letters is one edit).
    Two edits only on words of 4 letters or more ("bar" → "la"), keeping the first letter (a 5× cheaper lookup)."""
    maxdist = 2 if len(word) >= 4 else 1
    found = searcher.corrector("spell").suggest(word, limit=SUGGESTIONS * 2, maxdist=maxdist, prefix=maxdist - 1)
    return sorted(found, key=lambda s: distance(word, s))[:SUGGESTIONS]


def _targets(targets: Sequence[tuple[Path, Sequence[int]]]) -> list[tuple[Searcher, set[int]]]:
    """Each index's searcher with the documents the viewer may see in it (indexes they may see nothing of left out)."""
    readers = [(index.searcher_of(folder), scopes) for folder, scopes in targets if scopes]
    opened = [(reader.searcher, index.in_scopes(reader, scopes)) for reader, scopes in readers]
    return [(searcher, allowed) for searcher, allowed in opened if allowed]


def _found_anywhere(opened: list[tuple[Searcher, set[int]]], word: str) -> bool:
    """Whether the word finds a document the viewer may see (a stop word counts as found: there is nothing
    to correct): term lookups first, a search only where an index has it."""
    return not index.all_stems(word) or any((query := index.word_query(searcher, word)) is not None
                                       and not index.run(searcher, query, allowed, 1).is_empty() for searcher, allowed in opened)


def _best_candidate(opened: list[tuple[Searcher, set[int]]], word: str) -> str | None:
    """The nearest, then commonest, word of the indexes that finds something the viewer may see. All the candidates
    are checked in one search per index: the terms it matched say which were found in the viewer's scopes, so a word
    only on a board they may not read is never suggested."""
    candidates = sorted(dict.fromkeys(s for searcher, _ in opened for s in _suggest(searcher, word)),
                        key=lambda s: distance(word, s))
    seen: set[str] = set()
    for searcher, allowed in opened:
        queries = {c: q for c in candidates if (q := index.word_query(searcher, c)) is not None}
        if queries:
            results = index.run(searcher, Or(list(queries.values())), allowed, SUGGESTIONS * 2, terms=True)
            matched = {text.decode() if isinstance(text, bytes) else text for _, text in results.matched_terms()}
            seen |= {c for c, q in queries.items() if any(t.text in matched for t in q.leaves())}
    return next((c for c in candidates if c in seen), None)


@index.one_at_a_time
def correct(targets: Sequence[tuple[Path, Sequence[int]]], words: Words) -> str | None:
    """The words with each one that finds nothing replaced by a near word that finds something, or None.

    The work is bounded whatever was typed: at most MAX_WORDS words are checked (a term lookup, and one search for
    a word the index has), and at most MAX_CORRECTED of those that find nothing and have MIN_CORRECTED to
    MAX_CORRECTED_CHARS letters are corrected, each with one suggestion lookup and one search per index.
    """
    opened = _targets(targets)
    if not opened:
        return None
    fixed, changed, tries = [], False, 0
    for word in words.used:
        lower = word.lower()
        if (not MIN_CORRECTED <= len(lower) <= MAX_CORRECTED_CHARS or tries >= MAX_CORRECTED
                or lower.isdigit() or _found_anywhere(opened, lower)):
            fixed.append(word)
            continue
        tries += 1
        replacement = _best_candidate(opened, lower)
        fixed.append(replacement or word)
        changed = changed or replacement is not None
    return " ".join(fixed) if changed else None
