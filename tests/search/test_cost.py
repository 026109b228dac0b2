"""No query costs much more than a typical one: the words looked for and the "did you mean" work are capped.

Counted, never timed: every search of an index goes through index.run and every near-word lookup
through spelling._suggest, so the tests count those calls.
"""
from __future__ import annotations

import pytest

from portal.extensions import db
from portal.search import index, service, sources_of, spelling
from portal.search.words import MAX_WORDS, parse

RARE = ("zyqxv plorbitaxer grumbleflax wibbleton quorvendal snarfulgate thrimbleworth xanthopter borkulent "
        "mizzlethorpe crandulix vorpalisc frobnicato zibberwock")
LONG = " ".join(["supercalifragilisticexpialidocious" * 2] * 3)
WORST = [RARE[:200], (RARE + " " + LONG)[:200], ("tnet " * 40)[:200], ("abcdefghijk" * 20)[:200]]


@pytest.fixture
def calls(monkeypatch) -> dict[str, int]:
    counted = {"searches": 0, "suggestions": 0}

    def counting(name: str, real):
        def wrapper(*args, **kwargs):
            counted[name] += 1
            return real(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(index, "run", counting("searches", index.run))
    monkeypatch.setattr(spelling, "_suggest", counting("suggestions", spelling._suggest))
    return counted


@pytest.fixture
def content(make_idea, reindex, make_post):
    for n in range(30):
        make_idea(f"Tent idea {n}", "Waterproof boots and a lantern for the festival.")
    reindex()
    make_post("Tent pegs for the festival")
    make_post("Lantern or torch?", is_question=True)


def test_a_query_looks_for_its_first_words_only():
    words = parse(" ".join(f"word{n}" for n in range(30)))
    assert len(words.used) == MAX_WORDS == 8 and words.dropped[0] == "word8"


@pytest.mark.parametrize("text", WORST, ids=["rare words", "rare and long words", "one typo repeated", "one long word"])
def test_a_worst_case_query_does_bounded_work(content, calls, text):
    service.search(db.session, sources_of(), "ideas", None, text)
    # 2 searches to find (every word, then any), at most one per word checked (the index has it),
    # and one per word corrected (all its candidates at once); at most 3 words corrected.
    assert calls["suggestions"] <= spelling.MAX_CORRECTED
    assert calls["searches"] <= 2 + MAX_WORDS + spelling.MAX_CORRECTED, calls


@pytest.mark.parametrize("text", WORST, ids=["rare words", "rare and long words", "one typo repeated", "one long word"])
def test_the_whole_sites_search_does_bounded_work_for_each_kind(content, calls, text):
    kinds = len(list(sources_of()))
    service.search_everything(db.session, sources_of(), None, text)
    assert calls["suggestions"] <= spelling.MAX_CORRECTED * kinds
    assert calls["searches"] <= kinds * (2 + MAX_WORDS + spelling.MAX_CORRECTED), calls


def test_a_typical_query_is_not_corrected_at_all(content, calls):
    results = service.search(db.session, sources_of(), "ideas", None, "waterproof boots")
    assert results.total == 30 and results.correction is None
    assert calls == {"searches": 1, "suggestions": 0}


def test_only_words_that_find_nothing_are_corrected(content, make_idea, reindex, calls):
    make_idea("Hammock straps")
    reindex()
    results = service.search(db.session, sources_of(), "ideas", None, "hammock lantren")
    assert results.correction == "hammock lantern"
    assert calls["suggestions"] == 1, "hammock finds an idea: only lantren is looked up"


def test_words_too_long_to_be_typos_are_not_looked_up(content, calls):
    service.search(db.session, sources_of(), "ideas", None, LONG)
    assert calls["suggestions"] == 0


def test_a_typo_after_many_rare_words_is_still_corrected_when_among_the_first_three(content):
    results = service.search(db.session, sources_of(), "ideas", None, "zyqxv lantren borkulent")
    assert results.correction == "zyqxv lantern borkulent"
