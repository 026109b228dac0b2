"""Scheduled staff posts: invisible until their time, then published once, by the job or the sweep."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy import select, update

from portal.community import jobs as community_jobs
from portal.community import queries, scheduling, service, social
from portal.community.models import NotificationKind, Post
from portal.extensions import db
from portal.kernel import tasks as jobs
from portal.kernel.notifications import Notification
from portal.kernel.timeutil import utcnow


def mentions(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                              Notification.kind == NotificationKind.MENTION)))


def ids(page) -> list[int]:
    return [p.id for p in page.posts]


def test_a_scheduled_post_is_nowhere_until_its_time(app, staff, bob, make_post):
    social.follow(db.session, bob, staff)
    when = utcnow() + timedelta(hours=3)

    post = make_post(staff, "Sale starts now! @bob #sale", announcement=True, publish_at=when)

    assert ids(queries.home_feed(db.session, bob)) == []
    assert ids(queries.latest(db.session, None)) == []
    assert ids(queries.hashtag_posts(db.session, "sale", bob)) == []
    assert queries.announcements(db.session, bob) == []
    assert mentions(bob) == []  # told when it is published, not when it is written
    assert scheduling.publish_due_posts(db.session, now=when - timedelta(seconds=1)) == 0
    assert db.session.get(Post, post.id).published_at is None


def test_publishing_at_the_time_shows_it_and_tells_mentioned_members_once(app, staff, bob, make_post):
    social.follow(db.session, bob, staff)
    when = utcnow() + timedelta(hours=3)
    post = make_post(staff, "Sale starts now! @bob #sale", announcement=True, publish_at=when)

    assert scheduling.publish_due_posts(db.session, now=when) == 1

    published = db.session.get(Post, post.id)
    assert published.published_at == when
    assert ids(queries.home_feed(db.session, bob)) == [post.id]
    assert ids(queries.hashtag_posts(db.session, "sale", None)) == [post.id]
    assert [p.id for p in queries.announcements(db.session, None)] == [post.id]
    [note] = mentions(bob)
    assert (note.post_id, note.actor_id) == (post.id, staff.id)

    assert scheduling.publish_due_posts(db.session, now=when + timedelta(minutes=5)) == 0
    assert len(mentions(bob)) == 1
    assert db.session.get(Post, post.id).published_at == when


def test_only_due_posts_are_published(app, staff, make_post):
    now = utcnow()
    soon = make_post(staff, "In one hour", publish_at=now + timedelta(hours=1))
    later = make_post(staff, "Tomorrow", publish_at=now + timedelta(days=1))

    assert scheduling.publish_due_posts(db.session, now=now + timedelta(hours=2)) == 1

    assert db.session.get(Post, soon.id).published_at is not None
    assert db.session.get(Post, later.id).published_at is None


def test_a_scheduled_post_deleted_before_its_time_is_never_published(app, staff, bob, make_post):
    when = utcnow() + timedelta(hours=1)
    post = make_post(staff, "Never mind @bob", publish_at=when)
    service.delete_post(db.session, post, staff)

    assert scheduling.publish_due_posts(db.session, now=when) == 0

    assert mentions(bob) == []
    assert ids(queries.latest(db.session, None)) == []


def test_a_member_who_joins_before_publication_is_linked_and_told(app, staff, established, make_post):
    when = utcnow() + timedelta(hours=1)
    post = make_post(staff, "Welcome to our new ambassador @newface!", publish_at=when)
    newface = established(username="newface", display_name="New Face")

    scheduling.publish_due_posts(db.session, now=when)

    assert [n.post_id for n in mentions(newface)] == [post.id]
    assert 'href="/@newface"' in db.session.get(Post, post.id).body_html


def test_scheduling_queues_the_publication_for_that_time(app, staff, make_post):
    when = (utcnow() + timedelta(days=2)).replace(microsecond=0)

    make_post(staff, "Queued", publish_at=when)

    queued = [task for task in jobs.queue_of(app).scheduled() if task.name == "publish_scheduled"]
    assert when in [task.eta for task in queued]


def test_the_queued_job_publishes_what_is_due(app, staff, make_post):
    post = make_post(staff, "Job time", publish_at=utcnow() + timedelta(minutes=30))
    db.session.execute(update(Post).where(Post.id == post.id).values(scheduled_for=utcnow() - timedelta(seconds=1)))
    db.session.commit()

    assert community_jobs.publish_scheduled.call_local() == 1

    assert post.id in ids(queries.latest(db.session, None))


def test_the_sweep_publishes_what_a_lost_job_left_behind(app, staff, make_post):
    post = make_post(staff, "Sweep time", publish_at=utcnow() + timedelta(minutes=30))
    db.session.execute(update(Post).where(Post.id == post.id).values(scheduled_for=utcnow() - timedelta(minutes=2)))
    db.session.commit()

    assert community_jobs.publish_scheduled_sweep.call_local() == 1
    assert community_jobs.publish_scheduled_sweep.call_local() == 0

    assert post.id in ids(queries.latest(db.session, None))


def test_the_sweep_runs_every_minute(app):
    for minute in (0, 1, 17, 59):
        due = {task.name for task in jobs.queue_of(app).read_periodic(datetime(2026, 1, 1, 10, minute))}
        assert "publish_scheduled_sweep" in due


def test_digests_go_out_hourly(app):
    due = {task.name for task in jobs.queue_of(app).read_periodic(datetime(2026, 1, 1, 10, 5))}
    not_due = {task.name for task in jobs.queue_of(app).read_periodic(datetime(2026, 1, 1, 10, 6))}
    assert "send_digests" in due and "send_digests" not in not_due


def test_the_worker_publishes_posts_with_tags_and_mentions_outside_any_request(app, staff, bob, make_post):
    """The consumer runs jobs in a bare app context: rendering links must not need a request."""
    post = make_post(staff, "Launch day @bob #launch", publish_at=utcnow() + timedelta(minutes=30))
    db.session.execute(update(Post).where(Post.id == post.id).values(scheduled_for=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    results, errors = [], []

    def worker():  # a new thread starts with no request context, like the job consumer
        try:
            with app.app_context():
                results.append(community_jobs.publish_scheduled_sweep.call_local())
                db.session.remove()
        except Exception as exc:
            errors.append(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(30)

    assert not errors, errors
    assert results == [1]
    db.session.expire_all()
    assert post.id in ids(queries.latest(db.session, None))
    assert [n.post_id for n in mentions(bob)] == [post.id]
