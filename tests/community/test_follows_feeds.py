"""Following members, and the feeds built from it: home, latest, trending, hashtags, profiles."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from portal.accounts.models import User
from portal.community import moderation, queries, social
from portal.community.models import Follow, NotificationKind, Post
from portal.community.service import CommunityError, Gone
from portal.extensions import db
from portal.fans.models import EngagementEvent
from portal.kernel.notifications import Notification
from portal.kernel.timeutil import utcnow


def ids(page) -> list[int]:
    return [p.id for p in (page.posts if hasattr(page, "posts") else page)]


def set_post(post: Post, **values) -> None:
    db.session.execute(update(Post).where(Post.id == post.id).values(**values))
    db.session.commit()


def follower_events(user: User) -> int:
    return len(list(db.session.scalars(select(EngagementEvent).where(EngagementEvent.user_id == user.id,
                                                                     EngagementEvent.kind == "follower_gained"))))


def all_pages(fetch) -> list[list[int]]:
    pages, cursor = [], None
    while True:
        page = fetch(cursor)
        pages.append(ids(page))
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor
        assert len(pages) < 50, "pagination does not end"


# -- follows -----------------------------------------------------------------------


def test_following_tells_the_member_and_counts(app, alice, bob, rows):
    social.follow(db.session, bob, alice)

    assert queries.is_following(db.session, bob, alice)
    assert not queries.is_following(db.session, alice, bob)
    assert queries.follow_counts(db.session, alice) == (1, 0)
    assert queries.follow_counts(db.session, bob) == (0, 1)
    [note] = db.session.scalars(select(Notification).where(Notification.user_id == alice.id))
    assert (note.kind, note.actor_id) == (NotificationKind.FOLLOW, bob.id)
    assert follower_events(alice) == 1


def test_following_twice_changes_nothing(app, alice, bob, rows):
    social.follow(db.session, bob, alice)
    social.follow(db.session, bob, alice)

    assert rows(Follow) == 1
    assert rows(Notification, Notification.user_id == alice.id) == 1
    assert follower_events(alice) == 1
    db.session.refresh(alice)
    assert alice.unread_notifications == 1


def test_nobody_can_follow_themselves(app, alice, rows):
    with pytest.raises(CommunityError):
        social.follow(db.session, alice, alice)

    assert rows(Follow) == 0


def test_a_deleted_member_cannot_be_followed(app, alice, established, rows):
    gone = established(deleted_at=utcnow())

    with pytest.raises(Gone):
        social.follow(db.session, alice, gone)

    assert rows(Follow) == 0


def test_unfollowing_retracts_the_event_and_is_idempotent(app, alice, bob, rows):
    social.follow(db.session, bob, alice)

    social.unfollow(db.session, bob, alice)
    social.unfollow(db.session, bob, alice)

    assert rows(Follow) == 0
    assert follower_events(alice) == 0
    assert not queries.is_following(db.session, bob, alice)
    assert queries.follow_counts(db.session, alice) == (0, 0)


def test_following_again_after_unfollowing_counts_one_follower(app, alice, bob):
    social.follow(db.session, bob, alice)
    social.unfollow(db.session, bob, alice)
    social.follow(db.session, bob, alice)

    assert follower_events(alice) == 1
    assert queries.follow_counts(db.session, alice) == (1, 0)


# -- the home feed --------------------------------------------------------------------


def test_home_feed_holds_own_followed_and_announcements_newest_first(app, alice, bob, carol, staff, make_post):
    social.follow(db.session, bob, alice)
    mine = make_post(bob)
    followed = make_post(alice)
    stranger = make_post(carol)
    announcement = make_post(staff, "Shop closed on Monday", announcement=True)
    staff_chat = make_post(staff, "Just chatting")
    for age, post in enumerate([announcement, followed, mine, stranger, staff_chat]):
        set_post(post, published_at=utcnow() - timedelta(minutes=age))

    assert ids(queries.home_feed(db.session, bob)) == [announcement.id, followed.id, mine.id]
    assert stranger.id not in ids(queries.home_feed(db.session, bob))
    assert staff_chat.id not in ids(queries.home_feed(db.session, bob))


@pytest.mark.parametrize("fanout", [True, False], ids=["each-author", "walk"])
def test_the_home_feed_pages_alike_read_per_author_or_by_walking_all_posts(app, monkeypatch, alice, bob, carol, staff,
                                                                         moderator, make_post, fanout):
    """Both ways of reading the feed give the same posts, each once, page after page: equal times, an
    announcement by someone followed (one card), the member's own hidden post (theirs to see)."""
    if not fanout:
        monkeypatch.setattr(queries, "FEED_FANOUT_MAX", 0)
    for person in (alice, staff):
        social.follow(db.session, bob, person)
    posts = [make_post(author) for author in (alice, carol, bob, alice, staff, carol) for _ in range(9)]
    posts.append(make_post(staff, "Store hours change", announcement=True))
    same_time = utcnow() - timedelta(hours=1)
    for n, post in enumerate(posts):
        set_post(post, published_at=same_time if n % 3 == 0 else utcnow() - timedelta(minutes=n))
    own_hidden = next(p for p in posts if p.author_id == bob.id)
    moderation.hide(db.session, moderator, post=own_hidden)
    expected = sorted((p for p in posts if p.author_id in (alice.id, bob.id, staff.id) or p.is_announcement),
                      key=lambda p: (db.session.get(Post, p.id).published_at, p.id), reverse=True)
    pages = all_pages(lambda cursor: queries.home_feed(db.session, bob, cursor, size=7))
    assert [i for page in pages for i in page] == [p.id for p in expected]
    assert all(len(page) == 7 for page in pages[:-1])


def test_a_moderators_home_feed_keeps_the_hidden_posts_of_people_they_follow(app, alice, moderator, make_post):
    social.follow(db.session, moderator, alice)
    hidden, shown = make_post(alice), make_post(alice)
    moderation.hide(db.session, moderator, post=hidden)
    assert set(ids(queries.home_feed(db.session, moderator))) == {hidden.id, shown.id}


def test_unfollowing_takes_their_posts_off_the_home_feed(app, alice, bob, make_post):
    social.follow(db.session, bob, alice)
    post = make_post(alice)
    assert ids(queries.home_feed(db.session, bob)) == [post.id]

    social.unfollow(db.session, bob, alice)

    assert ids(queries.home_feed(db.session, bob)) == []


def test_keyset_pages_give_every_post_once_even_with_equal_times(app, alice, bob, make_post):
    social.follow(db.session, bob, alice)
    posts = [make_post(alice) for _ in range(47)]
    start = utcnow() - timedelta(hours=1)
    for n, post in enumerate(posts):
        set_post(post, published_at=start + timedelta(minutes=n // 3))  # three posts per timestamp

    pages = all_pages(lambda cursor: queries.home_feed(db.session, bob, cursor))

    assert [len(p) for p in pages] == [20, 20, 7]
    seen = [post_id for page in pages for post_id in page]
    assert len(seen) == len(set(seen)) == 47
    expected = sorted(posts, key=lambda p: (p.published_at, p.id), reverse=True)
    assert seen == [p.id for p in expected]


def test_latest_pages_the_same_way(app, alice, bob, make_post):
    posts = [make_post(alice if n % 2 else bob) for n in range(41)]
    same = utcnow() - timedelta(minutes=5)
    for post in posts:
        set_post(post, published_at=same)  # all at one instant: only ids order them

    pages = all_pages(lambda cursor: queries.latest(db.session, None, cursor))

    assert [post_id for page in pages for post_id in page] == sorted((p.id for p in posts), reverse=True)


@pytest.mark.parametrize("cursor", ["garbage", "-", "20261301000000000000-1", "2026-01-01-7", "abc-def", "%00",
                                    "20260101000000000000-99999999999999999999999", "99991231235959999999--5"])
def test_a_garbage_cursor_starts_from_the_top(app, alice, make_post, cursor):
    posts = [make_post(alice) for _ in range(3)]

    assert ids(queries.latest(db.session, alice, cursor)) == [p.id for p in reversed(posts)]


def test_a_page_tells_which_posts_the_viewer_liked(app, alice, bob, make_post):
    liked, other = make_post(alice), make_post(alice)
    social.toggle_post_like(db.session, liked, bob)

    assert queries.liked_ids(db.session, bob, [liked.id, other.id]) == {liked.id}
    assert queries.liked_ids(db.session, alice, [liked.id, other.id]) == set()
    assert queries.liked_ids(db.session, None, [liked.id]) == set()
    assert queries.liked_ids(db.session, bob, []) == set()
    assert other.id in ids(queries.latest(db.session, bob))


# -- what each viewer may see ----------------------------------------------------------


def test_hidden_posts_are_seen_only_by_their_author_and_moderators(app, alice, bob, moderator, make_post):
    social.follow(db.session, bob, alice)
    hidden = make_post(alice, "Borderline #rant")
    shown = make_post(alice, "Fine #rant")
    moderation.hide(db.session, moderator, post=hidden)

    assert hidden.id not in ids(queries.latest(db.session, None))
    assert hidden.id not in ids(queries.latest(db.session, bob))
    assert hidden.id not in ids(queries.home_feed(db.session, bob))
    assert ids(queries.hashtag_posts(db.session, "rant", bob)) == [shown.id]
    assert ids(queries.member_posts(db.session, alice, bob)) == [shown.id]
    assert hidden.id in ids(queries.latest(db.session, alice))
    assert hidden.id in ids(queries.member_posts(db.session, alice, alice))
    assert hidden.id in ids(queries.latest(db.session, moderator))


def test_scheduled_posts_stay_out_of_every_feed_until_published(app, staff, bob, make_post):
    scheduled = make_post(staff, "Coming soon #launch", announcement=True, publish_at=utcnow() + timedelta(days=1))

    for viewer in (None, bob, staff):
        assert scheduled.id not in ids(queries.latest(db.session, viewer))
        assert scheduled.id not in ids(queries.hashtag_posts(db.session, "launch", viewer))
        assert scheduled.id not in ids(queries.member_posts(db.session, staff, viewer))
        assert scheduled.id not in ids(queries.trending(db.session, viewer))
    assert scheduled.id not in ids(queries.home_feed(db.session, bob))
    assert queries.announcements(db.session, bob) == []


def test_hashtag_posts_lists_only_that_tag_newest_first(app, alice, bob, make_post):
    first = make_post(alice, "Morning #Coffee")
    make_post(bob, "Evening #tea")
    second = make_post(bob, "More #coffee please")
    set_post(first, published_at=utcnow() - timedelta(hours=1))

    assert ids(queries.hashtag_posts(db.session, "COFFEE", None)) == [second.id, first.id]
    assert ids(queries.hashtag_posts(db.session, "nothing", None)) == []


def test_member_posts_lists_only_that_member(app, alice, bob, make_post):
    mine = [make_post(alice) for _ in range(3)]
    make_post(bob)

    assert ids(queries.member_posts(db.session, alice, None)) == [p.id for p in reversed(mine)]


# -- trending -----------------------------------------------------------------------


def test_trending_orders_by_activity_and_age(app, alice, make_post):
    now = utcnow()
    setups = {
        "fresh": dict(hours=0, likes=0, comments=0),
        "busy_yesterday": dict(hours=24, likes=40, comments=5),
        "chatty": dict(hours=3, likes=0, comments=4),
        "liked": dict(hours=3, likes=6, comments=0),
        "old_famous": dict(hours=240, likes=500, comments=0),
        "too_old": dict(hours=24 * 15, likes=10_000, comments=100),
    }
    posts = {}
    for name, setup in setups.items():
        post = make_post(alice, f"The {name} post")
        set_post(post, published_at=now - timedelta(hours=setup["hours"]), like_count=setup["likes"],
                 comment_count=setup["comments"])
        posts[name] = post

    order = ids(queries.trending(db.session, None))

    by_name = {post.id: name for name, post in posts.items()}
    assert [by_name[i] for i in order] == ["chatty", "liked", "busy_yesterday", "fresh", "old_famous"]
    for post in posts.values():
        db.session.refresh(post)
    scores = [queries.trending_score(db.session.get(Post, i), now) for i in order]
    assert scores == sorted(scores, reverse=True)


def test_a_comment_weighs_more_than_a_like(app, alice, make_post):
    now = utcnow()
    commented, liked = make_post(alice), make_post(alice)
    set_post(commented, published_at=now - timedelta(hours=5), comment_count=3)
    set_post(liked, published_at=now - timedelta(hours=5), like_count=5)

    assert ids(queries.trending(db.session, None)) == [commented.id, liked.id]


# -- a fixed number of queries per page -------------------------------------------------


def _touch(page) -> None:
    """What the feed template reads from each post."""
    seen = []
    for post in page.posts:
        seen.append((post.author.public_name, post.body_html, post.like_count, post.comment_count,
                     [(photo.thumbnail, photo.width) for photo in post.photos]))
    assert len(seen) == len(page.posts)


def _touch_thread(thread) -> None:
    seen = []
    for comment in thread.comments:
        seen.append((comment.author.public_name, comment.body_html))
        seen.extend((reply.author.public_name, reply.body_html) for reply in thread.replies.get(comment.id, []))
    assert len(seen) >= len(thread.comments)


def _count_pages(count_queries, viewer_id: int, author_id: int, post_id: int) -> dict[str, int]:
    counts = {}
    db.session.expunge_all()  # a new request: nothing loaded yet
    viewer, author = db.session.get(User, viewer_id), db.session.get(User, author_id)
    post = db.session.get(Post, post_id)
    calls = {
        "home_feed": lambda: _touch(queries.home_feed(db.session, viewer)),
        "latest": lambda: _touch(queries.latest(db.session, viewer)),
        "anonymous latest": lambda: _touch(queries.latest(db.session, None)),
        "hashtag_posts": lambda: _touch(queries.hashtag_posts(db.session, "gear", viewer)),
        "member_posts": lambda: _touch(queries.member_posts(db.session, author, viewer)),
        "thread": lambda: _touch_thread(queries.thread(db.session, post, viewer)),
    }
    for name, call in calls.items():
        db.session.expunge_all()
        viewer, author = db.session.get(User, viewer_id), db.session.get(User, author_id)
        post = db.session.get(Post, post_id)
        with count_queries() as counted:
            call()
        counts[name] = counted.count
    return counts


def test_feeds_and_threads_cost_the_same_queries_for_1_or_50_posts(app, alice, bob, carol, established, image,
                                                                   make_post, make_comment, count_queries):
    social.follow(db.session, bob, alice)
    fan_ids = [established().id for _ in range(2)]
    alice_id, bob_id, carol_id = alice.id, bob.id, carol.id

    def people():
        return db.session.get(User, alice_id), db.session.get(User, carol_id), [db.session.get(User, i) for i in fan_ids]

    def add_post(n):
        author, commenter, fans = people()
        post = make_post(author, f"New #gear number {n}", photos=[image(size=(16, 16))])
        for fan in fans:
            social.toggle_post_like(db.session, post, fan)
        top = make_comment(post, commenter)
        make_comment(post, fans[0], parent=top)
        return post.id

    first_id = add_post(0)
    with_one = _count_pages(count_queries, bob_id, alice_id, first_id)

    for n in range(1, 50):
        add_post(n)
    author, commenter, fans = people()
    first = db.session.get(Post, first_id)
    for n in range(24):  # the measured thread grows to 50 comments, half of them replies, some liked
        top = make_comment(first, fans[n % 2])
        reply = make_comment(first, commenter, parent=top)
        social.toggle_comment_like(db.session, reply, author)
    with_fifty = _count_pages(count_queries, bob_id, alice_id, first_id)

    assert len(queries.latest(db.session, None).posts) == queries.PAGE_SIZE
    assert len(queries.thread(db.session, db.session.get(Post, first_id), None).comments) == 25
    assert with_fifty == with_one
    assert max(with_fifty.values()) <= 4, with_fifty
