"""The index gateway on its own: concurrent writers, rebuilds, and reading what was just written."""
from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
import time
from pathlib import Path

from portal.search import index, spelling
from portal.search.words import parse

ROOT = Path(__file__).resolve().parents[2]

WRITER = """
import sys, time
from pathlib import Path
from portal.search import index

folder, first, ready, go = Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
ready.touch()
while not go.exists():
    time.sleep(0.01)
for n in range(first, first + 150):
    index.update(folder, [{"id": n, "scope": 1, "title": f"Tent number {n}", "body": "pegs"}])
"""


def test_two_processes_writing_at_once_both_succeed(tmp_path):
    """Gunicorn workers and the job consumer are separate processes sharing one index folder."""
    folder, go = tmp_path / "ideas", tmp_path / "go"
    index.open_or_create(folder)
    ready = [tmp_path / "ready-a", tmp_path / "ready-b"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(folder), str(first), str(flag), str(go)],
                                cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
               for first, flag in ((1, ready[0]), (1001, ready[1]))]
    try:
        deadline = time.monotonic() + 60
        while not all(flag.exists() for flag in ready) and time.monotonic() < deadline:
            time.sleep(0.02)
        go.touch()  # both start together, so they really contend for the lock
        errors = [writer.communicate(timeout=240)[1] for writer in writers]
    finally:
        for writer in writers:
            if writer.poll() is None:
                writer.kill()
    assert [writer.returncode for writer in writers] == [0, 0], "\n".join(errors)[-3000:]
    assert "LockError" not in "".join(errors)
    found = index.find(folder, parse("tent"), [1], 10)
    assert found.total == 300


def test_two_threads_writing_at_once_both_succeed(tmp_path):
    """The job consumer runs two worker threads in one process."""
    folder = tmp_path / "ideas"
    failures: list[BaseException] = []

    def write(first: int) -> None:
        try:
            for n in range(first, first + 40):
                index.update(folder, [{"id": n, "scope": 1, "title": f"Lamp {n}", "body": ""}])
        except BaseException as error:  # noqa: B036  (reported below, from the main thread)
            failures.append(error)

    threads = [threading.Thread(target=write, args=(first,)) for first in (1, 1001)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert index.find(folder, parse("lamp"), [1], 10).total == 80


def test_threads_searching_while_another_writes_share_one_searcher(tmp_path):
    """A gunicorn worker's threads search one after the other on the process's searcher of each folder (one map of
    the index files, one copy of its columns, not one per thread), each finding what was committed before it."""
    folder = tmp_path / "ideas"
    index.update(folder, [{"id": n, "scope": 1, "title": f"Lamp {n}", "body": "brass"} for n in range(1, 51)])
    failures: list[BaseException] = []
    totals: list[int] = []
    searchers: set[int] = set()

    def search() -> None:
        try:
            for _ in range(20):
                found = index.find(folder, parse("brass lamp"), [1], 5)
                assert len(found.matches) == 5
                totals.append(found.total)
                assert index.similar(folder, "brass lamp", [1], 3)
                assert spelling.correct([(folder, [1])], parse("brass lampp")) == "brass lamp"
                with index._read_lock:
                    searchers.add(id(index._readers[str(folder.resolve())].searcher))
        except BaseException as error:  # noqa: B036  (reported below, from the main thread)
            failures.append(error)

    def write() -> None:
        try:
            for n in range(51, 71):
                index.update(folder, [{"id": n, "scope": 1, "title": f"Lamp {n}", "body": "brass"}])
        except BaseException as error:  # noqa: B036
            failures.append(error)

    threads = [threading.Thread(target=search) for _ in range(4)] + [threading.Thread(target=write)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert totals and all(50 <= total <= 70 for total in totals)
    assert len(searchers) <= 21, "one searcher at a time, reopened only after a commit (20 of them)"
    assert index.find(folder, parse("brass lamp"), [1], 5).total == 70
    assert sum(1 for key in index._readers if key == str(folder.resolve())) == 1


def test_a_reader_sees_edits_deletions_and_rebuilds_at_once(tmp_path):
    """The kept searcher is reopened after each commit (whoosh's own refresh() would still show the old documents)."""
    folder = tmp_path / "ideas"
    index.update(folder, [{"id": 1, "scope": 1, "title": "Red tent", "body": ""},
                          {"id": 2, "scope": 1, "title": "Blue tent", "body": ""}])
    assert index.find(folder, parse("tent"), [1], 10).total == 2
    index.update(folder, [{"id": 1, "scope": 1, "title": "Red hammock", "body": ""}])
    assert [hit.id for hit in index.find(folder, parse("tent"), [1], 10).matches] == [2]
    index.delete(folder, [2])
    assert index.find(folder, parse("tent"), [1], 10).total == 0
    assert index.rebuild(folder, [{"id": 3, "scope": 1, "title": "Green tent", "body": ""}]) == 1
    assert index.find(folder, parse("hammock"), [1], 10).total == 0
    assert [hit.id for hit in index.find(folder, parse("tent"), [1], 10).matches] == [3]


def test_no_boards_or_no_words_find_nothing(tmp_path):
    folder = tmp_path / "ideas"
    index.update(folder, [{"id": 1, "scope": 1, "title": "Tent", "body": ""}])
    assert index.find(folder, parse("tent"), [], 10).matches == []
    assert index.find(folder, parse("tent"), [2], 10).matches == [], "a scope without documents is not the same as no filter"
    assert index.similar(folder, "tent", [2], 5) == []
    assert index.find(folder, parse("?! -- ..."), [1], 10).matches == []
    assert index.similar(folder, "tent", [], 5) == []
    assert index.similar(folder, "tent", [1], 5, exclude_id=1) == []


def test_similar_leaves_out_words_most_ideas_share(tmp_path):
    """Past 100 ideas a word in more than a tenth of them is left out: it says little, and costs a lot to score."""
    folder = tmp_path / "ideas"
    index.update(folder, [{"id": n, "scope": 1, "title": f"Tent idea {n}", "body": "A better tent."} for n in range(1, 121)])
    index.update(folder, [{"id": 500, "scope": 1, "title": "Tent with a zeppelin print", "body": ""}])
    assert index.similar(folder, "tent zeppelin", [1], 5) == [500]
    assert len(index.similar(folder, "tent", [1], 5)) == 5, "a title of common words only still finds ideas"


def test_counting_alone_gives_the_total_a_scored_search_gives(tmp_path):
    """The kinds not shown are only counted, without scoring: the same totals, in the viewer's scopes only,
    for every word found together, for some of them, and for a word in a title or a body, in either language."""
    folder = tmp_path / "posts"
    index.rebuild(folder, [
        {"id": 1, "scope": 1, "title": "Waterproof boots", "body": "for hiking"},
        {"id": 2, "scope": 1, "title": "Tents", "body": "waterproof, light"},
        {"id": 3, "scope": 2, "title": "Boots", "body": "waterproof too"},
        {"id": 4, "scope": 1, "title": "Randonnées", "body": "des bottes"},
        {"id": 5, "scope": 1, "title": "Stoves", "body": "nothing else"}])
    for text, scopes, total in [("waterproof boots", [1], 1), ("waterproof boots", [1, 2], 2), ("waterproof", [1], 2),
                                ("boots zyqx", [1, 2], 2), ("randonnée", [1], 1), ("hikes", [1], 1), ("zyqx", [1], 0)]:
        counted, scored = index.find(folder, parse(text), scopes, 0), index.find(folder, parse(text), scopes, 20)
        assert (counted.total, counted.every_word, counted.matches) == (total, scored.every_word, []), text
        assert scored.total == total and len(scored.matches) == total, text


def test_a_word_in_the_title_weighs_more_than_in_the_body(tmp_path):
    folder = tmp_path / "ideas"
    index.rebuild(folder, [{"id": 1, "scope": 1, "title": "Lantern", "body": "Hangs from a strap inside the tent"},
                           {"id": 2, "scope": 1, "title": "Tent pegs", "body": "Steel pegs, a set of twelve"}])
    assert [m.id for m in index.find(folder, parse("tent"), [1], 10).matches] == [2, 1]


def test_segments_are_written_as_separate_files_never_one_compound_file(tmp_path):
    """Whoosh copies every part of a compound segment into the heap of each process that reads it (30 MB a gunicorn
    worker at 50,000 posts); separate files are read through the system's file cache, shared by the workers."""
    folder = tmp_path / "posts"
    index.rebuild(folder, [{"id": n, "scope": 1, "title": f"Tent {n}", "body": "pegs"} for n in range(50)])
    index.update(folder, [{"id": 99, "scope": 1, "title": "Stove", "body": "gas"}])
    index.delete(folder, [3])
    names = [path.name for path in folder.iterdir()]
    assert not [name for name in names if name.endswith(".seg")], names
    assert [name for name in names if name.endswith(".pst")]
    assert index.find(folder, parse("tent"), [1], 100).total == 49


def test_a_searcher_open_before_a_commit_reads_on_after_the_commit_deleted_its_files(tmp_path):
    """Another process's commit merges segments away and deletes their files while a worker's searcher is reading:
    the searcher opened every file it reads when it was opened, so it reads on (Linux keeps open files)."""
    folder = tmp_path / "posts"
    index.rebuild(folder, [{"id": n, "scope": 1, "title": f"Tent {n}", "body": "pegs"} for n in range(20)])
    with index.one_at_a_time:
        before = index.searcher_of(folder).searcher
    files = set(folder.iterdir())
    index.rebuild(folder, [{"id": 1, "scope": 1, "title": "Stove", "body": "gas"}])
    assert not [path for path in files if path.suffix == ".col" and path.exists()]  # the old segment's files are gone
    assert {before.stored_fields(n)["title"] for n in range(20)} == {f"Tent {n}" for n in range(20)}
    assert before.reader().doc_field_length(0, "text") > 0


def test_an_index_opens_whatever_portal_code_is_installed():
    """The schema is pickled into every index's table of contents and unpickled on each open: it names Whoosh's
    classes only, so an index written by this release opens with an older or newer one (and `reindex` can run)."""
    assert b"portal" not in pickle.dumps(index.SCHEMA)
