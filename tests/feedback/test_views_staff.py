"""The feedback board over HTTP for staff and admins: statuses, responses, merges, votes on behalf,
estimates, the priorities table and its CSV export, and managing boards."""
from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from portal.accounts.models import Tier
from portal.extensions import db
from portal.feedback import merging, service, triage
from portal.feedback.models import Board, Idea, IdeaStatus, Visibility, Vote, VoteSource
from portal.kernel.notifications import Notification

from .helpers import fresh, rows, set_status, snapshot
from .pages import field_errors, flashes, page, titles_in_order, vote_counts, words

# -- statuses and official responses --------------------------------------------------------


def test_a_status_change_without_explanation_is_refused_and_changes_nothing(board, make_idea, staff, login):
    idea = make_idea("Recycled fleece jackets")
    browser = login(staff)
    before = snapshot()

    response = browser.post(f"/ideas/{idea.id}/status", data={"status": "planned", "explanation": "  "})

    assert response.status_code == 422
    assert "Explain the change in a sentence or two" in field_errors(response, "explanation")
    assert snapshot() == before and fresh(idea).status is IdeaStatus.OPEN


def test_a_status_change_is_shown_on_the_timeline_and_pinned(board, make_idea, staff, login, client):
    idea = make_idea("Recycled fleece jackets")

    response = login(staff).post(f"/ideas/{idea.id}/status", data={
        "status": "planned", "explanation": "Coming **next autumn**.", "pin": "y"}, follow_redirects=True)

    assert "The idea is now “Planned”. Everyone who follows it is told." in flashes(response)
    text = words(client.get(f"/ideas/{idea.id}"))
    assert "Stella Staff moved it from Open to Planned" in text
    assert "Official response Coming next autumn" in text
    assert fresh(idea).status is IdeaStatus.PLANNED


def test_the_same_status_again_is_refused(board, make_idea, staff, login):
    idea = make_idea("Recycled fleece jackets")

    response = login(staff).post(f"/ideas/{idea.id}/status", data={"status": "open", "explanation": "Still open."})

    assert response.status_code == 422
    assert "The idea already has this status." in field_errors(response, "status")


@pytest.mark.parametrize(("action", "data"), [
    ("status", {"status": "declined", "explanation": "Not for us."}),
    ("response", {"response": "Forged official words"}),
    ("merge", {"original": "1"}),
    ("on-behalf", {"name": "Someone", "source": "phone"}),
    ("estimates", {"impact": "5", "effort": "1"}),
])
@pytest.mark.parametrize("who", ["member", "superfan", "moderator"])
def test_members_superfans_and_moderators_may_not_use_the_staff_tools(board, make_idea, login, request, action, data, who):
    make_idea("The original idea")
    idea = make_idea("Recycled fleece jackets")
    before = snapshot()

    response = login(request.getfixturevalue(who)).post(f"/ideas/{idea.id}/{action}", data=data)

    assert response.status_code == 403
    assert snapshot() == before and fresh(idea).response_html == "" and fresh(idea).impact is None


def test_an_official_response_is_pinned_and_taken_down(board, make_idea, staff, login, client):
    idea = make_idea("Recycled fleece jackets")
    browser = login(staff)

    pinned = browser.post(f"/ideas/{idea.id}/response", data={"response": "We are talking to a mill."}, follow_redirects=True)
    assert "The official response is pinned." in flashes(pinned)
    assert "Official response We are talking to a mill." in words(client.get(f"/ideas/{idea.id}"))

    removed = browser.post(f"/ideas/{idea.id}/response", data={"response": ""}, follow_redirects=True)
    assert "The official response is removed." in flashes(removed)
    assert "Official response" not in words(client.get(f"/ideas/{idea.id}"))


# -- merges --------------------------------------------------------------------------------


def test_merging_an_idea_into_itself_is_refused(board, make_idea, staff, login):
    idea = make_idea("Kids hiking boots")
    before = snapshot()

    response = login(staff).post(f"/ideas/{idea.id}/merge", data={"original": str(idea.id)})

    assert response.status_code == 422
    assert "An idea cannot be merged into itself." in field_errors(response, "original")
    assert snapshot() == before


@pytest.mark.parametrize("original", ["", "abc", "999999", "#999999"])
def test_merging_into_no_idea_says_there_is_none(board, make_idea, staff, login, original):
    idea = make_idea("Kids hiking boots")

    response = login(staff).post(f"/ideas/{idea.id}/merge", data={"original": original})

    assert response.status_code == 422
    assert "There is no idea with this number." in field_errors(response, "original")
    assert fresh(idea).merged_into_id is None


@pytest.mark.parametrize("typed", ["{id}", "#{id}", "http://tribune.test/ideas/{id}", "/ideas/{id}?sort=top"])
def test_a_duplicate_is_merged_into_the_idea_typed_or_pasted(board, make_idea, staff, login, client, typed):
    original, duplicate = make_idea("Kids hiking boots"), make_idea("Hiking boots for children")

    response = login(staff).post(f"/ideas/{duplicate.id}/merge", data={"original": typed.format(id=original.id)})

    assert response.status_code == 302 and response.headers["Location"] == f"/ideas/{original.id}"
    assert client.get(f"/ideas/{duplicate.id}").headers["Location"] == f"/ideas/{original.id}"
    text = words(client.get(f"/ideas/{original.id}"))
    assert "merged a duplicate into this idea: “Hiking boots for children”" in text
    assert fresh(original).vote_count == 2


# -- votes on behalf of customers and estimates ----------------------------------------------


def test_a_customers_vote_needs_a_name_or_an_email(board, make_idea, staff, login):
    idea = make_idea("Repair kits in the box")

    response = login(staff).post(f"/ideas/{idea.id}/on-behalf", data={"source": "phone"})

    assert response.status_code == 422
    assert "Give the customer's name or email address." in field_errors(response, "name")
    assert fresh(idea).vote_count == 1


def test_a_customers_vote_is_counted_and_listed_with_where_it_came_from(board, make_idea, staff, login):
    idea = make_idea("Repair kits in the box")
    browser = login(staff)

    response = browser.post(f"/ideas/{idea.id}/on-behalf", data={"name": "Jo Customer", "source": "phone",
                                                                 "note": "Called the Lyon shop"})

    assert response.status_code == 302 and response.headers["Location"] == f"/ideas/{idea.id}#voters"
    text = words(browser.get(f"/ideas/{idea.id}"))
    assert "The customer's vote is counted." in text
    assert "Jo Customer · Phone · added by Stella Staff · “Called the Lyon shop”" in text
    vote = db.session.scalar(select(Vote).where(Vote.customer_name == "Jo Customer"))
    assert vote.source is VoteSource.PHONE and fresh(idea).vote_count == 2

    again = browser.post(f"/ideas/{idea.id}/on-behalf", data={"name": "Jo Customer", "email": "jo@example.net",
                                                              "source": "email"})
    assert again.status_code == 302
    twice = browser.post(f"/ideas/{idea.id}/on-behalf", data={"email": "JO@example.net", "source": "email"})
    assert twice.status_code == 422
    assert "This customer's vote is already counted on this idea." in field_errors(twice, "email")
    assert fresh(idea).vote_count == 3


def test_estimates_from_the_priorities_table_return_to_it(board, make_idea, staff, login):
    idea = make_idea("Repair kits in the box")
    browser = login(staff)

    back = browser.post(f"/ideas/{idea.id}/estimates", data={"impact": "4", "effort": "2",
                                                             "next": "/staff/priorities?sort=priority"})
    elsewhere = browser.post(f"/ideas/{idea.id}/estimates", data={"impact": "4", "effort": "2",
                                                                  "next": "https://evil.example/staff/priorities"})

    assert back.headers["Location"] == "/staff/priorities?sort=priority"
    assert elsewhere.headers["Location"] == f"/ideas/{idea.id}"
    assert fresh(idea).priority == 2.0
    assert "Impact and effort are saved." in flashes(browser.get(back.headers["Location"]))


def test_an_estimate_out_of_range_is_refused(board, make_idea, staff, login):
    idea = make_idea("Repair kits in the box")

    response = login(staff).post(f"/ideas/{idea.id}/estimates", data={"impact": "9", "effort": "2"}, follow_redirects=True)

    assert "Choose a number from 1 to 5." in flashes(response)
    assert fresh(idea).impact is None



def test_an_estimate_that_is_not_a_number_is_refused_and_changes_nothing(board, make_idea, staff, login):
    idea = make_idea("Repair kits in the box")
    triage.set_estimates(db.session, idea, staff, impact=3, effort=2)

    response = login(staff).post(f"/ideas/{idea.id}/estimates", data={"impact": "abc", "effort": "4"},
                                 follow_redirects=True)

    assert "Choose impact and effort from 1 to 5, or “–” for none. Nothing was changed." in flashes(response)
    assert (fresh(idea).impact, idea.effort, idea.priority) == (3, 2, 1.5)


def test_an_estimate_sent_alone_keeps_the_other(board, make_idea, staff, login):
    idea = make_idea("Repair kits in the box")
    triage.set_estimates(db.session, idea, staff, impact=3, effort=2)
    browser = login(staff)

    browser.post(f"/ideas/{idea.id}/estimates", data={"impact": "5"})
    assert (fresh(idea).impact, idea.effort) == (5, 2)
    browser.post(f"/ideas/{idea.id}/estimates", data={"effort": "1"})
    assert (fresh(idea).impact, idea.effort, idea.priority) == (5, 1, 5.0)
    browser.post(f"/ideas/{idea.id}/estimates", data={"impact": "", "effort": "1"})  # "–" clears it
    assert (fresh(idea).impact, idea.effort) == (None, 1)


@pytest.mark.parametrize("data", [{"impact": "4", "effort": "2"}, {"impact": "abc"}], ids=["saved", "refused"])
def test_estimates_return_to_a_page_of_this_site_only(board, make_idea, staff, login, data):
    idea = make_idea("Repair kits in the box")
    browser = login(staff)

    for target in ("//evil.example/staff/priorities", "https://evil.example/staff/priorities", "/\\evil.example",
                   "/\tevil.example"):
        response = browser.post(f"/ideas/{idea.id}/estimates", data={**data, "next": target})
        assert response.headers["Location"] == f"/ideas/{idea.id}", target
    back = browser.post(f"/ideas/{idea.id}/estimates", data={**data, "next": f"/boards/{board.slug}?sort=top"})
    assert back.headers["Location"] == f"/boards/{board.slug}?sort=top"

# -- the priorities table and its export ----------------------------------------------------


@pytest.fixture
def demand(board, make_board, make_idea, make_member, superfan, staff):
    """Alpha has the most votes (4), Bravo the most demand (3 votes, two of superfans, who weigh three),
    Charlie is the newest and has a comment; Delta is on another board; Echo was declined."""
    other = make_board(name="Shop ideas", slug="shop")
    alpha = make_idea("Alpha: a lighter tent")
    bravo = make_idea("Bravo: warmer gloves")
    echo = make_idea("Echo: a declined stove")
    make_idea("Delta: shop opening hours", on=other)
    charlie = make_idea("Charlie: spare tent poles")
    for _ in range(3):
        service.cast_vote(db.session, alpha, make_member())
    for fan in (superfan, make_member(tier=Tier.SUPERFAN)):
        service.cast_vote(db.session, bravo, fan)
    service.add_comment(db.session, charlie, superfan, body="Mine snapped in the Alps.")
    set_status(echo, staff, IdeaStatus.DECLINED)
    return {"other": other}


TITLES = ("Alpha: a lighter tent", "Bravo: warmer gloves", "Charlie: spare tent poles", "Delta: shop opening hours",
          "Echo: a declined stove")


@pytest.mark.parametrize(("query", "expected"), [
    ("", ["Bravo", "Alpha", "Charlie", "Delta"]),  # by demand: open ideas of every board
    ("?sort=votes", ["Alpha", "Bravo", "Charlie", "Delta"]),
    ("?sort=new", ["Charlie", "Delta", "Bravo", "Alpha"]),
    ("?sort=superfans", ["Bravo", "Alpha", "Charlie", "Delta"]),
    ("?sort=comments", ["Charlie", "Alpha", "Bravo", "Delta"]),
    ("?sort=evil", ["Bravo", "Alpha", "Charlie", "Delta"]),
    ("?status=declined", ["Echo"]),
    ("?status=all&sort=votes", ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]),
    ("?board={board}", ["Bravo", "Alpha", "Charlie"]),
    ("?board={other}", ["Delta"]),
    ("?board=abc&category=&status=nope&page=x", ["Bravo", "Alpha", "Charlie", "Delta"]),
])
def test_priorities_sort_and_filter_by_the_query_string(demand, board, staff, login, query, expected):
    response = login(staff).get("/staff/priorities" + query.format(board=board.id, other=demand["other"].id))

    assert response.status_code == 200
    assert [t.split(":")[0] for t in titles_in_order(page(response), *TITLES)] == expected


def test_the_csv_export_has_a_header_and_one_row_per_idea(demand, staff, login):
    response = login(staff).get("/staff/priorities.csv?status=all")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    header, *lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert header == ["id", "title", "board", "category", "status", "votes", "unique_voters", "votes_30_days",
                      "superfan_votes", "demand", "comments", "impact", "effort", "priority", "created", "url"]
    by_title = {line[1]: dict(zip(header, line, strict=True)) for line in lines}
    assert sorted(by_title) == sorted(TITLES)
    alpha, bravo = by_title["Alpha: a lighter tent"], by_title["Bravo: warmer gloves"]
    assert (alpha["votes"], alpha["unique_voters"], alpha["superfan_votes"], alpha["demand"]) == ("4", "4", "0", "4")
    assert (bravo["votes"], bravo["superfan_votes"], bravo["demand"], bravo["board"]) == ("3", "2", "7", "Product ideas")
    assert by_title["Charlie: spare tent poles"]["comments"] == "1"
    assert by_title["Echo: a declined stove"]["status"] == "declined"
    assert alpha["url"].endswith(f"/ideas/{alpha['id']}")


@pytest.mark.parametrize("title", ['=HYPERLINK("http://evil.example","Click")', "+1+cmd|' /C calc'!A0",
                                   "-2+3 more tents", "@SUM(1+1)*cmd"])
def test_the_csv_export_never_writes_a_formula(board, make_idea, staff, login, client, title):
    idea = make_idea(title)

    response = login(staff).get("/staff/priorities.csv")

    line = next(row for row in csv.reader(io.StringIO(response.get_data(as_text=True))) if row[0] == str(idea.id))
    assert line[1] == "'" + title
    assert title in page(client.get(f"/ideas/{idea.id}"))  # the page shows the title as it was written



def test_the_csv_export_never_writes_a_formula_from_a_board_or_category_name(make_board, make_idea, staff, login):
    name = '=HYPERLINK("http://evil.example","Board")'
    evil = make_board(name=name, slug="evil", categories="@SUM(1+1)*cmd")
    idea = make_idea("A plain title", on=evil, category_id=evil.categories[0].id)

    response = login(staff).get("/staff/priorities.csv")

    line = next(row for row in csv.reader(io.StringIO(response.get_data(as_text=True))) if row[0] == str(idea.id))
    assert line[1:4] == ["A plain title", "'" + name, "'@SUM(1+1)*cmd"]

# -- boards (admins) -----------------------------------------------------------------------


BOARD_FORM = {"name": "Trail gear", "slug": "trail-gear", "description": "Boots, packs and poles.", "visibility": "public",
              "vote_budget": "5", "categories": "Boots\nPacks\nBoots", "position": "0"}


def test_an_admin_creates_a_board_and_it_appears_on_the_boards_page(admin, login, client):
    assert "Trail gear" not in page(client.get("/boards"))  # visitors' copy now cached

    response = login(admin).post("/admin/boards/new", data=BOARD_FORM, follow_redirects=True)

    assert "The board “Trail gear” is saved." in flashes(response)
    board = db.session.scalar(select(Board).where(Board.slug == "trail-gear"))
    assert board.vote_budget == 5 and [c.name for c in board.categories] == ["Boots", "Packs"]
    assert "Trail gear" in page(client.get("/boards"))
    shown = words(client.get("/boards/trail-gear"))
    assert "Boots, packs and poles." in shown and "Each member has 5 votes on this board's open ideas." in shown


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"slug": "Trail Gear!"}, "slug", "Use 1 to 40 lower-case letters, digits and dashes"),
    ({"slug": "product-ideas"}, "slug", "Another board has this address."),
    ({"name": "X"}, "name", "Give the board a name of 2 to 80 characters."),
    ({"vote_budget": "0"}, "vote_budget", "Choose from 1 to 1,000 votes, or leave it empty for no limit."),
    ({"visibility": "everyone"}, "visibility", "Choose who may see the board."),
    ({"position": "99999999999"}, "position", "Choose a position from -10,000 to 10,000 (lower comes first)."),
    ({"position": "-99999"}, "position", "Choose a position from -10,000 to 10,000 (lower comes first)."),
])
def test_a_bad_board_is_refused_with_the_message_beside_its_field(board, admin, login, change, field, message):
    before = rows(Board)

    response = login(admin).post("/admin/boards/new", data={**BOARD_FORM, **change})

    assert response.status_code == 422
    assert message in field_errors(response, field)
    assert rows(Board) == before


def test_an_admin_makes_a_board_members_only_and_visitors_lose_it(board, make_idea, admin, login, client):
    make_idea("Quick-dry towel")
    assert client.get(f"/boards/{board.slug}").status_code == 200  # cached for visitors

    response = login(admin).post(f"/admin/boards/{board.id}", data={
        **BOARD_FORM, "name": board.name, "slug": board.slug, "visibility": Visibility.MEMBERS.value, "vote_budget": ""})

    assert response.status_code == 302
    assert client.get(f"/boards/{board.slug}").status_code == 302
    assert f'href="/boards/{board.slug}"' not in page(client.get("/boards"))
    assert fresh(board).vote_budget is None


def test_an_admin_makes_a_board_superfans_only_and_visitors_cached_pages_go(board, make_idea, staff, admin, login,
                                                                           client, count_queries):
    idea = make_idea("Secret heated tent floor")
    set_status(idea, staff, IdeaStatus.PLANNED)
    paths = [f"/ideas/{idea.id}", f"/boards/{board.slug}", "/roadmap"]
    for path in paths:
        assert "Secret heated tent floor" in page(client.get(path)), path
        with count_queries() as queries:
            assert "Secret heated tent floor" in page(client.get(path)), path
        assert queries.count == 0, path  # served from the visitors' cache

    response = login(admin).post(f"/admin/boards/{board.id}", data={
        **BOARD_FORM, "name": board.name, "slug": board.slug, "visibility": Visibility.SUPERFANS.value})

    assert response.status_code == 302
    for path in paths:
        response = client.get(path)
        assert "Secret heated tent floor" not in page(response), path
        assert response.status_code == (200 if path == "/roadmap" else 404), path


def test_staff_may_not_manage_boards(staff, login):
    browser = login(staff)

    assert browser.get("/admin/boards").status_code == 403
    assert browser.post("/admin/boards/new", data=BOARD_FORM).status_code == 403
    assert rows(Board) == 0


def test_a_status_change_tells_the_voters_once_and_not_the_staff_member(board, make_idea, member, staff, login):
    idea = make_idea("Recycled fleece jackets")
    login(member).post(f"/ideas/{idea.id}/vote")

    login(staff).post(f"/ideas/{idea.id}/status", data={"status": "under_review", "explanation": "We are looking."})

    told = set(db.session.scalars(select(Notification.user_id).where(Notification.idea_id == idea.id)))
    assert told == {idea.author_id, member.id}
    assert vote_counts(page(login(member).get(f"/ideas/{idea.id}"))) == [2]
    assert rows(Idea) == 1


def test_the_priorities_count_follows_every_change_to_the_ideas(board, make_board, make_idea, staff, login):
    """The number of ideas the priorities table lists is kept per version of the ideas: a new idea, a hide, a
    close, a merge and a deletion each show in the next page, in every filter, the review filters counted live."""
    other = make_board(name="Other ideas", slug="other-ideas")
    first, second = make_idea("Lighter tent poles"), make_idea("Waterproof tent bags")
    make_idea("Trail shoes in wide sizes", on=other)
    browser = login(staff)

    def count(query: str = "") -> str:
        return re.search(r"(\d+) ideas?\b", words(browser.get("/staff/priorities" + query))).group(0)

    here, there = f"?board={board.id}", f"?board={other.id}"
    assert (count(), count(here), count(there), count("?review=new")) == ("3 ideas", "2 ideas", "1 idea", "3 ideas")
    third = make_idea("A repair kit for the stove")
    assert (count(), count(here), count("?status=all")) == ("4 ideas", "3 ideas", "4 ideas")
    triage.set_hidden(db.session, second, staff, True)
    assert (count(), count(here)) == ("3 ideas", "2 ideas")
    set_status(third, staff, IdeaStatus.DONE)
    assert (count(), count("?status=all"), count("?status=done")) == ("2 ideas", "3 ideas", "1 idea")
    triage.set_estimates(db.session, first, staff, impact=3, effort=2)  # a review: one fewer new idea
    assert (count("?review=new"), count()) == ("1 idea", "2 ideas")
    merging.merge_ideas(db.session, first, third, staff, explanation="The same request.")
    assert (count(), count("?status=all"), count(here + "&status=all")) == ("1 idea", "2 ideas", "1 idea")
    service.delete_idea(db.session, third, third.author)
    assert (count("?status=all"), count(there)) == ("1 idea", "1 idea")
