"""The site's search page over HTTP: every kind of hit named and linked, tabs to filter by kind with their
counts, in English and French, in a fixed number of queries; the ideas' search page still answers."""
from __future__ import annotations

import re

from portal.extensions import db
from portal.search import service


def text_of(response) -> str:
    return response.get_data(as_text=True)


def kinds_shown(page: str) -> list[str]:
    return re.findall(r'<li class="card search-hit" data-kind="(\w+)">', page)


def tabs(page: str) -> dict[str, str]:
    """kind -> the tab's text (its label and count), and "current" -> the kind of the tab marked current."""
    found = {}
    for kind, attrs, label in re.findall(r'<a href="[^"]*" data-kind="(\w+)"\s*([^>]*)>(.*?)</a>', page, re.S):
        found[kind] = " ".join(re.sub(r"<[^>]+>", "", label).split())
        if 'aria-current="page"' in attrs:
            found["current"] = kind
    return found


def test_one_page_finds_ideas_posts_and_questions_and_says_which_is_which(client, make_idea, reindex, make_post):
    idea = make_idea("Bigger tent", "Room for five.")
    reindex()
    post = make_post("Our tent in the storm\nIt held.")
    question = make_post("Which tent for a family?", is_question=True)

    page = text_of(client.get("/search?q=tents"))

    assert sorted(kinds_shown(page)) == ["ideas", "posts", "questions"]
    assert f'href="/ideas/{idea.id}"' in page and f'href="/posts/{post.id}"' in page and f'href="/posts/{question.id}"' in page
    assert ">Idea</span>" in page and ">Post</span>" in page and ">Question</span>" in page
    assert "Our <mark>tent</mark> in the storm" in page and "by Alex Writer" in page
    assert tabs(page) == {"all": "Everything (3)", "posts": "Posts (1)", "questions": "Questions (1)", "ideas": "Ideas (1)",
                          "current": "all"}


def test_a_tab_shows_one_kind_and_keeps_the_others_counts(client, make_idea, reindex, make_post):
    make_idea("Bigger tent")
    reindex()
    make_post("Tent pegs bent")
    make_post("Tent for two?", is_question=True)

    page = text_of(client.get("/search?q=tent&kind=posts"))

    assert kinds_shown(page) == ["posts"]
    assert tabs(page)["current"] == "posts" and tabs(page)["ideas"] == "Ideas (1)"
    assert '<input type="hidden" name="kind" value="posts">' in page, "searching again stays on the tab"
    assert kinds_shown(text_of(client.get("/search?q=tent&kind=ideas"))) == ["ideas"]


def test_the_page_reads_in_french(client, make_idea, reindex, make_post):
    make_idea("Tente familiale")
    reindex()
    make_post("Notre tente sous l’orage")

    page = text_of(client.get("/search?q=tentes", headers={"Accept-Language": "fr"}))

    assert ">Idée</span>" in page and ">Publication</span>" in page and "par Alex Writer" in page
    assert tabs(page)["all"] == "Tout (2)" and tabs(page)["posts"] == "Publications (1)"
    assert "Types de résultats" in page


def test_the_ideas_search_page_still_shows_only_ideas(client, make_idea, reindex, make_post):
    make_idea("Bigger tent")
    reindex()
    make_post("Tent pegs bent")
    page = text_of(client.get("/ideas/search?q=tent"))
    assert kinds_shown(page) == ["ideas"] and tabs(page)["current"] == "ideas" and tabs(page)["posts"] == "Posts (1)"


def test_a_long_query_is_cut_and_the_page_says_so(client, make_post):
    make_post("Tent pegs bent")
    words = "tent pegs one two three four five six seven eight".split()
    page = text_of(client.get("/search", query_string={"q": " ".join(words)}))
    assert "Only the first 8 words were looked for; “seven eight” was left out." in page
    assert kinds_shown(page) == ["posts"], "the words kept still find the post"


def test_nothing_typed_shows_the_form_and_the_tabs_without_counts(client):
    page = text_of(client.get("/search"))
    assert 'role="search"' in page and tabs(page)["all"] == "Everything" and "search-hit" not in page


def test_a_page_of_results_costs_the_same_queries_for_few_or_many_hits(client, auth, member, make_idea, reindex,
                                                                      make_post, count_queries):
    def queries_for(path: str) -> int:
        client.get(path)  # the site's settings are cached from then on
        db.session.expire_all()
        with count_queries() as counted:
            response = client.get(path)
        assert response.status_code == 200
        return counted.count

    def make(numbers: range) -> None:
        for n in numbers:
            make_idea(f"Lamp idea {n}")
            make_post(f"Lamp post {n}")
            make_post(f"Lamp question {n}?", is_question=True)
        reindex()

    pages = ["/search?q=lamp", "/search?q=lamp&kind=ideas", "/search?q=lamp&kind=posts", "/search?q=lamp&kind=questions"]
    auth.login(member)
    make(range(1))
    few = [queries_for(path) for path in pages]
    make(range(1, 15))
    assert len(kinds_shown(text_of(client.get(pages[2])))) == service.PER_PAGE - 5 and few[0] == 5
    many = [queries_for(path) for path in pages]
    # The member's session, the boards they see, then one query for each kind among the hits shown:
    # 5 for all three kinds, whatever the number of hits (fewer when a page holds fewer kinds); the
    # ideas' tab also lists the boards to narrow to.
    assert many[1:] == few[1:] == [4, 3, 3] and many[0] <= few[0], (few, many)


def test_every_page_number_gives_a_page(client, make_post):
    for n in range(service.PER_PAGE + 2):
        make_post(f"Hammock number {n}")
    assert "Page 2 of 2" in text_of(client.get("/search?q=hammock&page=2"))
    for page in ("0", "-3", "abc", "9" * 30):
        assert client.get(f"/search?q=hammock&page={page}").status_code == 200
