"""The feedback board over HTTP for members and visitors: who sees which board, posting, votes
and their flashes, comments, merged and hidden ideas, the page cache, bad query strings, CSRF."""
from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.feedback import pages, service, triage
from portal.feedback.models import Idea, IdeaComment, IdeaStatus, Visibility

from .helpers import fresh, rows, set_status, snapshot
from .pages import comment_counts, field_errors, flashes, page, vote_counts, words

# -- posting an idea -----------------------------------------------------------------------


def test_visitors_are_asked_to_sign_in_before_posting(client, board):
    shown = client.get(f"/boards/{board.slug}/new")
    sent = client.post(f"/boards/{board.slug}/new", data={"title": "Tent pegs that never bend"})

    for response in (shown, sent):
        assert response.status_code == 302
        assert response.headers["Location"] == f"/login?next=/boards/{board.slug}/new"
    assert rows(Idea) == 0


def test_a_member_posts_an_idea_and_it_starts_with_their_vote(board, member, login):
    browser = login(member)
    tents = next(c for c in board.categories if c.name == "Tents")

    response = browser.post(f"/boards/{board.slug}/new", data={
        "title": "Tent pegs that never bend", "description": "In **rocky** ground.", "category_id": str(tents.id)})

    idea = db.session.scalar(select(Idea))
    assert response.status_code == 302 and response.headers["Location"] == f"/ideas/{idea.id}"
    shown = browser.get(f"/ideas/{idea.id}")
    text = page(shown)
    assert "Your idea is posted, with your vote." in flashes(shown)
    assert "<strong>rocky</strong>" in text and "Tents" in text
    assert vote_counts(text) == [1] and 'aria-pressed="true"' in text
    assert "You have 9 votes left on this board." in text
    assert "Tent pegs that never bend" in page(browser.get(f"/boards/{board.slug}"))


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"title": ""}, "title", "Give your idea a title of at least 6 characters"),
    ({"title": "   tent  "}, "title", "Give your idea a title of at least 6 characters"),
    ({"title": "x" * 121}, "title", "Keep the title under 120 characters (this is 121)"),
    ({"title": "A fine idea title", "description": "d" * 5001}, "description", "Keep it under 5000 characters"),
    ({"title": "A fine idea title", "category_id": "999999"}, "category_id", "Choose one of this board's categories."),
])
def test_a_bad_idea_is_refused_with_the_message_beside_its_field(board, member, login, data, field, message):
    browser = login(member)

    response = browser.post(f"/boards/{board.slug}/new", data=data)

    assert response.status_code == 422
    assert message in field_errors(response, field)
    assert rows(Idea) == 0


def test_a_category_of_another_board_is_refused(board, make_board, member, login):
    other = make_board(categories="Boots")
    browser = login(member)

    response = browser.post(f"/boards/{board.slug}/new", data={"title": "A fine idea title",
                                                               "category_id": str(other.categories[0].id)})

    assert response.status_code == 422
    assert "Choose one of this board's categories." in field_errors(response, "category_id")
    assert rows(Idea) == 0


def test_with_no_votes_left_a_new_idea_is_posted_without_the_authors_vote(make_board, make_idea, member, login):
    small = make_board(vote_budget=1)
    make_idea("Spare the only vote", on=small, author=member)
    browser = login(member)

    response = browser.post(f"/boards/{small.slug}/new", data={"title": "A second idea of mine"}, follow_redirects=True)

    assert "You have no votes left on this board, so it starts without yours." in flashes(response)
    assert vote_counts(page(response)) == [0]


# -- votes ---------------------------------------------------------------------------------


def test_a_vote_is_counted_and_the_flash_tells_the_votes_left(board, make_idea, member, login):
    idea = make_idea("Warmer sleeping bags")
    browser = login(member)

    response = browser.post(f"/ideas/{idea.id}/vote")

    assert response.status_code == 302 and response.headers["Location"] == f"/ideas/{idea.id}#idea-{idea.id}"
    shown = browser.get(f"/ideas/{idea.id}")
    assert "Your vote is counted. You have 9 votes left on this board." in flashes(shown)
    assert vote_counts(page(shown)) == [2] and 'aria-pressed="true"' in page(shown)

    again = browser.post(f"/ideas/{idea.id}/vote", follow_redirects=True)  # from a second tab

    assert "Your vote is counted" not in flashes(again)
    assert fresh(idea).vote_count == 2

    back = browser.post(f"/ideas/{idea.id}/unvote", follow_redirects=True)

    assert "Your vote is removed and back in your budget." in flashes(back)
    assert vote_counts(page(back)) == [1] and 'aria-pressed="false"' in page(back)
    assert "You have 10 votes left on this board." in page(back)


def test_the_last_vote_says_none_are_left_and_the_next_is_refused(make_board, make_idea, member, login):
    small = make_board(vote_budget=1)
    first, second = make_idea("First idea on a small board", on=small), make_idea("Second idea on a small board", on=small)
    browser = login(member)

    counted = browser.post(f"/ideas/{first.id}/vote", follow_redirects=True)
    refused = browser.post(f"/ideas/{second.id}/vote", follow_redirects=True)

    assert "Your vote is counted. That was your last vote on this board: take one back from My votes" in flashes(counted)
    assert "You have used all 1 of your votes on this board. Take one back from My votes" in flashes(refused)
    assert vote_counts(page(refused)) == [1]
    assert fresh(second).vote_count == 1


def test_voting_on_a_closed_idea_says_voting_is_closed(board, make_idea, member, staff, login):
    idea = make_idea("Solar lantern")
    set_status(idea, staff, IdeaStatus.DONE)
    browser = login(member)

    text = page(browser.get(f"/ideas/{idea.id}"))
    voted = browser.post(f"/ideas/{idea.id}/vote", follow_redirects=True)  # a tab opened before it closed
    withdrawn = browser.post(f"/ideas/{idea.id}/unvote", follow_redirects=True)

    assert f'action="/ideas/{idea.id}/vote"' not in text and "Voting is closed" in text
    assert "Voting is closed for this idea." in flashes(voted)
    assert "Voting is closed for this idea, so votes stay as they are." in flashes(withdrawn)
    assert fresh(idea).vote_count == 1


def test_a_vote_returns_to_the_page_it_was_cast_from(board, make_idea, member, login):
    idea = make_idea("Bigger tent porch")
    browser = login(member)

    response = browser.post(f"/ideas/{idea.id}/vote", data={"next": f"/boards/{board.slug}?sort=top"})

    assert response.headers["Location"] == f"/boards/{board.slug}?sort=top#idea-{idea.id}"
    assert fresh(idea).vote_count == 2


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)",
                                    "http:/evil.example"])
@pytest.mark.parametrize("action", ["vote", "unvote"])
def test_a_vote_never_sends_the_member_to_another_site(board, make_idea, member, login, target, action):
    idea = make_idea("Bigger tent porch", author=member)
    browser = login(member)

    response = browser.post(f"/ideas/{idea.id}/{action}", data={"next": target})

    assert response.status_code == 302 and response.headers["Location"] == f"/ideas/{idea.id}#idea-{idea.id}"


# -- who sees which board ------------------------------------------------------------------


def test_a_members_board_sends_visitors_to_sign_in(make_board, make_idea, client, member, login):
    club = make_board(name="Club life", slug="club", visibility=Visibility.MEMBERS)
    idea = make_idea("Members meetup in spring", on=club)

    to_board, to_idea = client.get("/boards/club"), client.get(f"/ideas/{idea.id}")

    assert to_board.status_code == 302 and to_board.headers["Location"] == "/login?next=/boards/club"
    assert to_idea.status_code == 302 and to_idea.headers["Location"] == f"/login?next=/ideas/{idea.id}"
    assert "Please sign in to continue." in flashes(client.get(to_board.headers["Location"]))
    assert "Club life" not in page(client.get("/boards"))
    browser = login(member)
    assert "Members meetup in spring" in page(browser.get("/boards/club"))
    assert "Club life" in page(browser.get("/boards"))


@pytest.fixture
def inner_circle(make_board, make_idea, superfan, staff) -> dict[str, Any]:
    """A superfans-only board with a planned and a done idea, which every listing would show."""
    inner = make_board(name="Inner circle", slug="inner", visibility=Visibility.SUPERFANS)
    planned = make_idea("Secret prototype backpack", on=inner, author=superfan)
    done = make_idea("Secret early-access jacket", on=inner, author=superfan)
    set_status(planned, staff, IdeaStatus.PLANNED)
    set_status(done, staff, IdeaStatus.DONE)
    return {"board": inner, "planned": planned, "done": done}


def test_a_superfans_board_does_not_exist_for_members_or_visitors(inner_circle, client, member, login):
    idea = inner_circle["planned"]
    browser = login(member)

    for who in (client, browser):
        for path in ("/boards/inner", f"/ideas/{idea.id}"):
            assert who.get(path).status_code == 404, path
    assert browser.get("/boards/inner/new").status_code == 404
    assert browser.post(f"/ideas/{idea.id}/vote").status_code == 404
    assert browser.post(f"/ideas/{idea.id}/comments", data={"body": "Let me in"}).status_code == 404
    assert fresh(idea).vote_count == 1 and rows(IdeaComment) == 0


LISTINGS = ["/boards", "/roadmap", "/changelog", "/ideas/search?q=secret"]


@pytest.mark.parametrize("path", LISTINGS)
def test_superfans_ideas_are_never_listed_for_members(inner_circle, client, member, login, path):
    text = words(login(member).get(path))
    anonymous = words(client.get(path))

    for shown in (text, anonymous):
        assert "Inner circle" not in shown and "Secret" not in shown


@pytest.mark.parametrize("path", LISTINGS)
def test_superfans_see_their_board_everywhere(inner_circle, superfan, login, path):
    text = words(login(superfan).get(path))

    if path == "/boards":
        assert "Inner circle" in text
    elif path == "/changelog":
        assert "Secret early-access jacket" in text
    else:
        assert "Secret prototype backpack" in text


# -- merged and hidden ideas ---------------------------------------------------------------


def test_a_merged_idea_answers_301_to_the_original(board, make_idea, staff, client):
    original, duplicate = make_idea("Kids hiking boots"), make_idea("Hiking boots for children")
    triage.merge_ideas(db.session, duplicate, original, staff)

    response = client.get(f"/ideas/{duplicate.id}")

    assert response.status_code == 301 and response.headers["Location"] == f"/ideas/{original.id}"
    landed = client.get(response.headers["Location"])
    assert "This idea was merged into the one below" in flashes(landed)
    assert vote_counts(page(landed)) == [2]


def test_a_hidden_idea_is_a_404_for_others_but_its_author_and_moderators_see_it(board, make_idea, member, stranger,
                                                                                moderator, client, login):
    idea = make_idea("Neon orange tent", author=member)
    assert client.get(f"/ideas/{idea.id}").status_code == 200  # now in the visitors' cache
    mod = login(moderator)

    hidden = mod.post(f"/ideas/{idea.id}/hide", data={"hidden": "1"}, follow_redirects=True)

    assert "The idea is hidden from the board." in flashes(hidden)
    assert client.get(f"/ideas/{idea.id}").status_code == 404
    assert login(stranger).get(f"/ideas/{idea.id}").status_code == 404
    author = login(member)
    for who in (author, mod):
        text = page(who.get(f"/ideas/{idea.id}"))
        assert "Neon orange tent" in text and "Hidden" in text
    assert "Neon orange tent" not in page(author.get(f"/boards/{board.slug}"))

    shown = mod.post(f"/ideas/{idea.id}/hide", data={"hidden": "0"}, follow_redirects=True)

    assert "The idea is back on the board." in flashes(shown)
    assert client.get(f"/ideas/{idea.id}").status_code == 200


def test_members_may_not_hide_ideas(board, make_idea, member, staff, login, client):
    idea = make_idea("Neon orange tent")

    for who in (member, staff):  # hiding is the moderators' job; staff outrank them
        response = login(who).post(f"/ideas/{idea.id}/hide", data={"hidden": "1"})
        assert response.status_code == (403 if who is member else 302)
    assert login(member).post(f"/ideas/{idea.id}/hide", data={"hidden": "0"}).status_code == 403
    assert client.get(f"/ideas/{idea.id}").status_code == 404  # hidden by staff, not shown again by the member


# -- comments, edits, deletion, subscriptions ----------------------------------------------


def test_an_empty_comment_is_refused_with_the_message_on_the_page(board, make_idea, member, login):
    idea = make_idea("Waterproof map case")

    response = login(member).post(f"/ideas/{idea.id}/comments", data={"body": "   "})

    assert response.status_code == 422
    assert "Write something first." in field_errors(response, "body")
    assert rows(IdeaComment) == 0 and fresh(idea).comment_count == 0


def test_a_comment_shows_under_the_idea_and_only_its_author_deletes_it(board, make_idea, member, stranger, login):
    idea = make_idea("Waterproof map case")
    browser = login(member)

    response = browser.post(f"/ideas/{idea.id}/comments", data={"body": "Yes, and in **green** please"})

    comment = db.session.scalar(select(IdeaComment))
    assert response.status_code == 302 and response.headers["Location"] == f"/ideas/{idea.id}#comment-{comment.id}"
    assert "<strong>green</strong> please" in page(browser.get(f"/ideas/{idea.id}"))
    assert login(stranger).post(f"/ideas/comments/{comment.id}/delete").status_code == 403
    deleted = browser.post(f"/ideas/comments/{comment.id}/delete", follow_redirects=True)
    assert "The comment is deleted." in flashes(deleted)
    assert "green" not in page(deleted) and fresh(idea).comment_count == 0


def test_only_the_author_or_staff_edit_an_idea(board, make_idea, member, stranger, staff, login):
    idea = make_idea("Lighter trekking poles", author=member)

    other = login(stranger)
    assert other.get(f"/ideas/{idea.id}/edit").status_code == 403
    assert other.post(f"/ideas/{idea.id}/edit", data={"title": "Taken over by someone"}).status_code == 403
    author = login(member)
    refused = author.post(f"/ideas/{idea.id}/edit", data={"title": "Tiny"})
    assert refused.status_code == 422
    assert "at least 6 characters" in field_errors(refused, "title")
    assert fresh(idea).title == "Lighter trekking poles"

    saved = author.post(f"/ideas/{idea.id}/edit", data={"title": "Lighter carbon trekking poles"}, follow_redirects=True)

    assert "Your changes are saved." in flashes(saved)
    assert "Lighter carbon trekking poles" in page(saved) and "edited" in page(saved)
    assert login(staff).get(f"/ideas/{idea.id}/edit").status_code == 200


def test_deleting_an_idea_gives_its_votes_back(board, make_idea, member, stranger, login, client):
    idea = make_idea("Lighter trekking poles", author=member)
    voter = login(stranger)
    voter.post(f"/ideas/{idea.id}/vote")
    assert login(stranger).post(f"/ideas/{idea.id}/delete").status_code == 403

    response = login(member).post(f"/ideas/{idea.id}/delete")

    assert response.status_code == 302 and response.headers["Location"] == f"/boards/{board.slug}"
    assert client.get(f"/ideas/{idea.id}").status_code == 404
    assert "0 of 10 votes used" in words(voter.get(f"/boards/{board.slug}"))


def test_a_voter_is_told_of_a_status_change_on_the_notifications_page(board, make_idea, member, staff, login):
    idea = make_idea("Refillable gas canisters")
    browser = login(member)
    browser.post(f"/ideas/{idea.id}/vote")

    login(staff).post(f"/ideas/{idea.id}/status", data={"status": "planned", "explanation": "In the spring range."})

    shown = browser.get("/notifications")
    assert "Stella Staff marked an idea you follow as Planned" in words(shown)
    assert "Refillable gas canisters" in words(shown)
    assert f'href="/ideas/{idea.id}"' in page(shown)


def test_a_member_who_unsubscribed_is_not_told(board, make_idea, member, staff, login):
    idea = make_idea("Refillable gas canisters")
    browser = login(member)
    browser.post(f"/ideas/{idea.id}/vote")

    stopped = browser.post(f"/ideas/{idea.id}/subscription", data={"subscribed": "0"}, follow_redirects=True)
    login(staff).post(f"/ideas/{idea.id}/status", data={"status": "planned", "explanation": "In the spring range."})

    assert "You will no longer hear about this idea." in flashes(stopped)
    assert "Refillable gas canisters" not in page(browser.get("/notifications"))


# -- the page cache and odd query strings ---------------------------------------------------


def test_visitors_see_a_new_vote_at_once_on_cached_pages(board, make_idea, member, login, client, count_queries):
    idea = make_idea("Lighter cooking stove")
    paths = [f"/boards/{board.slug}", f"/ideas/{idea.id}"]
    for path in paths:
        assert vote_counts(page(client.get(path))) == [1]
        with count_queries() as queries:
            cached = client.get(path)
        assert queries.count == 0 and vote_counts(page(cached)) == [1], path  # served from the cache

    login(member).post(f"/ideas/{idea.id}/vote")

    for path in paths:
        assert vote_counts(page(client.get(path))) == [2], path


def test_visitors_see_a_deleted_comment_uncounted_on_the_cached_board(board, make_idea, member, login, client):
    idea = make_idea("Lighter cooking stove")
    browser = login(member)
    browser.post(f"/ideas/{idea.id}/comments", data={"body": "Yes, with a wind shield."})
    comment = db.session.scalar(select(IdeaComment))
    assert comment_counts(page(client.get(f"/boards/{board.slug}"))) == [1]  # now in the visitors' cache

    browser.post(f"/ideas/comments/{comment.id}/delete")

    assert fresh(idea).comment_count == 0
    assert comment_counts(page(client.get(f"/boards/{board.slug}"))) == [0]


@pytest.mark.parametrize("query", ["page=abc", "page=-3", "page=99999999999999999999", "sort=evil", "sort=", "status=nope",
                                   "status=", "category=999999999999", "category=abc", "category=-1",
                                   "sort=top&status=all&page=2"])
def test_bad_query_strings_still_show_the_board(board, make_idea, client, query):
    make_idea("Quick-dry towel")

    response = client.get(f"/boards/{board.slug}?{query}")

    assert response.status_code == 200
    assert "Quick-dry towel" in page(response)


@pytest.mark.parametrize("path", ["/changelog?page=abc", "/changelog?page=-1", "/roadmap?page=x",
                                  "/ideas/search?q=towel&page=abc", "/ideas/search?q=towel&board=abc"])
def test_bad_query_strings_still_show_the_listings(board, make_idea, client, path):
    make_idea("Quick-dry towel")

    assert client.get(path).status_code == 200


# -- CSRF ----------------------------------------------------------------------------------


class TestWithCsrf:
    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        return {**app_config, "WTF_CSRF_ENABLED": True}

    def test_a_vote_without_the_form_token_is_refused_and_one_with_it_works(self, app, board, make_idea, member):
        idea = make_idea("Forged votes never count")
        browser = app.test_client()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page(browser.get("/login"))).group(1)
        browser.post("/login", data={"email": member.email, "password": "correct horse battery staple", "csrf_token": token})
        before = snapshot()

        refused = browser.post(f"/ideas/{idea.id}/vote")

        assert refused.status_code == 400
        assert snapshot() == before
        token = re.search(r'name="csrf_token" value="([^"]+)"', page(browser.get(f"/ideas/{idea.id}"))).group(1)
        accepted = browser.post(f"/ideas/{idea.id}/vote", data={"csrf_token": token})
        assert accepted.status_code == 302 and fresh(idea).vote_count == 2


def test_a_service_finding_nothing_for_the_member_answers_the_404_page(app):
    """The views check first; should a service still refuse with NotFound, the member sees the site's 404 page."""
    with app.test_request_context("/ideas/1/vote", method="POST"):
        response = app.make_response(pages.not_found(service.NotFound()))

    assert response.status_code == 404 and "Page not found" in page(response)


def test_a_members_board_count_follows_every_change_to_its_ideas(board, make_board, make_idea, member, staff, login):
    """The count of a board's ideas is kept per version of the board: a new idea, a hide, a close, a restore and
    a deletion each show in the member's next page, in every filter, and another board's count stays its own."""
    other = make_board(name="Other ideas", slug="other-ideas")
    first, second = make_idea("Lighter tent poles"), make_idea("Waterproof tent bags")
    make_idea("Trail shoes in wide sizes", on=other)
    browser = login(member)

    def count(status: str = "") -> str:
        text = words(browser.get(f"/boards/{board.slug}" + (f"?status={status}" if status else "")))
        return re.search(r"(\d+) ideas?\b", text).group(0)

    assert (count(), count("all")) == ("2 ideas", "2 ideas")
    third = make_idea("A repair kit for the stove")
    assert (count(), count("all")) == ("3 ideas", "3 ideas")
    triage.set_hidden(db.session, second, staff, True)
    assert (count(), count("all")) == ("2 ideas", "2 ideas")
    set_status(third, staff, IdeaStatus.DONE)
    assert (count(), count("all"), count("done")) == ("1 idea", "2 ideas", "1 idea")
    triage.set_hidden(db.session, second, staff, False)
    assert (count(), count("all")) == ("2 ideas", "3 ideas")
    service.delete_idea(db.session, first, first.author)
    assert (count(), count("all")) == ("1 idea", "2 ideas")
    assert re.search(r"\d+ ideas?\b", words(browser.get(f"/boards/{other.slug}"))).group(0) == "1 idea"
