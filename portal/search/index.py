"""The Whoosh gateway: with `spelling` ("did you mean", which uses the searchers here), the only module that imports
`whoosh`, so the backend can be swapped here alone.

Documents come in as plain dicts (id, scope, title, body) and results go out as ids with
highlighted HTML; nothing whoosh-shaped leaves the two. A scope is a number the source
chooses (the ideas' board): a search names the scopes the viewer may see, and finds nothing else.
Each source keeps its own index in its own folder.
"""
from __future__ import annotations

import functools
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import ContextDecorator, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, TypeVar

from markupsafe import Markup
from whoosh import index as whoosh_index
from whoosh.analysis import Analyzer, CharsetFilter, Filter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex, LockError
from whoosh.lang import porter2, stopwords_for_language
from whoosh.query import And, Or, Query, Term
from whoosh.searching import Results, Searcher
from whoosh.support.charset import accent_map
from whoosh.util.filelock import try_for
from whoosh.writing import CLEAR, SegmentWriter

from . import words as marking
from .words import Found, Match, Terms, Words, parse

COMMON_SHARE = 0.1  # similar() leaves out words found in more than this share of the documents
WRITE_TIMEOUT = 30.0  # seconds a writer waits for another thread or process to commit
READERS_KEPT = 8  # open searchers in the process: one per source's folder, a few sources

# Text splits into \w+ words, as queries and highlights do. Each word is indexed under its stem in each language, in
# one field (one per language and part made a word's query eight overlapping terms, 3× slower at 50,000 posts); the
# title is written twice, to count double. Porter2, not whoosh.lang.porter ("running" → "run", not "runn"). Stems lose
# their accents, English before stemming ("vélos" → "velo"), French after (its stemmer reads them): "electrique" finds
# "électrique", whose French stem is the English one of "electric". (A change here needs `flask portal reindex`.)
_FOLD = CharsetFilter(accent_map)
_ANALYZERS: dict[str, Analyzer] = {
    "en": RegexTokenizer(r"\w+") | LowercaseFilter() | _FOLD | StopFilter() | StemFilter(stemfn=porter2.stem),
    # Whoosh's French stop words lack "les".
    "fr": (RegexTokenizer(r"\w+") | LowercaseFilter() | StopFilter(stoplist=stopwords_for_language("fr") | {"les"})
           | StemFilter(lang="fr") | _FOLD)}
_SPELL = RegexTokenizer(r"\w+") | LowercaseFilter()


class EveryStem(Filter):
    """Each lowercased word as each of its stems (a stop word of both languages as none): what `all_stems` looks for."""

    def __reduce__(self) -> tuple[Any, tuple[()]]:  # the table of contents names Whoosh's classes only: any release opens it
        return (LowercaseFilter, ())

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        for token in tokens:
            for stem in dict.fromkeys(stem for lang in _ANALYZERS for stem in _stems(lang, token.text)):
                token.text = stem
                yield token


_TEXT, _SCOPE = "text", "scope"
SCHEMA = Schema(id=ID(stored=True, unique=True), scope=ID(stored=True), title=STORED, body=STORED,
                spell=TEXT(analyzer=_SPELL, phrase=False),
                text=TEXT(analyzer=_SPELL | EveryStem(), phrase=False))

# One writer at a time in this process (the job consumer runs two threads); Whoosh's lock file
# covers other processes, and `writer(timeout=...)` waits for it instead of raising LockError.
_write_lock = threading.Lock()
# One search at a time in this process, on one searcher per folder (a searcher is not safe to share at once). Searching
# is pure Python, so under the GIL threads side by side take as long as one after the other; a searcher per thread only
# multiplied the index files read and the decoded columns (4 threads: a worker from 112 to 550 MB at 50,000 posts).
_read_lock = threading.RLock()
_readers: dict[str, _Reader] = {}
T = TypeVar("T")


# -- writing -------------------------------------------------------------------


def open_or_create(folder: Path) -> FileIndex:
    """Open the index in `folder`, creating an empty one the first time."""
    folder.mkdir(parents=True, exist_ok=True)
    ix = _open(folder)
    if ix is not None:
        return ix
    # create_in deletes whatever index files are there, so only create under the write lock.
    with _write_lock:
        lock = FileStorage(str(folder)).lock("MAIN_WRITELOCK")
        if not try_for(lock.acquire, timeout=WRITE_TIMEOUT, delay=0.02):
            raise LockError(f"the search index in {folder} stayed locked for {WRITE_TIMEOUT}s")
        try:
            ix = _open(folder) or whoosh_index.create_in(str(folder), SCHEMA)
        finally:
            lock.release()
    return ix


def _open(folder: Path) -> FileIndex | None:
    """The index in `folder`, or None if there is none yet."""
    return _retrying(lambda: whoosh_index.open_dir(str(folder), schema=SCHEMA) if whoosh_index.exists_in(str(folder))
                     else None)


def _retrying(open_files: Callable[[], T]) -> T:
    """`open_files()`, again while a commit elsewhere deletes the files it reads (a newer table of contents is there):
    Whoosh retries so when it opens a reader, not when it opens the index or a segment's columns."""
    for attempt in range(20):
        try:
            return open_files()
        except FileNotFoundError:
            if attempt == 19:
                raise
            time.sleep(0.01)
    raise AssertionError("unreachable")


def _open_searcher(ix: FileIndex) -> Searcher:
    """A searcher with every segment's stored fields and lengths open: Whoosh opens those files at first use, when a
    commit elsewhere may have merged the segment away and deleted them (a stored field then reads as a TypeError)."""
    def attempt() -> Searcher:
        searcher = ix.searcher()
        try:
            for leaf, _ in searcher.reader().leaf_readers():
                if leaf.doc_count_all():
                    leaf.doc_field_length(0, _TEXT), leaf.stored_fields(0)
        except TypeError as gone:
            searcher.close()
            raise FileNotFoundError("a segment's stored fields were deleted") from gone
        except BaseException:
            searcher.close()
            raise
        return searcher

    return _retrying(attempt)


@contextmanager
def _writer(folder: Path) -> Iterator[SegmentWriter]:
    """A writer that the caller commits; it is cancelled (and the lock released) on any error."""
    ix = open_or_create(folder)
    with _write_lock:
        # Not compound: Whoosh copies a compound segment's files into each reader's heap (30 MB a worker at 50,000 posts).
        writer = ix.writer(timeout=WRITE_TIMEOUT, delay=0.02, compound=False)
        try:
            yield writer
        except BaseException:
            if not writer.is_closed:
                writer.cancel()
            raise


def _fields(doc: Mapping[str, Any]) -> dict[str, str]:
    title, body = str(doc["title"]), str(doc.get("body") or "")
    return {"id": str(doc["id"]), _SCOPE: str(doc["scope"]),
            "title": title, "body": body,
            "text": f"{title}\n{title}\n{body}", "spell": f"{title}\n{body}"}


def update(folder: Path, docs: Iterable[Mapping[str, Any]]) -> None:
    """Add documents, replacing any with the same id."""
    with _writer(folder) as writer:
        for doc in docs:
            writer.update_document(**_fields(doc))
        writer.commit()


def delete(folder: Path, ids: Iterable[int]) -> None:
    """Remove the documents with these ids (ids not in the index are ignored)."""
    with _writer(folder) as writer:
        for doc_id in ids:
            writer.delete_by_term("id", str(doc_id))
        writer.commit()


def rebuild(folder: Path, docs: Iterable[Mapping[str, Any]]) -> int:
    """Replace the whole index with `docs` in one commit, so readers see the old index or the new one, never half."""
    count = 0
    with _writer(folder) as writer:
        for doc in docs:
            writer.add_document(**_fields(doc))
            count += 1
        writer.commit(mergetype=CLEAR)
    return count


# -- reading -------------------------------------------------------------------


@dataclass
class _Reader:
    """The searcher on one folder, and the document numbers of each scope it has looked up."""

    index: FileIndex
    searcher: Searcher
    scopes: dict[tuple[int, ...], set[int]]


def searcher_of(folder: Path) -> _Reader:
    """The process's searcher on the folder, reopened only when a writer committed (reopening per query is 5×
    slower); only under `_read_lock`, which the caller holds until it has read all it needs of the results. Not
    `Searcher.refresh()`: in whoosh-reloaded 2.7.5 it reuses segment readers by segment id, so it
    keeps serving deleted and replaced documents, and re-adds segments that a merge removed.
    """
    key, readers = str(folder.resolve()), _readers
    reader = readers.get(key)
    if reader is not None and reader.index.latest_generation() == reader.searcher.reader().generation():
        return reader
    if reader is not None:
        readers.pop(key).searcher.close()
    elif len(readers) >= READERS_KEPT:  # close the one opened longest ago (tests make a folder per app)
        readers.pop(next(iter(readers))).searcher.close()
    ix = open_or_create(folder)
    readers[key] = _Reader(ix, _open_searcher(ix), {})
    return readers[key]


class _OneAtATime(ContextDecorator):
    """A read of the indexes under `_read_lock`, from its first lookup until its results are plain values."""

    def __enter__(self) -> None:
        _read_lock.acquire()

    def __exit__(self, *_exc: object) -> None:
        _read_lock.release()


one_at_a_time = _OneAtATime()


@functools.lru_cache(maxsize=50_000)
def _stems(lang: str, word: str) -> tuple[str, ...]:
    """What the language's analyzer indexes for one word: its stem, or nothing for a stop word."""
    return tuple(token.text for token in _ANALYZERS[lang](word))


def all_stems(word: str) -> set[str]:
    """The word's stems in every language: each is looked for in the text (see word_query)."""
    return {stem for lang in _ANALYZERS for stem in _stems(lang, word.lower())}


def terms_of(words: Words) -> Terms:
    """The stems the words match, by the language whose stems of a document's words are compared with them
    (all of them, in each language): what the highlighting marks."""
    found = {stem for word in words.used for stem in all_stems(word)}
    return {lang: found for lang in _ANALYZERS}


def word_query(searcher: Searcher, word: str) -> Query | None:
    """The word in a title or body, in either language; None when this index has none of its stems.

    Every document's words are indexed under their stems in both languages, and each stem of the
    word is looked for, so a French word finds its French forms and an English one its English forms
    whatever the reader's language ("randonnées" finds "randonnée", "bikes" finds "bike"), and
    words both languages share a stem for meet ("électrique" finds "electric", "photographie"
    "photography"). Nothing translates: "vélo" does not find "bike".
    """
    # Only the terms the index has: Whoosh sets up a 2,048-score array for every Or, even of absent terms.
    reader = searcher.reader()
    clauses = [Term(_TEXT, stem) for stem in sorted(all_stems(word)) if (_TEXT, stem) in reader]
    return clauses[0] if len(clauses) == 1 else Or(clauses) if clauses else None


def _queries(searcher: Searcher, words: Sequence[str]) -> list[Query | None]:
    """A query for each word (None for one the index lacks), leaving out the stop words of either language
    ("les" is an English stem of every French text), unless the words are only stop words."""
    content = [word for word in words if all(_stems(lang, word.lower()) for lang in _ANALYZERS)]
    return [word_query(searcher, word) for word in content or words if all_stems(word)]


def _is_common(searcher: Searcher, word: str) -> bool:
    """The word's commonest stem in more than COMMON_SHARE of the documents of the whole index (any scope), once there
    are enough to tell: lookups, no search."""
    docs = searcher.doc_count()
    counts = [searcher.doc_frequency(_TEXT, stem) for stem in all_stems(word)]
    return docs >= 100 and max(counts, default=0) > docs * COMMON_SHARE


def in_scopes(reader: _Reader, scopes: Sequence[int]) -> set[int]:
    """The document numbers in these scopes, kept with the searcher until it is reopened. A query as the filter
    would list every document in the scopes again for each search (25 ms at 5,000 ideas). Not `Require(query,
    scopes)` either: in whoosh 2.7.5 it miscounts across segments and trips an assertion when skipping blocks."""
    cache = reader.scopes
    key = tuple(sorted(set(scopes)))
    if key not in cache:
        for scope in key:
            if (scope,) not in cache:
                cache[(scope,)] = set(reader.searcher.docs_for_query(Term(_SCOPE, str(scope))))
        cache[key] = set().union(*(cache[(scope,)] for scope in key))
    return cache[key]


def run(searcher: Searcher, query: Query, allowed: set[int], limit: int | None, mask: Query | None = None,
         terms: bool = False) -> Results:
    """The best `limit` hits of `query` among the `allowed` documents, which must not be empty: Whoosh reads
    an empty filter as no filter at all, and would search every scope. Every search goes through here."""
    if not allowed:
        raise ValueError("an empty filter would let every document through")
    return searcher.search(query, limit=limit, filter=allowed, mask=mask, terms=terms)


@one_at_a_time
def find(folder: Path, words: Words, scopes: Sequence[int], limit: int) -> Found:
    """The best `limit` documents in these scopes that match all the words (or, failing that, any of them)."""
    if not words.used or not scopes:
        return Found([], 0, False)
    reader = searcher_of(folder)
    searcher, allowed = reader.searcher, in_scopes(reader, scopes)
    every = _queries(searcher, words.used)
    queries = [q for q in every if q is not None]
    if not queries or not allowed:
        return Found([], 0, False)
    matches, total = _best(searcher, And(queries), allowed, limit) if len(queries) == len(every) else ([], 0)
    every_word = total > 0
    if not every_word and len(every) > 1:  # some word is missing from every document: those with any of them
        matches, total = _best(searcher, Or(queries), allowed, limit)
    return Found(matches, total, every_word)


def _best(searcher: Searcher, query: Query, allowed: set[int], limit: int) -> tuple[list[Match], int]:
    """The best `limit` matches and how many there are; with no limit, only how many (nothing scored)."""
    if not limit:
        return [], sum(1 for docnum in searcher.docs_for_query(query) if docnum in allowed)
    results = run(searcher, query, allowed, limit)
    return [Match(int(hit["id"]), float(hit.score or 0.0), hit["title"], hit["body"]) for hit in results[:limit]], len(results)


def highlight(match: Match, terms: Terms) -> tuple[Markup, Markup]:
    """The match's title and a snippet of its body, HTML-escaped, the matched words in <mark>."""
    return marking.highlight(match.title, match.body, terms, _stems)


@one_at_a_time
def similar(folder: Path, text: str, scopes: Sequence[int], limit: int, exclude_id: int | None = None) -> list[int]:
    """Ids of the documents in these scopes that share the most words with `text`, best first.

    Each word is looked for stemmed as English and as French among both stems of every document's words, so an
    English title finds English ideas and a French one French ideas, whatever the language of the member typing it.
    """
    words = parse(text).used
    if not words or not scopes or limit < 1:
        return []
    reader = searcher_of(folder)
    searcher, allowed = reader.searcher, in_scopes(reader, scopes)
    # A common word says little about which document is alike, and matching it means scoring most of
    # the index (300 ms at 20,000 ideas): leave it out, unless the title has nothing else.
    rare = [word for word in words if not _is_common(searcher, word)]
    queries = [q for q in _queries(searcher, rare or words) if q is not None]
    if not queries or not allowed:
        return []
    mask = Term("id", str(exclude_id)) if exclude_id is not None else None
    return [int(hit["id"]) for hit in run(searcher, Or(queries), allowed, limit, mask)]
