"""Every main page has exactly one h1 and no serious or critical axe-core violation.

axe-core is vendored in tests/browser/vendor/ (see its README for the version). It is added to
each page by Playwright's init script (the DevTools protocol, so the site's Content-Security-Policy
stays as it is for the site's own scripts), then `axe.run()` checks the page as drawn.

The pages are reached as a person reaches them: from the first page, by the header's links (the
"Menu" on phones), the links on the pages and the search box; signed out, then signed in as an
admin, in English and French, at desktop and phone sizes.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from portal.accounts.models import Role
from portal.community.models import Post
from portal.extensions import db
from portal.feedback.models import Board, Idea
from portal.kernel.timeutil import utcnow

from .conftest import LiveServer, size_of
from .test_navigation import sign_in_by_form

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("size", ["desktop", "phone"]),
              pytest.mark.parametrize("lang", ["en", "fr"])]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")


def audit(p: Page, name: str, found: dict[str, list[str]]) -> None:
    """Record this page's problems under `name`: the number of h1, and axe's serious and critical violations."""
    p.wait_for_load_state("load")
    problems = []
    headings = p.locator("h1").count()
    if headings != 1:
        problems.append(f"{headings} h1 elements (one expected)")
    result = p.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    for violation in result["violations"]:
        if violation["impact"] in FAILING_IMPACTS:
            targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:4])
            problems.append(f"{violation['impact']} {violation['id']}: {violation['help']} — {targets}")
    if problems:
        found[name] = problems


def header_link(p: Page, path: str) -> None:
    """Click the header's link to `path`, opening the phone menu first when the links live there."""
    header = p.locator("header.site-header")
    toggle = header.locator("details.nav-menu > summary")
    if size_of(p) == "phone":
        toggle.click()
        header.locator(f"details.nav-menu .menu-panel a[href='{path}']").click()
    else:
        header.locator(f".main-nav a[href='{path}'], .account-nav a[href='{path}']").first.click()
    expect(p).to_have_url(re.compile(re.escape(path) + r"(\?.*)?$"))


def menu_link(p: Page, menu: str, path: str) -> None:
    """Open a header menu (the account menu, or the staff menu / phone menu) and click its link to `path`."""
    header = p.locator("header.site-header")
    if menu == "staff" and size_of(p) == "phone":
        menu = "nav"
    details = header.locator(f"details.{menu}-menu")
    details.locator("summary").click()
    details.locator(f".menu-panel a[href='{path}']").click()
    expect(p).to_have_url(re.compile(re.escape(path) + r"(\?.*)?$"))


def search(p: Page, words: str) -> None:
    header = p.locator("header.site-header")
    toggle = header.locator("details.nav-menu > summary")
    if size_of(p) == "phone":
        toggle.click()
        box = header.locator("form.header-search input[name=q]")
        box.fill(words)
        box.press("Enter")
    else:
        header_link(p, "/search")
        box = p.locator("main input[name=q]").first
        box.fill(words)
        box.press("Enter")
    expect(p).to_have_url(re.compile(r"/search\?"))


def content(live: LiveServer) -> dict[str, Any]:
    """A post, a board and an idea to visit."""
    author = live.create_member(display_name="Alex Fan")
    with live.app.app_context():
        post = Post(author_id=author.id, body="First night out with the kids in the new tent",
                    body_html="<p>First night out with the kids in the new tent</p>", published_at=utcnow())
        board = Board(slug="gear", name="Gear", description="What we should make next", idea_count=1)
        db.session.add_all([post, board])
        db.session.flush()
        idea = Idea(board_id=board.id, author_id=author.id, title="Lighter tent poles", description="Carbon, please",
                    description_html="<p>Carbon, please</p>")
        db.session.add(idea)
        db.session.commit()
        return {"post": post.id, "board": board.slug, "idea": idea.id}


def test_main_pages_have_one_h1_and_no_serious_axe_violation(live_server: LiveServer, lang_page: Any,
                                                            size: str, lang: str) -> None:
    live = live_server
    made = content(live)
    admin = live.create_member(email=f"admin-{size}-{lang}@example.com", display_name="Ada Admin", role=Role.ADMIN,
                               locale=lang)
    p: Page = lang_page(size, lang)
    p.context.add_init_script(path=str(AXE))
    found: dict[str, list[str]] = {}

    def visit_content(who: str) -> None:
        header_link(p, "/community")
        audit(p, f"{who} community", found)
        p.locator(f"main a[href='/posts/{made['post']}']").first.click()
        audit(p, f"{who} post", found)
        header_link(p, "/boards")
        audit(p, f"{who} boards", found)
        p.locator(f"main a[href='/boards/{made['board']}']").first.click()
        audit(p, f"{who} board", found)
        p.locator(f"main a[href='/ideas/{made['idea']}']").first.click()
        audit(p, f"{who} idea", found)
        search(p, "tent")
        audit(p, f"{who} search", found)

    p.goto(live.url + "/")
    audit(p, "signed out landing", found)
    visit_content("signed out")
    p.locator("header.site-header a[href='/signup']").click()
    audit(p, "sign-up", found)
    p.locator("header.site-header a[href^='/login']").click()
    audit(p, "sign-in", found)

    sign_in_by_form(p, admin.email)
    audit(p, "signed in feed", found)
    visit_content("signed in")
    menu_link(p, "account", "/account/settings")
    audit(p, "settings", found)
    if size_of(p) == "phone":
        menu_link(p, "nav", "/staff")
    else:
        p.locator("header.site-header .main-nav a[href='/staff']").click()
    audit(p, "staff home", found)
    menu_link(p, "staff", "/staff/priorities")
    audit(p, "priorities", found)
    menu_link(p, "staff", "/admin/audit")
    audit(p, "audit log", found)
    assert not found, "\n".join(f"{page} ({lang}, {size}): " + "\n    ".join(problems) for page, problems in found.items())
