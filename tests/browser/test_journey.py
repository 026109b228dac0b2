"""The member's first visit, end to end in a real browser, at desktop and phone sizes.

Every page visited is saved to tests/browser/screenshots/ so a person can look at it.
"""
from __future__ import annotations

import gettext
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Locator, Page, expect

import portal
from portal.accounts.models import Role, User
from portal.extensions import db

from .conftest import PASSWORD, LiveServer, shot

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("size", ["desktop", "phone"])]

PASSPHRASE = "a fine long passphrase"
FRENCH_MO = Path(portal.__file__).resolve().parent / "translations" / "fr" / "LC_MESSAGES" / "messages.mo"


# -- helpers ----------------------------------------------------------------------


def header(page: Page) -> Locator:
    return page.locator("header.site-header")


def flashes(page: Page) -> Locator:
    return page.locator(".flashes")


def open_account_menu(page: Page) -> Locator:
    """Open the account menu in the header (a <details class="menu">) and return its panel."""
    menu = header(page).locator("details.account-menu")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()
    panel = menu.locator(".menu-panel")
    expect(panel).to_be_visible()
    return panel


def sign_out(page: Page, live: LiveServer) -> None:
    """Use the menu's sign-out button, found by its form (its label depends on the language)."""
    open_account_menu(page).locator("form[action='/logout'] button[type=submit]").click()
    expect(page).to_have_url(live.url + "/")
    expect(header(page).locator("details.account-menu")).to_have_count(0)


def sign_in(page: Page, live: LiveServer, email: str, password: str, *, remember: bool = False, name: str = "login") -> None:
    header(page).get_by_role("link", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(live.url) + r"/login(\?.*)?$"))
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    if remember:
        page.get_by_label("Remember me").check()
    shot(page, name)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(flashes(page)).to_contain_text("Welcome back")


def image_loaded(img: Locator) -> bool:
    """Whether the image loaded, once the browser had the time to fetch it: a person sees it a moment after the page
    (the wait ends as soon as it is there; an image that never loads fails on the timeout)."""
    loaded = "(el) => el.complete && el.naturalWidth > 0"
    img.page.wait_for_function(loaded, arg=img.element_handle())
    return img.evaluate(loaded)


def french(msgid: str) -> str | None:
    """The compiled French translation of `msgid`, or None when the catalog is missing or lacks it."""
    if not FRENCH_MO.is_file():
        return None
    with FRENCH_MO.open("rb") as handle:
        translated = gettext.GNUTranslations(handle).gettext(msgid)
    return translated if translated != msgid else None


# -- the journey --------------------------------------------------------------------


def test_member_journey(live_server: LiveServer, page: Any, size: str, tmp_path: Path) -> None:
    live = live_server
    p: Page = page(size)
    email = f"camille-{size}@example.com"

    # 1. Home, "Join", the sign-up form, and the settings page with the unconfirmed badge.
    p.goto(live.url + "/")  # the first visit; from here on, only clicks
    expect(p.locator("html")).to_have_attribute("lang", "en")
    shot(p, "home")
    header(p).get_by_role("link", name="Join", exact=True).click()
    expect(p).to_have_url(live.url + "/signup")
    shot(p, "signup")
    p.get_by_label("Email", exact=True).fill(email)
    p.get_by_label("Display name", exact=True).fill("Camille Fan")
    p.get_by_label("Password", exact=True).fill(PASSPHRASE)
    p.get_by_role("button", name="Create my account").click()
    # The same answer whether or not the address is a member's already: check your email, then sign in.
    expect(p).to_have_url(live.url + "/signup/sent")
    expect(p.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(p.locator("main")).to_contain_text("We sent a message to " + email)
    shot(p, "signup-sent")
    p.locator("main").get_by_role("link", name="Sign in", exact=True).click()
    p.get_by_label("Email", exact=True).fill(email)
    p.get_by_label("Password", exact=True).fill(PASSPHRASE)
    p.get_by_role("button", name="Sign in", exact=True).click()
    expect(flashes(p)).to_contain_text("Welcome back")
    open_account_menu(p).get_by_role("link", name="Settings").click()
    expect(p.locator(".badge-warning")).to_have_text("Not confirmed yet")
    shot(p, "settings-unconfirmed")

    # 2. The demo banner leads to the mail; its link confirms the address.
    p.locator(".demo-banner").get_by_role("link", name="Read your mail").click()
    expect(p).to_have_url(live.url + "/account/inbox")
    mail = p.locator("article.mail-card").filter(has_text="Confirm your email address")
    expect(mail).to_have_count(1)
    expect(mail).to_contain_text(email)
    shot(p, "inbox")
    link = mail.locator("pre.mail-text a[href*='/verify/']")
    expect(link).to_have_count(1)
    assert (link.get_attribute("href") or "").startswith(live.url + "/verify/")
    link.click()
    expect(p).to_have_url(live.url + "/account/settings")
    expect(flashes(p)).to_contain_text("your email address is confirmed")
    expect(p.locator(".badge-success")).to_have_text("Confirmed")
    expect(p.locator(".badge-warning")).to_have_count(0)
    shot(p, "settings-confirmed")

    # 3. Sign out from the account menu, then back in with "remember me".
    open_account_menu(p)
    shot(p, "account-menu")
    sign_out(p, live)
    expect(flashes(p)).to_contain_text("You are signed out.")
    shot(p, "home-signed-out")
    sign_in(p, live, email, PASSPHRASE, remember=True)
    expect(p).to_have_url(live.url + "/feed")  # members land on their feed
    remember = [c for c in p.context.cookies() if c["name"] == "remember_token"]
    assert len(remember) == 1 and remember[0]["httpOnly"] and remember[0]["expires"] > 0
    expect(header(p).locator("details.account-menu summary")).to_contain_text("Camille Fan")
    shot(p, "feed-signed-in")

    # 4. Bio and avatar; the avatar shows in the header and on the public profile.
    open_account_menu(p).get_by_role("link", name="Edit profile").click()
    expect(p).to_have_url(live.url + "/account/profile")
    shot(p, "profile-edit-empty")
    picture = tmp_path / "avatar.png"
    image = Image.new("RGB", (320, 240), (200, 60, 90))
    image.paste((40, 90, 200), (160, 0, 320, 240))  # two halves, so the square crop can be seen to be centred
    image.save(picture)
    p.get_by_label("Short bio").fill("Collects every limited edition since 2019.")
    p.get_by_label("Avatar", exact=True).set_input_files(str(picture))
    p.get_by_role("button", name="Save profile").click()
    expect(p).to_have_url(live.url + "/account/profile")
    expect(flashes(p)).to_contain_text("Your profile is saved.")
    header_avatar = header(p).locator("details.account-menu summary img.avatar")
    expect(header_avatar).to_be_visible()
    expect(header_avatar).to_have_attribute("src", re.compile(r"^/media/avatars/[^/]+\.webp$"))
    assert image_loaded(header_avatar)
    expect(p.locator(".avatar-edit img.avatar")).to_be_visible()
    shot(p, "profile-edit")
    p.get_by_role("link", name="See my public profile").click()
    expect(p).to_have_url(re.compile(re.escape(live.url) + r"/members/\d+$"))
    profile = p.locator(".profile-head")
    expect(profile.get_by_role("heading", name="Camille Fan")).to_be_visible()
    expect(profile.locator(".bio")).to_have_text("Collects every limited edition since 2019.")
    profile_avatar = profile.locator("img.avatar")
    expect(profile_avatar).to_be_visible()
    assert image_loaded(profile_avatar)
    assert profile_avatar.get_attribute("src") == header_avatar.get_attribute("src")
    shot(p, "member-profile")

    # 5. French, from the settings page.
    open_account_menu(p).get_by_role("link", name="Settings").click()
    expect(p).to_have_url(live.url + "/account/settings")
    p.get_by_label("Language").select_option(label="Français")
    p.get_by_role("button", name="Save settings").click()
    expect(p).to_have_url(live.url + "/account/settings")
    expect(p.locator("html")).to_have_attribute("lang", "fr")
    expect(p.get_by_label(french("Language") or "Language")).to_have_value("fr")
    settings_fr = french("Settings")
    if settings_fr is not None:
        assert settings_fr == "Paramètres"
        expect(p.locator("nav.tabs").get_by_role("link", name=settings_fr, exact=True)).to_have_attribute("aria-current", "page")
    shot(p, "settings-fr")

    # 6. Sign out (button found by its form, whatever its language); the settings need a sign-in again.
    sign_out(p, live)
    # Typed on purpose: a signed-out visitor opening a members-only address (a bookmark) is sent to sign in.
    p.goto(live.url + "/account/settings")
    expect(p).to_have_url(re.compile(re.escape(live.url) + r"/login\?next=(/|%2F)account(/|%2F)settings$"))
    expect(p.get_by_role("heading", name="Sign in")).to_be_visible()
    shot(p, "login-required")
    p.problems.assert_none()


def test_admin_changes_a_role(live_server: LiveServer, page: Any, size: str) -> None:
    live = live_server
    admin = live.create_member(email=f"ada-{size}@example.com", display_name="Ada Admin", role=Role.ADMIN)
    sam = live.create_member(email=f"sam-{size}@example.com", display_name="Sam Member")
    p: Page = page(size)

    # Sam asks for a reset link, so the outbox has a message in it.
    p.goto(live.url + "/")  # the first visit; from here on, only clicks
    header(p).get_by_role("link", name="Sign in", exact=True).click()
    p.get_by_role("link", name="Forgot your password?").click()
    expect(p).to_have_url(live.url + "/password/forgot")
    shot(p, "forgot-password")
    p.get_by_label("Email", exact=True).fill(sam.email)
    p.get_by_role("button", name="Email me a link").click()
    expect(p).to_have_url(live.url + "/login")
    expect(flashes(p)).to_contain_text("a link to reset its password is on its way")

    header(p).locator("a.brand").click()  # back to the home page by the site's name
    expect(p).to_have_url(live.url + "/")
    sign_in(p, live, admin.email, PASSWORD, name="admin-login")
    open_account_menu(p).get_by_role("link", name="Administration").click()
    expect(p).to_have_url(live.url + "/admin/members")
    expect(p.get_by_role("heading", name="Administration", level=1)).to_be_visible()
    row = p.locator("table.table tbody tr").filter(has_text=sam.email)
    expect(row).to_have_count(1)
    shot(p, "admin-members")

    row.get_by_label("Role of Sam Member").select_option("staff")
    row.get_by_role("button", name="Save").click()
    expect(p).to_have_url(live.url + "/admin/members")
    success = flashes(p).locator(".notice-success")
    expect(success).to_contain_text("Sam Member")
    expect(success).to_contain_text("Staff")
    expect(row.get_by_label("Role of Sam Member")).to_have_value("staff")
    shot(p, "admin-members-saved")
    with live.app.app_context():
        assert db.session.get(User, sam.id).role is Role.STAFF

    p.locator("nav.tabs").get_by_role("link", name="Audit log").click()
    expect(p).to_have_url(live.url + "/admin/audit")
    entry = p.locator(".audit-entry").filter(has_text="changed the role of Sam Member")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("Ada Admin changed the role of Sam Member from Member to Staff")
    expect(entry.get_by_role("link", name="Sam Member")).to_have_attribute("href", f"/members/{sam.id}")
    shot(p, "admin-audit")

    p.locator("nav.tabs").get_by_role("link", name="Outbox").click()
    expect(p).to_have_url(live.url + "/admin/outbox")
    mail = p.locator("article.mail-card").filter(has_text="Reset your password")
    expect(mail).to_have_count(1)
    expect(mail).to_contain_text(sam.email)
    shot(p, "admin-outbox")
    mail.get_by_role("link", name="Open").click()
    expect(p).to_have_url(re.compile(re.escape(live.url) + r"/admin/outbox/[^/]+\.eml$"))
    expect(p.locator("pre.mail-text a[href*='/password/reset/']")).to_have_count(1)
    shot(p, "admin-outbox-message")
    p.problems.assert_none()


def test_signup_error_shows_beside_the_field(live_server: LiveServer, page: Any, size: str) -> None:
    live = live_server
    p: Page = page(size)
    p.goto(live.url + "/")  # the first visit, then the header's "Join"
    header(p).get_by_role("link", name="Join", exact=True).click()
    expect(p).to_have_url(live.url + "/signup")
    p.get_by_label("Email", exact=True).fill(f"short-{size}@example.com")
    p.get_by_label("Display name", exact=True).fill("Shorty")
    p.get_by_label("Password", exact=True).fill("tiny pw")
    with p.expect_response(lambda r: r.url == live.url + "/signup" and r.request.method == "POST") as posted:
        p.get_by_role("button", name="Create my account").click()
    assert posted.value.status == 422
    expect(p).to_have_url(live.url + "/signup")
    password = p.get_by_label("Password", exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    error = p.locator("#password-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Use at least 10 characters.")
    expect(password).to_have_attribute("aria-describedby", re.compile(r"\bpassword-error\b"))
    # The message sits inside the password's own field box, not in a flash at the top.
    expect(p.locator(".field.field-error")).to_have_count(1)
    expect(p.locator(".field.field-error #password")).to_have_count(1)
    expect(p.locator(".field.field-error")).to_contain_text("Use at least 10 characters.")
    # What was typed elsewhere is kept; the password is not sent back.
    expect(p.get_by_label("Email", exact=True)).to_have_value(f"short-{size}@example.com")
    expect(p.get_by_label("Display name", exact=True)).to_have_value("Shorty")
    expect(password).to_have_value("")
    shot(p, "signup-error")
    with live.app.app_context():
        assert db.session.query(User).filter_by(email=f"short-{size}@example.com").count() == 0
    p.problems.assert_none()
