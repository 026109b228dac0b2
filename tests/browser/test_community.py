"""The community, end to end in a real browser, at desktop and phone sizes.

Two established members talk to each other (post with a photo, #hashtag and @mention,
like, comment, follow, notifications), one reports the other's post, a moderator hides
it; then the community tabs and the staff's question queue. Every page visited is saved
to tests/browser/screenshots/community-*.png so a person can look at it.
"""
from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Locator, Page, expect

from portal.accounts.models import Role, User
from portal.community import service, social
from portal.community.models import Post
from portal.extensions import db
from portal.kernel.timeutil import utcnow

from .conftest import PASSWORD, LiveServer, shot, size_of

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("size", ["desktop", "phone"])]

ESTABLISHED_AGE = timedelta(days=30)  # past the new-account limits


# -- helpers ----------------------------------------------------------------------


def established(live: LiveServer, username: str, display_name: str, role: Role = Role.MEMBER) -> User:
    """A verified member whose account is a month old, written straight to the server's database."""
    return live.create_member(email=f"{username}@example.com", username=username, display_name=display_name,
                              role=role, created_at=utcnow() - ESTABLISHED_AGE)


def header(page: Page) -> Locator:
    return page.locator("header.site-header")


def open_header_menu(page: Page, menu: str) -> None:
    """Open a header menu; on phones the main links and the staff pages are all in the "Menu"."""
    # By the viewport, not by what is visible: a page whose stylesheet is still loading shows every toggle.
    header(page).locator(f"details.{'nav-menu' if size_of(page) == 'phone' else menu} > summary").click()


def staff_link(page: Page, name: str) -> None:
    """Open a page from the header's Staff menu."""
    open_header_menu(page, "staff-menu")
    header(page).get_by_role("link", name=name, exact=True).click()


def nav_link(page: Page, name: str) -> None:
    """Click one of the header's main links (in the "Menu" on phones)."""
    if size_of(page) == "phone":
        open_header_menu(page, "nav-menu")
    header(page).get_by_role("link", name=name, exact=True).click()


def bell(page: Page) -> Locator:
    return header(page).locator("a.bell")


def flashes(page: Page) -> Locator:
    return page.locator(".flashes")


def sign_in(page: Page, live: LiveServer, user: User, name: str) -> None:
    """Sign in from the header's link; members land on their feed."""
    page.goto(live.url + "/")  # a new page's first visit: the home page; from here on, only clicks
    header(page).get_by_role("link", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(live.url) + r"/login(\?.*)?$"))
    page.get_by_label("Email", exact=True).fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    snap(page, name)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(flashes(page)).to_contain_text("Welcome back")
    expect(page).to_have_url(live.url + "/feed")


LOAD_IMAGES_AND_SCROLL_UP = """async () => {
  const images = [...document.images];
  images.forEach((img) => { if (!img.complete) img.loading = "eager"; });
  await Promise.all(images.map((img) => img.complete ? null : new Promise((done) => { img.onload = img.onerror = done; })));
  window.scrollTo(0, 0);
}"""


def snap(page: Page, name: str) -> Path:
    """shot(), after the lazy photos have loaded and the page is back at its top: a full-page capture
    of a scrolled page would draw the sticky header and side column in the middle of it."""
    page.evaluate(LOAD_IMAGES_AND_SCROLL_UP)
    return shot(page, name)


def image_loaded(img: Locator) -> bool:
    """Whether the image loaded, once the browser had the time to fetch it: a person sees it a moment after the page
    (the wait ends as soon as it is there; an image that never loads fails on the timeout)."""
    loaded = "(el) => el.complete && el.naturalWidth > 0"
    img.page.wait_for_function(loaded, arg=img.element_handle())
    return img.evaluate(loaded)


def post_id_of(page: Page, live: LiveServer) -> int:
    match = re.fullmatch(re.escape(live.url) + r"/posts/(\d+)(#.*)?", page.url)
    assert match, page.url
    return int(match.group(1))


def picture(path: Path, size: tuple[int, int] = (900, 600)) -> Path:
    """A PNG with two colours and a stripe, so a crop or a stretch would show."""
    image = Image.new("RGB", size, (36, 110, 170))
    image.paste((240, 170, 40), (0, size[1] * 2 // 3, size[0], size[1]))
    image.paste((250, 250, 250), (size[0] // 2 - 20, 0, size[0] // 2 + 20, size[1]))
    image.save(path)
    return path


def png_bytes(size: tuple[int, int], color: tuple[int, int, int]) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    out.seek(0)
    return out


# -- the journey ----------------------------------------------------------------------


@pytest.mark.usefixtures("quiet_fans")
def test_community_journey(live_server: LiveServer, page: Any, size: str, tmp_path: Path) -> None:
    live = live_server
    alex = established(live, "alexfan", "Alex Fan")
    sam = established(live, "samfan", "Sam Fan")
    mo = established(live, "modmo", "Mo Moderator", role=Role.MODERATOR)
    body = "Finished the trail today with the new boots! #TrailDay thanks @samfan for the tip"

    # 1. Alex signs in, lands on the (empty) feed, writes a post with a photo, a hashtag and a mention.
    a: Page = page(size)
    sign_in(a, live, alex, "community-signin")
    expect(a.get_by_role("heading", name="Your feed", level=1)).to_be_visible()
    expect(bell(a).locator(".bell-count")).to_have_count(0)
    snap(a, "community-feed-empty")
    composer = a.locator("details.composer-collapsible")
    composer.locator("summary").click()
    expect(composer).to_have_attribute("open", "")
    body_box = a.get_by_label("Your post", exact=True)
    expect(body_box).to_be_focused()  # app.js puts the cursor in the text box
    body_box.fill(body)
    a.get_by_label("Photos", exact=True).set_input_files(str(picture(tmp_path / "trail.png")))
    expect(a.locator("[data-counter-for]")).to_have_text(re.compile(rf"^{len(body)} / [\d,.\s ]+$"))
    snap(a, "community-composer")
    a.get_by_role("button", name="Publish", exact=True).click()
    expect(a).to_have_url(re.compile(re.escape(live.url) + r"/posts/\d+$"))
    expect(flashes(a)).to_contain_text("Your post is published.")
    post_id = post_id_of(a, live)
    post_url = f"{live.url}/posts/{post_id}"
    article = a.locator(f"article#post-{post_id}")
    expect(article.locator(".post-body")).to_contain_text("Finished the trail today with the new boots!")
    hashtag = article.locator(".post-body a.hashtag")
    expect(hashtag).to_have_text("#TrailDay")
    expect(hashtag).to_have_attribute("href", "/tags/trailday")
    mention = article.locator(".post-body a.mention")
    expect(mention).to_have_text("@samfan")
    expect(mention).to_have_attribute("href", "/@samfan")
    photo = article.locator(".photo-stack img")
    expect(photo).to_have_count(1)
    expect(photo).to_be_visible()
    expect(photo).to_have_attribute("src", re.compile(r"^/media/photos/[^/]+$"))
    assert image_loaded(photo)
    snap(a, "community-post-published")

    # 2. Sam signs in elsewhere: the bell says one unread, the notification says "mentioned you".
    b: Page = page(size)
    sign_in(b, live, sam, "community-signin-second")
    expect(bell(b).locator(".bell-count")).to_have_text("1")
    expect(bell(b)).to_have_attribute("aria-label", "Notifications: 1 unread")
    snap(b, "community-feed-bell")
    bell(b).click()
    expect(b).to_have_url(live.url + "/notifications")
    mentioned = b.locator("li.notification.kind-mention")
    expect(mentioned).to_have_count(1)
    expect(mentioned).to_contain_text("Alex Fan mentioned you")
    expect(mentioned).to_have_class(re.compile(r"\bis-unread\b"))
    expect(bell(b).locator(".bell-count")).to_have_count(0)  # opening the page read them
    snap(b, "community-notifications-mention")

    mentioned.locator("a.notification-link").click()
    expect(b).to_have_url(post_url)
    like = b.locator(f"article#post-{post_id} .post-actions .like-button")
    expect(like).to_have_attribute("aria-pressed", "false")
    expect(like.locator(".count")).to_have_text("0")
    like.click()
    expect(b).to_have_url(post_url)
    like = b.locator(f"article#post-{post_id} .post-actions .like-button")
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(like.locator(".count")).to_have_text("1")
    b.get_by_label("Your comment", exact=True).fill("Glad they worked out, see you on the next one!")
    b.get_by_role("button", name="Comment", exact=True).click()
    expect(b).to_have_url(re.compile(re.escape(post_url) + r"#comment-\d+$"))
    comment = b.locator("#comments article.comment")
    expect(comment).to_have_count(1)
    expect(comment).to_contain_text("Glad they worked out")
    expect(b.locator("#comments-title")).to_have_text("1 comment")
    snap(b, "community-post-liked-commented")

    b.locator(f"article#post-{post_id} .post-head a.author-name").click()
    expect(b).to_have_url(f"{live.url}/members/{alex.id}")
    expect(b.locator(".profile-head").get_by_role("heading", name="Alex Fan")).to_be_visible()
    expect(b.locator(f"article#post-{post_id}")).to_be_visible()
    snap(b, "community-profile-before-follow")
    b.get_by_role("button", name="Follow", exact=True).click()
    expect(b).to_have_url(f"{live.url}/members/{alex.id}")
    expect(flashes(b)).to_contain_text("You follow Alex Fan")
    expect(b.get_by_role("button", name="Unfollow", exact=True)).to_be_visible()
    stats = b.locator("dl.follow-stats")
    expect(stats.locator("div").filter(has_text="Followers").locator("dd")).to_have_text("1")
    snap(b, "community-profile-followed")

    # 3. Alex reloads: three new notifications (like, reply, follow).
    a.reload()
    expect(bell(a).locator(".bell-count")).to_have_text("3")
    expect(bell(a)).to_have_attribute("aria-label", "Notifications: 3 unread")
    expect(a.locator(f"article#post-{post_id} .post-actions .like-button .count")).to_have_text("1")
    snap(a, "community-post-after-activity")
    bell(a).click()
    expect(a).to_have_url(live.url + "/notifications")
    items = a.locator("ol.notification-list li.notification")
    expect(items).to_have_count(3)
    expect(a.locator("li.notification.is-unread")).to_have_count(3)
    expect(a.locator("li.notification.kind-like")).to_contain_text("Sam Fan liked your post")
    expect(a.locator("li.notification.kind-reply")).to_contain_text("Sam Fan replied to your post")
    expect(a.locator("li.notification.kind-reply")).to_contain_text("Glad they worked out")
    expect(a.locator("li.notification.kind-follow")).to_contain_text("Sam Fan followed you")
    expect(a.locator(".page-head")).to_contain_text("3 new since your last visit.")
    snap(a, "community-notifications-activity")
    nav_link(a, "Feed")
    expect(a).to_have_url(live.url + "/feed")
    expect(a.locator(f"article#post-{post_id}")).to_be_visible()
    expect(bell(a).locator(".bell-count")).to_have_count(0)
    snap(a, "community-feed-own-post")

    # Sam's feed now has Alex's post, since Sam follows Alex.
    nav_link(b, "Feed")
    expect(b).to_have_url(live.url + "/feed")
    expect(b.locator(f"article#post-{post_id} .like-button")).to_have_attribute("aria-pressed", "true")
    snap(b, "community-feed-following")

    # 4. Sam reports the post; a moderator hides it.
    b.locator(f"article#post-{post_id} a.action-open").click()  # "View post", on the card in Sam's feed
    expect(b).to_have_url(post_url)
    more = b.locator(f"article#post-{post_id} details.action-menu")
    more.locator("summary").click()
    more.get_by_role("link", name="Report post").click()
    expect(b).to_have_url(f"{post_url}/report")
    expect(b.locator("blockquote.reported")).to_contain_text("Finished the trail today")
    b.get_by_label("What is wrong?", exact=True).fill("Advertising boots from a shop, not a real trail story.")
    snap(b, "community-report")
    b.get_by_role("button", name="Send the report").click()
    expect(b).to_have_url(post_url)
    expect(flashes(b)).to_contain_text("Thank you. A moderator will look at it soon.")
    snap(b, "community-post-reported")

    m: Page = page(size)
    sign_in(m, live, mo, "community-signin-moderator")
    staff_link(m, "Moderation")
    expect(m).to_have_url(live.url + "/moderation")
    report = m.locator("li.report")
    expect(report).to_have_count(1)
    expect(report).to_contain_text("Finished the trail today")
    expect(report).to_contain_text("Sam Fan says:")
    expect(report).to_contain_text("Advertising boots from a shop")
    expect(m.locator(".stat-pill")).to_have_text("1 open report")
    snap(m, "community-moderation-queue")
    report.get_by_role("button", name="Hide", exact=True).click()
    expect(m).to_have_url(live.url + "/moderation")
    expect(flashes(m)).to_contain_text("Hidden. Its author still sees it, marked as hidden.")
    # Hiding resolves the post's open reports: the queue is empty again.
    expect(m.locator("li.report")).to_have_count(0)
    expect(m.locator(".empty-state")).to_contain_text("Nothing to review")
    snap(m, "community-moderation-hidden")

    visitor: Page = page(size)
    # Typed on purpose: a visitor who has the hidden post's address (a shared link) gets a 404.
    response = visitor.goto(post_url)
    assert response is not None and response.status == 404
    expect(visitor.locator(".error-code")).to_have_text("404")
    snap(visitor, "community-post-404-anonymous")
    nav_link(visitor, "Community")  # the 404 page keeps the header
    expect(visitor.get_by_role("heading", name="Community", level=1)).to_be_visible()
    expect(visitor.locator(f"#post-{post_id}")).to_have_count(0)
    expect(visitor.get_by_text("Finished the trail today")).to_have_count(0)
    snap(visitor, "community-anonymous")

    nav_link(a, "Feed")  # the author still sees the hidden post in their own feed, and opens it
    a.locator(f"article#post-{post_id} a.action-open").click()
    expect(a).to_have_url(post_url)
    hidden = a.locator(f"article#post-{post_id}")
    expect(hidden).to_have_class(re.compile(r"\bis-hidden\b"))
    expect(hidden.locator(".post-flags .badge-danger")).to_have_text("Hidden")
    expect(hidden).to_contain_text("A moderator hid this post: only you and the moderators can see it.")
    expect(a.locator("#comments")).to_contain_text("This post is not public, so it cannot take comments.")
    snap(a, "community-post-hidden-author")

    # 5. The hashtag link leads to the hashtag's page, which lists the post (to its author, marked hidden).
    hidden.locator(".post-body a.hashtag").click()
    expect(a).to_have_url(live.url + "/tags/trailday")
    expect(a.locator("h1.hashtag-title")).to_have_text("#trailday")
    tagged = a.locator(f".post-list article#post-{post_id}")
    expect(tagged).to_be_visible()
    expect(tagged.locator(".badge-danger")).to_contain_text("Hidden")
    expect(tagged.locator(".photo-grid img")).to_have_count(1)
    snap(a, "community-hashtag")
    # Typed on purpose: no visible post links #trailday any more, so a visitor only reaches the tag's page
    # by its address (a shared link); it must not show the hidden post.
    visitor.goto(live.url + "/tags/trailday")
    expect(visitor.locator(f"#post-{post_id}")).to_have_count(0)
    expect(visitor.locator(".empty-state")).to_contain_text("No posts with #trailday yet")
    snap(visitor, "community-hashtag-anonymous")

    for p in (a, b, m, visitor):
        p.problems.assert_none()


# -- the community tabs and the staff's question queue ------------------------------------


def seed_community(live: LiveServer) -> dict[str, int]:
    """Posts written through the service, as members would: a photo post with a like and a
    comment, a plain post, an announcement, and one unanswered question."""
    with live.app.test_request_context():  # the service renders #hashtag and @mention links with url_for
        alex = db.session.scalar(db.select(User).filter_by(username="alexfan"))
        sam = db.session.scalar(db.select(User).filter_by(username="samfan"))
        staff = db.session.scalar(db.select(User).filter_by(username="teamlead"))
        mug = service.create_post(db.session, sam, body="My **limited edition** mug arrived! #Collectors",
                                  photos=[png_bytes((800, 600), (190, 60, 80)), png_bytes((600, 800), (60, 140, 90))])
        social.toggle_post_like(db.session, mug, alex)
        service.add_comment(db.session, mug, alex, body="Jealous! Which colour did you pick, @samfan?")
        service.create_post(db.session, alex, body="Anyone going to the meetup in Lyon next month?")
        service.create_post(db.session, staff, body="The spring collection opens on Friday at noon.", announcement=True)
        question = service.create_post(db.session, alex, body="How do I wash the merino hoodie without it shrinking?",
                                       is_question=True)
        return {"mug": mug.id, "question": question.id}


def test_community_tabs_and_questions(live_server: LiveServer, page: Any, size: str) -> None:
    live = live_server
    established(live, "alexfan", "Alex Fan")
    established(live, "samfan", "Sam Fan")
    staff = established(live, "teamlead", "Tess Team", role=Role.STAFF)
    ids = seed_community(live)
    question_url = f"{live.url}/posts/{ids['question']}"

    # Anonymous visitors: the latest tab, then the trending tab.
    v: Page = page(size)
    v.goto(live.url + "/")  # the first visit, then the header's "Community"
    nav_link(v, "Community")
    expect(v).to_have_url(live.url + "/community")
    tabs = v.locator("nav.tabs-community")
    expect(tabs.get_by_role("link", name="Latest")).to_have_attribute("aria-current", "page")
    expect(v.locator("section.pinned article.is-pinned")).to_contain_text("The spring collection opens on Friday")
    expect(v.locator(".post-list article.post-card")).to_have_count(3)
    expect(v.locator(f"#post-{ids['question']} .badge-question")).to_have_text("Question")
    mug_card = v.locator(f"#post-{ids['mug']}")
    expect(mug_card.locator(".photo-grid img")).to_have_count(2)
    v.evaluate(LOAD_IMAGES_AND_SCROLL_UP)
    for img in mug_card.locator(".photo-grid img").all():
        expect(img).to_be_visible()
        assert image_loaded(img)
    expect(mug_card.locator(".like-button .count")).to_have_text("1")
    snap(v, "community-latest")
    tabs.get_by_role("link", name="Trending").click()
    expect(v).to_have_url(live.url + "/community?tab=trending")
    expect(v.locator("nav.tabs-community").get_by_role("link", name="Trending")).to_have_attribute("aria-current", "page")
    expect(v.locator(".tab-hint")).to_contain_text("Trending ranks the posts")
    # The mug post has a like and a comment: it leads.
    expect(v.locator(".post-list article.post-card").first).to_have_id(f"post-{ids['mug']}")
    snap(v, "community-trending")

    # Staff: the question queue, answering from it, marking the answer.
    s: Page = page(size)
    sign_in(s, live, staff, "community-signin-staff")
    staff_link(s, "Questions")
    expect(s).to_have_url(live.url + "/questions")
    row = s.locator("li.question-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("How do I wash the merino hoodie")
    expect(s.locator(".stat-pill")).to_have_text("1 waiting")
    snap(s, "community-questions")
    row.get_by_role("link", name="Answer").click()
    expect(s).to_have_url(question_url + "#comment-form")
    expect(s.locator("section.answer-box.is-waiting")).to_contain_text("Waiting for an answer")
    snap(s, "community-question-waiting")
    s.get_by_label("Your reply", exact=True).fill("Cold wash, inside out, and dry it flat. It keeps its size.")  # a question takes replies
    s.get_by_role("button", name="Post reply", exact=True).click()
    expect(s).to_have_url(re.compile(re.escape(question_url) + r"#comment-\d+$"))
    s.get_by_role("button", name="Mark as the answer").click()
    expect(flashes(s)).to_contain_text("Marked as the answer.")
    answer_box = s.locator("section.answer-box")
    expect(answer_box).not_to_have_class(re.compile(r"\bis-waiting\b"))
    expect(answer_box.get_by_role("heading", name="Answered")).to_be_visible()
    expect(answer_box.locator(".answer-quote")).to_contain_text("Cold wash, inside out")
    expect(s.locator("article.comment.is-answer .badge-success")).to_contain_text(re.compile(r"\banswer\b", re.IGNORECASE))
    expect(s.locator(f"article#post-{ids['question']} .post-flags .badge-success")).to_contain_text("Answered")
    snap(s, "community-question-answered")
    staff_link(s, "Questions")
    expect(s).to_have_url(live.url + "/questions")
    expect(s.locator("li.question-row")).to_have_count(0)
    expect(s.locator(".empty-state")).to_contain_text("Every question has an answer")
    snap(s, "community-questions-empty")

    # The visitor sees the answered question too.
    nav_link(v, "Community")  # back to the community list, then the question's card
    v.locator(f"#post-{ids['question']} a.action-open").click()
    expect(v).to_have_url(question_url)
    expect(v.locator("section.answer-box").get_by_role("heading", name="Answered")).to_be_visible()
    expect(v.locator("article.comment.is-answer")).to_contain_text("Cold wash, inside out")
    snap(v, "community-question-answered-anonymous")
    with live.app.app_context():
        question = db.session.get(Post, ids["question"])
        assert question.answer_id is not None

    for p in (v, s):
        p.problems.assert_none()
