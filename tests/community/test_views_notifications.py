"""The notifications page over HTTP, the bell in the header, and the digest's unsubscribe link."""
from __future__ import annotations

import re

from portal.accounts.models import Digest, User
from portal.community import notify, social
from portal.extensions import db

from .helpers import bell, flashes, fresh, page


def test_mentions_replies_likes_and_follows_reach_the_notifications_page(app, login, alice, bob, make_post):
    bob_browser = login(bob)
    alice_browser = login(alice)
    post = make_post(alice, body="New boots, first hike")
    bob_browser.post(f"/posts/{post.id}/comments", data={"body": "They look great"})
    bob_browser.post(f"/posts/{post.id}/like")
    bob_browser.post(f"/members/{alice.id}/follow")
    alice_browser.post("/posts/new", data={"body": "Thanks @bob for the advice"})

    alice_page = page(alice_browser.get("/notifications"))
    bob_page = page(bob_browser.get("/notifications"))

    sentences = re.findall(r'<span class="notification-sentence">(.*?)</span>', alice_page)
    assert sentences == ["<strong>Bob Reader</strong> followed you",
                         "<strong>Bob Reader</strong> liked your post",
                         "<strong>Bob Reader</strong> replied to your post"]
    assert "They look great" in alice_page  # the reply is quoted
    assert re.findall(r'<span class="notification-sentence">(.*?)</span>', bob_page) == [
        "<strong>Alice Author</strong> mentioned you"]
    assert "Thanks @bob for the advice" in bob_page


def test_the_bell_counts_unread_notifications_until_they_are_opened(app, login, alice, bob, carol, make_post):
    post = make_post(alice)
    social.toggle_post_like(db.session, post, bob)
    social.toggle_post_like(db.session, post, carol)
    browser = login(alice)
    assert fresh(User, alice.id).unread_notifications == 2

    assert bell(page(browser.get("/community"))) == "Notifications: 2 unread|2"

    opened = page(browser.get("/notifications"))

    assert "2 new since your last visit." in opened
    assert opened.count('class="notification kind-like is-unread"') == 2
    assert bell(opened) == "Notifications|"
    assert bell(page(browser.get("/community"))) == "Notifications|"
    assert fresh(User, alice.id).unread_notifications == 0
    assert "is-unread" not in page(browser.get("/notifications"))


def test_the_unsubscribe_link_turns_the_digest_off_without_signing_in(app, alice, client, settings):
    alice.digest = Digest.DAILY
    db.session.commit()

    response = client.get(f"/notifications/unsubscribe/{notify.unsubscribe_token(alice, settings)}", follow_redirects=True)

    assert "You will not receive the digest any more." in flashes(response)
    assert fresh(User, alice.id).digest is Digest.OFF


def test_a_tampered_unsubscribe_link_is_not_valid(app, alice, bob, client, settings):
    alice.digest = Digest.WEEKLY
    db.session.commit()
    token = notify.unsubscribe_token(alice, settings)

    response = client.get(f"/notifications/unsubscribe/{token[:-2]}xx", follow_redirects=True)

    assert "This unsubscribe link is not valid." in flashes(response)
    assert fresh(User, alice.id).digest is Digest.WEEKLY


def test_a_member_chooses_the_daily_digest_in_the_settings(app, login, alice):
    browser = login(alice)
    assert "Get a daily or weekly email digest" in page(browser.get("/notifications"))

    response = browser.post("/account/settings", data={"locale": "", "email_notifications": "y", "digest": "daily"},
                            follow_redirects=True)

    assert "Your settings are saved." in flashes(response)
    assert '<option selected value="daily">Daily</option>' in page(response)
    assert fresh(User, alice.id).digest is Digest.DAILY
    assert "You get an email digest of unread notifications." in page(browser.get("/notifications"))
