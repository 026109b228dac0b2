"""Voting that people understand, in a real browser, at desktop (1280) and phone (390) sizes, in
English and French.

A member signs in, reaches a board through the header, and votes without the page reloading
(a mark set on the window survives, the scroll position holds); the budget meter follows each
vote, the last one disables the other buttons with the reason, and a vote taken back from
My votes brings them back. Staff save impact and effort for several rows at once on the
priorities page, which reads as cards on a phone and fits at 1280 px in French.

Screenshots: tests/browser/screenshots/voting-board-<lang>-<size>.png (the board with its meter)
and voting-priorities-<lang>-<size>.png (the priorities page).
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
from portal.kernel.timeutil import utcnow

from .conftest import PASSWORD, LiveServer, shot

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("size", ["desktop", "phone"]),
              pytest.mark.parametrize("lang", ["en", "fr"])]

BUDGET = 3
LOCALES = {"en": "en-US", "fr": "fr-FR"}
TEXT = {
    "en": {"used": "{used} of 3 votes used", "reason": "No votes left on this board: take one back from My votes.",
           "last": "That was your last vote on this board", "take_back": "Take back", "my_votes": "My votes",
           "auto": "Your vote was added automatically because you posted this idea.",
           "saved": "Impact and effort are saved for 2 ideas.", "save": "Save impact and effort", "demand": "Demand"},
    "fr": {"used": "{used} sur 3 votes utilisés", "reason": "Plus de vote disponible sur ce tableau : reprenez-en un dans Mes votes.",
           "last": "C’était votre dernier vote sur ce tableau", "take_back": "Reprendre", "my_votes": "Mes votes",
           "auto": "Votre vote a été ajouté automatiquement parce que vous avez publié cette idée.",
           "saved": "Impact et effort enregistrés pour 2 idées.", "save": "Enregistrer impact et effort",
           "demand": "Demande"},
}


def used_text(lang: str, used: int) -> str:
    return TEXT[lang]["used"].format(used=used)


@pytest.fixture
def open_page(lang_page: Any) -> Any:
    """`open_page(size, lang)`: a fresh page whose browser speaks `lang` (conftest's lang_page)."""
    return lang_page


def person(live: LiveServer, name: str, lang: str, role: Role = Role.MEMBER) -> User:
    return live.create_member(email=f"{name.split()[0].lower()}-{lang}@example.com", display_name=name, role=role,
                              locale=lang, created_at=utcnow() - timedelta(days=30))


def seed(live: LiveServer, admin: User, author: User, voter: User) -> tuple[str, list[int], int]:
    """A board with a budget of three, seven ideas by another member, and one by the voter (with its automatic vote)."""
    with live.app.app_context(), live.app.test_request_context():
        board = triage.save_board(db.session, db.session.get(User, admin.id), None, name="Product ideas",
                                  slug="product-ideas", description="What should Fernhill make next?",
                                  visibility="public", vote_budget=BUDGET, categories="Footwear\nTents")
        someone = db.session.get(User, author.id)
        titles = ["Waterproof hiking boots for children", "A two-person tent under one kilo",
                  "Spare laces in every boot box", "Recycled fabric for rain jackets", "A repair kit for tent poles",
                  "Insoles for flat feet", "Reflective strips on backpacks"]
        ids = [service.submit_idea(db.session, board, someone, title=t, description="Please!")[0].id for t in titles]
        own, _voted = service.submit_idea(db.session, board, db.session.get(User, voter.id),
                                          title="Wider sizes for hiking boots")
        return board.slug, ids, own.id


def sign_in(p: Page, live: LiveServer, user: User) -> None:
    """From the header's sign-in link; the form's fields found by their names (the labels depend on the language)."""
    p.goto(live.url + "/")
    p.locator("header.site-header a[href^='/login']").first.click()
    p.locator("input[name=email]").fill(user.email)
    p.locator("input[name=password]").fill(PASSWORD)
    p.locator("main form button[type=submit]").click()
    expect(p.locator("header.site-header details.account-menu")).to_have_count(1)


def header_link(p: Page, size: str, href: str) -> None:
    """Click a link of the header: in the "Menu" panel on a phone, in the main links on a desktop."""
    header = p.locator("header.site-header")
    if size == "phone":
        header.locator("details.nav-menu > summary").click()
        header.locator(f"details.nav-menu .menu-panel a[href='{href}']").first.click()
    else:
        link = header.locator(f".main-nav a[href='{href}']")
        p.wait_for_load_state()  # until the stylesheet applies, the Staff menu's links look visible
        if link.count() == 0 or not link.first.is_visible():  # a staff page sits in the Staff menu
            header.locator("details.staff-menu summary").click()
        header.locator(f".main-nav a[href='{href}']").first.click()


def row(p: Page, idea_id: int) -> Any:
    return p.locator(f"#idea-{idea_id}")


def vote_in_place(p: Page, idea_id: int) -> None:
    """Press an idea's vote button and check the page stayed: the same document, the idea where it was on the screen
    (the page may scroll by what grew above it, such as My votes opening, so the reader's place holds)."""
    box = row(p, idea_id).locator(".vote-box")
    box.scroll_into_view_if_needed()
    p.evaluate("() => window.scrollBy(0, -40)")  # not at the very top: a reload would show as a jump
    p.evaluate("() => { window.__stayed = true; }")
    before = row(p, idea_id).bounding_box()["y"]
    was_voted = "is-voted" in (box.get_attribute("class") or "")
    box.locator("button.vote-button").click()
    after_box = row(p, idea_id).locator(".vote-box")
    if was_voted:
        expect(after_box).not_to_have_class(re.compile(r"\bis-voted\b"))
    else:
        expect(after_box).to_have_class(re.compile(r"\bis-voted\b"))
    assert p.evaluate("() => window.__stayed === true"), "the page was reloaded"
    assert abs(row(p, idea_id).bounding_box()["y"] - before) <= 2, "the idea moved on the screen"


def meter(p: Page) -> Any:
    return p.locator("[data-budget-meter]")


def test_voting_without_a_reload_with_the_budget_meter(live_server: LiveServer, open_page: Any, size: str,
                                                        lang: str) -> None:
    live, words = live_server, TEXT[lang]
    admin = person(live, "Ada Admin", lang, Role.ADMIN)
    paul, alex = person(live, "Paul Poster", lang), person(live, "Alex Voter", lang)
    slug, ideas, own = seed(live, admin, paul, alex)
    p: Page = open_page(size, lang)
    sign_in(p, live, alex)

    # The board, through the header: Alex's own idea took one vote, the meter says so, as text and as a bar.
    header_link(p, size, "/boards")
    p.locator(f"main a[href='/boards/{slug}']").first.click()
    expect(meter(p)).to_contain_text(used_text(lang, 1))
    expect(meter(p).locator("progress")).to_have_attribute("value", "1")
    expect(p.locator("#my-votes li")).to_have_count(1)

    # Two votes, each without a reload; the meter follows, the last one says so and disables the other buttons.
    vote_in_place(p, ideas[4])
    expect(meter(p)).to_contain_text(used_text(lang, 2))
    vote_in_place(p, ideas[5])
    expect(meter(p)).to_contain_text(used_text(lang, 3))
    expect(meter(p).locator("progress")).to_have_attribute("value", "3")
    expect(p.locator(".flashes")).to_contain_text(words["last"])
    expect(p.locator("#no-votes-reason")).to_have_text(re.compile(re.escape(words["reason"])))
    waiting = row(p, ideas[6]).locator("button.vote-button")
    expect(waiting).to_be_disabled()
    expect(waiting).to_have_attribute("aria-describedby", "no-votes-reason")
    expect(row(p, ideas[4]).locator("button.vote-button")).to_be_enabled()  # a vote held can still be taken back
    expect(p.locator("#my-votes")).to_have_attribute("open", "")
    expect(p.locator("#my-votes li")).to_have_count(3)
    p.evaluate("() => { window.scrollTo(0, 0); document.querySelector('.flashes-live').replaceChildren(); }")
    shot(p, f"voting-board-{lang}")  # without the message, which a full-page capture draws over the list

    # One vote taken back from My votes: the buttons wait no more.
    p.evaluate("() => { window.__stayed = true; }")
    p.locator(f"#my-vote-{ideas[5]}").get_by_role("button", name=re.compile(words["take_back"])).click()
    expect(meter(p)).to_contain_text(used_text(lang, 2))
    expect(waiting).to_be_enabled()
    expect(p.locator("#my-votes li")).to_have_count(2)
    assert p.evaluate("() => window.__stayed === true"), "the page was reloaded"

    # Unvoting in place too, from the list.
    vote_in_place(p, ideas[4])
    expect(meter(p)).to_contain_text(used_text(lang, 1))

    # Alex's own idea says why it has his vote; the votes-left line sits beside the button, before the comments.
    p.locator(f"#my-vote-{own} a").click()
    expect(p.locator(".idea-full")).to_contain_text(words["auto"])
    line = p.locator(".idea-full [data-votes-left]").bounding_box()
    assert line["y"] < p.locator("#activity-title").bounding_box()["y"]
    if size == "phone":
        vote = p.locator(".idea-full .vote-box").bounding_box()
        assert line["y"] < vote["y"] + vote["height"] + 200, "the votes-left line is far from the vote button"
    shot(p, f"voting-idea-{lang}")
    p.problems.assert_none()


def test_staff_save_the_priorities_page_at_once(live_server: LiveServer, open_page: Any, size: str, lang: str) -> None:
    live, words = live_server, TEXT[lang]
    admin = person(live, "Ada Admin", lang, Role.ADMIN)
    stella, paul, alex = person(live, "Stella Staff", lang, Role.STAFF), person(live, "Paul Poster", lang), \
        person(live, "Alex Voter", lang)
    _slug, ideas, _own = seed(live, admin, paul, alex)
    p: Page = open_page(size, lang)
    sign_in(p, live, stella)

    header_link(p, size, "/staff/priorities")
    expect(p).to_have_url(re.compile(r"/staff/priorities$"))
    p.wait_for_load_state()
    assert p.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    wrap = p.locator(".table-wrap")
    assert wrap.evaluate("(el) => el.scrollWidth <= el.clientWidth + 1"), "the table does not fit"
    if size == "phone":  # each row is a card: every number has its label beside it
        expect(p.locator(".priority-table thead")).to_be_hidden()
        cell = p.locator(".priority-table tbody tr").first.locator("td.num").first
        label = cell.evaluate("(el) => getComputedStyle(el, '::before').content")
        assert label.strip('"') == words["demand"]
    p.locator(f"select[name='impact-{ideas[0]}']").select_option("5")
    p.locator(f"select[name='effort-{ideas[0]}']").select_option("1")
    p.locator(f"select[name='impact-{ideas[1]}']").select_option("2")
    expect(p.locator("tr.is-changed")).to_have_count(2)
    expect(p.locator(".estimates-save")).to_be_in_viewport()  # the one save stays in reach, pinned to the bottom
    # A full-page capture would draw the pinned bar over the middle of the table: unpin it for the picture.
    p.evaluate("() => { document.querySelector('.estimates-save').style.position = 'static'; }")
    shot(p, f"voting-priorities-{lang}")
    p.get_by_role("button", name=words["save"]).click()
    expect(p.locator(".flashes")).to_contain_text(words["saved"])
    expect(p.locator(f"select[name='impact-{ideas[0]}']")).to_have_value("5")
    expect(p.locator(f"select[name='impact-{ideas[1]}']")).to_have_value("2")
    p.problems.assert_none()


def test_likes_keep_the_readers_place(live_server: LiveServer, open_page: Any, size: str, lang: str) -> None:
    """A like on the community page and on a comment: counted in place, no reload, the button says it is pressed."""
    from portal.community import service as community  # the posts are the setup; the likes are what is tested

    live = live_server
    paul, alex = person(live, "Paul Poster", lang), person(live, "Alex Voter", lang)
    with live.app.app_context(), live.app.test_request_context():
        author = db.session.get(User, paul.id)
        posts = [community.create_post(db.session, author, body=f"Trip report number {n} from the lakes") for n in range(6)]
        comment = community.add_comment(db.session, posts[0], author, body="And the tent held all night")
        first, comment_id = posts[0].id, comment.id
    p: Page = open_page(size, lang)
    sign_in(p, live, alex)
    header_link(p, size, "/community")

    card = p.locator(f"#post-{first}")
    card.scroll_into_view_if_needed()
    p.evaluate("() => { window.__stayed = true; }")
    before = card.bounding_box()["y"]
    button = card.locator("button.like-button")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button.locator(".count")).to_have_text("1")
    assert p.evaluate("() => window.__stayed === true"), "the page was reloaded"
    assert abs(card.bounding_box()["y"] - before) <= 2, "the post moved on the screen"
    button.click()
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(button.locator(".count")).to_have_text("0")

    card.locator("a.action-open").click()
    liked = p.locator(f"#comment-{comment_id} button.like-button")
    liked.click()
    expect(liked).to_have_attribute("aria-pressed", "true")
    expect(liked.locator(".count")).to_have_text("1")
    p.reload()  # what the server kept
    expect(p.locator(f"#comment-{comment_id} button.like-button .count")).to_have_text("1")
    p.problems.assert_none()
