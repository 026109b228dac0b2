"""The Whoosh gateway: the only module that imports `whoosh`, so the backend can be swapped here alone.

Documents come in as plain dicts (id, scope, title, body) and results go out as ids with
highlighted HTML; nothing whoosh-shaped leaves this module. A scope is a number the source
chooses (the ideas' board): a search names the scopes the viewer may see, and finds nothing else.
Each source keeps its own index in its own folder.
"""
from __future__ import annotations

import functools
import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from math import ceil
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape
from whoosh import index as whoosh_index
from whoosh.analysis import Analyzer, LanguageAnalyzer, LowercaseFilter, RegexTokenizer, StemmingAnalyzer
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex, LockError
from whoosh.lang import porter2
from whoosh.query import And, Or, Query, Term
from whoosh.searching import Results, Searcher
from whoosh.util.filelock import try_for
from whoosh.writing import CLEAR, SegmentWriter

MAX_CHARS = 200
MAX_WORDS = 12
MAX_PAGE = 500  # Whoosh scores page × per_page hits to show a page; nobody reads page 501
SNIPPET_CHARS = 200
COMMON_SHARE = 0.1  # similar() leaves out words found in more than this share of the documents
WRITE_TIMEOUT = 30.0  # seconds a writer waits for another thread or process to commit
READERS_KEPT = 8  # open searchers per thread: one per source's folder, a few sources

# Every field splits text into \w+ words, as queries and highlights do, so all three agree on what a word is.
# whoosh.lang.porter (StemmingAnalyzer's default) stems "running" to "runn"; Porter2 gives "run".
_ANALYZERS: dict[str, Analyzer] = {"en": StemmingAnalyzer(expression=r"\w+", stemfn=porter2.stem),
                                   "fr": LanguageAnalyzer("fr", expression=r"\w+")}
_SPELL = RegexTokenizer(r"\w+") | LowercaseFilter()
# (field, language, boost): a word matches any of them, and a match in the title counts double.
_TEXT_FIELDS = (("title_en", "en", 2.0), ("title_fr", "fr", 2.0), ("body_en", "en", 1.0), ("body_fr", "fr", 1.0))

# The scope field is called "board" on disk, and "status" is still there though nothing reads it:
# the ideas' index was written so before there were sources, and a renamed field would leave
# every existing index finding nothing until it is rebuilt.
_SCOPE = "board"
SCHEMA = Schema(
    id=ID(stored=True, unique=True),
    board=ID(stored=True),
    status=ID(stored=True),
    title=STORED,
    body=STORED,
    title_en=TEXT(analyzer=_ANALYZERS["en"]),
    body_en=TEXT(analyzer=_ANALYZERS["en"]),
    title_fr=TEXT(analyzer=_ANALYZERS["fr"]),
    body_fr=TEXT(analyzer=_ANALYZERS["fr"]),
    spell=TEXT(analyzer=_SPELL, phrase=False),
)

_WORD = re.compile(r"\w+")
# One writer at a time in this process (the job consumer runs two threads); Whoosh's lock file
# covers other processes, and `writer(timeout=...)` waits for it instead of raising LockError.
_write_lock = threading.Lock()
_local = threading.local()


@dataclass(frozen=True)
class Hit:
    id: int
    title_html: Markup
    snippet_html: Markup


@dataclass(frozen=True)
class Found:
    hits: list[Hit]
    total: int
    page: int
    pages: int
    correction: str | None


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
    for attempt in range(20):
        try:
            if not whoosh_index.exists_in(str(folder)):
                return None
            return whoosh_index.open_dir(str(folder), schema=SCHEMA)
        except FileNotFoundError:
            # A commit elsewhere deleted the table of contents we were reading; a newer one is there.
            # (Whoosh retries the same way when it opens a reader, but not when it opens the index.)
            if attempt == 19:
                raise
            time.sleep(0.01)
    return None


@contextmanager
def _writer(folder: Path) -> Iterator[SegmentWriter]:
    """A writer that the caller commits; it is cancelled (and the lock released) on any error."""
    ix = open_or_create(folder)
    with _write_lock:
        writer = ix.writer(timeout=WRITE_TIMEOUT, delay=0.02)
        try:
            yield writer
        except BaseException:
            if not writer.is_closed:
                writer.cancel()
            raise


def _fields(doc: Mapping[str, Any]) -> dict[str, str]:
    title, body = str(doc["title"]), str(doc.get("body") or "")
    return {"id": str(doc["id"]), _SCOPE: str(doc["scope"]), "status": "",
            "title": title, "body": body, "title_en": title, "title_fr": title, "body_en": body, "body_fr": body,
            "spell": f"{title}\n{body}"}


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
    """This thread's searcher on one folder, and the document numbers of each scope it has looked up."""

    index: FileIndex
    searcher: Searcher
    scopes: dict[tuple[int, ...], set[int]]


def _searcher(folder: Path) -> _Reader:
    """This thread's searcher on the folder, reopened only when a writer committed (reopening per query is 5× slower).

    Not `Searcher.refresh()`: in whoosh-reloaded 2.7.5 it reuses segment readers by segment id, so it
    keeps serving deleted and replaced documents, and re-adds segments that a merge removed.
    """
    key = str(folder.resolve())
    if not hasattr(_local, "readers"):
        _local.readers = {}
    readers: dict[str, _Reader] = _local.readers
    reader = readers.get(key)
    if reader is not None and reader.index.latest_generation() == reader.searcher.reader().generation():
        return reader
    if reader is not None:
        readers.pop(key).searcher.close()
    elif len(readers) >= READERS_KEPT:  # close the one opened longest ago (tests make a folder per app)
        readers.pop(next(iter(readers))).searcher.close()
    ix = open_or_create(folder)
    readers[key] = _Reader(ix, ix.searcher(), {})
    return readers[key]


def _words(text: str) -> list[str]:
    """User text reduced to plain words: never parsed as a query language, so no syntax can fail."""
    return _WORD.findall(text[:MAX_CHARS])[:MAX_WORDS]


@functools.lru_cache(maxsize=50_000)
def _stems(lang: str, word: str) -> tuple[str, ...]:
    """What the language's analyzer indexes for one word: its stem, or nothing for a stop word."""
    return tuple(token.text for token in _ANALYZERS[lang](word))


def _word_query(word: str, terms: dict[str, set[str]] | None = None) -> Query | None:
    """The word in any title or body field, in either language; None when both analyzers drop it (a stop word)."""
    stems = {lang: _stems(lang, word.lower()) for lang in _ANALYZERS}
    if terms is not None:
        for lang, found in stems.items():
            terms[lang].update(found)
    clauses = [Term(field, stem, boost=boost) for field, lang, boost in _TEXT_FIELDS for stem in stems[lang]]
    return Or(clauses) if clauses else None


def _is_common(searcher: Searcher, word: str) -> bool:
    """In more than COMMON_SHARE of the documents (once there are enough to tell)."""
    docs = searcher.doc_count()
    if docs < 100:
        return False
    counts = [searcher.doc_frequency(field, stem) for field, lang, _ in _TEXT_FIELDS for stem in _stems(lang, word.lower())]
    return max(counts, default=0) > docs * COMMON_SHARE


def _in_scopes(reader: _Reader, scopes: Sequence[int]) -> set[int]:
    """The document numbers in these scopes, kept with this thread's searcher until it is reopened.

    A query as the filter would list every document in the scopes again for each search (25 ms
    at 5,000 ideas). Not `Require(query, scopes)` either: in whoosh 2.7.5 it miscounts across
    segments and trips an assertion when skipping blocks.
    """
    cache = reader.scopes
    key = tuple(sorted(set(scopes)))
    if key not in cache:
        for scope in key:
            if (scope,) not in cache:
                cache[(scope,)] = set(reader.searcher.docs_for_query(Term(_SCOPE, str(scope))))
        cache[key] = set().union(*(cache[(scope,)] for scope in key))
    return cache[key]


def _run(searcher: Searcher, query: Query, allowed: set[int], limit: int, mask: Query | None = None) -> Results:
    """The best `limit` hits of `query` among the `allowed` documents, which must not be empty:
    Whoosh reads an empty filter as no filter at all, and would search every scope."""
    if not allowed:
        raise ValueError("an empty filter would let every document through")
    return searcher.search(query, limit=limit, filter=allowed, mask=mask)


def search(folder: Path, text: str, scopes: Sequence[int], page: int, per_page: int) -> Found:
    """One page of the documents in these scopes that match all the words (or, failing that, any of them)."""
    page = max(1, min(page, MAX_PAGE))
    terms: dict[str, set[str]] = {lang: set() for lang in _ANALYZERS}
    words = _words(text)
    queries = [q for q in (_word_query(word, terms) for word in words) if q is not None]
    nothing = Found(hits=[], total=0, page=1, pages=1, correction=None)
    if not queries or not scopes:
        return nothing
    reader = _searcher(folder)
    searcher, allowed = reader.searcher, _in_scopes(reader, scopes)
    if not allowed:
        return nothing
    results = _run(searcher, And(queries), allowed, page * per_page)
    if results.is_empty() and len(queries) > 1:
        results = _run(searcher, Or(queries), allowed, page * per_page)
    total = len(results)
    pages = max(1, ceil(total / per_page))
    page = min(page, pages)
    hits = [Hit(id=int(hit["id"]), title_html=_mark(hit["title"], _spans(hit["title"], terms)),
                snippet_html=_snippet(hit["body"], terms))
            for hit in results[(page - 1) * per_page:page * per_page]]
    correction = _correction(searcher, words, allowed) if total < 3 else None
    return Found(hits=hits, total=total, page=page, pages=pages, correction=correction)


def similar(folder: Path, text: str, scopes: Sequence[int], limit: int, exclude_id: int | None = None) -> list[int]:
    """Ids of the documents in these scopes that share the most words with `text`, best first."""
    words = _words(text)
    if not words or not scopes or limit < 1:
        return []
    reader = _searcher(folder)
    searcher, allowed = reader.searcher, _in_scopes(reader, scopes)
    # A common word says little about which document is alike, and matching it means scoring most of
    # the index (300 ms at 20,000 ideas): leave it out, unless the title has nothing else.
    rare = [word for word in words if not _is_common(searcher, word)]
    queries = [q for q in (_word_query(word) for word in rare or words) if q is not None]
    if not queries or not allowed:
        return []
    mask = Term("id", str(exclude_id)) if exclude_id is not None else None
    return [int(hit["id"]) for hit in _run(searcher, Or(queries), allowed, limit, mask)]


def _finds(searcher: Searcher, query: Query, allowed: set[int]) -> bool:
    return not _run(searcher, query, allowed, 1).is_empty()


def _correction(searcher: Searcher, words: list[str], allowed: set[int]) -> str | None:
    """The words with each one that finds nothing replaced by a near word that finds something in these scopes.

    Checking every replacement against the same scope filter means a word that only appears in
    scopes the viewer cannot see (a board they may not read) is never suggested.
    """
    corrector = searcher.corrector("spell")
    fixed, changed = [], False
    for word in words:
        lower = word.lower()
        query = _word_query(lower)
        if len(lower) < 3 or query is None or _finds(searcher, query, allowed):
            fixed.append(word)
            continue
        # suggest() ranks by frequency only, so ask for one edit before two; a swap of two letters
        # counts as two, and two edits on a short word give unrelated words ("bar" → "la").
        distances = (1, 2) if len(lower) >= 4 else (1,)
        candidates = [s for dist in distances for s in corrector.suggest(lower, limit=5, maxdist=dist)]
        replacement = next((s for s in candidates if (q := _word_query(s)) is not None and _finds(searcher, q, allowed)),
                           None)
        fixed.append(replacement or word)
        changed = changed or replacement is not None
    return " ".join(fixed) if changed else None


# -- highlighting --------------------------------------------------------------


def _spans(text: str, terms: dict[str, set[str]]) -> list[tuple[int, int]]:
    """Character ranges of the words in `text` that the query matched, in order."""
    wanted = [(lang, found) for lang, found in terms.items() if found]
    return [match.span() for match in _WORD.finditer(text)
            if any(stem in found for lang, found in wanted for stem in _stems(lang, match.group().lower()))]


def _mark(text: str, spans: list[tuple[int, int]]) -> Markup:
    """`text` HTML-escaped, with the spans wrapped in <mark>."""
    parts, at = [], 0
    for start, end in spans:
        parts += [escape(text[at:start]), Markup("<mark>"), escape(text[start:end]), Markup("</mark>")]
        at = end
    parts.append(escape(text[at:]))
    return Markup("").join(parts)


def _snippet(body: str, terms: dict[str, set[str]]) -> Markup:
    """About SNIPPET_CHARS of the body around its first match (or its start), cut at spaces."""
    spans = _spans(body, terms)
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
