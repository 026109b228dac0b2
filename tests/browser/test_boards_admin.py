"""An admin edits a board in a real browser, at desktop and phone sizes: Administration → Boards → Edit,
through the visible menus. Changing only the description keeps the categories (and the ideas filed
under them); a French description then reaches a French reader, who finds the board from the header.
The edit form is saved to tests/browser/screenshots/board-edit-*.png.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from portal.accounts.models import Role, User
from portal.extensions import db
from portal.feedback import service, triage
from portal.feedback.models import Board, Idea
from portal.kernel.timeutil import utcnow

from .conftest import SIZES, TIMEOUT_MS, LiveServer
from .test_community import flashes, header, sign_in, snap

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("size", ["desktop", "phone"])]


def seed(live: LiveServer) -> tuple[User, int]:
    """An admin, and a board with three categories and an idea filed under "Tents"."""
    admin = live.create_member(email="ada@example.com", username="ada", display_name="Ada Admin", role=Role.ADMIN,
                               created_at=utcnow() - timedelta(days=30))
    with live.app.app_context(), live.app.test_request_context():
        board = triage.save_board(db.session, db.session.get(User, admin.id), None, name="Product ideas",
                                  slug="product-ideas", description="What should we make next?", visibility="public",
                                  vote_budget=10, categories="Footwear\nTents\nPacks")
        tents = next(c.id for c in board.categories if c.name == "Tents")
        idea, _ = service.submit_idea(db.session, board, db.session.get(User, admin.id),
                                      title="A two-person tent under one kilo", category_id=tents)
        return admin, idea.id


def open_boards_admin(page: Page) -> None:
    """Administration from the account menu, then its Boards tab."""
    header(page).locator("details.account-menu > summary").click()
    header(page).get_by_role("link", name="Administration", exact=True).click()
    page.locator("nav.tabs").get_by_role("link", name="Boards", exact=True).click()
    expect(page.get_by_role("heading", name="Boards", exact=True)).to_be_visible()


def categories_of(live: LiveServer) -> tuple[list[tuple[int, str]], int | None]:
    with live.app.app_context():
        board = db.session.query(Board).one()
        idea = db.session.query(Idea).one()
        return [(c.id, c.name) for c in board.categories], idea.category_id


def test_an_admin_edits_a_board_and_a_french_reader_sees_it(live_server: LiveServer, page: Any, browser: Any,
                                                             size: str) -> None:
    live = live_server
    admin, idea_id = seed(live)
    before = categories_of(live)

    # 1. Ada reaches the board's edit form through the menus: the categories read as names, one per line.
    a: Page = page(size)
    sign_in(a, live, admin, f"board-admin-sign-in-{size}")
    open_boards_admin(a)
    a.locator("tr", has_text="Product ideas").get_by_role("link", name="Edit").click()
    categories = a.get_by_label("English").nth(2)  # name, description, categories: each has its English box
    expect(a.locator("#categories-en")).to_have_value("Footwear\nPacks\nTents")
    expect(categories).to_have_value("Footwear\nPacks\nTents")
    expect(a.locator("#categories-fr")).to_be_visible()

    # 2. Only the description changes; the categories and the idea's category stay as they were.
    a.locator("#description-en").fill("Tell us what Fernhill should make next.")
    a.get_by_role("button", name="Save the board").click()
    expect(flashes(a)).to_contain_text("The board “Product ideas” is saved.")
    expect(a.locator("table")).to_contain_text("Footwear, Packs, Tents")
    assert categories_of(live) == before

    # 3. Now the French texts; the form shows them again, beside the English ones.
    a.locator("tr", has_text="Product ideas").get_by_role("link", name="Edit").click()
    a.locator("#name-fr").fill("Idées produits")
    a.locator("#description-fr").fill("Dites-nous ce que Fernhill devrait fabriquer.")
    a.locator("#categories-fr").fill("Chaussures\nSacs\nTentes")
    snap(a, "board-edit")
    a.get_by_role("button", name="Save the board").click()
    expect(flashes(a)).to_contain_text("is saved")
    assert categories_of(live) == before
    a.problems.assert_none()

    # 4. A French visitor finds the board from the header ("Idées", in the Menu on a phone) and reads it in French.
    context = browser.new_context(locale="fr-FR", **SIZES[size])
    context.set_default_timeout(TIMEOUT_MS)
    try:
        f: Page = context.new_page()
        f.goto(live.url + "/")
        if size == "phone":
            header(f).locator("details.nav-menu > summary").click()
            header(f).locator("details.nav-menu .menu-panel").get_by_role("link", name="Idées", exact=True).click()
        else:
            header(f).locator("nav.main-nav").get_by_role("link", name="Idées", exact=True).click()
        f.get_by_role("link", name="Idées produits").first.click()
        expect(f.get_by_role("heading", level=1)).to_have_text("Idées produits")
        expect(f.locator("main")).to_contain_text("Dites-nous ce que Fernhill devrait fabriquer.")
        f.get_by_role("link", name="A two-person tent under one kilo").first.click()
        expect(f.locator(".idea-meta")).to_contain_text("Tentes")
        snap(f, "board-french-reader")
    finally:
        context.close()
