"""The search page, the similar-ideas fragment and the reindex command, over HTTP and the CLI."""
from __future__ import annotations

import pytest

from portal.feedback.models import IdeaStatus
from portal.search import service


def test_the_search_page_shows_each_hit_with_its_board_status_and_votes(client, make_idea, reindex):
    idea = make_idea("Bigger tent", "Room for a family of five and their muddy boots.", status=IdeaStatus.PLANNED,
                     vote_count=7)
    reindex()
    page = client.get("/ideas/search?q=tents").get_data(as_text=True)
    assert f'href="/ideas/{idea.id}"' in page
    assert "Bigger <mark>tent</mark>" in page
    assert "Gear" in page
    assert '<span class="status-badge status-planned">Planned</span>' in page
    assert "7 votes" in page


def test_titles_are_escaped_on_the_page(client, make_idea, reindex):
    make_idea("<script>alert(1)</script> tent", "<img src=x onerror=alert(2)> tent")
    reindex()
    page = client.get("/ideas/search?q=tent").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>tent</mark>" in page


def test_visitors_only_find_ideas_on_public_boards(client, auth, make_idea, reindex, boards, member):
    make_idea("Public lamp", "")
    make_idea("Members lamp", "", board=boards.members)
    make_idea("Superfans lamp", "", board=boards.superfans)
    reindex()
    page = client.get("/ideas/search?q=lamp").get_data(as_text=True)
    assert "Public <mark>lamp</mark>" in page and "Members" not in page and "Superfans" not in page
    auth.login(member)
    page = client.get("/ideas/search?q=lamp").get_data(as_text=True)
    assert "Members <mark>lamp</mark>" in page and "Superfans" not in page


def test_a_misspelling_offers_the_corrected_search(client, make_idea, reindex):
    make_idea("Bigger tent", "")
    reindex()
    page = client.get("/ideas/search?q=tnet").get_data(as_text=True)
    assert 'Did you mean <a href="/ideas/search?q=tent">tent</a>?' in page
    assert "No ideas match" in page


def test_pages_link_to_each_other(client, make_idea, reindex):
    for n in range(service.PER_PAGE + 1):
        make_idea(f"Tent idea {n}", "")
    reindex()
    first = client.get("/ideas/search?q=tent").get_data(as_text=True)
    assert "page=2" in first and "Page 1 of 2" in first
    second = client.get("/ideas/search?q=tent&page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second and "Previous" in second and "Next" not in second


@pytest.mark.parametrize("params", [
    {"q": "title:foo AND (bar OR"}, {"q": "*"}, {"q": '"unclosed'}, {"q": "~~~"}, {"q": "x" * 100_000},
    {"q": "tent", "page": "abc"}, {"q": "tent", "page": "-4"}, {"q": "tent", "page": "9" * 30},
    {"q": "tent", "board": "nope"}, {"q": "tent", "board": "9" * 30}, {}, {"q": ""},
], ids=lambda params: repr(params)[:40])
def test_odd_input_still_gives_a_page(client, make_idea, reindex, params):
    make_idea("Tent pegs", "")
    reindex()
    response = client.get("/ideas/search", query_string=params)
    assert response.status_code == 200
    assert 'role="search"' in response.get_data(as_text=True)


def test_similar_lists_matching_ideas_the_viewer_may_see(client, make_idea, reindex, boards):
    visible = make_idea("Waterproof hiking boots", "", vote_count=3)
    make_idea("Waterproof superfan prototype", "", board=boards.superfans)
    reindex()
    response = client.get("/ideas/similar", query_string={"title": "waterproof boots", "board": boards.public.id})
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in fragment, "a fragment for the form, not a page"
    assert f'href="/ideas/{visible.id}"' in fragment and "Waterproof hiking boots" in fragment and "3 votes" in fragment
    assert "prototype" not in fragment
    everywhere = client.get("/ideas/similar?title=waterproof").get_data(as_text=True)
    assert "prototype" not in everywhere


@pytest.mark.parametrize("title", ["", "wat", "kayak rental"])
def test_similar_is_empty_when_nothing_is_alike(client, make_idea, reindex, title):
    make_idea("Waterproof hiking boots", "")
    reindex()
    response = client.get("/ideas/similar", query_string={"title": title})
    assert response.status_code == 200 and response.get_data(as_text=True).strip() == ""


def test_reindex_command_rebuilds_from_the_database(runner, client, make_idea):
    make_idea("Camp stove", "")
    make_idea("Camp chair", "")
    assert "Camp" not in client.get("/ideas/search?q=camp").get_data(as_text=True), "nothing is indexed yet"
    result = runner.invoke(args=["portal", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed 2 ideas." in result.output
    page = client.get("/ideas/search?q=camp").get_data(as_text=True)
    assert "<mark>Camp</mark> stove" in page and "<mark>Camp</mark> chair" in page


def test_the_search_page_is_rate_limited(client, make_idea, reindex):
    make_idea("Bigger tent")
    reindex()

    answers = [client.get("/ideas/search?q=tent").status_code for _ in range(121)]

    assert answers[:120] == [200] * 120 and answers[120] == 429
