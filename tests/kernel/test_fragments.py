"""The fragment cache is exact: a cached card, row or header never shows anything stale or anybody else's.

Every test here goes through the real app with the Flask test client and warms the cache first (the page is
requested, so its fragments are stored, and a second request is checked to come from the store), then changes
something and reads the page again: the change shows at once, to the member who made it, to another member, and
to a visitor where the page is public. The last tests are unit tests of `age_bucket`, `row_version` and the LRU.
"""
from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from babel.dates import format_timedelta
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from portal.accounts import account, roles
from portal.accounts.models import Role, Tier, User
from portal.community import moderation, social
from portal.community import service as community
from portal.community.models import Post, PostLike
from portal.extensions import db
from portal.fans import badges, scoring, tiers
from portal.fans.models import EngagementEvent
from portal.feedback import service as feedback
from portal.feedback import triage
from portal.feedback.models import Board, Idea, IdeaComment, Visibility
from portal.kernel import fragments, pagecache
from portal.kernel.fragments import CSRF_MARK, HERE_MARK, LRU, Fragments, age_bucket, row_version
from portal.kernel.timeutil import utcnow
from portal.kernel.uow import commit

PASSWORD = "correct horse battery staple"  # the password conftest gives every member


# -- fixtures ---------------------------------------------------------------------------------


EVERY_BADGE = dict(badges.BADGES)


@pytest.fixture(autouse=True)
def no_badges(monkeypatch: pytest.MonkeyPatch) -> None:
    """Badges earned while posting only add notifications (and bell counts) these tests do not control."""
    monkeypatch.setattr(badges, "BADGES", {})


@pytest.fixture
def mod(established: Callable[..., User]) -> User:
    return established(display_name="Mo Moderator", username="mo", role=Role.MODERATOR)


@pytest.fixture
def make_post(app: Flask) -> Callable[..., int]:
    """Publish a post through the service, the way the view does; returns its id."""
    counter = iter(range(1, 100_000))

    def make(author: User, body: str | None = None, **kwargs: Any) -> int:
        with app.test_request_context():
            post = community.create_post(db.session, author, body=body or f"Post number {next(counter)} about #brand",
                                         **kwargs)
            return post.id

    return make


@pytest.fixture
def board(app: Flask, admin: User) -> Board:
    with app.test_request_context():
        return triage.save_board(db.session, admin, None, name="Product ideas", slug="product-ideas", description="",
                                 visibility=Visibility.PUBLIC, vote_budget=10, categories="Tents\nShoes")


@pytest.fixture
def make_idea(app: Flask, board: Board) -> Callable[..., int]:
    def make(author: User, title: str, **kwargs: Any) -> int:
        with app.test_request_context():
            idea, _voted = feedback.submit_idea(db.session, board, author, title=title, **kwargs)
            return idea.id

    return make


@pytest.fixture
def cache(app: Flask) -> Fragments:
    return fragments.store(app)


@pytest.fixture
def csrf_app(app_config: dict[str, Any], request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The app with CSRF protection on, as in production (the suite's default turns it off)."""
    app_config["WTF_CSRF_ENABLED"] = True
    yield request.getfixturevalue("app")


# -- browsers and pages -----------------------------------------------------------------------

TOKEN = re.compile(r'name="csrf_token"[^>]*?value="([^"]*)"')


def sign_in(app: Flask, user: User) -> FlaskClient:
    """A browser of its own, signed in through the login form (with its CSRF token when the app wants one)."""
    browser = app.test_client()
    token = TOKEN.search(browser.get("/login").get_data(as_text=True))
    data = {"email": user.email, "password": PASSWORD, **({"csrf_token": token.group(1)} if token else {})}
    response = browser.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    return browser


def visitor(app: Flask, language: str = "en") -> FlaskClient:
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    browser.visitor = True  # type: ignore[attr-defined]
    return browser


def get(browser: FlaskClient, url: str) -> str:
    response = browser.get(url)
    assert response.status_code == 200, (url, response.status_code, response.headers.get("Location"))
    return response.get_data(as_text=True)


def text_of(raw: str) -> str:
    return html.unescape(raw)


def warm(cache: Fragments, *pairs: tuple[FlaskClient, str]) -> None:
    """Request each page twice: for members the second time its fragments must come from the store (a visitor's
    second request is answered whole by the page cache; their first drew and stored the fragments)."""
    for browser, url in pairs:
        misses = cache.misses
        get(browser, url)
        hits = cache.hits
        get(browser, url)
        if getattr(browser, "visitor", False):
            assert cache.misses > misses or cache.hits > hits, f"{url}: no fragment on the page"
        else:
            assert cache.hits > hits, f"{url}: nothing came from the fragment cache"


def card(raw: str, post_id: int) -> str:
    """One post card as drawn on a page ("" when the page does not show it)."""
    match = re.search(rf'<article class="post-card[^"]*" id="post-{post_id}">.*?</article>', raw, re.S)
    return match.group(0) if match else ""


def like_state(fragment: str) -> tuple[bool, int]:
    """Whether the like button is pressed, and its count."""
    assert fragment, "the card is not on the page"
    button = re.search(r'class="action like-button[^"]*".*?<span class="count">(\d+)</span>', fragment, re.S)
    pressed = 'aria-pressed="true"' in button.group(0)
    if pressed:
        assert "like-button is-liked" in button.group(0)
    else:
        assert "is-liked" not in button.group(0)
    return pressed, int(button.group(1))


def idea_row(raw: str, idea_id: int) -> str:
    match = re.search(rf'<article class="idea-row" id="idea-{idea_id}">.*?</article>', raw, re.S)
    return match.group(0) if match else ""


def vote_state(fragment: str) -> tuple[bool, int]:
    assert fragment, "the idea is not on the page"
    count = int(re.search(r'<span class="vote-count">(\d+)</span>', fragment).group(1))
    return 'aria-pressed="true"' in fragment, count


def idea_comment(raw: str, comment_id: int) -> str:
    match = re.search(rf'<li class="comment[^"]*" id="comment-{comment_id}">.*?</li>', raw, re.S)
    return match.group(0) if match else ""


def header(raw: str) -> str:
    return re.search(r'<header class="site-header">.*?</header>', raw, re.S).group(0)


def bell(raw: str) -> str:
    """The unread count on the bell ("" when there is none)."""
    badge = re.search(r'<span class="bell-count" aria-hidden="true">(\d+)</span>', header(raw))
    return badge.group(1) if badge else ""


def next_fields(raw: str) -> list[str]:
    return [html.unescape(v) for v in re.findall(r'name="next" value="([^"]*)"', raw)]


def give_points(member: User, points: float, days_ago: int = 1) -> None:
    """One counted event worth `points`, then the standing rebuilt from the ledger (as tests/fans do)."""
    when = utcnow() - timedelta(days=days_ago)
    db.session.add(EngagementEvent(user_id=member.id, kind="post", created_at=when, day=when.date().toordinal(),
                                   weight=int(points * 1000), points=int(points * 1000)))
    db.session.commit()
    scoring.recompute(db.session, [member.id])


def reload(model: type, key: int) -> Any:
    db.session.expire_all()
    return db.session.get(model, key)


# -- 1. likes -----------------------------------------------------------------------------------


def test_a_like_shows_pressed_for_the_liker_and_counted_for_everyone(app, cache, alice, bob, carol, make_post):
    post_id = make_post(alice)
    liker, other, guest = sign_in(app, bob), sign_in(app, carol), visitor(app)
    warm(cache, (liker, "/community"), (other, "/community"), (guest, "/community"), (other, f"/posts/{post_id}"))
    assert like_state(card(get(liker, "/community"), post_id)) == (False, 0)

    assert liker.post(f"/posts/{post_id}/like", data={"next": "/community"}).status_code == 302

    assert like_state(card(get(liker, "/community"), post_id)) == (True, 1)
    assert like_state(card(get(other, "/community"), post_id)) == (False, 1)
    assert like_state(card(get(guest, "/community"), post_id)) == (False, 1)
    post_page = get(other, f"/posts/{post_id}")
    assert re.search(r'like-button.*?<span class="count">1</span>', post_page, re.S)

    assert liker.post(f"/posts/{post_id}/like", data={"next": "/community"}).status_code == 302  # unlike

    assert like_state(card(get(liker, "/community"), post_id)) == (False, 0)
    assert like_state(card(get(other, "/community"), post_id)) == (False, 0)
    assert like_state(card(get(guest, "/community"), post_id)) == (False, 0)


def test_likes_of_two_members_each_show_only_their_own_press(app, cache, alice, bob, carol, make_post):
    post_id = make_post(alice)
    first, second = sign_in(app, bob), sign_in(app, carol)
    warm(cache, (first, "/community"), (second, "/community"))
    first.post(f"/posts/{post_id}/like")
    assert like_state(card(get(second, "/community"), post_id)) == (False, 1)
    second.post(f"/posts/{post_id}/like")
    assert like_state(card(get(first, "/community"), post_id)) == (True, 2)
    assert like_state(card(get(second, "/community"), post_id)) == (True, 2)
    first.post(f"/posts/{post_id}/like")
    assert like_state(card(get(first, "/community"), post_id)) == (False, 1)
    assert like_state(card(get(second, "/community"), post_id)) == (True, 1)


# -- 2. edits -----------------------------------------------------------------------------------


def test_an_edit_shows_the_new_text_at_once_to_everyone(app, cache, alice, bob, make_post):
    post_id = make_post(alice, body="The first words of this post")
    author, reader, guest = sign_in(app, alice), sign_in(app, bob), visitor(app)
    warm(cache, (author, "/community"), (reader, "/community"), (guest, "/community"), (guest, "/tags/brand"))
    assert "The first words" in card(get(reader, "/community"), post_id)

    response = author.post(f"/posts/{post_id}/edit", data={"body": "Rewritten words about #brand"})
    assert response.status_code == 302

    for browser in (author, reader, guest):
        shown = text_of(card(get(browser, "/community"), post_id))
        assert "Rewritten words" in shown and "The first words" not in shown
        assert "edited" in shown
    assert "Rewritten words" in card(get(guest, "/tags/brand"), post_id)


# -- 3. moderation ------------------------------------------------------------------------------


def test_a_hidden_post_leaves_the_page_of_others_and_shows_hidden_to_the_moderator(app, cache, alice, bob, mod,
                                                                                       make_post):
    post_id = make_post(alice)
    author, reader, moderator, guest = sign_in(app, alice), sign_in(app, bob), sign_in(app, mod), visitor(app)
    warm(cache, (author, "/community"), (reader, "/community"), (moderator, "/community"), (guest, "/community"))
    assert "badge-danger" not in card(get(moderator, "/community"), post_id)

    response = moderator.post(f"/moderation/posts/{post_id}/hide", data={"next": "/community"})
    assert response.status_code == 302

    assert card(get(reader, "/community"), post_id) == ""
    assert card(get(guest, "/community"), post_id) == ""
    for browser in (moderator, author):
        shown = card(get(browser, "/community"), post_id)
        assert "is-hidden" in shown and ">Hidden<" in text_of(re.sub(r"<svg.*?</svg>\s*", "", shown, flags=re.S))

    moderator.post(f"/moderation/posts/{post_id}/restore", data={"next": "/community"})
    shown = card(get(reader, "/community"), post_id)
    assert shown and "is-hidden" not in shown
    assert "is-hidden" not in card(get(moderator, "/community"), post_id)


# -- 4. tiers, roles, names, the bell -------------------------------------------------------------


def test_a_tier_change_shows_on_the_leaderboard_and_the_profile(app, cache, alice, bob):
    give_points(alice, 10)
    reader, guest = sign_in(app, bob), visitor(app)
    warm(cache, (reader, "/leaderboard"), (guest, "/leaderboard"))
    assert "tier-superfan" not in get(reader, "/leaderboard")
    assert "tier-superfan" not in get(reader, f"/members/{alice.id}")

    alice.tier = Tier.SUPERFAN
    tiers.shown_changed(db.session, alice)  # what a promotion does
    commit(db.session)

    for browser in (reader, guest):
        board_page = get(browser, "/leaderboard")
        row = re.search(r"<tr>\s*<td class=\"leader-rank(?:(?!</tr>).)*?Alice Author.*?</tr>", board_page, re.S).group(0)
        assert "tier-superfan" in row
    assert "tier-superfan" in get(reader, f"/members/{alice.id}")
    assert "tier-superfan" in get(guest, f"/members/{alice.id}")


def test_a_role_change_shows_the_staff_badge_on_the_authors_cards(app, cache, admin, alice, bob, make_post):
    post_id = make_post(alice)
    reader = sign_in(app, bob)
    warm(cache, (reader, "/community"))
    assert "badge-brand" not in card(get(reader, "/community"), post_id)

    with app.test_request_context():  # as an admin does: the community page's cards follow the writes that tell it
        roles.set_role(db.session, actor=db.session.get(User, admin.id), target=db.session.get(User, alice.id), role=Role.STAFF)

    assert "badge-brand" in card(get(reader, "/community"), post_id)


def test_the_members_own_header_follows_their_name_and_unread_count(app, cache, alice, bob, make_post):
    post_id = make_post(alice)
    member, other = sign_in(app, alice), sign_in(app, bob)
    warm(cache, (member, "/community"), (other, "/community"))
    assert "Alice Author" in header(get(member, "/community"))
    assert bell(get(member, "/community")) == ""

    response = member.post("/account/profile", data={"display_name": "Alicia Renamed", "bio": "", "username": "alice"})
    assert response.status_code == 302

    mine = get(member, "/community")
    assert "Alicia Renamed" in header(mine) and "Alice Author" not in header(mine)
    assert "Alicia Renamed" in card(mine, post_id)
    theirs = get(other, "/community")
    assert "Alicia Renamed" not in header(theirs) and "Bob Reader" in header(theirs)
    assert "Alicia Renamed" in card(theirs, post_id)

    other.post(f"/posts/{post_id}/comments", data={"body": "Nice one"})  # tells the author
    assert reload(User, alice.id).unread_notifications == 1
    assert bell(get(member, "/community")) == "1"
    assert bell(get(other, "/community")) == ""

    get(member, "/notifications")  # reading them clears the count
    assert reload(User, alice.id).unread_notifications == 0
    assert bell(get(member, "/community")) == ""

    picture = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 40, 40)).save(picture, "PNG")
    picture.seek(0)
    with app.test_request_context():
        account.update_profile(db.session, db.session.get(User, alice.id), display_name="Alicia Renamed", bio="",
                               avatar=picture)
    new_avatar = reload(User, alice.id).avatar
    assert new_avatar and new_avatar in header(get(member, "/community"))
    assert new_avatar not in header(get(other, "/community"))
    assert new_avatar in card(get(other, "/community"), post_id)


def test_the_suspension_banner_goes_when_the_suspension_ends(app, cache, alice, monkeypatch):
    """The header shows "Your account is suspended until ..." only while it is: the end of a suspension changes no
    row, only the time."""
    now = utcnow()
    member = db.session.get(User, alice.id)
    member.suspended_until, member.suspension_reason = now + timedelta(hours=1), "Cooling off"
    db.session.commit()
    browser = sign_in(app, alice)
    warm(cache, (browser, "/community"))
    assert "suspension-banner" in get(browser, "/community")

    from portal.accounts import models

    monkeypatch.setattr(models, "utcnow", lambda: now + timedelta(hours=2))  # an hour after it ended
    assert not reload(User, alice.id).is_suspended
    assert "suspension-banner" not in get(browser, "/community")


# -- 5. languages -------------------------------------------------------------------------------


def test_a_language_switch_shows_the_french_card_never_the_english_one(app, cache, alice, bob, carol, make_post):
    post_id = make_post(alice)
    reader, other = sign_in(app, bob), sign_in(app, carol)
    english, french = visitor(app, "en"), visitor(app, "fr")
    warm(cache, (reader, "/community"), (other, "/community"), (english, "/community"))
    assert "View post" in card(get(reader, "/community"), post_id)

    db.session.get(User, bob.id).locale = "fr"
    db.session.commit()

    shown = text_of(card(get(reader, "/community"), post_id))
    assert "Voir la publication" in shown and "View post" not in shown
    assert "Aimer cette publication" in shown
    shown = text_of(card(get(other, "/community"), post_id))
    assert "View post" in shown and "Voir la publication" not in shown
    shown = text_of(card(get(french, "/community"), post_id))
    assert "Voir la publication" in shown and "View post" not in shown
    assert "View post" in card(get(english, "/community"), post_id)

    db.session.get(User, bob.id).locale = "en"
    db.session.commit()
    shown = text_of(card(get(reader, "/community"), post_id))
    assert "View post" in shown and "Voir la publication" not in shown


# -- 6. deletions -------------------------------------------------------------------------------


def test_a_deleted_post_disappears_at_once(app, cache, alice, bob, make_post):
    post_id = make_post(alice)
    author, reader, guest = sign_in(app, alice), sign_in(app, bob), visitor(app)
    warm(cache, (author, "/community"), (reader, "/community"), (guest, "/community"))

    assert author.post(f"/posts/{post_id}/delete").status_code == 302

    for browser in (author, reader, guest):
        assert card(get(browser, "/community"), post_id) == ""


def test_a_deleted_account_shows_deleted_member_on_its_posts(app, cache, alice, bob, carol, make_post):
    post_id = make_post(carol)
    leaver, reader, french, guest = sign_in(app, carol), sign_in(app, bob), sign_in(app, alice), visitor(app)
    db.session.get(User, alice.id).locale = "fr"
    db.session.commit()
    warm(cache, (reader, "/community"), (french, "/community"), (guest, "/community"), (reader, f"/posts/{post_id}"))
    assert "Carol Third" in card(get(reader, "/community"), post_id)

    response = leaver.post("/account/delete", data={"password": PASSWORD})
    assert response.status_code == 302 and reload(User, carol.id).deleted_at is not None

    shown = text_of(card(get(reader, "/community"), post_id))
    assert "deleted member" in shown and "Carol Third" not in shown and "@carol" not in shown
    shown = text_of(card(get(guest, "/community"), post_id))
    assert "deleted member" in shown and "Carol Third" not in shown
    shown = text_of(card(get(french, "/community"), post_id))
    assert "membre supprimé" in shown and "Carol Third" not in shown and "deleted member" not in shown
    assert "Carol Third" not in get(reader, f"/posts/{post_id}")


# -- 7. security: tokens and addresses ----------------------------------------------------------


def test_a_members_csrf_token_never_reaches_another_member(csrf_app, cache, alice, bob, carol, make_post):
    app = csrf_app
    post_id = make_post(alice)
    first, second = sign_in(app, bob), sign_in(app, carol)
    warm(cache, (first, "/community"))
    first_page = get(first, "/community")
    first_tokens = set(TOKEN.findall(first_page))
    assert len(first_tokens) == 1, first_tokens  # one token a page, in the header and in every card
    assert like_state(card(first_page, post_id)) == (False, 0)

    hits = cache.hits
    second_page = get(second, "/community")
    assert cache.hits > hits  # the cards and header came from what the first member's request stored
    second_tokens = set(TOKEN.findall(second_page))
    assert len(second_tokens) == 1, second_tokens
    assert not first_tokens & second_tokens
    for token in first_tokens:
        assert token not in second_page
    assert CSRF_MARK not in second_page and CSRF_MARK not in first_page
    assert TOKEN.search(card(second_page, post_id)).group(1) in second_tokens

    (token,) = second_tokens
    assert second.post(f"/posts/{post_id}/like", data={"csrf_token": token, "next": "/community"}).status_code == 302
    assert db.session.scalar(select(PostLike).where(PostLike.post_id == post_id, PostLike.user_id == carol.id))
    assert like_state(card(get(second, "/community"), post_id)) == (True, 1)
    # The first member's token is no good in the second member's session.
    (stolen,) = first_tokens
    assert second.post(f"/posts/{post_id}/like", data={"csrf_token": stolen}).status_code == 400
    assert like_state(card(get(second, "/community"), post_id)) == (True, 1)


def test_one_members_two_sessions_each_get_their_own_token(csrf_app, cache, alice, bob, make_post):
    app = csrf_app
    post_id = make_post(alice)
    phone, laptop = sign_in(app, bob), sign_in(app, bob)
    warm(cache, (phone, "/community"))
    phone_tokens = set(TOKEN.findall(get(phone, "/community")))
    laptop_page = get(laptop, "/community")
    laptop_tokens = set(TOKEN.findall(laptop_page))
    assert len(phone_tokens) == len(laptop_tokens) == 1 and not phone_tokens & laptop_tokens
    (token,) = laptop_tokens
    assert laptop.post(f"/posts/{post_id}/like", data={"csrf_token": token}).status_code == 302
    assert like_state(card(get(phone, "/community"), post_id)) == (True, 1)


def test_a_next_field_holds_the_pages_own_address(app, cache, alice, bob, carol, make_post):
    post_id = make_post(alice)
    first, second = sign_in(app, bob), sign_in(app, carol)
    warm(cache, (first, "/community?tab=latest"))

    for browser in (second, first):
        for url in ("/community", "/community?tab=latest", "/tags/brand", "/tags/brand?cursor="):
            raw = get(browser, url)
            expected = url.rstrip("?").replace("?cursor=", "?cursor")  # Flask keeps "?cursor=" as it came
            fields = next_fields(card(raw, post_id))
            assert fields, url
            for value in fields:
                assert value.partition("#")[0] in (url, url.rstrip("?"), expected), (url, value)
            assert HERE_MARK not in raw


def test_the_next_field_on_a_real_second_page(app, cache, alice, bob, carol, make_post):
    ids = [make_post(alice) for _ in range(21)]  # one more than a page
    first, second = sign_in(app, bob), sign_in(app, carol)
    older = re.search(r'href="(/community\?cursor=[^"]+)"', get(first, "/community")).group(1)
    older = html.unescape(older)
    warm(cache, (first, older), (first, "/community"))
    second_page_of_first = get(second, older)
    oldest = card(second_page_of_first, ids[0])
    assert [v.partition("#")[0] for v in next_fields(oldest)] == [older]
    for value in next_fields(get(second, "/community")):
        assert value.partition("#")[0] == "/community", value


def test_visitors_sign_in_links_come_back_to_their_own_page(app, cache, alice, make_post):
    post_id = make_post(alice)
    guest = visitor(app)
    warm(cache, (guest, "/community"))
    login_link = re.search(r'href="(/login\?next=[^"]+)"', card(get(guest, "/tags/brand"), post_id)).group(1)
    assert "next=/tags/brand" in html.unescape(login_link).replace("%2F", "/")


@pytest.mark.parametrize("path", ["/tags/été", "/tags/a b", "/tags/l'été", '/tags/"x"&<y>', "/tags/a%2Fb"])
def test_a_visitors_sign_in_link_reads_as_url_for_draws_it(app, cache, path):
    link = '{% call fragment("link", 1) %}<a href="{{ url_for("accounts.login", next=fragment_here().split("?")[0]) }}">in</a>{% endcall %}'
    direct = '<a href="{{ url_for("accounts.login", next=request.path) }}">in</a>'
    _draw(app, link, "/community")  # drawn and kept on another page
    assert _draw(app, link, path + "?sort=top") == _draw(app, direct, path)


def test_visitors_share_one_copy_of_each_fragment_whatever_the_address(app, cache, alice, make_post):
    make_post(alice, body="One copy for every visitor")
    warm(cache, (visitor(app), "/community"))
    entries = len(cache)
    for n in range(5):
        assert visitor(app).get(f"/community?from=campaign-{n}").status_code == 200
    assert len(cache) == entries  # another query string is not another fragment


def test_a_fragment_inside_another_cannot_come_back_to_another_address(app, cache, bob):
    inner = '{% call fragment("inner", 1, here="/elsewhere") %}<input name="next" value="{{ fragment_here() }}">{% endcall %}'
    with pytest.raises(ValueError, match="another address"):
        _draw(app, '{% call fragment("outer", 1) %}' + inner + "{% endcall %}", "/community", bob)
    same = '{% call fragment("inner", 2, here="/community") %}<input name="next" value="{{ fragment_here() }}">{% endcall %}'
    drawn = _draw(app, '{% call fragment("outer", 2, here="/community") %}' + same + "{% endcall %}", "/community", bob)
    assert next_fields(drawn) == ["/community"]


# -- 8. relative dates ----------------------------------------------------------------------------


def _ages() -> Iterator[float]:
    """Ages from 0 to 7 days: every tenth of a second for two minutes, every second for two hours, every 20 s
    for two days, then every 2 minutes, with the half-unit edges where rounding turns."""
    yield from (i / 10 for i in range(1, 1200))
    yield from range(120, 7200)
    yield from range(7200, 2 * 86400, 20)
    yield from range(2 * 86400, 7 * 86400, 120)
    for size in (60, 3600, 86400):
        for n in range(1, 7 * 86400 // size):
            for edge in (n * size + size / 2 - 0.001, n * size + size / 2, n * size + size / 2 + 0.001,
                         n * size - 0.001, n * size):
                if 0 < edge < 7 * 86400:
                    yield edge
    yield 7 * 86400 - 0.001


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_one_age_bucket_reads_one_text(locale):
    now = datetime(2026, 6, 16, 12, 0, 0)
    seen: dict[tuple, str] = {}
    for age in _ages():
        value = now - timedelta(seconds=age)
        bucket = age_bucket(value, now)
        assert bucket != ("date",), age
        text = format_timedelta(-(now - value), add_direction=True, threshold=1, locale=locale)
        assert seen.setdefault(bucket, text) == text, (age, bucket, seen[bucket], text)
    assert len(seen) > 100


def test_the_very_first_second_reads_one_text():
    """An instant drawn at age 0 and one a moment later share the bucket ("second", 0): they must read alike."""
    now = datetime(2026, 6, 16, 12, 0, 0)
    for locale in ("en", "fr"):
        texts = {format_timedelta(-(now - (now - timedelta(seconds=age))), add_direction=True, threshold=1,
                                  locale=locale)
                 for age in (0, 0.000001, 0.4, 0.999)
                 if age_bucket(now - timedelta(seconds=age), now) == age_bucket(now, now)}
        assert len(texts) == 1, (locale, texts)


def test_dates_a_week_old_or_in_the_future_are_one_bucket():
    now = datetime(2026, 6, 16, 12, 0, 0)
    assert age_bucket(now - timedelta(days=7), now) == ("date",)
    assert age_bucket(now - timedelta(days=70), now) == ("date",)
    assert age_bucket(now + timedelta(seconds=1), now) == ("date",)
    assert age_bucket(None, now) is None


def test_the_card_shows_the_relative_date_of_the_moment_it_is_read(app, cache, alice, bob, make_post, monkeypatch):
    """With the clock frozen for both the key and the `timestamp` helper, a card drawn 3 hours after its post
    reads "3 hours ago" and an hour later "4 hours ago", though nothing else changed."""
    import portal

    post_id = make_post(alice)
    published = reload(Post, post_id).published_at
    clock = {"now": published + timedelta(hours=3)}
    monkeypatch.setattr(fragments, "utcnow", lambda: clock["now"])
    monkeypatch.setattr(portal, "utcnow", lambda: clock["now"])
    reader, guest = sign_in(app, bob), visitor(app)
    warm(cache, (reader, "/community"))
    assert "3 hours ago" in card(get(reader, "/community"), post_id)

    clock["now"] = published + timedelta(hours=4, minutes=1)
    assert "4 hours ago" in card(get(reader, "/community"), post_id)
    clock["now"] = published + timedelta(days=8)
    shown = card(get(reader, "/community"), post_id)
    assert "ago" not in shown and "data-relative" not in shown
    assert "data-relative" not in card(get(guest, "/tags/brand"), post_id)


# -- 9. row_version and the LRU -------------------------------------------------------------------


def test_row_version_changes_with_every_column(app, alice, make_post):
    post = reload(Post, make_post(alice, body="Version one"))
    author = post.author
    before = row_version(post, author, *post.photos)
    assert row_version(post, author, *post.photos) == before
    changes: list[tuple[Any, str, Any]] = [
        (post, "like_count", post.like_count + 1), (post, "comment_count", 3), (post, "hidden_at", utcnow()),
        (post, "body_html", "<p>Other</p>"), (post, "body", "Other"), (post, "edited_at", utcnow()),
        (post, "deleted_at", utcnow()), (post, "is_question", True), (post, "answer_id", 99),
        (post, "body_i18n", {"fr": "Version un"}), (post, "body_html_i18n", {"fr": "<p>Version un</p>"}),
        (author, "display_name", "Someone Else"), (author, "avatar", "a.png"), (author, "tier", Tier.SUPERFAN),
        (author, "role", Role.STAFF), (author, "deleted_at", utcnow()), (author, "unread_notifications", 5),
        (author, "locale", "fr"), (author, "username", "alice2"),
    ]
    for row, column, value in changes:
        old = getattr(row, column)
        setattr(row, column, value)
        assert row_version(post, author, *post.photos) != before, column
        setattr(row, column, old)
        assert row_version(post, author, *post.photos) == before, column
    db.session.rollback()


def test_row_version_sees_a_translation_changed_in_place(app, alice, make_post):
    post = reload(Post, make_post(alice))
    post.body_html_i18n = {"fr": "<p>Un</p>"}
    before = row_version(post)
    post.body_html_i18n["fr"] = "<p>Deux</p>"  # the same dict, another text
    assert row_version(post) != before
    post.body_html_i18n["de"] = "<p>Zwei</p>"
    assert row_version(post) != before
    db.session.rollback()


def test_row_version_reads_expired_columns_and_missing_rows(app, alice, make_post):
    post_id = make_post(alice)
    post = reload(Post, post_id)
    before = row_version(post, None)
    db.session.execute(Post.__table__.update().where(Post.__table__.c.id == post_id).values(like_count=7))
    db.session.commit()  # expires the loaded row
    assert row_version(post, None) != before
    assert row_version(post, None)[-1] is None
    assert row_version(None) == (None,)


def test_the_lru_keeps_within_its_bytes_and_drops_the_least_recently_used():
    html = {n: f"<p>{n}</p>" + "x" * 1000 for n in range(6)}
    one = fragments._cost(html[0])
    lru = LRU(3 * one)
    for n in range(5):
        lru.put(b"k%d" % n, html[n])
        assert lru.bytes <= 3 * one
    assert len(lru) == 3 and lru.bytes == 3 * one
    assert lru.get(b"k0") is None and lru.get(b"k1") is None
    assert lru.get(b"k2") == html[2]  # now the most recently used
    lru.put(b"k5", html[5])
    assert lru.get(b"k3") is None and lru.get(b"k2") == html[2]
    assert lru.hits == 2 and lru.misses == 3
    lru.put(b"k2", html[2].replace("x", "y"))  # a replaced entry is counted once
    assert len(lru) == 3 and lru.get(b"k2") == html[2].replace("x", "y")
    assert lru.bytes == sum(fragments._cost(lru.get(k)) for k in (b"k2", b"k4", b"k5"))
    lru.put(b"huge", "x" * (4 * one))  # larger than the whole cache: not kept, nothing dropped for it
    assert lru.get(b"huge") is None and len(lru) == 3
    lru.clear()
    assert len(lru) == 0 and lru.bytes == 0 and lru.get(b"k5") is None


def test_members_own_fragments_have_a_quarter_of_the_room_apart(app, cache, alice, bob, make_post):
    assert fragments.store(app).personal.max_bytes == app.config["FRAGMENT_CACHE_MB"] * 1024 * 1024 // 4
    make_post(alice, body="A shared card")
    warm(cache, (sign_in(app, bob), "/community"))
    personal, shared = len(cache.personal), len(cache.shared)
    sign_in(app, alice).get("/community")
    assert len(cache.personal) > personal  # alice's own header and composer
    assert len(cache.shared) == shared  # the card she sees is the one bob's page drew


@pytest.fixture
def small_cache(app: Flask) -> Fragments:
    """A fragment cache room for about two post cards."""
    app.extensions[fragments.EXTENSION] = small = Fragments(4 * 3000)
    return small


def test_a_small_cache_stays_within_its_size_and_pages_stay_right(app, small_cache, alice, bob, make_post):
    ids = [make_post(alice, body=f"Numbered post {n}") for n in range(5)]
    reader = sign_in(app, bob)
    for _ in range(3):
        raw = get(reader, "/community")
        assert small_cache.shared.bytes <= small_cache.shared.max_bytes
        assert small_cache.personal.bytes <= small_cache.personal.max_bytes
        for n, post_id in enumerate(ids):
            assert f"Numbered post {n}" in card(raw, post_id)
    assert 0 < len(small_cache.shared) < len(ids), "some cards kept, the others pushed out"
    misses = small_cache.shared.misses
    get(reader, "/community")
    assert small_cache.shared.misses > misses, "pushed-out cards are drawn again"


def test_the_cache_holds_no_value_of_what_its_keys_are_made_of(app, cache, alice, bob, make_post):
    make_post(alice, body="Keys are digests")
    warm(cache, (sign_in(app, bob), "/community"), (visitor(app), "/community"))
    keys = [*cache.shared._items, *cache.personal._items]
    assert keys and all(isinstance(key, bytes) and len(key) == 16 for key in keys)


# -- boards: idea rows ----------------------------------------------------------------------------


def test_a_vote_shows_pressed_for_the_voter_and_counted_for_everyone(app, cache, board, alice, bob, carol, make_idea):
    idea_id = make_idea(alice, "A lighter tent")  # with its author's vote
    voter, other, guest = sign_in(app, bob), sign_in(app, carol), visitor(app)
    url = f"/boards/{board.slug}"
    warm(cache, (voter, url), (other, url), (guest, url))
    assert vote_state(idea_row(get(voter, url), idea_id)) == (False, 1)

    assert voter.post(f"/ideas/{idea_id}/vote", data={"next": url}).status_code == 302

    assert vote_state(idea_row(get(voter, url), idea_id)) == (True, 2)
    assert "/unvote" in idea_row(get(voter, url), idea_id)
    assert vote_state(idea_row(get(other, url), idea_id)) == (False, 2)
    assert "/unvote" not in idea_row(get(other, url), idea_id)
    assert vote_state(idea_row(get(guest, url), idea_id)) == (False, 2)

    assert voter.post(f"/ideas/{idea_id}/unvote", data={"next": url}).status_code == 302

    assert vote_state(idea_row(get(voter, url), idea_id)) == (False, 1)
    assert vote_state(idea_row(get(other, url), idea_id)) == (False, 1)
    assert vote_state(idea_row(get(guest, url), idea_id)) == (False, 1)


def test_an_idea_edit_and_a_language_switch_show_on_the_board(app, cache, board, alice, bob, make_idea):
    idea_id = make_idea(alice, "A lighter tent")
    author, reader, guest = sign_in(app, alice), sign_in(app, bob), visitor(app)
    url = f"/boards/{board.slug}"
    warm(cache, (author, url), (reader, url), (guest, url))

    response = author.post(f"/ideas/{idea_id}/edit", data={"title": "An ultralight tent", "description": "Under a kilo"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    for browser in (author, reader, guest):
        row = text_of(idea_row(get(browser, url), idea_id))
        assert "An ultralight tent" in row and "A lighter tent" not in row

    assert ">Vote<" in idea_row(get(reader, url), idea_id)
    db.session.get(User, bob.id).locale = "fr"
    db.session.commit()
    row = idea_row(get(reader, url), idea_id)
    assert ">Voter<" in row and ">Vote<" not in row
    assert ">Voted<" in idea_row(get(author, url), idea_id)  # the author's own vote, in English
    assert ">Voter<" in idea_row(get(visitor(app, "fr"), url), idea_id)


def test_the_vote_forms_next_field_is_the_boards_own_address(app, cache, board, alice, bob, carol, make_idea):
    idea_id = make_idea(alice, "A lighter tent")
    first, second = sign_in(app, bob), sign_in(app, carol)
    url = f"/boards/{board.slug}"
    warm(cache, (first, f"{url}?sort=new"))
    for address in (url, f"{url}?sort=new"):
        fields = next_fields(idea_row(get(second, address), idea_id))
        assert fields and all(v.partition("#")[0] == address for v in fields), (address, fields)


# -- the idea page's comments ---------------------------------------------------------------------


def test_idea_comments_follow_names_roles_deletions_and_languages(app, cache, board, admin, alice, bob, carol, make_idea):
    idea_id = make_idea(alice, "A lighter tent")
    with app.test_request_context():
        comment = feedback.add_comment(db.session, db.session.get(Idea, idea_id), carol, body="Yes please, for hikes")
        comment_id = comment.id
    author, reader, writer, guest = sign_in(app, alice), sign_in(app, bob), sign_in(app, carol), visitor(app)
    url = f"/ideas/{idea_id}"
    warm(cache, (author, url), (reader, url), (writer, url), (guest, url))
    assert "Carol Third" in idea_comment(get(reader, url), comment_id)

    # Only the writer (and moderators) get the delete menu, even though the writer drew the comment first.
    assert "/delete" in idea_comment(get(writer, url), comment_id)
    assert "/delete" not in idea_comment(get(reader, url), comment_id)
    assert "/delete" not in idea_comment(get(guest, url), comment_id)

    writer.post("/account/profile", data={"display_name": "Caroline Renamed", "bio": "", "username": "carol"})
    for browser in (author, reader, guest):
        shown = idea_comment(get(browser, url), comment_id)
        assert "Caroline Renamed" in shown and "Carol Third" not in shown

    # The idea's activity is kept per version of its page: a role changes as an admin changes it, which tells it.
    with app.test_request_context():
        roles.set_role(db.session, actor=db.session.get(User, admin.id), target=db.session.get(User, carol.id), role=Role.STAFF)
    assert "badge-brand" in idea_comment(get(reader, url), comment_id)

    db.session.get(User, bob.id).locale = "fr"
    db.session.commit()
    assert "Équipe" in text_of(idea_comment(get(reader, url), comment_id))
    assert "Équipe" not in text_of(idea_comment(get(author, url), comment_id))

    with app.test_request_context():
        roles.set_role(db.session, actor=db.session.get(User, admin.id), target=db.session.get(User, carol.id), role=Role.MEMBER)
    response = writer.post("/account/delete", data={"password": PASSWORD})
    assert response.status_code == 302 and reload(User, carol.id).deleted_at is not None
    shown = text_of(idea_comment(get(author, url), comment_id))
    assert "deleted member" in shown and "Caroline" not in shown
    shown = text_of(idea_comment(get(reader, url), comment_id))
    assert "membre supprimé" in shown and "Caroline" not in shown


def test_a_new_and_a_deleted_idea_comment_show_at_once(app, cache, board, alice, bob, make_idea):
    idea_id = make_idea(alice, "A lighter tent")
    author, reader, guest = sign_in(app, alice), sign_in(app, bob), visitor(app)
    url = f"/ideas/{idea_id}"
    warm(cache, (author, url), (reader, url), (guest, url))

    assert reader.post(f"{url}/comments", data={"body": "Count me in"}).status_code == 302
    comment_id = db.session.scalar(select(IdeaComment.id).where(IdeaComment.idea_id == idea_id))
    for browser in (author, reader, guest):
        assert "Count me in" in idea_comment(get(browser, url), comment_id)

    assert reader.post(f"/ideas/comments/{comment_id}/delete").status_code == 302
    for browser in (author, reader, guest):
        assert "Count me in" not in get(browser, url)


def test_an_idea_pages_activity_comes_whole_from_the_cache_and_each_viewer_gets_their_own_menus(
        app, cache, board, alice, bob, carol, mod, make_idea, count_queries):
    """The activity is kept per version of the idea's page: a member's second visit loads none of its comments or
    events; a comment's writer and moderators get its menu, nobody else, also once they comment themselves."""
    idea_id = make_idea(alice, "A lighter tent")
    url = f"/ideas/{idea_id}"
    with app.test_request_context():
        carols = feedback.add_comment(db.session, db.session.get(Idea, idea_id), carol, body="Yes please").id
    reader, writer, moderator = sign_in(app, bob), sign_in(app, carol), sign_in(app, mod)
    for browser in (reader, writer, moderator):
        get(browser, url)
    with count_queries() as counted:
        raw = get(reader, url)
    assert "Yes please" in idea_comment(raw, carols) and "/delete" not in idea_comment(raw, carols)
    assert not [s for s in counted.statements if "FROM idea_comments" in s and "DISTINCT" not in s], counted.statements
    assert not [s for s in counted.statements if "FROM idea_events" in s], counted.statements
    assert "/delete" in idea_comment(get(writer, url), carols)
    assert "/delete" in idea_comment(get(moderator, url), carols)

    assert reader.post(f"{url}/comments", data={"body": "Count me in"}).status_code == 302
    bobs = db.session.scalar(select(IdeaComment.id).where(IdeaComment.idea_id == idea_id, IdeaComment.author_id == bob.id))
    raw = get(reader, url)
    assert "/delete" in idea_comment(raw, bobs) and "/delete" not in idea_comment(raw, carols)
    raw = get(writer, url)
    assert "/delete" not in idea_comment(raw, bobs) and "/delete" in idea_comment(raw, carols)
    assert "/comments/" not in re.sub(r"/ideas/\d+/comments\b", "", get(sign_in(app, alice), url))  # no comment's menu


def test_streams_of_cards_follow_posts_likes_hides_and_follows_for_each_member(app, cache, alice, bob, carol, mod,
                                                                             make_post, count_queries):
    """The feed, a hashtag page, a profile and the community page are each kept whole per version of what they show
    (their page-cache topics): a second visit reads none of their posts; a new post, a like, a hide and an unfollow
    show at once, with the like pressed for the liker only and a hidden post still shown to its author."""
    with app.test_request_context():
        social.follow(db.session, db.session.get(User, bob.id), db.session.get(User, alice.id))
    first = make_post(alice, "Up at dawn on the #trail")
    pages = ["/feed", "/tags/trail", f"/members/{alice.id}", "/community"]
    author, follower, other = sign_in(app, alice), sign_in(app, bob), sign_in(app, carol)
    for browser in (author, follower, other):
        for url in pages:
            get(browser, url)
    for url in pages:
        with count_queries() as counted:
            raw = get(follower, url)
        assert card(raw, first), url
        assert not [s for s in counted.statements if "FROM posts" in s and "hidden_at IS NOT NULL" not in s], (url, counted.statements)

    second = make_post(alice, "Back down, the #trail was muddy")
    with app.test_request_context():
        social.toggle_post_like(db.session, db.session.get(Post, first), db.session.get(User, bob.id))
    for url in pages:
        assert card(get(follower, url), second), url
        assert like_state(card(get(follower, url), first)) == (True, 1), url
        if url != "/feed":
            assert like_state(card(get(other, url), first)) == (False, 1), url

    with app.test_request_context():
        moderation.hide(db.session, db.session.get(User, mod.id), post=db.session.get(Post, second))
    for url in pages:
        assert not card(get(follower, url), second), url
        assert card(get(author, url), second), url  # its author still sees it, marked hidden
    assert not card(get(other, f"/members/{alice.id}"), second)

    with app.test_request_context():
        social.unfollow(db.session, db.session.get(User, bob.id), db.session.get(User, alice.id))
    assert not card(get(follower, "/feed"), first)
    assert card(get(follower, "/community"), first)


# -- more of what a card or row shows -----------------------------------------------------------


def comment_count_on(fragment: str) -> int:
    return int(re.search(r'href="/posts/\d+#comments"[^>]*>.*?<span class="count">(\d+)</span>', fragment, re.S).group(1))


def test_a_comment_counts_at_once_on_every_card(app, cache, alice, bob, make_post):
    post_id = make_post(alice)
    author, reader, guest = sign_in(app, alice), sign_in(app, bob), visitor(app)
    warm(cache, (author, "/community"), (reader, "/community"), (guest, "/community"))
    assert comment_count_on(card(get(reader, "/community"), post_id)) == 0

    assert reader.post(f"/posts/{post_id}/comments", data={"body": "Lovely"}).status_code == 302

    for browser in (author, reader, guest):
        assert comment_count_on(card(get(browser, "/community"), post_id)) == 1


def test_an_announcements_translation_shows_in_each_readers_language(app, cache, bob, carol, established, make_post):
    staff = established(display_name="Stella Staff", username="stella", role=Role.STAFF)
    post_id = make_post(staff, body="Our autumn sale starts today", announcement=True,
                        translation="Nos soldes d'automne commencent aujourd'hui", translation_locale="fr")
    db.session.get(User, carol.id).locale = "fr"
    db.session.commit()
    writer, english, french, guest = sign_in(app, staff), sign_in(app, bob), sign_in(app, carol), visitor(app, "fr")
    warm(cache, (english, "/community"), (french, "/community"), (guest, "/community"))
    assert "autumn sale" in card(get(english, "/community"), post_id)
    assert "soldes d'automne" in text_of(card(get(french, "/community"), post_id))

    response = writer.post(f"/posts/{post_id}/edit", data={"body": "Our winter sale starts today",
                                                            "translation": "Nos soldes d'hiver commencent aujourd'hui",
                                                            "translation_locale": "fr"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]

    shown = text_of(card(get(english, "/community"), post_id))
    assert "winter sale" in shown and "autumn" not in shown and "soldes" not in shown
    for browser in (french, guest):
        shown = text_of(card(get(browser, "/community"), post_id))
        assert "soldes d'hiver" in shown and "automne" not in shown and "winter sale" not in shown


def test_an_empty_budget_disables_the_other_ideas_only_for_that_voter(app, cache, admin, alice, bob, carol):
    with app.test_request_context():
        tight = triage.save_board(db.session, admin, None, name="One vote", slug="one-vote", description="",
                                  visibility=Visibility.PUBLIC, vote_budget=1, categories="")
        first, _ = feedback.submit_idea(db.session, tight, alice, title="First idea")
        second, _ = feedback.submit_idea(db.session, tight, alice, title="Second idea")
        first_id, second_id = first.id, second.id
    voter, other = sign_in(app, bob), sign_in(app, carol)
    url = "/boards/one-vote"
    warm(cache, (voter, url), (other, url))
    assert "disabled" not in idea_row(get(voter, url), second_id)

    assert voter.post(f"/ideas/{first_id}/vote", data={"next": url}).status_code == 302

    assert vote_state(idea_row(get(voter, url), first_id)) == (True, 2)
    assert "disabled" in idea_row(get(voter, url), second_id)
    assert "disabled" not in idea_row(get(other, url), second_id)
    assert vote_state(idea_row(get(other, url), first_id)) == (False, 2)

    voter.post(f"/ideas/{first_id}/unvote", data={"next": url})
    assert "disabled" not in idea_row(get(voter, url), second_id)


# What a member could write that looks like a mark: the marks of the first version of the cache (fixed strings,
# "zzTribuneHerezz" and "\ue000csrf\ue000"), and the prefixes of the present ones (random for each process).
WRITTEN_MARKS = ["zzTribuneHerezz", "zzzzTribuneHerezzzz", "here", "csrf" + "0" * 32, "here" + "0" * 32]


@pytest.mark.parametrize("word", WRITTEN_MARKS)
def test_a_post_that_writes_an_address_mark_shows_what_was_written(app, cache, alice, bob, make_post, word):
    """The marks filled in per request are the cache's business: a member's text that happens to contain one is
    shown as written, not with the reader's page address in it."""
    post_id = make_post(alice, body=f"Spelling test: {word} end, see https://elsewhere.example/{word}")
    reader = sign_in(app, bob)
    warm(cache, (reader, "/community"))
    shown = text_of(card(get(reader, "/community?tab=latest"), post_id))
    assert f"Spelling test: {word} end" in shown, re.search(r"Spelling test:[^<]*", shown).group(0)
    assert f'href="https://elsewhere.example/{word}"' in shown
    assert "/community" not in re.search(r'<div class="post-body rich">.*?</div>', shown, re.S).group(0)


@pytest.mark.parametrize("word", ["\ue000csrf\ue000", "csrf", "csrf" + "0" * 32])
def test_a_post_that_writes_a_token_mark_shows_no_token(csrf_app, cache, alice, bob, carol, make_post, word):
    app = csrf_app
    post_id = make_post(alice, body=f"Spelling test: {word} end")
    first, reader = sign_in(app, carol), sign_in(app, bob)
    warm(cache, (first, "/community"))
    raw = get(reader, "/community")
    (token,) = set(TOKEN.findall(raw))
    body = re.search(r'<div class="post-body rich">.*?</div>', card(raw, post_id), re.S).group(0)
    assert token not in body and f"Spelling test: {word} end" in body, body


# -- staff tables -------------------------------------------------------------------------------


def priority_row(raw: str, idea_id: int) -> str:
    match = re.search(rf'<tr>\s*<td class="priority-idea"[^>]*><div><a href="/ideas/{idea_id}">.*?</tr>', raw, re.S)
    return match.group(0) if match else ""


def test_a_vote_and_an_edit_show_at_once_in_the_priorities(app, cache, board, established, alice, bob, make_idea):
    staff = established(display_name="Stella Staff", username="stella", role=Role.STAFF)
    idea_id = make_idea(alice, "A lighter tent")
    team, voter, author = sign_in(app, staff), sign_in(app, bob), sign_in(app, alice)
    warm(cache, (team, "/staff/priorities"))
    numbers = lambda row: re.findall(r'<td class="num"[^>]*>(?:<strong>)?([^<]*)', row)  # noqa: E731
    before = numbers(priority_row(get(team, "/staff/priorities"), idea_id))
    assert before

    assert voter.post(f"/ideas/{idea_id}/vote").status_code == 302
    after = numbers(priority_row(get(team, "/staff/priorities"), idea_id))
    assert after != before
    assert int(after[1]) == int(before[1]) + 1  # the votes column

    author.post(f"/ideas/{idea_id}/edit", data={"title": "An ultralight tent", "description": ""})
    row = text_of(priority_row(get(team, "/staff/priorities"), idea_id))
    assert "An ultralight tent" in row and "A lighter tent" not in row


def test_a_tier_change_shows_at_once_in_the_staff_fans_table(app, cache, established, alice):
    staff = established(display_name="Stella Staff", username="stella", role=Role.STAFF)
    give_points(alice, 10)
    team = sign_in(app, staff)
    warm(cache, (team, "/staff/fans"))

    def alice_row() -> str:
        raw = get(team, "/staff/fans")
        match = re.search(rf'<tr>\s*<td class="fans-first"(?:(?!</tr>).)*?value="{alice.id}".*?</tr>', raw, re.S)
        assert match, "Alice is not in the table"
        return match.group(0)

    assert "tier-superfan" not in alice_row()
    member = db.session.get(User, alice.id)
    member.tier = Tier.SUPERFAN
    tiers.shown_changed(db.session, member)
    commit(db.session)
    assert "tier-superfan" in alice_row()
    member = db.session.get(User, alice.id)
    member.display_name = "Alicia Renamed"
    db.session.commit()
    assert "Alicia Renamed" in alice_row()


# -- fragment() itself, on templates of our own ---------------------------------------------------


def _draw(app: Flask, source: str, url: str, user: User | None = None, **context: Any) -> str:
    """Render `source` as a request for `url` would (signed in as `user`, if given)."""
    from flask import render_template_string
    from flask_login import login_user

    with app.app_context(), app.test_request_context(url):  # an app context of its own: `g` is per request
        if user is not None:
            login_user(db.session.get(User, user.id))
        return render_template_string(source, **context)


def test_a_wtforms_token_inside_a_fragment_is_never_kept(csrf_app, cache):
    app = csrf_app
    source = '{% call fragment("own-form", 1) %}<form>{{ form.hidden_tag() }}</form>{% endcall %}'
    with app.app_context(), app.test_request_context("/"):
        first = render_template_string_with_form(app, source)
    with app.app_context(), app.test_request_context("/"):
        second = render_template_string_with_form(app, source)
    first_token, second_token = TOKEN.search(first).group(1), TOKEN.search(second).group(1)
    assert first_token != second_token  # two sessions (two request contexts without a cookie)
    assert first_token not in second
    assert len(cache) == 0


def render_template_string_with_form(app: Flask, source: str) -> str:
    from flask import render_template_string
    from flask_wtf import FlaskForm

    class Empty(FlaskForm):
        pass

    return render_template_string(source, form=Empty())


def test_the_address_mark_is_filled_in_per_request_even_in_a_nested_fragment(app, cache, bob):
    inner = '{% call fragment("inner", 1) %}<input name="next" value="{{ fragment_here() }}">{% endcall %}'
    source = '{% call fragment("outer", 1) %}<div>' + inner + '</div>{% endcall %}'
    first = _draw(app, source, "/community?tab=latest", bob)
    assert next_fields(first) == ["/community?tab=latest"]
    second = _draw(app, source, "/tags/brand", bob)
    assert next_fields(second) == ["/tags/brand"], "the outer fragment kept the first request's address"


def test_a_token_mark_is_filled_in_per_request_even_in_a_nested_fragment(csrf_app, cache, bob, carol):
    app = csrf_app
    inner = '{% call fragment("inner", 1) %}<input name="csrf_token" value="{{ csrf_token() }}">{% endcall %}'
    source = '{% call fragment("outer", 1) %}<div>' + inner + '</div>{% endcall %}'
    first = _draw(app, source, "/community", bob)
    second = _draw(app, source, "/community", carol)
    assert TOKEN.search(first).group(1) != TOKEN.search(second).group(1)
    assert TOKEN.search(first).group(1) not in second


def budget_panel(raw: str) -> str:
    match = re.search(r'<section class="budget-panel".*?</section>', raw, re.S)
    return match.group(0) if match else ""


def test_my_votes_follows_an_edit_in_the_middle_of_a_long_title(app, cache, board, alice, bob, make_idea):
    # Invisible characters read as six in a repr: a SQLAlchemy Row's repr would cut this title's middle out.
    pad = "\u00ad" * 55
    idea_id = make_idea(alice, f"{pad}Lantern{pad}")
    voter, author = sign_in(app, bob), sign_in(app, alice)
    url = f"/boards/{board.slug}"
    voter.post(f"/ideas/{idea_id}/vote", data={"next": url})
    warm(cache, (voter, url))
    assert "Lantern" in budget_panel(get(voter, url))
    author.post(f"/ideas/{idea_id}/edit", data={"title": f"{pad}Lampion{pad}", "description": ""})
    assert db.session.get(Idea, idea_id).title == f"{pad}Lampion{pad}"
    mine = budget_panel(get(voter, url))
    assert "Lampion" in mine and "Lantern" not in mine  # as long as the old one: only its middle changed


def test_the_vote_answers_panel_holds_this_requests_marks_filled_in(app, cache, board, alice, bob, make_idea):
    """The panel a vote answers with is drawn again after every vote (it is kept per version of the board, which the
    vote bumps); what it shows is the same for the same votes, with this request's token and address."""
    idea_id = make_idea(alice, "A lighter tent")
    voter = sign_in(app, bob)
    url = f"/boards/{board.slug}?sort=new"
    warm(cache, (voter, url))
    json = {"Accept": "application/json"}
    answer = voter.post(f"/ideas/{idea_id}/vote", data={"next": url}, headers=json).get_json()
    assert "A lighter tent" in text_of(answer["panel"]) and "1 of 10 votes used" in text_of(answer["panel"])
    again = voter.post(f"/ideas/{idea_id}/unvote", data={"next": url}, headers=json).get_json()
    voter.post(f"/ideas/{idea_id}/vote", data={"next": url}, headers=json)
    third = voter.post(f"/ideas/{idea_id}/unvote", data={"next": url}, headers=json).get_json()
    assert third["panel"] == again["panel"]
    for answer in (again, third):
        for piece in (answer["panel"], answer["box"]):
            assert CSRF_MARK not in piece and HERE_MARK not in piece
    assert "A lighter tent" not in text_of(third["panel"])
    assert {v.partition("#")[0] for v in next_fields(third["box"])} == {url}


def test_my_votes_panel_follows_my_votes_and_the_titles(app, cache, board, alice, bob, carol, make_idea):
    idea_id = make_idea(alice, "A lighter tent")
    voter, other, author = sign_in(app, bob), sign_in(app, carol), sign_in(app, alice)
    url = f"/boards/{board.slug}"
    warm(cache, (voter, url), (other, url))
    assert "A lighter tent" not in budget_panel(get(voter, url))

    voter.post(f"/ideas/{idea_id}/vote", data={"next": url})
    mine = text_of(budget_panel(get(voter, url)))
    assert "A lighter tent" in mine and "1 of 10 votes used" in mine
    theirs = text_of(budget_panel(get(other, url)))
    assert "A lighter tent" not in theirs and "0 of 10 votes used" in theirs
    hits = cache.hits
    get(voter, url)
    assert cache.hits > hits

    author.post(f"/ideas/{idea_id}/edit", data={"title": "An ultralight tent", "description": ""})
    mine = text_of(budget_panel(get(voter, url)))
    assert "An ultralight tent" in mine and "A lighter tent" not in mine
    assert [v.partition("#")[0] for v in next_fields(budget_panel(get(voter, f"{url}?sort=new")))] == [f"{url}?sort=new"]

    voter.post(f"/ideas/{idea_id}/unvote", data={"next": url})
    mine = text_of(budget_panel(get(voter, url)))
    assert "An ultralight tent" not in mine and "0 of 10 votes used" in mine


def test_a_badge_and_a_follow_show_on_the_profile_at_once_for_its_owner_and_others(app, cache, alice, bob, monkeypatch):
    """The profile's badges and follower counts are kept per version of the member's topic: a badge given (by the
    nightly job) and a follow each show at once, to the member and to everyone else."""
    monkeypatch.setattr(badges, "BADGES", EVERY_BADGE)
    owner, other = sign_in(app, alice), sign_in(app, bob)
    profile = f"/members/{alice.id}"
    warm(cache, (owner, profile), (other, profile))
    assert "Reach the fan tier" not in get(other, profile) and "See how you earn points" not in get(owner, profile)

    member = reload(User, alice.id)
    member.tier = Tier.FAN
    db.session.commit()  # no topic bumped yet: what the nightly job does next gives the badge
    badges.award(db.session, [member])
    commit(db.session)
    for browser in (owner, other):
        assert "Reach the fan tier" in get(browser, profile)
    assert "See how you earn points" in get(owner, profile) and "See how you earn points" not in get(other, profile)

    # A tier committed between the profile's read of the member and its read of their version (here: with no bump at
    # all) is not kept under that version: the tier is in the fragment's key.
    hits = cache.hits
    assert "tier-superfan" not in get(other, profile) and cache.hits > hits
    member = reload(User, alice.id)
    member.tier = Tier.SUPERFAN
    db.session.commit()
    assert "tier-superfan" in get(other, profile)

    def followers(browser: FlaskClient) -> str:
        return re.search(r"<dt>Followers</dt><dd>(\d+)</dd>", get(browser, profile)).group(1)

    assert (followers(owner), followers(other)) == ("0", "0")
    with app.test_request_context():
        social.follow(db.session, reload(User, bob.id), reload(User, alice.id))
    assert (followers(owner), followers(other)) == ("1", "1")
    with app.test_request_context():
        social.unfollow(db.session, reload(User, bob.id), reload(User, alice.id))
    assert (followers(owner), followers(other)) == ("0", "0")


def test_a_request_reads_each_topic_once_and_sees_its_own_writes(app, monkeypatch):
    """The generations are read once a request, whatever the number of fragments keyed on them, and a write within
    the request is seen by what it draws after; outside a request (a job), each read asks the store."""
    asked: list[tuple[str, ...]] = []
    real = pagecache.cache.get_many
    monkeypatch.setattr(pagecache.cache, "get_many", lambda *keys: asked.append(keys) or real(*keys))
    with app.test_request_context():
        first = pagecache.versions("board:ideas")
        assert pagecache.versions("board:ideas", "member:7")[:3] == first
        assert asked == [("gen:site", "gen:people", "gen:board:ideas"), ("gen:member:7",)]
        pagecache.invalidate("board:ideas")
        renewed = pagecache.versions("board:ideas")[2]
        assert renewed != first[2] and len(asked) == 2
    with app.test_request_context():
        assert pagecache.versions("board:ideas")[2] == renewed
    with app.app_context():
        pagecache.versions("board:ideas"), pagecache.versions("board:ideas")
    assert len(asked) == 5
