"""Community pages run the same number of SQL statements for one item as for fifty (no N+1).

Each test measures a page with one item, adds 49 more (each post with photos, a hashtag,
likes, a comment and a reply, each by a different member), and measures again; pinned
announcements (three at most) are measured with one and with three. The page
cache is a NullCache here, so anonymous visitors' pages are really drawn every time.

Measured on both legs (SQLite and PostgreSQL give the same numbers), and used as the bounds:

    page                               anonymous   signed in
    /feed                                  -           7
    /community                             4           7
    /community, 3 pinned off the page      5           8
    /community?tab=trending                4           7
    /tags/<tag>                            3           6
    /members/<id>                          7          11
    /posts/<id> with its comments          4           7

Signing in costs the session lookup and the "which of these do I like" queries (on the pages of post cards also whether
the member has a hidden post, which a cache remembers in production); every
page also reads the site settings once. The bounds are the measured numbers, with no
room: a new statement on one of these pages should be a decision, made on purpose.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.accounts.models import Role, User
from portal.community.models import Comment, CommentLike, Follow, Hashtag, Photo, Post, PostHashtag, PostLike
from portal.extensions import db
from portal.kernel.timeutil import utcnow

PASSWORD = "correct horse battery staple"  # the password conftest gives every member
TAG = "trail"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """No page cache: an anonymous visit draws the page, as the first visit after a change does."""
    return {**app_config, "CACHE_TYPE": "NullCache", "CACHE_NO_NULL_WARNING": True}


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def login(app: Flask) -> Callable[[User], FlaskClient]:
    def sign_in(user: User) -> FlaskClient:
        browser = app.test_client()
        response = browser.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302
        return browser

    return sign_in


class World:
    """Members, posts and comments written straight to the tables, with their counters kept right."""

    def __init__(self, established: Callable[..., User]):
        self.established = established
        self.numbers = count(1)
        self.viewer = established(display_name="Vera Viewer", username="vera")
        self.liker = established(display_name="Lou Liker", username="lou")
        self.owner = established(display_name="Olga Owner", username="olga")  # writes the profile's posts
        self.tag = Hashtag(name=TAG)
        db.session.add(self.tag)
        db.session.commit()

    def member(self) -> User:
        n = next(self.numbers)
        return self.established(display_name=f"Writer {n}", username=f"writer{n}")

    def posts(self, how_many: int, *, author: User | None = None) -> list[Post]:
        """Posts by different members (or all by `author`), each with two photos, a tag, two likes,
        a comment with a reply, and the viewer following the author."""
        now = utcnow()
        made = []
        for _ in range(how_many):
            n = next(self.numbers)
            writer = author or self.member()
            if writer.id != self.viewer.id and db.session.get(Follow, (self.viewer.id, writer.id)) is None:
                db.session.add(Follow(follower_id=self.viewer.id, followed_id=writer.id))
            when = now - timedelta(minutes=n)
            post = Post(author_id=writer.id, body=f"Post {n} #{TAG}",
                        body_html=f'<p>Post {n} <a href="/tags/{TAG}" class="hashtag">#{TAG}</a></p>',
                        is_question=len(made) % 2 == 0, created_at=when, published_at=when, like_count=2, comment_count=2)
            post.photos = [Photo(position=i, filename=f"p{n}-{i}.jpg", thumbnail=f"p{n}-{i}-t.jpg", width=640, height=480)
                           for i in range(2)]
            db.session.add(post)
            made.append(post)
        db.session.flush()
        for post in made:
            db.session.add_all([PostHashtag(post_id=post.id, hashtag_id=self.tag.id),
                                PostLike(user_id=self.viewer.id, post_id=post.id),
                                PostLike(user_id=self.liker.id, post_id=post.id)])
        db.session.flush()
        for post in made:
            top, = self._comments(post, 1)
            self._comments(post, 1, parent=top)
            post.comment_count = 2
            if post.is_question:
                post.answer_id = top.id
        db.session.commit()
        return made

    def announcements(self, how_many: int, staff: User) -> None:
        """Staff announcements from a month ago (pinned, but far below the first page), each with a photo."""
        for post in self.posts(how_many, author=staff):
            post.is_announcement, post.is_question, post.answer_id = True, False, None
            post.published_at = post.created_at = utcnow() - timedelta(days=30, minutes=post.id)
        db.session.commit()

    def comments(self, post: Post, how_many: int) -> None:
        """Top-level comments, each with a reply, by different members; the viewer likes them all."""
        tops = self._comments(post, how_many)
        self._comments(post, how_many, parents=tops)
        post.comment_count += 2 * how_many
        db.session.commit()

    def _comments(self, post: Post, how_many: int, parent: Comment | None = None,
                  parents: list[Comment] | None = None) -> list[Comment]:
        made = []
        for i in range(how_many):
            n = next(self.numbers)
            above = parents[i] if parents else parent
            made.append(Comment(post_id=post.id, author_id=self.member().id, parent_id=above.id if above else None,
                                body=f"Comment {n}", body_html=f"<p>Comment {n}</p>", like_count=1))
        db.session.add_all(made)
        db.session.flush()
        db.session.add_all([CommentLike(user_id=self.viewer.id, comment_id=c.id) for c in made])
        db.session.flush()
        return made


@pytest.fixture
def world(app, established) -> World:
    return World(established)


def measure(browser: FlaskClient, path: str, count_queries) -> tuple[int, str]:
    browser.get(path)  # once before, so one-off work (a session touch, a first lookup) is not counted
    with count_queries() as q:
        response = browser.get(path)
    assert response.status_code == 200
    return q.count, page(response)


def cards(text: str) -> int:
    return len(re.findall(r'<article class="post-card[^"]*" id="post-\d+">', text))


LISTS = [
    # (path, signed in, statements at most)
    ("/feed", True, 7),  # one of them reads whom the member follows (see community.queries.home_feed)
    ("/community", False, 4),
    ("/community", True, 7),  # one of them asks whether the member has a hidden post (community.queries.hidden_posts_seen)
    ("/community?tab=trending", False, 4),
    ("/community?tab=trending", True, 7),
    (f"/tags/{TAG}", False, 3),
    (f"/tags/{TAG}", True, 6),
]


@pytest.mark.parametrize(("path", "signed_in", "bound"), LISTS,
                         ids=[f"{p}-{'member' if s else 'anonymous'}" for p, s, _ in LISTS])
def test_a_list_of_posts_costs_the_same_for_one_post_as_for_fifty(app, world, login, client, count_queries,
                                                                 path, signed_in, bound):
    browser = login(world.viewer) if signed_in else client
    world.posts(1)
    with_one, text = measure(browser, path, count_queries)
    assert cards(text) == 1

    world.posts(49)
    with_fifty, text = measure(browser, path, count_queries)

    assert cards(text) == 20  # a page of them, each drawn with its photos, likes and comment count
    assert text.count('<img src="/media/photos/') == 40
    if signed_in:
        assert text.count('aria-pressed="true"') == 20
    assert with_fifty == with_one, f"{path}: {with_one} statements for one post, {with_fifty} for fifty"
    assert with_one <= bound, f"{path}: {with_one} statements"


# The fans section (tier and badges) is one of them.
@pytest.mark.parametrize(("signed_in", "bound"), [(False, 7), (True, 11)], ids=["anonymous", "member"])
def test_a_profile_costs_the_same_for_one_post_as_for_fifty(app, world, login, client, count_queries, signed_in, bound):
    browser = login(world.viewer) if signed_in else client
    path = f"/members/{world.owner.id}"
    world.posts(1, author=world.owner)
    with_one, text = measure(browser, path, count_queries)
    assert cards(text) == 1

    world.posts(49, author=world.owner)
    with_fifty, text = measure(browser, path, count_queries)

    assert cards(text) == 20
    assert with_fifty == with_one, f"{with_one} statements for one post, {with_fifty} for fifty"
    assert with_one <= bound, f"{with_one} statements"


@pytest.mark.parametrize(("signed_in", "bound"), [(False, 4), (True, 7)], ids=["anonymous", "member"])
def test_a_post_page_costs_the_same_for_one_comment_as_for_fifty(app, world, login, client, count_queries,
                                                                 signed_in, bound):
    browser = login(world.viewer) if signed_in else client
    post, = world.posts(1)  # a question, answered by its comment, which has a reply
    path = f"/posts/{post.id}"
    with_one, text = measure(browser, path, count_queries)
    assert text.count('<article class="comment') == 2

    world.comments(post, 49)  # 49 more comments, each with a reply, a like and its own author
    with_fifty, text = measure(browser, path, count_queries)

    assert text.count('<article class="comment') == 100
    assert re.search(r'<h2 id="comments-title">100 (comments|replies)</h2>', text)
    if signed_in:
        assert text.count('aria-pressed="true"') == 101  # the post and every comment
    assert with_fifty == with_one, f"{with_one} statements for one comment, {with_fifty} for fifty"
    assert with_one <= bound, f"{with_one} statements"


@pytest.mark.parametrize(("signed_in", "bound"), [(False, 5), (True, 8)], ids=["anonymous", "member"])
def test_pinned_announcements_cost_the_same_for_one_as_for_three(app, world, login, client, count_queries, established,
                                                                  signed_in, bound):
    """Announcements are pinned above the list; those not on its first page need their own photos (their likes are
    asked with the page's, in one statement)."""
    browser = login(world.viewer) if signed_in else client
    staff = established(display_name="Stella Staff", username="stella", role=Role.STAFF)
    world.posts(50)
    world.announcements(1, staff)
    with_one, text = measure(browser, "/community", count_queries)
    assert text.count("Pinned announcement") == 1

    world.announcements(2, staff)
    with_three, text = measure(browser, "/community", count_queries)

    assert text.count("Pinned announcement") == 3
    assert cards(text) == 23  # three pinned above the twenty newest
    if signed_in:
        assert text.count('aria-pressed="true"') == 23
    assert with_three == with_one, f"{with_one} statements for one announcement, {with_three} for three"
    assert with_one <= bound, f"{with_one} statements"
