"""The notification bell (an exact unread counter), the notifications page, and the email digest."""
from __future__ import annotations

import re
import threading
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from portal.accounts.models import Digest, User
from portal.community import notify, social
from portal.community.models import NotificationKind
from portal.extensions import db
from portal.kernel import notifications
from portal.kernel.notifications import Notification
from portal.kernel.timeutil import utcnow


def unread_rows(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.user_id == user.id, Notification.read_at.is_(None)))


def counter(user: User) -> int:
    return db.session.scalar(select(User.unread_notifications).where(User.id == user.id))


def text_part(message) -> str:
    return message.get_body(("plain",)).get_content()


def html_part(message) -> str:
    return message.get_body(("html",)).get_content()


# -- the unread counter ---------------------------------------------------------------


def test_the_unread_counter_matches_the_unread_rows_through_reads(app, alice, bob, carol, make_post, make_comment):
    post = make_post(alice)
    social.toggle_post_like(db.session, post, bob)
    make_comment(post, carol)
    assert counter(alice) == unread_rows(alice) == 2

    shown = notify.notifications_page(db.session, alice)
    assert [n.kind for n in shown] == [NotificationKind.REPLY, NotificationKind.LIKE]
    social.follow(db.session, bob, alice)  # arrives while the page is open
    assert counter(alice) == unread_rows(alice) == 3

    assert notify.mark_all_read(db.session, alice) == 3
    assert alice.unread_notifications == 0
    assert counter(alice) == unread_rows(alice) == 0

    social.follow(db.session, carol, alice)
    assert counter(alice) == unread_rows(alice) == 1
    assert notify.mark_all_read(db.session, alice) == 1
    assert notify.mark_all_read(db.session, alice) == 0
    assert counter(alice) == unread_rows(alice) == 0


def test_marking_read_touches_only_the_readers_notifications(app, alice, bob, carol):
    social.follow(db.session, carol, alice)
    social.follow(db.session, carol, bob)

    notify.mark_all_read(db.session, alice)

    assert counter(bob) == unread_rows(bob) == 1


def test_a_notification_arriving_while_marking_read_stays_counted(app, alice, bob):
    """Another request notifies the member between "mark them read" and "recount": the bell still shows it."""
    social.follow(db.session, bob, alice)
    alice_id, bob_id = alice.id, bob.id
    main = threading.get_ident()
    workers, errors = [], []

    def someone_else_notifies():
        try:
            with app.app_context():
                notifications.notify(db.session, alice_id, NotificationKind.MENTION, actor_id=bob_id)
                db.session.commit()
                db.session.remove()
        except Exception as exc:
            errors.append(exc)

    def between(conn, cursor, statement, parameters, context, executemany):
        if workers or threading.get_ident() != main:
            return
        if statement.lstrip().upper().startswith("UPDATE USERS SET UNREAD_NOTIFICATIONS"):
            worker = threading.Thread(target=someone_else_notifies)
            workers.append(worker)
            worker.start()
            if db.engine.dialect.name == "postgresql":
                worker.join(30)  # committed before we recount
            # SQLite serialises writers: the other request waits for our commit, then adds its row.

    sa.event.listen(db.engine, "before_cursor_execute", between)
    try:
        notify.mark_all_read(db.session, alice)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", between)
    for worker in workers:
        worker.join(30)

    assert workers and not errors, errors
    db.session.expire_all()
    assert unread_rows(alice) == 1
    assert counter(alice) == 1


def test_nobody_is_notified_of_their_own_act(app, alice):
    notifications.notify(db.session, alice.id, NotificationKind.LIKE, actor_id=alice.id)
    db.session.commit()

    assert counter(alice) == unread_rows(alice) == 0


# -- the notifications page ----------------------------------------------------------


def test_notifications_page_walks_newest_first_without_gaps_or_repeats(app, alice, bob, carol):
    for _ in range(65):
        notifications.notify(db.session, alice.id, NotificationKind.MENTION, actor_id=bob.id)  # mentions repeat; likes and follows do not
    notifications.notify(db.session, carol.id, NotificationKind.MENTION, actor_id=bob.id)  # not Alice's
    db.session.commit()
    everything = list(db.session.scalars(select(Notification.id).where(Notification.user_id == alice.id)
                                         .order_by(Notification.id.desc())))

    pages, before = [], None
    while True:
        page = notify.notifications_page(db.session, alice, before=before)
        pages.append([n.id for n in page])
        if len(page) < notify.PAGE_SIZE:
            break
        before = page[-1].id

    assert [len(p) for p in pages] == [30, 30, 5]
    assert [i for page in pages for i in page] == everything
    assert all(n.user_id == alice.id for n in notify.notifications_page(db.session, alice))


def test_notifications_carry_the_actor_and_the_post(app, alice, bob, make_post, make_comment):
    post = make_post(alice, "Our new colours")
    make_comment(post, bob, "Love the green")

    [item] = notify.notifications_page(db.session, alice)

    assert item.actor.display_name == "Bob Reader"
    assert item.post.body == "Our new colours"
    assert item.comment.body == "Love the green"


# -- the email digest -------------------------------------------------------------------


def _daily(user: User, last: timedelta | None = None) -> None:
    user.digest = Digest.DAILY
    user.last_digest_at = utcnow() - last if last else None
    db.session.commit()


def test_a_due_daily_digest_is_mailed_with_the_unread_notifications(app, alice, bob, make_post, mailbox, settings):
    _daily(alice, last=timedelta(days=1, minutes=5))
    post = make_post(alice, "Our autumn collection")
    social.toggle_post_like(db.session, post, bob)

    assert notify.send_due_digests(db.session, settings) == 1

    [mail] = mailbox()
    assert mail["To"] == alice.email
    assert mail["Subject"] == "Your daily digest"
    assert "Bob Reader liked your post" in text_part(mail)
    assert "Our autumn collection" in text_part(mail)
    assert "Bob Reader" in html_part(mail)
    assert "http://tribune.test/posts/" in text_part(mail)


def test_a_digest_is_not_sent_twice(app, alice, bob, mailbox, settings):
    _daily(alice)
    social.follow(db.session, bob, alice)

    assert notify.send_due_digests(db.session, settings) == 1
    assert notify.send_due_digests(db.session, settings) == 0
    assert notify.send_due_digests(db.session, settings, now=utcnow() + timedelta(hours=23)) == 0

    assert len(mailbox()) == 1
    db.session.refresh(alice)
    assert alice.last_digest_at is not None


def test_the_next_daily_digest_comes_a_day_later_with_only_what_is_new(app, alice, bob, carol, mailbox, settings):
    _daily(alice)
    social.follow(db.session, bob, alice)
    notify.send_due_digests(db.session, settings)
    later = utcnow() + timedelta(days=1, minutes=1)
    social.follow(db.session, carol, alice)
    db.session.execute(update(Notification).where(Notification.actor_id == carol.id)
                       .values(created_at=utcnow() + timedelta(hours=2)))
    db.session.commit()

    assert notify.send_due_digests(db.session, settings, now=later) == 1

    second = text_part(mailbox()[-1])
    assert "Carol Third followed you" in second
    assert "Bob Reader" not in second


def test_a_weekly_digest_waits_a_week(app, alice, bob, mailbox, settings):
    alice.digest = Digest.WEEKLY
    alice.last_digest_at = utcnow() - timedelta(days=3)
    db.session.commit()
    social.follow(db.session, bob, alice)

    assert notify.send_due_digests(db.session, settings) == 0
    assert notify.send_due_digests(db.session, settings, now=utcnow() + timedelta(days=4, minutes=1)) == 1

    [mail] = mailbox()
    assert mail["Subject"] == "Your weekly digest"


def test_members_with_the_digest_off_or_nothing_unread_get_nothing(app, alice, bob, carol, mailbox, settings):
    social.follow(db.session, carol, alice)  # alice: digest off (the default)
    _daily(bob)  # bob: nothing unread
    assert alice.digest is Digest.OFF

    assert notify.send_due_digests(db.session, settings) == 0
    assert mailbox() == []


def test_read_notifications_are_not_mailed(app, alice, bob, mailbox, settings):
    _daily(alice)
    social.follow(db.session, bob, alice)
    notify.mark_all_read(db.session, alice)

    assert notify.send_due_digests(db.session, settings) == 0
    assert mailbox() == []


def test_unverified_or_deleted_members_get_no_digest(app, established, bob, mailbox, settings):
    unverified = established(email_verified_at=None, digest=Digest.DAILY)
    deleted = established(deleted_at=utcnow(), digest=Digest.DAILY)
    for user in (unverified, deleted):
        notifications.notify(db.session, user.id, NotificationKind.FOLLOW, actor_id=bob.id)
    db.session.commit()

    assert notify.send_due_digests(db.session, settings) == 0
    assert mailbox() == []


def test_the_digest_speaks_the_members_language(app, established, bob, mailbox, settings):
    french = established(display_name="Élodie", locale="fr", digest=Digest.DAILY)
    social.follow(db.session, bob, french)

    notify.send_due_digests(db.session, settings)

    [mail] = mailbox()
    assert mail["Content-Language"] == "fr"
    with force_locale("fr"):
        assert mail["Subject"] == str(_l("Your daily digest"))
        assert str(_l("Hello %(name)s,", name="Élodie")) in text_part(mail)
    assert "Hello Élodie" not in text_part(mail)


def test_the_unsubscribe_link_turns_the_digest_off(app, alice, bob, carol, mailbox, settings):
    _daily(alice)
    social.follow(db.session, bob, alice)
    notify.send_due_digests(db.session, settings)
    [mail] = mailbox()

    links = re.findall(r"http://tribune\.test/notifications/unsubscribe/([^\s\"<]+)", text_part(mail))
    assert len(links) == 1
    assert f"/notifications/unsubscribe/{links[0]}" in html_part(mail)

    assert notify.unsubscribe(db.session, links[0], settings).id == alice.id
    db.session.refresh(alice)
    assert alice.digest is Digest.OFF
    social.follow(db.session, carol, alice)  # something new and unread: still no digest
    assert notify.send_due_digests(db.session, settings, now=utcnow() + timedelta(days=2)) == 0
    assert len(mailbox()) == 1


def test_a_forged_or_foreign_unsubscribe_token_changes_nothing(app, alice, bob, settings):
    _daily(alice)
    _daily(bob)
    good = notify.unsubscribe_token(alice, settings)

    assert notify.unsubscribe(db.session, good[:-2] + "xx", settings) is None
    assert notify.unsubscribe(db.session, "not-a-token", settings) is None
    other_site = notify.URLSafeSerializer("another-secret", salt="digest-unsubscribe").dumps(bob.id)
    assert notify.unsubscribe(db.session, other_site, settings) is None

    db.session.refresh(alice)
    db.session.refresh(bob)
    assert alice.digest is Digest.DAILY and bob.digest is Digest.DAILY


def test_an_out_of_range_page_marker_shows_the_first_page(app, alice, bob):
    social.follow(db.session, bob, alice)

    assert len(notify.notifications_page(db.session, alice, before=10**30)) == 1
    assert notify.notifications_page(db.session, alice, before=-1) == []
