"""Search knows no feature: a source registered by whoever owns the documents gets its own index,
its own scopes and its own check of what a viewer may see; the ideas are one source among others."""
from __future__ import annotations

from pathlib import Path

import pytest

from portal.extensions import db
from portal.search import SearchSource, index, queue_index, register_source, service, sources_of
from portal.search.words import parse

# A made-up source: notes kept in a dict, in two scopes; visitors see scope 1, members both.
NOTES = {1: ("Tent pegs for sandy beaches", 1), 2: ("Tent repair kit", 2), 3: ("Lantern hook", 1)}


def _doc(note_id: int) -> dict:
    title, scope = NOTES[note_id]
    return {"id": note_id, "scope": scope, "title": title, "body": ""}


NOTES_SOURCE = SearchSource(
    name="notes",
    documents=lambda session: [_doc(i) for i in NOTES],
    documents_for=lambda session, ids: [_doc(i) for i in ids if i in NOTES],
    scopes=lambda session, viewer: [1] if viewer is None else [1, 2],
    visible=lambda session, ids, scopes: {i: NOTES[i][0] for i in ids if i in NOTES and NOTES[i][1] in scopes},
)


@pytest.fixture
def notes(app):
    register_source(app, NOTES_SOURCE)
    return sources_of(app)


def test_each_source_has_its_own_folder_and_the_ideas_keep_theirs(app, notes):
    assert notes.folder("ideas") == Path(app.instance_path) / "search" / "ideas"
    assert notes.folder("notes") == Path(app.instance_path) / "search" / "notes"


def test_a_source_is_searched_in_the_viewers_scopes_only(notes, make_idea, member):
    make_idea("Tent for four people")
    assert service.rebuild_all(db.session, notes) == {"posts": 0, "questions": 0, "ideas": 1, "notes": 3}

    visitor = service.search(db.session, notes, "notes", None, "tent")
    assert [hit.item for hit in visitor.hits] == ["Tent pegs for sandy beaches"]  # not the idea, not scope 2
    assert {hit.item for hit in service.search(db.session, notes, "notes", member, "tent").hits} == {
        "Tent pegs for sandy beaches", "Tent repair kit"}
    assert service.search(db.session, notes, "notes", member, "tent", scope=2).hits[0].item == "Tent repair kit"
    assert service.search(db.session, notes, "notes", None, "tent", scope=2).hits == [], "a scope the viewer may not see"
    assert [idea.title for idea in service.similar(db.session, notes, "ideas", None, "tent")] == ["Tent for four people"]


def test_an_index_job_for_one_source_leaves_the_others_alone(notes, make_idea, monkeypatch):
    make_idea("Tent for four people")
    service.rebuild_all(db.session, notes)
    monkeypatch.delitem(NOTES, 2)  # gone from the source

    queue_index("notes", [2, 3])  # jobs run inline in tests

    assert index.find(notes.folder("notes"), parse("repair"), [1, 2], 10).matches == [], "removed from its own index"
    assert index.find(notes.folder("notes"), parse("lantern"), [1, 2], 10).total == 1
    assert [hit.item.title for hit in service.search(db.session, notes, "ideas", None, "tent").hits] == [
        "Tent for four people"]


def test_a_name_is_taken_once(app, notes):
    register_source(app, NOTES_SOURCE)  # the same source again (a second init) is harmless
    with pytest.raises(ValueError, match="notes"):
        register_source(app, SearchSource(name="notes", documents=list, documents_for=list, scopes=list, visible=dict))


def test_the_search_page_offers_the_sources_choices(notes):
    page = service.search_page(db.session, notes, "notes", None, "   ")
    assert page.results is None and page.choices == []  # nothing typed, and notes offer nothing to narrow by
