"""Moderation over HTTP: reports, the queue, hiding and restoring, suspensions, and the anonymous page cache."""
from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from flask_babel import format_datetime

from portal.accounts.models import Role, User
from portal.community import moderation
from portal.community.models import Comment, Post, Report
from portal.extensions import db
from portal.kernel.timeutil import utcnow

PASSWORD = "correct horse battery staple"  # the password conftest gives every member


# -- helpers ------------------------------------------------------------------------------


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_errors(response, field: str) -> str:
    match = re.search(rf'<ul class="errors" id="{field}-error">(.*?)</ul>', page(response), re.S)
    return match.group(1) if match else ""


def flashes(response) -> str:
    match = re.search(r'<div class="flashes" role="status">(.*?)</div>', page(response), re.S)
    return match.group(1) if match else ""


def card(text: str, post_id: int) -> str:
    """A post as drawn in a list ("" when it is not listed)."""
    match = re.search(rf'<article class="post-card[^"]*" id="post-{post_id}">.*?</article>', text, re.S)
    return match.group(0) if match else ""


def fresh(model, key):
    db.session.expire_all()
    return db.session.get(model, key)


@pytest.fixture
def reported(alice, bob, make_post) -> tuple[Post, Report]:
    post = make_post(alice, body="Buy cheap watches at spam.example #deals")
    return post, moderation.report(db.session, bob, reason="Advertising", post=post)


# -- reporting ------------------------------------------------------------------------------


def test_a_report_needs_a_reason(app, login, alice, bob, make_post, rows):
    post = make_post(alice, body="Something odd")
    browser = login(bob)
    form = browser.get(f"/posts/{post.id}/report")
    assert form.status_code == 200 and "Something odd" in page(form)

    response = browser.post(f"/posts/{post.id}/report", data={"reason": "   "})

    assert response.status_code == 422
    assert "Tell the moderators what is wrong." in field_errors(response, "reason")
    assert rows(Report) == 0


def test_a_reported_post_reaches_the_moderators_queue_and_only_theirs(app, login, alice, bob, moderator, make_post, client):
    post = make_post(alice, body="Buy cheap watches at spam.example")
    browser = login(bob)

    response = browser.post(f"/posts/{post.id}/report", data={"reason": "Advertising, again"})

    assert response.status_code == 302 and response.headers["Location"] == f"/posts/{post.id}"
    assert "Thank you. A moderator will look at it soon." in flashes(browser.get(response.headers["Location"]))
    queue = page(login(moderator).get("/moderation"))
    assert "1 open report" in queue
    assert "Advertising, again" in queue and "Buy cheap watches" in queue
    assert "Bob Reader says:" in queue
    assert browser.get("/moderation").status_code == 403
    assert login(alice).get("/moderation").status_code == 403
    anonymous = client.get("/moderation")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")


def test_reporting_the_same_post_twice_is_refused(app, login, bob, reported, rows):
    post, _ = reported

    response = login(bob).post(f"/posts/{post.id}/report", data={"reason": "Still spam"})

    assert response.status_code == 422
    assert "You already reported this" in field_errors(response, "reason")
    assert rows(Report) == 1


def test_a_report_of_a_comment_reaches_the_queue(app, login, alice, bob, moderator, make_post, make_comment):
    post = make_post(alice)
    comment = make_comment(post, alice, body="Rude remark")

    login(bob).post(f"/comments/{comment.id}/report", data={"reason": "Insulting"})

    queue = page(login(moderator).get("/moderation"))
    assert "Rude remark" in queue and "Insulting" in queue
    assert f'href="/posts/{post.id}#comment-{comment.id}"' in queue


# -- hiding and restoring ---------------------------------------------------------------------


def test_hiding_a_post_removes_it_for_everyone_but_its_author_and_the_moderators(app, login, alice, bob, moderator, reported,
                                                                               client):
    post, _ = reported
    assert card(page(client.get("/community")), post.id)  # cached for anonymous visitors
    assert client.get(f"/posts/{post.id}").status_code == 200
    mod_browser = login(moderator)

    response = mod_browser.post(f"/moderation/posts/{post.id}/hide", data={"next": "/moderation"})

    assert response.status_code == 302 and response.headers["Location"] == "/moderation"
    queue = mod_browser.get("/moderation")
    assert "Hidden. Its author still sees it, marked as hidden." in flashes(queue)
    assert "Nothing to review" in page(queue)  # hiding resolved the report
    # Anonymous visitors and other members: gone.
    for viewer in (client, login(bob)):
        assert viewer.get(f"/posts/{post.id}").status_code == 404
        assert card(page(viewer.get("/community")), post.id) == ""
        assert card(page(viewer.get("/tags/deals")), post.id) == ""
        assert card(page(viewer.get(f"/members/{alice.id}")), post.id) == ""
    # Its author: still there, marked.
    author_view = page(login(alice).get(f"/posts/{post.id}"))
    assert "Buy cheap watches" in author_view
    assert "Hidden</span>" in author_view
    assert "A moderator hid this post: only you and the moderators can see it." in author_view
    assert "Hidden</span>" in card(page(login(alice).get("/community")), post.id)
    # The moderators: there, with a way back.
    mod_view = page(mod_browser.get(f"/posts/{post.id}"))
    assert "Hidden by a moderator: only its author and the moderators can see it." in mod_view
    assert f'action="/moderation/posts/{post.id}/restore"' in mod_view


def test_restoring_a_hidden_post_shows_it_again(app, login, moderator, reported, client):
    post, _ = reported
    mod_browser = login(moderator)
    mod_browser.post(f"/moderation/posts/{post.id}/hide")
    assert client.get(f"/posts/{post.id}").status_code == 404

    response = mod_browser.post(f"/moderation/posts/{post.id}/restore", data={"next": f"/posts/{post.id}"})

    assert response.headers["Location"] == f"/posts/{post.id}"
    assert "Restored: everyone sees it again." in flashes(mod_browser.get(response.headers["Location"]))
    assert client.get(f"/posts/{post.id}").status_code == 200
    assert card(page(client.get("/community")), post.id)
    assert fresh(Post, post.id).hidden_at is None


def test_a_member_cannot_hide_or_restore(app, login, bob, reported, client):
    post, _ = reported
    browser = login(bob)

    assert browser.post(f"/moderation/posts/{post.id}/hide").status_code == 403
    assert browser.post(f"/moderation/posts/{post.id}/restore").status_code == 403
    assert client.get(f"/posts/{post.id}").status_code == 200


def test_hiding_a_comment_removes_it_from_the_post_page(app, login, alice, bob, moderator, make_post, make_comment, client):
    post = make_post(alice)
    comment = make_comment(post, bob, body="Nasty words")
    assert "Nasty words" in page(client.get(f"/posts/{post.id}"))

    login(moderator).post(f"/moderation/comments/{comment.id}/hide")

    assert "Nasty words" not in page(client.get(f"/posts/{post.id}"))
    assert "Nasty words" in page(login(bob).get(f"/posts/{post.id}"))  # its author still sees it


def test_dismissing_a_report_keeps_the_post_and_empties_the_queue(app, login, moderator, reported, client):
    post, report = reported
    mod_browser = login(moderator)

    response = mod_browser.post(f"/moderation/reports/{report.id}/dismiss", follow_redirects=True)

    assert "Report closed; the content stays." in flashes(response)
    assert "Nothing to review" in page(response)
    assert fresh(Report, report.id).resolution == "kept"
    assert client.get(f"/posts/{post.id}").status_code == 200


def test_actions_on_things_that_do_not_exist_are_404(app, login, moderator):
    browser = login(moderator)

    assert browser.post("/moderation/posts/9999/hide").status_code == 404
    assert browser.post("/moderation/comments/9999/restore").status_code == 404
    assert browser.post("/moderation/reports/9999/dismiss").status_code == 404
    assert browser.get("/moderation/members/9999/suspend").status_code == 404


# -- suspensions ----------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "reason", "errors"), [
    ("0", "", {"days": "Choose from 1 to 365 days.", "reason": "Give the member a reason: they will see it."}),
    ("366", "Spam", {"days": "Choose from 1 to 365 days."}),
    ("", "Spam", {"days": "Choose from 1 to 365 days."}),
    ("soon", "Spam", {"days": "Not a valid integer value."}),
    ("3", "  ", {"reason": "Give the member a reason: they will see it."}),
], ids=["zero-and-no-reason", "too-long", "no-days", "not-a-number", "blank-reason"])
def test_a_suspension_needs_valid_days_and_a_reason(app, login, bob, moderator, days, reason, errors):
    response = login(moderator).post(f"/moderation/members/{bob.id}/suspend", data={"days": days, "reason": reason})

    assert response.status_code == 422
    for field, message in errors.items():
        assert message in field_errors(response, field)
    assert fresh(User, bob.id).suspended_until is None


def test_a_suspended_member_sees_the_reason_and_cannot_write_until_unsuspended(app, login, alice, bob, moderator, make_post,
                                                                              rows):
    post = make_post(alice)
    mod_browser = login(moderator)
    form = mod_browser.get(f"/moderation/members/{bob.id}/suspend")
    assert form.status_code == 200 and "Suspend a member" in page(form)

    response = mod_browser.post(f"/moderation/members/{bob.id}/suspend",
                                data={"days": "3", "reason": "Insulting other members"})

    until = fresh(User, bob.id).suspended_until
    assert response.status_code == 302 and response.headers["Location"] == f"/members/{bob.id}"
    assert abs(until - (utcnow() + timedelta(days=3))) < timedelta(minutes=1)
    assert f"Bob Reader is suspended until {format_datetime(until, 'short')}." in flashes(mod_browser.get(f"/members/{bob.id}"))
    browser = login(bob)
    post_page = page(browser.get(f"/posts/{post.id}"))
    assert "Your account is suspended until" in post_page and "Insulting other members" in post_page
    assert "you can read, but not comment" in post_page
    refused = browser.post("/posts/new", data={"body": "I am back"})
    assert refused.status_code == 422
    assert "Insulting other members" in field_errors(refused, "body")
    commented = browser.post(f"/posts/{post.id}/comments", data={"body": "Me too"}, follow_redirects=True)
    assert "Insulting other members" in flashes(commented)
    assert rows(Post, Post.author_id == bob.id) == 0 and rows(Comment) == 0

    lifted = mod_browser.post(f"/moderation/members/{bob.id}/unsuspend", follow_redirects=True)

    assert "Bob Reader can write again." in flashes(lifted)
    assert "Your account is suspended" not in page(browser.get("/community"))
    assert browser.post("/posts/new", data={"body": "Sorry, everyone"}).status_code == 302
    assert rows(Post, Post.author_id == bob.id) == 1


def test_members_cannot_suspend_and_moderators_cannot_be_suspended(app, login, alice, bob, moderator, established):
    assert login(alice).post(f"/moderation/members/{bob.id}/suspend",
                             data={"days": "3", "reason": "Because"}).status_code == 403
    other_mod = established(display_name="Other Mod", role=Role.MODERATOR)

    response = login(moderator).post(f"/moderation/members/{other_mod.id}/suspend", data={"days": "3", "reason": "Because"})

    assert response.status_code == 422
    assert "Moderators and staff cannot be suspended here" in field_errors(response, "reason")
    assert fresh(User, other_mod.id).suspended_until is None
    assert fresh(User, bob.id).suspended_until is None


# -- the anonymous page cache -----------------------------------------------------------------


def test_a_new_post_shows_at_once_to_anonymous_visitors(app, login, alice, client):
    assert "First light over the ridge" not in page(client.get("/community"))  # now cached
    assert "Nothing here yet" in page(client.get("/community"))

    login(alice).post("/posts/new", data={"body": "First light over the ridge #dawn"})

    assert "First light over the ridge" in page(client.get("/community"))
    assert "First light over the ridge" in page(client.get("/tags/dawn"))


def test_hiding_a_post_removes_it_at_once_from_every_cached_page(app, login, alice, moderator, make_post, client):
    post = make_post(alice, body="Borderline joke #humour")
    pages = ["/community", "/community?tab=trending", "/tags/humour", f"/members/{alice.id}"]
    for path in pages:
        assert card(page(client.get(path)), post.id), path  # cached now
    assert client.get(f"/posts/{post.id}").status_code == 200

    login(moderator).post(f"/moderation/posts/{post.id}/hide")

    for path in pages:
        assert card(page(client.get(path)), post.id) == "", path
    assert client.get(f"/posts/{post.id}").status_code == 404
