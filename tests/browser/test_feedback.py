"""The feedback board, end to end in a real browser, at desktop and phone sizes.

A member posts an idea and is shown a similar one while typing, votes until the board's
budget runs out; staff marks the idea planned with an explanation, and the member finds
the notification; staff merges a duplicate into it; the roadmap shows it. The board, an
idea, the roadmap and the staff prioritisation view are saved to
tests/browser/screenshots/feedback-*.png.
"""
from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from portal.accounts.models import Role, User
from portal.extensions import db
from portal.feedback import service, triage
from portal.feedback.models import Board, Idea
from portal.kernel.timeutil import utcnow

from .conftest import PASSWORD, LiveServer
from .test_community import flashes, header, nav_link, snap, staff_link

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("size", ["desktop", "phone"])]

BUDGET = 3


def person(live: LiveServer, username: str, name: str, role: Role = Role.MEMBER) -> User:
    return live.create_member(email=f"{username}@example.com", username=username, display_name=name, role=role,
                              created_at=utcnow() - timedelta(days=30))


def seed(live: LiveServer, admin: User, author: User) -> tuple[str, list[int]]:
    """A board with a budget of three votes and a few ideas by another member (one waiting to be found as similar)."""
    with live.app.app_context(), live.app.test_request_context():
        board = triage.save_board(db.session, db.session.get(User, admin.id), None, name="Product ideas",
                                  slug="product-ideas", description="What should Fernhill make next?", visibility="public",
                                  vote_budget=BUDGET, categories="Footwear\nTents")
        someone = db.session.get(User, author.id)
        titles = ["Waterproof hiking boots for children", "A two-person tent under one kilo",
                  "Spare laces in every boot box", "Recycled fabric for rain jackets"]
        ids = [service.submit_idea(db.session, board, someone, title=t, description="Please!")[0].id for t in titles]
        return board.slug, ids


def sign_in(page: Page, live: LiveServer, user: User) -> None:
    """A new page's first visit: the home page, then the header's "Sign in"."""
    page.goto(live.url + "/")
    header(page).get_by_role("link", name="Sign in", exact=True).click()
    page.get_by_label("Email", exact=True).fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(flashes(page)).to_contain_text("Welcome back")


def open_board(page: Page, sort: str | None = None) -> None:
    """The header's "Ideas" (in the "Menu" on phones), the board's card, and optionally one of its sort tabs."""
    nav_link(page, "Ideas")
    page.get_by_role("link", name=re.compile("Product ideas")).click()
    expect(page.locator("[data-budget-meter]")).to_be_visible()
    if sort is not None:
        page.locator("nav.tabs").get_by_role("link", name=sort, exact=True).click()
        expect(page.locator("nav.tabs").get_by_role("link", name=sort, exact=True)).to_have_attribute("aria-current", "page")


def open_idea(page: Page, idea_id: int) -> None:
    """From the header to the board, then the idea's title in the board's list."""
    open_board(page)
    page.locator(f"#idea-{idea_id} .idea-title a").click()
    expect(page).to_have_url(re.compile(rf"/ideas/{idea_id}$"))


def vote_on(page: Page, live: LiveServer, idea_id: int) -> None:
    open_idea(page, idea_id)
    page.locator(".idea-full .vote-button").click()


@pytest.mark.usefixtures("quiet_fans")
def test_feedback_journey(live_server: LiveServer, page: Any, size: str) -> None:
    live = live_server
    admin = person(live, "ada", "Ada Admin", Role.ADMIN)
    stella = person(live, "stella", "Stella Staff", Role.STAFF)
    paul = person(live, "paul", "Paul Poster")
    alex = person(live, "alex", "Alex Voter")
    slug, ideas = seed(live, admin, paul)

    # 1. Alex opens the board from the header and starts an idea; a similar idea shows while the title is typed.
    a: Page = page(size)
    sign_in(a, live, alex)
    nav_link(a, "Ideas")  # in the "Menu" on phones
    a.get_by_role("link", name=re.compile("Product ideas")).click()
    expect(a.locator("[data-budget-meter]")).to_contain_text("0 of 3 votes used")
    a.get_by_role("link", name="Post an idea").first.click()
    a.wait_for_load_state()  # similar ideas are fetched by the page's script
    a.get_by_label("Your idea, in one sentence").press_sequentially("Waterproof boots for kids", delay=20)
    similar = a.locator("#similar-ideas")
    expect(similar).to_contain_text("Waterproof hiking boots for children")
    snap(a, "feedback-new-idea")
    a.get_by_label("Details (optional)").fill("Sizes 30 to 38, with **wide** fits.")
    a.get_by_label("Category").select_option(label="Footwear")
    a.get_by_role("button", name="Post my idea").click()
    expect(flashes(a)).to_contain_text("Your idea is posted, with your vote.")
    mine = int(re.search(r"/ideas/(\d+)", a.url).group(1))
    expect(a.locator(".idea-full .vote-count")).to_have_text("1")

    # 2. Alex votes until the budget runs out: his own idea took one vote, two more are left.
    vote_on(a, live, ideas[0])
    expect(flashes(a)).to_contain_text("You have 1 vote left on this board.")
    vote_on(a, live, ideas[1])
    expect(flashes(a)).to_contain_text("That was your last vote on this board")
    open_idea(a, ideas[2])  # out of votes: the button waits, and says why (tests/browser/test_voting.py)
    expect(a.locator(".idea-full .vote-button")).to_be_disabled()
    expect(a.locator("#no-votes-reason")).to_contain_text("No votes left on this board")
    expect(a.locator(".idea-full .vote-count")).to_have_text("1")
    open_board(a, "Top")
    expect(a).to_have_url(re.compile(rf"/boards/{slug}\?sort=top"))
    expect(a.locator(".idea-row")).to_have_count(5)
    snap(a, "feedback-board")

    # 3. Stella marks Alex's idea planned, with an explanation, from the idea page's staff tools.
    s: Page = page(size)
    sign_in(s, live, stella)
    open_idea(s, mine)
    tools = s.locator(".staff-panel")
    tools.get_by_label("New status").select_option(label="Planned")
    tools.get_by_role("button", name="Change and tell everyone").click()
    expect(s.locator(".staff-panel .errors")).to_contain_text("Explain the change")
    s.locator(".staff-panel").get_by_role("group", name="Public explanation").get_by_label("English").fill("Our footwear team starts on kids' sizes in spring.")
    s.locator(".staff-panel").get_by_role("button", name="Change and tell everyone").click()
    expect(flashes(s)).to_contain_text("The idea is now “Planned”")
    expect(s.locator(".official-response")).to_have_count(0)  # pinning is a choice, not the default
    expect(s.locator(".timeline-event", has_text="starts on kids' sizes in spring")).to_contain_text("Planned")
    snap(s, "feedback-idea")

    # 4. Alex sees the notification, and it leads to the idea.
    nav_link(a, "Feed")  # any page shows the bell; the feed is one click away
    expect(header(a).locator("a.bell")).to_contain_text("1")
    header(a).locator("a.bell").click()
    item = a.locator(".notification").first
    expect(item).to_contain_text("marked an idea you follow as Planned")
    item.locator("a").first.click()
    expect(a).to_have_url(re.compile(rf"/ideas/{mine}$"))

    # 5. Stella merges Paul's duplicate into Alex's idea: Paul's vote moves there, the duplicate redirects.
    open_idea(s, ideas[0])
    s.locator(".staff-panel summary", has_text="Merge into another idea").click()
    s.locator(".staff-panel").get_by_label("Merge into idea number (or its address)").fill(f"#{mine}")
    s.once("dialog", lambda dialog: dialog.accept())
    s.locator(".staff-panel").get_by_role("button", name="Merge", exact=True).click()
    expect(flashes(s)).to_contain_text("Merged into this idea.")
    expect(s).to_have_url(re.compile(rf"/ideas/{mine}$"))
    expect(s.locator(".idea-full .vote-count")).to_have_text("2")  # Alex and Paul: Alex, who voted for both, counts once
    # Typed on purpose: the duplicate is no longer listed or linked anywhere; its old address (a bookmark,
    # a shared link) must still lead to the idea it was merged into.
    s.goto(f"{live.url}/ideas/{ideas[0]}")
    expect(s).to_have_url(re.compile(rf"/ideas/{mine}$"))

    # 6. The roadmap shows the planned idea; staff's prioritisation view ranks it first.
    v: Page = page(size)
    v.goto(live.url + "/")  # a new visitor's first visit: the home page, then "Ideas" and "Roadmap"
    nav_link(v, "Ideas")
    v.locator("main").get_by_role("link", name="Roadmap", exact=True).click()
    expect(v).to_have_url(re.compile(r"/roadmap$"))
    expect(v.locator("#column-planned").locator("xpath=..")).to_contain_text("Waterproof boots for kids")
    snap(v, "feedback-roadmap")
    staff_link(s, "Priorities")
    s.wait_for_load_state()  # the filters submit themselves once the page's script has run
    s.get_by_label("Status").select_option(label="Every status")
    expect(s).to_have_url(re.compile(r"status=all"))
    expect(s.locator(".priority-table tbody tr").first).to_contain_text("Waterproof boots for kids")
    snap(s, "feedback-priorities")

    with live.app.app_context():
        idea = db.session.get(Idea, mine)
        assert idea.vote_count == 2
        assert db.session.get(Idea, ideas[0]).merged_into_id == mine
        board = db.session.get(Board, idea.board_id)
        assert service.recount_budget(db.session, board.id, alex.id) == BUDGET - 1  # the duplicate's vote merged away
    for p in (a, s, v):
        p.problems.assert_none()
