"""The header works at every width from 320 to 1600 px, in English and French.

Every menu in the header is opened at each width; its panel must be visible, inside the
viewport, and really on top: `document.elementFromPoint` at the centre of each of its links
must land on that link (a panel clipped by an `overflow` ancestor, or drawn under another
element, fails here even though Playwright calls it "visible"). The header's items must not
overlap one another, and every staff page must be reachable from the header at every width.
"""
from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from portal.accounts.models import Role

from .conftest import PASSWORD, LiveServer, shot

pytestmark = pytest.mark.browser

WIDTHS = (320, 390, 768, 1024, 1280, 1440, 1600)
HEIGHT = 800
# Long enough to need room in the header, in both languages.
ADMIN_NAME = "Alexandrine Delacroix"
STAFF_PAGES = ("/staff", "/staff/priorities", "/questions", "/moderation", "/admin/audit")

# Is this panel on screen, and on top at each of its links? Returns what is wrong, in words.
PANEL_PROBLEMS = """(panel) => {
  const problems = [];
  const vw = document.documentElement.clientWidth, vh = window.innerHeight;
  const r = panel.getBoundingClientRect();
  if (r.width < 1 || r.height < 1) problems.push("the panel has no size");
  if (r.left < 0 || r.top < 0 || r.right > vw + 0.5 || r.bottom > vh + 0.5)
    problems.push(`the panel is outside the ${vw}x${vh} viewport: ${JSON.stringify(r)}`);
  for (const link of panel.querySelectorAll("a, button")) {
    const b = link.getBoundingClientRect();
    const x = b.left + b.width / 2, y = b.top + b.height / 2;
    const hit = document.elementFromPoint(x, y);
    if (!hit || !(hit === link || link.contains(hit)))
      problems.push(`"${link.textContent.trim()}" at ${Math.round(x)},${Math.round(y)} is covered by ` +
                    (hit ? hit.outerHTML.slice(0, 90) : "nothing (off screen)"));
  }
  return problems;
}"""

# The header's visible items: none may overlap another, leave the viewport, or be covered.
HEADER_PROBLEMS = """(header) => {
  const problems = [];
  const vw = document.documentElement.clientWidth;
  const items = [...header.querySelectorAll(".brand, .main-nav > *, .account-nav > *, .nav-menu > summary")]
    .filter((el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0
                       && getComputedStyle(el).visibility !== "hidden"; });
  const name = (el) => (el.textContent.trim() || el.getAttribute("aria-label") || el.className).slice(0, 40);
  for (const text of header.querySelectorAll(".brand-name, .menu-name, .header-new-label, .main-nav a")) {
    const r = text.getBoundingClientRect();
    if (r.width > 1 && text.scrollWidth > text.clientWidth + 1) problems.push(`"${name(text)}" is cut off`);
  }
  items.forEach((el, i) => {
    const a = el.getBoundingClientRect();
    if (a.left < -0.5 || a.right > vw + 0.5) problems.push(`"${name(el)}" leaves the viewport: ${a.left}..${a.right}`);
    const hit = document.elementFromPoint(a.left + a.width / 2, a.top + a.height / 2);
    if (!hit || !(hit === el || el.contains(hit)))
      problems.push(`"${name(el)}" is covered by ${hit ? hit.outerHTML.slice(0, 90) : "nothing"}`);
    items.slice(i + 1).forEach((other) => {
      if (el.contains(other) || other.contains(el)) return;
      const b = other.getBoundingClientRect();
      const overlap = Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1
                   && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
      if (overlap) problems.push(`"${name(el)}" overlaps "${name(other)}"`);
    });
  });
  return problems;
}"""

# Links (and search boxes) a person can use in the header right now: visible, on top, not inside a closed menu.
CLICKABLE_LINKS = """(root) => [...root.querySelectorAll("a[href], form[role=search] input")].filter((a) => {
  const r = a.getBoundingClientRect();
  if (r.width < 1 || r.height < 1) return false;
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return hit && (hit === a || a.contains(hit));
}).map((a) => new URL(a.href || a.form.action).pathname)"""


def _menus(p: Page) -> list[Any]:
    """The header's menus whose toggle can be seen at this width."""
    p.wait_for_load_state()  # until the stylesheet applies, every toggle looks visible
    menus = p.locator("header.site-header details.menu")
    return [menus.nth(i) for i in range(menus.count()) if menus.nth(i).locator("summary").is_visible()]


def check_header(p: Page, where: str) -> set[str]:
    """Open every header menu and check it; returns every path reachable from the header."""
    header = p.locator("header.site-header")
    problems = [f"{where}: {problem}" for problem in header.evaluate(HEADER_PROBLEMS)]
    reachable = set(header.evaluate(CLICKABLE_LINKS))
    for menu in _menus(p):
        label = menu.locator("summary").get_attribute("aria-label") or menu.locator("summary").inner_text()
        menu.locator("summary").click()
        expect(menu).to_have_attribute("open", "")
        panel = menu.locator(".menu-panel")
        expect(panel).to_be_visible()
        problems += [f"{where}, menu {label!r}: {problem}" for problem in panel.evaluate(PANEL_PROBLEMS)]
        reachable |= set(panel.evaluate(CLICKABLE_LINKS))
        p.keyboard.press("Escape")
        expect(menu).not_to_have_attribute("open", "")
    assert not problems, "\n".join(problems)
    return reachable


def sign_in_by_form(p: Page, email: str) -> None:
    """The sign-in form, found by its fields' names (its labels depend on the language)."""
    p.locator("header.site-header a[href^='/login']").first.click()
    p.locator("input[name=email]").fill(email)
    p.locator("input[name=password]").fill(PASSWORD)
    p.locator("main form button[type=submit]").click()
    expect(p.locator("header.site-header details.account-menu")).to_have_count(1)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_header_menu_works_at_every_width(live_server: LiveServer, lang_page: Any, lang: str) -> None:
    live = live_server
    admin = live.create_member(email=f"admin-{lang}@example.com", display_name=ADMIN_NAME, role=Role.ADMIN, locale=lang)
    p: Page = lang_page("desktop", lang)
    p.goto(live.url + "/")
    expect(p.locator("html")).to_have_attribute("lang", lang)

    for width in WIDTHS:  # signed out: the links and the sign-in buttons
        p.set_viewport_size({"width": width, "height": HEIGHT})
        reachable = check_header(p, f"signed out, {lang}, {width}px")
        assert {"/community", "/boards", "/search", "/login", "/signup"} <= reachable, (width, reachable)

    p.set_viewport_size({"width": 1280, "height": HEIGHT})
    sign_in_by_form(p, admin.email)
    expect(p.locator("html")).to_have_attribute("lang", lang)
    for width in WIDTHS:
        p.set_viewport_size({"width": width, "height": HEIGHT})
        reachable = check_header(p, f"admin, {lang}, {width}px")
        missing = {"/community", "/boards", "/posts/new", "/notifications", "/account/settings", "/search", *STAFF_PAGES} - reachable
        assert not missing, f"{lang}, {width}px: the header does not reach {sorted(missing)}"
        # The admin's name is shown whole: in the header where there is room, always at the top of the account menu.
        account = p.locator("header.site-header details.account-menu")
        account.locator("summary").click()
        expect(account.locator(".menu-panel .menu-who")).to_have_text(ADMIN_NAME)
        assert account.locator(".menu-panel .menu-who").evaluate("(el) => el.scrollWidth <= el.clientWidth + 1")
        if width in (390, 1280):
            shot(p, f"header-account-menu-{lang}-{width}")
        p.keyboard.press("Escape")
    p.problems.assert_none()


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_staff_reach_their_tools_in_one_click(live_server: LiveServer, lang_page: Any, size: str, lang: str) -> None:
    """"Staff" in the header is the staff home; its menu (or the phone menu) lists the staff pages."""
    live = live_server
    staff = live.create_member(email=f"staff-{size}-{lang}@example.com", display_name="Sam Staff", role=Role.STAFF, locale=lang)
    p: Page = lang_page(size, lang)
    p.goto(live.url + "/")
    sign_in_by_form(p, staff.email)
    staff_label = "Staff" if lang == "en" else "Équipe"
    header = p.locator("header.site-header")
    if size == "phone":
        header.locator("details.nav-menu > summary").click()
        panel = header.locator("details.nav-menu .menu-panel")
        expect(panel).to_be_visible()
        # The summary chevron is drawn once, by CSS: no second chevron icon inside the toggle.
        shot(p, f"header-phone-menu-{lang}")
        panel.get_by_role("link", name=staff_label, exact=True).click()
    else:
        staff_menu = header.locator("details.staff-menu")
        expect(staff_menu.locator("summary svg")).to_have_count(0)
        staff_menu.locator("summary").click()
        expect(staff_menu.locator(".menu-panel")).to_be_visible()
        shot(p, f"header-staff-menu-{lang}")
        p.keyboard.press("Escape")
        header.locator(".main-nav").get_by_role("link", name=staff_label, exact=True).click()
    expect(p).to_have_url(live.url + "/staff")
    expect(p.locator("h1")).to_have_count(1)
    p.problems.assert_none()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_board_sort_tabs_stay_on_one_line_on_a_phone(live_server: LiveServer, lang_page: Any, lang: str) -> None:
    """The board's sort tabs scroll sideways on a phone instead of wrapping onto a second line."""
    from .test_accessibility import content  # the same post, board and idea as the accessibility journey

    live = live_server
    made = content(live)
    p: Page = lang_page("phone", lang)
    p.goto(live.url + "/")
    header = p.locator("header.site-header")
    header.locator("details.nav-menu > summary").click()
    header.locator("details.nav-menu .menu-panel a[href='/boards']").click()
    p.locator(f"main a[href='/boards/{made['board']}']").first.click()
    tabs = p.locator("nav.tabs a")
    expect(tabs).to_have_count(4)
    tops = {round(tabs.nth(i).bounding_box()["y"]) for i in range(4)}
    assert len(tops) == 1, f"the sort tabs wrap onto {len(tops)} lines"
    assert p.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    last = tabs.nth(3)
    last.scroll_into_view_if_needed()
    box = last.bounding_box()
    assert 0 <= box["x"] and box["x"] + box["width"] <= p.viewport_size["width"] + 1, "the last tab cannot be reached"
    shot(p, f"board-tabs-{lang}")
    p.problems.assert_none()


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_staff_home_and_audit_log_journey(live_server: LiveServer, lang_page: Any, size: str, lang: str) -> None:
    """An admin opens the staff home from the header, marks an idea reviewed, then reads and filters the audit log
    and follows one of its links to the post it names."""
    from datetime import timedelta

    from portal.community import moderation
    from portal.community.models import Post, Report
    from portal.extensions import db
    from portal.kernel.timeutil import utcnow

    from .test_accessibility import content

    live = live_server
    content(live)  # the idea the staff home lists as new
    admin = live.create_member(email=f"ada-{size}-{lang}@example.com", display_name="Ada Admin", role=Role.ADMIN, locale=lang)
    sam = live.create_member(display_name="Sam Moderator", role=Role.MODERATOR)
    fan = live.create_member(display_name="Alex Fan")
    with live.app.test_request_context():
        asked = utcnow() - timedelta(hours=6)
        question = Post(author_id=fan.id, body="Do the new tents fit four?", body_html="<p>Do the new tents fit four?</p>",
                        is_question=True, created_at=asked, published_at=asked)
        rude = Post(author_id=fan.id, body="Buy cheap watches here", body_html="<p>Buy cheap watches here</p>",
                    published_at=utcnow())
        db.session.add_all([question, rude])
        db.session.commit()
        db.session.add(Report(reporter_id=admin.id, post_id=question.id, reason="Is this a duplicate?"))
        db.session.commit()
        moderation.hide(db.session, db.session.get(type(admin), sam.id), post=db.session.get(Post, rude.id), note="spam")
        rude_id = rude.id

    p: Page = lang_page(size, lang)
    p.goto(live.url + "/")
    sign_in_by_form(p, admin.email)
    header = p.locator("header.site-header")
    if size == "phone":
        header.locator("details.nav-menu > summary").click()
        header.locator("details.nav-menu .menu-panel a[href='/staff']").click()
    else:
        header.locator(".main-nav a[href='/staff']").click()
    expect(p).to_have_url(live.url + "/staff")
    counts = p.locator(".staff-count")
    expect(counts).to_have_count(4)
    expect(counts.nth(0).locator(".staff-count-number")).to_have_text("1")  # the question, 6 hours old
    expect(counts.nth(0)).to_have_class(re.compile("is-late"))
    expect(counts.nth(1).locator(".staff-count-number")).to_have_text("1")  # the open report
    expect(counts.nth(2).locator(".staff-count-number")).to_have_text("1")  # the new idea
    shot(p, f"staff-home-{lang}")
    p.locator("#new-ideas form button[type=submit]").click()
    expect(p).to_have_url(live.url + "/staff")
    expect(p.locator(".staff-count").nth(2).locator(".staff-count-number")).to_have_text("0")

    if size == "phone":
        header.locator("details.nav-menu > summary").click()
        header.locator("details.nav-menu .menu-panel a[href='/admin/audit']").click()
    else:
        header.locator("details.staff-menu > summary").click()
        header.locator("details.staff-menu .menu-panel a[href='/admin/audit']").click()
    expect(p).to_have_url(live.url + "/admin/audit")
    hid = "hid the post" if lang == "en" else "a masqué la publication"
    entry = p.locator(".audit-entry").filter(has_text=hid)
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("Sam Moderator")
    expect(entry).to_contain_text("Buy cheap watches here")
    expect(entry).to_contain_text("Alex Fan")
    shot(p, f"audit-log-{lang}")
    p.locator("#audit-actor").select_option(label="Sam Moderator")  # applies at once (data-autosubmit)
    expect(p).to_have_url(re.compile(r"/admin/audit\?actor=\d+"))
    expect(p.locator(".audit-entry")).to_have_count(1)
    p.locator(".audit-entry a[href='/posts/%d']" % rude_id).click()
    expect(p).to_have_url(live.url + f"/posts/{rude_id}")
    p.problems.assert_none()
