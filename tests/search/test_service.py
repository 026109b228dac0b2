"""Search rules: stemming in both languages, ranking, highlights, corrections, and who sees what."""
from __future__ import annotations

import pytest

from portal.extensions import db
from portal.feedback.models import Visibility
from portal.kernel.timeutil import utcnow
from portal.search import index, queue_index, service, sources_of
from portal.search.words import parse


def search_ideas(session, viewer, text, page=1, board_id=None) -> service.SearchResults:
    """The ideas source through the generic service, as the search page asks for it."""
    return service.search(session, sources_of(), "ideas", viewer, text, page=page, scope=board_id)


def similar_ideas(session, viewer, title, board_id=None, limit=5):
    return service.similar(session, sources_of(), "ideas", viewer, title, scope=board_id, limit=limit)


def ideas_folder():
    return sources_of().folder("ideas")


def titles(results: service.SearchResults) -> list[str]:
    return [hit.item.title for hit in results.hits]


@pytest.mark.parametrize(("query", "expected"), [("tents", "A roomier tent"), ("running", "Evening run club")])
def test_english_words_match_their_other_forms(make_idea, reindex, query, expected):
    make_idea("A roomier tent", "Four people and their bags.")
    make_idea("Evening run club", "Meet at the shop on Thursdays.")
    reindex()
    assert titles(search_ideas(db.session, None, query)) == [expected]


@pytest.mark.parametrize(("query", "expected"), [("chaussures", "Une chaussure de randonnée plus légère"),
                                                 ("imperméables", "Veste imperméable pour enfants")])
def test_french_words_match_their_other_forms(make_idea, reindex, query, expected):
    make_idea("Une chaussure de randonnée plus légère", "Pour les longues marches.")
    make_idea("Veste imperméable pour enfants", "Avec une capuche.")
    reindex()
    assert titles(search_ideas(db.session, None, query)) == [expected]


def test_a_title_match_ranks_above_a_body_match(make_idea, reindex):
    make_idea("Camp kitchen organiser", "A hook on the side to hang a lantern would help at night.")
    make_idea("Solar lantern", "Charges during the day, lasts the whole evening.")
    reindex()
    assert titles(search_ideas(db.session, None, "lantern")) == ["Solar lantern", "Camp kitchen organiser"]


def test_all_words_are_required_unless_none_match_together(make_idea, reindex):
    make_idea("Blue tent", "")
    make_idea("Blue backpack", "")
    reindex()
    assert titles(search_ideas(db.session, None, "blue tent")) == ["Blue tent"]
    assert set(titles(search_ideas(db.session, None, "tent backpack"))) == {"Blue tent", "Blue backpack"}


def test_matches_are_marked_and_everything_else_is_escaped(make_idea, reindex):
    make_idea("<script>alert(1)</script> tent", "Sleeps <b>four</b>. " + "Filler words here. " * 30 + "The tent packs small.")
    reindex()
    hit = search_ideas(db.session, None, "tent").hits[0]
    assert str(hit.title_html) == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>tent</mark>"
    assert "<mark>tent</mark> packs small." in hit.snippet_html
    assert "<b>" not in hit.snippet_html and "<script>" not in hit.title_html
    assert hit.snippet_html.startswith("…"), "the snippet is cut around the match, not the start of a long text"


def test_a_misspelling_gets_a_suggestion(make_idea, reindex):
    make_idea("Bigger tent", "For families.")
    reindex()
    results = search_ideas(db.session, None, "tnet")
    assert results.hits == []
    assert results.correction == "tent"
    assert search_ideas(db.session, None, "tent").correction is None


def test_a_word_from_a_board_the_viewer_cannot_see_is_never_suggested(make_idea, reindex, boards, member, superfan):
    make_idea("Backstage zeppelin tour", "", board=boards.superfans)
    make_idea("Zeppelin poster", "", board=boards.members)
    reindex()
    assert search_ideas(db.session, None, "zepelin").correction is None, "the only zeppelins are on boards visitors cannot see"
    assert search_ideas(db.session, member, "zepelin").correction == "zeppelin"
    assert search_ideas(db.session, member, "bakstage").correction is None
    assert search_ideas(db.session, superfan, "bakstage").correction == "backstage"


@pytest.mark.parametrize(("viewer", "expected"), [
    (None, {"public"}),
    ("member", {"public", "members"}),
    ("superfan", {"public", "members", "superfans"}),
    ("staff", {"public", "members", "superfans"}),
])
def test_each_viewer_finds_ideas_on_the_boards_they_see(request, make_idea, reindex, boards, viewer, expected):
    for name in ("public", "members", "superfans"):
        make_idea(f"Camping lamp ({name})", "", board=getattr(boards, name))
    reindex()
    user = request.getfixturevalue(viewer) if viewer else None
    found = {hit.item.board.slug for hit in search_ideas(db.session, user, "lamp").hits}
    assert found == {getattr(boards, name).slug for name in expected}


def test_one_board_can_be_searched_but_only_a_visible_one(make_idea, reindex, boards, member):
    make_idea("Camping lamp", "", board=boards.public)
    make_idea("Club lamp", "", board=boards.members)
    make_idea("Secret lamp", "", board=boards.superfans)
    reindex()
    assert titles(search_ideas(db.session, member, "lamp", board_id=boards.members.id)) == ["Club lamp"]
    assert search_ideas(db.session, member, "lamp", board_id=boards.superfans.id).hits == []
    assert search_ideas(db.session, member, "lamp", board_id=999_999).hits == []


def test_a_stale_index_never_shows_merged_hidden_deleted_or_invisible_ideas(make_idea, reindex, boards, member):
    keep = make_idea("Lamp that stays", "")
    merged = make_idea("Lamp merged away", "")
    hidden = make_idea("Lamp hidden by a moderator", "")
    deleted = make_idea("Lamp deleted by its author", "")
    make_idea("Lamp on a board that became superfans-only", "", board=boards.members)
    reindex()
    merged.merged_into_id = keep.id
    hidden.hidden_at = deleted.deleted_at = utcnow()
    boards.members.visibility = Visibility.SUPERFANS
    db.session.commit()
    # No job ran: the index still holds all five.
    assert len(index.find(ideas_folder(), parse("lamp"), [boards.public.id, boards.members.id], 20).matches) == 5
    assert titles(search_ideas(db.session, member, "lamp")) == ["Lamp that stays"]
    assert [idea.title for idea in similar_ideas(db.session, member, "lamp")] == ["Lamp that stays"]


def test_the_index_job_follows_each_change(make_idea, boards):
    idea = make_idea("Folding chair", "")
    queue_index("ideas", [idea.id])  # jobs run inline in tests
    assert titles(search_ideas(db.session, None, "chair")) == ["Folding chair"]
    idea.title = "Folding stool"
    db.session.commit()
    queue_index("ideas", [idea.id])
    assert search_ideas(db.session, None, "chair").hits == []
    assert titles(search_ideas(db.session, None, "stool")) == ["Folding stool"]
    idea.hidden_at = utcnow()
    db.session.commit()
    queue_index("ideas", [idea.id])
    assert index.find(ideas_folder(), parse("stool"), [boards.public.id], 20).matches == [], "gone from the index too"


def test_results_are_paged_and_any_page_number_gives_a_page(make_idea, reindex):
    for n in range(service.PER_PAGE + 5):
        make_idea(f"Tent idea number {n}", "")
    reindex()
    first = search_ideas(db.session, None, "tent")
    assert (first.total, first.pages, len(first.hits)) == (service.PER_PAGE + 5, 2, service.PER_PAGE)
    second = search_ideas(db.session, None, "tent", page=2)
    assert len(second.hits) == 5
    assert {h.item.id for h in first.hits}.isdisjoint(h.item.id for h in second.hits)
    assert search_ideas(db.session, None, "tent", page=10**12).page == 2
    assert search_ideas(db.session, None, "tent", page=-3).page == 1


QUERY_SYNTAX = ["title:foo AND (bar OR", "*", '"unclosed', "~~~", "x" * 100_000, "tent " * 5000, "", "   ",
                "the and of", "NOT", "a^2 b~3 c/d", "ideas/search?q=1", "日本語 テント", "\x00\ufffd"]


@pytest.mark.parametrize("text", QUERY_SYNTAX, ids=range(len(QUERY_SYNTAX)))
def test_query_syntax_is_just_text(make_idea, reindex, text):
    make_idea("Tent pegs", "Bar and foo.")
    reindex()
    results = search_ideas(db.session, None, text)
    assert results.page == 1 and results.pages >= 1


def test_similar_ideas_come_from_visible_boards_only(make_idea, reindex, boards, member):
    make_idea("Waterproof hiking boots", "")
    make_idea("Waterproof jacket", "", board=boards.members)
    make_idea("Waterproof secret prototype", "", board=boards.superfans)
    make_idea("Kayak rental", "")
    reindex()
    found = [idea.title for idea in similar_ideas(db.session, member, "waterproof boots for hiking")]
    assert found == ["Waterproof hiking boots", "Waterproof jacket"]
    assert [idea.title for idea in similar_ideas(db.session, None, "waterproof", limit=1)] == ["Waterproof hiking boots"]


def test_reindex_holds_only_listed_ideas(make_idea, reindex):
    make_idea("Tent one", "")
    make_idea("Tent two", "", hidden_at=utcnow())
    assert reindex() == 1
    assert titles(search_ideas(db.session, None, "tent")) == ["Tent one"]


def test_a_search_costs_two_queries(make_idea, reindex, count_queries, member):
    for n in range(10):
        make_idea(f"Lamp {n}", "")
    reindex()
    db.session.expire_all()
    assert member.is_authenticated and not member.is_superfan  # loaded again before counting
    with count_queries() as counted:
        results = search_ideas(db.session, member, "lamp")
        assert {hit.item.board.name for hit in results.hits} == {"Gear"}
    assert counted.count == 2, counted.statements  # the visible boards, then the ideas with their boards
