"""Search, as a reader finds it: from the header (the search link on wide screens, the box in the Menu on
phones), results of every kind named as such, then filtered to one kind by its tab; at desktop and phone
sizes, in English and French. Results with posts and ideas are saved to
tests/browser/screenshots/search-results-<lang>-<size>.png.
"""
from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from portal.accounts.models import Role, User
from portal.community import service as community
from portal.extensions import db
from portal.feedback import service as feedback
from portal.feedback import triage
from portal.kernel.timeutil import utcnow

from .conftest import LiveServer, size_of
from .test_community import header, snap

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("size", ["desktop", "phone"]),
              pytest.mark.parametrize("lang", ["en", "fr"])]

WORDS = {"en": {"query": "waterproof boots", "kinds": {"ideas": "Idea", "posts": "Post", "questions": "Question"},
                "posts_tab": "Posts", "all_tab": "Everything", "search": "Search"},
         "fr": {"query": "bottes imperméables", "kinds": {"ideas": "Idée", "posts": "Publication", "questions": "Question"},
                "posts_tab": "Publications", "all_tab": "Tout", "search": "Rechercher"}}
TEXTS = {"en": ("Waterproof boots for muddy trails", "Our waterproof boots survived the marathon\nFive hours of rain.",
                "Which waterproof boots for snow?"),
         "fr": ("Bottes imperméables pour les sentiers boueux", "Nos bottes imperméables ont tenu tout le marathon\nCinq heures de pluie.",
                "Quelles bottes imperméables pour la neige ?")}


def seed(live: LiveServer, lang: str) -> None:
    """A public board with an idea, a post and a question on the same words, written as members write them:
    each is indexed after its commit (the jobs run inline)."""
    admin = live.create_member(email="admin@example.com", role=Role.ADMIN, display_name="Ada Admin")
    alex = live.create_member(email="alex@example.com", display_name="Alex Martin", created_at=utcnow() - timedelta(days=30))
    idea, post, question = TEXTS[lang]
    with live.app.app_context(), live.app.test_request_context():
        board = triage.save_board(db.session, db.session.get(User, admin.id), None, name="Gear", slug="gear",
                                  description="What should we make next?", visibility="public", vote_budget=10,
                                  categories="Footwear")
        author = db.session.get(User, alex.id)
        feedback.submit_idea(db.session, board, author, title=idea, description="For the wet season.")
        community.create_post(db.session, author, body=post)
        community.create_post(db.session, author, body=question, is_question=True)
        community.create_post(db.session, author, body="Nothing to do with shoes")


def search_from_the_header(page: Page, live: LiveServer, words: dict[str, Any]) -> None:
    page.goto(live.url + "/")
    menu = header(page).locator("details.nav-menu > summary")
    if size_of(page) == "phone":  # phones: the search box is in the Menu
        menu.click()
        box = header(page).get_by_role("searchbox", name=words["search"])
        box.fill(words["query"])
        box.press("Enter")
    else:  # wide screens: the header's search link, then the page's box
        header(page).get_by_role("link", name=words["search"], exact=True).click()
        expect(page).to_have_url(re.compile(re.escape(live.url) + r"/search$"))
        page.locator("main").get_by_role("searchbox").fill(words["query"])
        page.locator("main form[role=search]").get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/search\?q="))


def kinds_of_hits(page: Page) -> list[str]:
    return page.locator(".search-hit .search-kind").all_inner_texts()


def test_search_from_the_header_finds_every_kind_and_filters_by_kind(live_server: LiveServer, lang_page: Any, size: str,
                                                                     lang: str) -> None:
    seed(live_server, lang)
    words = WORDS[lang]
    page = lang_page(size, lang)

    search_from_the_header(page, live_server, words)

    hits = page.locator(".search-hit")
    expect(hits).to_have_count(3)
    assert sorted(kinds_of_hits(page)) == sorted(words["kinds"].values())
    expect(hits.locator("mark").first).to_be_visible()
    tabs = page.get_by_role("navigation", name=re.compile("Kinds of results|Types de résultats"))
    expect(tabs.get_by_role("link", name=f"{words['all_tab']} (3)")).to_have_attribute("aria-current", "page")
    width = page.viewport_size["width"]
    for tab in tabs.get_by_role("link").all():  # every kind in sight, none scrolled away
        box = tab.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (tab.inner_text(), box, width)
    snap(page, f"search-results-{lang}")

    tabs.get_by_role("link", name=f"{words['posts_tab']} (1)").click()

    expect(hits).to_have_count(1)
    assert kinds_of_hits(page) == [words["kinds"]["posts"]]
    expect(tabs.get_by_role("link", name=f"{words['posts_tab']} (1)")).to_have_attribute("aria-current", "page")
    hits.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/posts/\d+$"))
    page.problems.assert_none()
