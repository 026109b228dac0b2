"""Voting that people understand, over HTTP: votes answered in JSON for the page's script and
with a redirect to the idea's place without it, the budget meter, My votes, disabled vote
buttons with their reason, the author's automatic vote said in words, the roadmap's full
columns, and delete in the same "⋯" menu on ideas as on posts."""
from __future__ import annotations

import re

import pytest

from portal.community import service as community
from portal.extensions import db
from portal.feedback import queries, triage
from portal.feedback.models import IdeaStatus

from .helpers import fresh, set_status
from .pages import flashes, page, words

JSON = {"Accept": "application/json"}


def vote(browser, idea, action="vote", **data):
    return browser.post(f"/ideas/{idea.id}/{action}", data=data, headers=JSON)


# -- votes for the page's script ------------------------------------------------------------


def test_a_vote_asked_for_in_json_answers_the_new_state_and_leaves_no_flash(board, make_idea, member, login):
    idea = make_idea("Warmer sleeping bags")
    browser = login(member)

    response = vote(browser, idea, next=f"/boards/{board.slug}?sort=top#idea-{idea.id}")

    assert response.status_code == 200 and response.is_json
    state = response.get_json()
    assert state["ok"] and state["voted"] and state["count"] == 2
    assert (state["budget"], state["used"], state["left"]) == (10, 1, 9)
    assert state["message"] == "Your vote is counted. You have 9 votes left on this board."
    assert 'aria-pressed="true"' in state["box"] and "vote-box-large" in state["box_large"]
    assert f'value="/boards/{board.slug}?sort=top#idea-{idea.id}"' in state["box"]  # the form still goes back there
    assert "1 of 10 votes used" in state["panel"] and "Warmer sleeping bags" in state["panel"]
    assert "vote" not in flashes(browser.get(f"/boards/{board.slug}"))  # the script showed the message; no page repeats it

    taken_back = vote(browser, idea, "unvote").get_json()

    assert taken_back["ok"] and not taken_back["voted"] and taken_back["count"] == 1 and taken_back["left"] == 10
    assert taken_back["message"] == "Your vote is removed and back in your budget."
    assert "0 of 10 votes used" in taken_back["panel"] and "You have not voted on this board yet" in taken_back["panel"]
    assert fresh(idea).vote_count == 1


def test_a_refused_vote_in_json_says_why_with_a_409(make_board, make_idea, member, staff, login):
    small = make_board(vote_budget=1)
    first, second = make_idea("First idea on a small board", on=small), make_idea("Second idea on a small board", on=small)
    browser = login(member)

    last = vote(browser, first).get_json()
    refused = vote(browser, second)

    assert last["left"] == 0 and "That was your last vote on this board" in last["message"]
    assert refused.status_code == 409 and not refused.get_json()["ok"] and not refused.get_json()["voted"]
    assert "You have used all 1 of your votes on this board. Take one back from My votes" in refused.get_json()["message"]
    assert "disabled" in refused.get_json()["box"] and "No votes left on this board" in refused.get_json()["panel"]
    set_status(first, staff, IdeaStatus.DONE)
    closed = vote(browser, first, "unvote")
    assert closed.status_code == 409 and closed.get_json()["message"].startswith("Voting is closed for this idea")


def test_a_json_vote_from_a_visitor_or_without_the_token_is_still_refused(app, board, make_idea, client, member, login):
    idea = make_idea("Bigger tent porch")

    assert vote(client, idea).status_code == 302  # to sign in
    browser = login(member)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert vote(browser, idea).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert fresh(idea).vote_count == 1


# -- votes without scripts: back to the idea's place --------------------------------------


@pytest.mark.parametrize(("sent", "expected"), [
    ("/boards/product-ideas?sort=top#idea-{id}", "/boards/product-ideas?sort=top#idea-{id}"),
    ("/boards/product-ideas?page=2", "/boards/product-ideas?page=2#idea-{id}"),  # an older form: the anchor is added
    ("/boards/product-ideas#my-votes", "/boards/product-ideas#my-votes"),
    ("", "/ideas/{id}#idea-{id}"),
])
@pytest.mark.parametrize("action", ["vote", "unvote"])
def test_a_vote_without_scripts_returns_to_the_ideas_anchor(board, make_idea, member, login, sent, expected, action):
    idea = make_idea("Bigger tent porch")
    browser = login(member)
    if action == "unvote":
        browser.post(f"/ideas/{idea.id}/vote")

    response = browser.post(f"/ideas/{idea.id}/{action}", data={"next": sent.format(id=idea.id)})

    assert response.status_code == 302 and response.headers["Location"] == expected.format(id=idea.id)


def test_the_board_forms_name_the_anchor_they_return_to(board, make_idea, member, login):
    idea = make_idea("Bigger tent porch")
    browser = login(member)
    browser.post(f"/ideas/{idea.id}/vote")

    text = page(browser.get(f"/boards/{board.slug}?sort=top"))

    assert f'<article class="idea-row" id="idea-{idea.id}">' in text
    assert f'name="next" value="/boards/{board.slug}?sort=top#idea-{idea.id}"' in text
    assert f'name="next" value="/boards/{board.slug}?sort=top#my-votes"' in text


# -- the budget meter, My votes, disabled buttons -----------------------------------------


def test_the_board_shows_the_budget_meter_and_my_votes(board, make_idea, member, login):
    ideas = [make_idea(f"Idea about tents number {n}") for n in range(4)]
    browser = login(member)
    for idea in ideas[:3]:
        browser.post(f"/ideas/{idea.id}/vote")

    response = browser.get(f"/boards/{board.slug}")
    text, shown = page(response), words(response)

    assert "3 of 10 votes used · 7 left" in shown
    assert '<progress class="budget-bar" max="10" value="3" aria-labelledby="budget-meter-text">' in text
    mine = re.search(r'<details class="my-votes card" id="my-votes"(.*?)</details>', text, re.S).group(0)
    assert mine.count("<li ") == 3 and "Idea about tents number 3" not in mine
    assert all(f'action="/ideas/{i.id}/unvote"' in mine for i in ideas[:3])
    assert "<details class=\"my-votes card\" id=\"my-votes\" open" not in text  # votes left: it stays folded
    assert "disabled" not in re.sub(r"<details.*?</details>", "", text, flags=re.S).split('class="idea-list')[1]


def test_with_no_votes_left_the_other_buttons_are_disabled_and_say_why(make_board, make_idea, member, login):
    small = make_board(name="Small board", slug="small", vote_budget=2)
    ideas = [make_idea(f"Small board idea {n}", on=small) for n in range(3)]
    browser = login(member)
    for idea in ideas[:2]:
        browser.post(f"/ideas/{idea.id}/vote")

    text = page(browser.get("/boards/small"))

    assert "2 of 2 votes used" in words(browser.get("/boards/small"))
    assert '<p class="budget-out" id="no-votes-reason">No votes left on this board: take one back from My votes.' in text
    assert '<details class="my-votes card" id="my-votes" open' in text
    box = re.search(rf'<div class="vote-box is-out" data-vote-box="{ideas[2].id}".*?</div>', text, re.S).group(0)
    assert 'disabled aria-describedby="no-votes-reason"' in box and "None left" in box
    for voted in ideas[:2]:  # the ideas holding the votes can still give them back
        own = re.search(rf'<div class="vote-box is-voted" data-vote-box="{voted.id}".*?</div>', text, re.S).group(0)
        assert "disabled" not in own and f'action="/ideas/{voted.id}/unvote"' in own
    idea_page = page(browser.get(f"/ideas/{ideas[2].id}"))
    assert 'id="no-votes-reason"' in idea_page and 'disabled aria-describedby="no-votes-reason"' in idea_page


def test_a_board_without_a_budget_says_so(make_board, make_idea, member, login, client):
    make_board(name="Open board", slug="open", vote_budget=None)

    assert "No vote limit on this board" in words(login(member).get("/boards/open"))
    assert "No vote limit on this board: members vote for every idea they like." in words(client.get("/boards/open"))
    assert "votes used" not in words(login(member).get("/boards/open"))


def test_my_votes_are_only_the_boards_open_ideas(board, make_board, make_idea, member, staff, login):
    other = make_board(name="Other", slug="other")
    here, elsewhere, done = make_idea("Vote kept here"), make_idea("Vote on another board", on=other), make_idea("Shipped one")
    browser = login(member)
    for idea in (here, elsewhere, done):
        browser.post(f"/ideas/{idea.id}/vote")
    set_status(done, staff, IdeaStatus.DONE)  # its vote came back

    assert [i.title for i in queries.my_votes(db.session, board, member)] == ["Vote kept here"]
    assert "1 of 10 votes used" in words(browser.get(f"/boards/{board.slug}"))


# -- the idea page ------------------------------------------------------------------------------


def test_the_author_is_told_their_vote_was_added_automatically(board, make_idea, member, stranger, login):
    idea = make_idea("Pockets in rain trousers", author=member)
    author = login(member)
    said = "Your vote was added automatically because you posted this idea"

    text = page(author.get(f"/ideas/{idea.id}"))

    assert said in text
    # Beside the vote button, in the idea's card: on a phone it comes before the comments, not after them.
    assert text.index(said) < text.index('id="activity-title"')
    assert text.index("1 of 10 votes used") < text.index('id="activity-title"')
    assert said not in page(login(stranger).get(f"/ideas/{idea.id}"))
    author.post(f"/ideas/{idea.id}/unvote")
    author.post(f"/ideas/{idea.id}/vote")
    assert said not in page(author.get(f"/ideas/{idea.id}"))  # given by hand now


def test_delete_sits_in_the_more_menu_on_an_idea_as_on_a_post(board, make_idea, member, login):
    idea = make_idea("Pockets in rain trousers", author=member)
    browser = login(member)
    post = community.create_post(db.session, member, body="My first trip with the new tent")
    idea_page, post_page = page(browser.get(f"/ideas/{idea.id}")), page(browser.get(f"/posts/{post.id}"))

    for text, action in ((idea_page, f"/ideas/{idea.id}/delete"), (post_page, f"/posts/{post.id}/delete")):
        menu = re.search(r'<details class="menu action-menu">.*?</details>', text, re.S).group(0)
        assert f'action="{action}"' in menu and 'data-confirm=' in menu
        assert text.count(f'action="{action}"') == 1


# -- the roadmap's full columns --------------------------------------------------------------------


def test_a_full_roadmap_column_links_to_every_idea(board, make_board, make_idea, staff, member, client):
    secret = make_board(slug="secret", visibility="superfans")
    ideas = [make_idea(f"Planned idea number {n}") for n in range(queries.ROADMAP_LIMIT + 3)]
    hidden = make_idea("Superfans only plan", on=secret)
    for idea in [*ideas, hidden]:
        triage.change_status(db.session, idea, staff, status="planned", explanation="Soon.")

    roadmap = client.get("/roadmap")
    column = re.search(r'<section class="roadmap-column card" aria-labelledby="column-planned">(.*?)</section>',
                       page(roadmap), re.S).group(1)
    first, second = client.get("/roadmap/planned"), client.get("/roadmap/planned?page=2")

    assert f">{queries.ROADMAP_LIMIT + 3}</span>" in column and "30+" not in column
    assert column.count('class="roadmap-item"') == queries.ROADMAP_LIMIT
    assert 'href="/roadmap/planned"' in column and "See all 33 ideas" in words(roadmap)
    assert page(first).count('class="idea-row"') == queries.PAGE_SIZE and "33 ideas, from every board you can see" in words(first)
    assert page(second).count('class="idea-row"') == 13 and "Superfans only plan" not in page(second)
    assert 'href="/roadmap/in_progress"' not in page(roadmap)  # a short column has nothing more to show
    assert client.get("/roadmap/open").status_code == 404 and client.get("/roadmap/nonsense").status_code == 404


# -- notifications ---------------------------------------------------------------------------------


def test_the_notifications_page_says_it_has_news_of_followed_ideas(member, login):
    assert "news of the ideas you follow" in words(login(member).get("/notifications"))


def test_the_boards_list_says_each_boards_budget(make_board, client):
    make_board(name="Tight board", slug="tight", vote_budget=3)
    make_board(name="Open board", slug="open", vote_budget=None)

    shown = words(client.get("/boards"))

    assert "Tight board 0 ideas · 3 votes per member" in shown and "Open board 0 ideas · No vote limit" in shown
