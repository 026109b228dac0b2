"""Top fans in a real browser, at desktop (1280) and phone (390) sizes, in English and French.

A small community was active over the last weeks (its events recorded in the past, then the
nightly pass), and an admin set the tiers so that Lucie, a fan, stands just below the superfan
line. Lucie signs in, opens My engagement from the account menu and reads how many points she
lacks; then she posts, likes, votes for an idea and comments, each through the pages, until she
crosses the line. The bell tells her, her engagement page and her profile show the superfan
badge, and the leaderboard lists her. A staff member then opens Staff → Fans, filters the
superfans, exports them as CSV (Lucie's row is in it), opens Lucie's page and adds a note. An
admin finds the fans settings in the administration's navigation; a share over 100% is refused.

Every page is reached by clicking visible links: only the home page is opened by its address.

Screenshots (tests/browser/screenshots/, "-desktop" or "-phone" appended):
fans-engagement-<lang> (the meter), fans-engagement-superfan-<lang>, fans-notifications-<lang>,
fans-profile-<lang>, fans-leaderboard-<lang>, fans-staff-<lang> (the list, superfans),
fans-staff-fan-<lang> (Lucie's page with the note), fans-admin-<lang> and fans-admin-error-<lang>.
"""
from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import url_for
from playwright.sync_api import Locator, Page, expect

from portal.accounts.models import Role, User
from portal.community import service as community
from portal.community.models import Post
from portal.extensions import db
from portal.fans import jobs, rules, service, tiers
from portal.fans.models import FanStanding
from portal.feedback import service as feedback
from portal.feedback import triage
from portal.kernel.timeutil import utcnow

from .conftest import PASSWORD, LiveServer, shot

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("size", ["desktop", "phone"]),
              pytest.mark.parametrize("lang", ["en", "fr"])]

NUMBER = r"[\d\s\u00a0\u202f.,]+"
TEXT = {
    "en": {"to_superfan": rf"({NUMBER}) points to superfan", "now_superfan": "You are now a superfan",
           "top": "You are a superfan: the top tier.", "note_added": "The note is added.", "fan": "Fan",
           "share_error": "Enter a share from 0 to 100%.", "saved": "Saved. The tier lines are being redrawn.",
           "refused": "Nothing was changed: correct the fields marked below."},
    "fr": {"to_superfan": rf"Encore ({NUMBER}) points pour être superfan", "now_superfan": "Vous êtes désormais superfan",
           "top": "Vous êtes superfan\u00a0: le niveau le plus élevé.", "note_added": "La note est ajoutée.", "fan": "Fan",
           "share_error": "Indiquez une part de 0 à 100\u00a0%.",
           "saved": "Enregistré. Les seuils des niveaux sont en cours de recalcul.",
           "refused": "Rien n’a été modifié\u00a0: corrigez les champs signalés ci-dessous."},
}
ESTABLISHED = timedelta(days=30)


# -- the community, set up through the services -----------------------------------------------------


@dataclass
class Community:
    lucie: User
    marta: User
    tom: User
    stella: User  # staff
    ada: User  # admin
    marta_posts: list[int]
    idea: int
    board: str
    floor: int  # the superfan line the admin set, in points


@contextmanager
def days_ago(days: float) -> Iterator[None]:
    """What the services record inside happened `days` ago (the ledger reads the session's clock)."""
    db.session.info["clock"] = utcnow() - timedelta(days=days)
    try:
        yield
    finally:
        db.session.info.pop("clock", None)


def person(live: LiveServer, name: str, lang: str, role: Role = Role.MEMBER) -> User:
    """A verified member whose account is a month old, speaking the journey's language."""
    first = name.split()[0].lower()
    return live.create_member(email=f"{first}-{lang}@example.com", username=f"{first}{lang}", display_name=name,
                              role=role, locale=lang, created_at=utcnow() - ESTABLISHED)


def seed(live: LiveServer, lang: str) -> Community:
    """Marta posts a lot (a superfan), Tom and Lucie less (fans), Nina once; the superfan floor is set a few
    contributions above Lucie's score, and the superfan share wide enough that the floor is the line."""
    lucie, marta = person(live, "Lucie Martin", lang), person(live, "Marta Ruiz", lang)
    tom, nina = person(live, "Tom Berger", lang), person(live, "Nina Okafor", lang)
    stella, ada = person(live, "Stella Staff", lang, Role.STAFF), person(live, "Ada Admin", lang, Role.ADMIN)
    with live.app.app_context(), live.app.test_request_context():
        get = db.session.get
        board = triage.save_board(db.session, get(User, ada.id), None, name="Product ideas", slug="product-ideas",
                                  description="What should Fernhill make next?", visibility="public", vote_budget=5,
                                  categories="Footwear\nTents")
        with days_ago(12):
            posts = [community.create_post(db.session, get(User, marta.id), body=f"Marta's trail report, day {n}").id
                     for n in range(1, 11)]
            idea, _voted = feedback.submit_idea(db.session, board, get(User, marta.id),
                                                title="A two-person tent under one kilo", description="Light!")
        with days_ago(9):
            for n in range(1, 4):
                community.create_post(db.session, get(User, tom.id), body=f"Tom's gear list number {n}")
            community.create_post(db.session, get(User, nina.id), body="Hello from Nina, new here")
        with days_ago(6):
            for n in range(1, 5):
                community.create_post(db.session, get(User, lucie.id), body=f"Lucie's campsite review {n}")
            for n, post_id in enumerate(posts[:3], start=1):
                community.add_comment(db.session, get(Post, post_id), get(User, lucie.id), body=f"Lovely, thanks ({n})")
        ids = {"idea": idea.id, "board": board.slug}
    with live.app.app_context():
        jobs.nightly_pass()
    with live.app.app_context(), live.app.test_request_context():
        settings = rules.settings(db.session)
        standing = db.session.get(FanStanding, lucie.id)
        score = tiers.tier_score(standing, tiers.givers(db.session, [lucie.id]).get(lucie.id, 0), settings)
        # Nine points above her (less a fraction): her day's visit, a post, two likes and a vote leave her short;
        # the comment (a comment and a reply to another member) takes her over.
        floor = math.floor(score) + 9
        raw = {name: str(value) for name, value in asdict(settings).items()}
        raw.update(superfan_percent="50", superfan_floor=str(floor), fan_percent="75", fan_floor="10")
        service.save_settings(db.session, db.session.get(User, ada.id), raw,
                              {kind: str(weight) for kind, weight in rules.weights(db.session).items()})
    with live.app.app_context():
        jobs.nightly_pass()
        tiers_now = {u.display_name: db.session.get(User, u.id).tier.value for u in (lucie, marta, tom, nina)}
    assert tiers_now == {"Lucie Martin": "fan", "Marta Ruiz": "superfan", "Tom Berger": "fan",
                         "Nina Okafor": "member"}, tiers_now
    return Community(lucie=lucie, marta=marta, tom=tom, stella=stella, ada=ada, marta_posts=posts,
                     idea=ids["idea"], board=ids["board"], floor=floor)


# -- moving around by the visible navigation ------------------------------------------------------------


def header(p: Page) -> Locator:
    return p.locator("header.site-header")


def sign_in(p: Page, live: LiveServer, user: User) -> None:
    """From the home page's header: the sign-in link, the form found by its fields' names."""
    p.goto(live.url + "/")
    header(p).locator("a[href^='/login']").first.click()
    p.locator("input[name=email]").fill(user.email)
    p.locator("input[name=password]").fill(PASSWORD)
    p.locator("main form button[type=submit]").click()
    expect(header(p).locator("details.account-menu")).to_have_count(1)


def account_link(p: Page, href: str) -> None:
    """A link of the account menu (the avatar), the same at every width."""
    menu = header(p).locator("details.account-menu")
    menu.locator("summary").click()
    menu.locator(f".menu-panel a[href='{href}']").click()
    expect(p).to_have_url(re.compile(re.escape(href) + r"([?#].*)?$"))


def header_link(p: Page, size: str, href: str) -> None:
    """A main link or a staff page: in the "Menu" panel on a phone, in the row (or its Staff menu) on a desktop."""
    if size == "phone":
        header(p).locator("details.nav-menu > summary").click()
        header(p).locator(f"details.nav-menu .menu-panel a[href='{href}']").first.click()
    else:
        link = header(p).locator(f".main-nav > a[href='{href}']")
        if link.count() == 0:
            header(p).locator("details.staff-menu > summary").click()
            link = header(p).locator(f".main-nav .staff-menu a[href='{href}']")
        link.first.click()
    expect(p).to_have_url(re.compile(re.escape(href) + r"(\?.*)?$"))


def fits(p: Page, where: str) -> None:
    """Nothing makes the page scroll sideways (what a phone shows badly first)."""
    wide = p.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 1, f"{where}: the page is {wide}px wider than the window"


def snap(p: Page, name: str) -> Path:
    """shot() from the top, without the flash messages a full-page capture would draw over the content."""
    p.evaluate("() => { window.scrollTo(0, 0); }")
    return shot(p, name)


def missing_points(p: Page, lang: str) -> float:
    """The meter's "… points to superfan", as a number."""
    line = p.locator(".fans-progress")
    expect(line).to_contain_text(re.compile(TEXT[lang]["to_superfan"]))
    match = re.search(TEXT[lang]["to_superfan"], line.inner_text())
    digits = re.sub(r"[\s\u00a0\u202f]", "", match.group(1))
    return float(digits.replace(",", ".") if lang == "fr" else digits.replace(",", ""))


def engagement(p: Page, lang: str) -> float:
    """Open My engagement from the account menu; returns the points still missing to superfan."""
    account_link(p, "/me/engagement")
    expect(p.locator(".fans-standing .tier-badge.tier-fan")).to_have_text(re.compile(TEXT[lang]["fan"]))
    return missing_points(p, lang)


# -- the journeys ------------------------------------------------------------------------------------------


def test_a_member_becomes_a_superfan_and_staff_export_her(live_server: LiveServer, lang_page: Any, size: str,
                                                          lang: str) -> None:
    live, words = live_server, TEXT[lang]
    town = seed(live, lang)
    lucie = town.lucie

    # Lucie, a fan, reads how far the superfan line is: the meter and the points.
    p: Page = lang_page(size, lang)
    sign_in(p, live, lucie)
    expect(p.locator("html")).to_have_attribute("lang", lang)
    start = engagement(p, lang)
    assert 7 < start < 9, start  # nine points less a fraction, and her visit today
    share = float(p.locator(".fans-progress progress").get_attribute("value"))
    assert 70 < share < 100, share
    fits(p, "my engagement")
    snap(p, f"fans-engagement-{lang}")

    # A post, from the header's "New post".
    header(p).locator("a.header-new").click()
    collapsed = p.locator("details.composer-collapsible:not([open]) > summary")
    if collapsed.count():
        collapsed.click()
    p.locator("textarea[name=body]").fill("Our first night above the lake: the tent held, the stove did not.")
    p.locator("form.composer button[type=submit]").click()
    expect(p).to_have_url(re.compile(r"/posts/\d+$"))

    # Two of Marta's posts liked on the community page, without a reload.
    header_link(p, size, "/community")
    for post_id in town.marta_posts[-2:]:
        like = p.locator(f"#post-{post_id} button.like-button")
        like.click()
        expect(like).to_have_attribute("aria-pressed", "true")

    # A vote for Marta's idea on the board.
    header_link(p, size, "/boards")
    p.locator(f"main a[href='/boards/{town.board}']").first.click()
    box = p.locator(f"#idea-{town.idea} .vote-box")
    box.locator("button.vote-button").click()
    expect(box).to_have_class(re.compile(r"\bis-voted\b"))

    # Still short by less than a point: the meter followed.
    left = engagement(p, lang)
    assert 0 < left < 1.01, left
    assert left < start - 6

    # A comment under one of Marta's posts takes her over the line.
    header_link(p, size, "/community")
    p.locator(f"#post-{town.marta_posts[-1]} a.action-open").click()
    p.locator("#comment-form textarea[name=body]").fill("Same lake last summer: bring a windscreen for the stove!")
    p.locator("#comment-form button[type=submit]").click()
    expect(p).to_have_url(re.compile(r"/posts/\d+#comment-\d+$"))

    # The bell says so; the notification leads to her engagement page, where she is a superfan with the badge.
    bell = header(p).locator("a.bell")
    expect(bell.locator(".bell-count")).to_be_visible()
    bell.click()
    told = p.locator("li.notification.kind-tier").filter(has_text=words["now_superfan"])  # a fan since the setup
    expect(told).to_have_count(1)
    expect(told).to_have_class(re.compile(r"\bis-unread\b"))
    expect(p.locator("li.notification.kind-badge").filter(has_text="Superfan")).to_have_count(1)
    fits(p, "notifications")
    snap(p, f"fans-notifications-{lang}")
    told.locator("a.notification-link").click()
    expect(p).to_have_url(re.compile(r"/me/engagement$"))
    expect(p.locator(".fans-standing .tier-badge.tier-superfan")).to_be_visible()
    expect(p.locator(".fans-progress")).to_contain_text(words["top"])
    expect(p.locator("#badges a.badge-tile[href$='/badges/superfan']:not(.is-missing)")).to_have_count(1)
    fits(p, "my engagement, superfan")
    snap(p, f"fans-engagement-superfan-{lang}")

    # Her profile shows the tier and the badge.
    with live.app.test_request_context():
        profile = url_for("accounts.member", user_id=lucie.id)
    account_link(p, profile)
    fans_part = p.locator(".profile-fans")
    expect(fans_part.locator(".tier-badge.tier-superfan")).to_be_visible()
    expect(fans_part.locator("a.badge-tile[href$='/badges/superfan']")).to_have_count(1)
    fits(p, "profile")
    snap(p, f"fans-profile-{lang}")

    # The leaderboard, from the main navigation, lists her; and among the superfans too.
    header_link(p, size, "/leaderboard")
    board = p.locator("table.leaderboard")
    expect(board).to_contain_text(lucie.display_name)
    p.locator("nav.pill-links a[href*='tier=superfans']").click()
    rows = p.locator("table.leaderboard tbody tr")
    expect(rows.filter(has_text=lucie.display_name).locator(".tier-badge.tier-superfan")).to_have_count(1)
    expect(rows.filter(has_text=town.tom.display_name)).to_have_count(0)
    fits(p, "leaderboard")
    snap(p, f"fans-leaderboard-{lang}")
    p.problems.assert_none()

    # Staff: Staff → Fans, the superfans, the CSV with Lucie's row, her page and a note.
    s: Page = lang_page(size, lang)
    sign_in(s, live, town.stella)
    header_link(s, size, "/staff/fans")
    s.locator("form.filters select[name=tier]").select_option("superfan")
    s.locator("form.filters button[type=submit]").click()
    expect(s).to_have_url(re.compile(r"/staff/fans\?.*tier=superfan"))
    table = s.locator("table.fans-table tbody")
    expect(table.locator(f"a[href='/staff/fans/{lucie.id}']")).to_have_count(1)
    expect(table.locator(f"a[href='/staff/fans/{town.tom.id}']")).to_have_count(0)
    fits(s, "staff fans")
    snap(s, f"fans-staff-{lang}")
    with s.expect_download() as download:
        s.locator("main a[href^='/staff/fans.csv']").click()
    exported = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    emails = {row["email"]: row for row in exported}
    assert lucie.email in emails, exported
    assert emails[lucie.email]["tier"] == "superfan"
    assert town.tom.email not in emails and town.marta.email in emails

    table.locator(f"a[href='/staff/fans/{lucie.id}']").click()
    expect(s.locator("h1")).to_have_text(lucie.display_name)
    note = "Loves the lake trips: ask her to test the new stove."
    s.locator("#notes textarea[name=body]").fill(note)
    s.locator("#notes button[type=submit]").click()
    expect(s.locator(".flashes")).to_contain_text(words["note_added"])
    expect(s.locator("#notes")).to_contain_text(note)
    expect(s.locator("#badges")).to_contain_text("Superfan")
    fits(s, "staff fan")
    s.evaluate("() => document.querySelector('.flashes')?.remove()")
    snap(s, f"fans-staff-fan-{lang}")
    s.problems.assert_none()


def test_admins_reach_the_fans_settings(live_server: LiveServer, lang_page: Any, size: str, lang: str) -> None:
    """Administration → Fans: the tier lines today, the weights; a share over 100% is refused, a good one saved."""
    live, words = live_server, TEXT[lang]
    town = seed(live, lang)
    p: Page = lang_page(size, lang)
    sign_in(p, live, town.ada)
    with live.app.test_request_context():
        members, settings = url_for("admin.members"), url_for("fans_admin.settings")
    account_link(p, members)
    p.locator(f"nav.tabs a[href='{settings}']").click()
    expect(p).to_have_url(re.compile(re.escape(settings) + "$"))
    expect(p.locator("input[name=superfan_floor]")).to_have_value(str(town.floor))
    fits(p, "admin fans")
    snap(p, f"fans-admin-{lang}")

    p.locator("input[name=superfan_percent]").fill("150")
    p.locator("form.fans-settings button[type=submit]").click()
    expect(p.locator(".flashes")).to_contain_text(words["refused"])
    expect(p.locator("#superfan_percent-error")).to_contain_text(words["share_error"])
    expect(p.locator("input[name=superfan_percent]")).to_have_attribute("aria-invalid", "true")
    fits(p, "admin fans, refused")
    snap(p, f"fans-admin-error-{lang}")

    p.locator("input[name=superfan_percent]").fill("40")
    p.locator("form.fans-settings button[type=submit]").click()
    expect(p.locator(".flashes")).to_contain_text(words["saved"])
    expect(p.locator("input[name=superfan_percent]")).to_have_value("40")
    p.problems.assert_none()
