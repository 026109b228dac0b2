"""Conversation over HTTP: comments and replies, likes, answers, follows (notifications: test_views_notifications)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.community import service
from portal.community.models import Comment, Follow, Post, PostLike
from portal.extensions import db
from portal.kernel.notifications import Notification

from .helpers import flashes, fresh, page

PASSWORD = "correct horse battery staple"  # the password conftest gives every member


# -- helpers ------------------------------------------------------------------------------


def comment_html(text: str, comment_id: int) -> str:
    """One comment as drawn on the post page ("" when it is not there)."""
    match = re.search(rf'<article class="comment[^"]*" id="comment-{comment_id}">.*?</article>', text, re.S)
    return match.group(0) if match else ""


def replies_html(text: str) -> str:
    return "".join(re.findall(r'<div class="replies">.*?</article>\s*</div>', text, re.S))


def comments_heading(text: str) -> str:
    return re.search(r'<h2 id="comments-title">(.*?)</h2>', text).group(1)


def post_like_count(text: str) -> int:
    """The number on the post's own like button (the first one on its page)."""
    return int(re.search(r'class="action like-button.*?<span class="count">(\d+)</span>', text, re.S).group(1))



# -- comments -----------------------------------------------------------------------------


def test_a_comment_and_a_reply_show_under_the_post(app, login, alice, bob, carol, make_post, client):
    post = make_post(alice, body="Best trail this autumn?")
    client.get(f"/posts/{post.id}")  # cached for anonymous visitors
    bob_browser = login(bob)

    added = bob_browser.post(f"/posts/{post.id}/comments", data={"body": "The ridge walk"})

    comment = db.session.scalar(select(Comment))
    assert added.status_code == 302
    assert added.headers["Location"] == f"/posts/{post.id}#comment-{comment.id}"
    replied = login(carol).post(f"/posts/{post.id}/comments", data={"body": "Seconded!", "parent_id": str(comment.id)})
    reply = db.session.scalar(select(Comment).where(Comment.parent_id == comment.id))
    assert replied.status_code == 302 and reply is not None

    text = page(client.get(f"/posts/{post.id}"))
    assert "The ridge walk" in comment_html(text, comment.id)
    assert "Seconded!" in comment_html(text, reply.id)
    assert f'id="comment-{reply.id}"' in replies_html(text)
    assert f'id="comment-{comment.id}"' not in replies_html(text)
    assert comments_heading(text) == "2 comments"


def test_a_reply_to_a_reply_joins_the_same_thread(app, login, alice, bob, carol, make_post, make_comment, client):
    post = make_post(alice)
    top = make_comment(post, bob, body="Top")
    reply = make_comment(post, carol, body="First reply", parent=top)

    login(alice).post(f"/posts/{post.id}/comments", data={"body": "Reply to the reply", "parent_id": str(reply.id)})

    nested = db.session.scalar(select(Comment).where(Comment.body == "Reply to the reply"))
    assert nested.parent_id == top.id
    assert "Reply to the reply" in replies_html(page(client.get(f"/posts/{post.id}")))


def test_an_empty_comment_is_refused_with_a_message(app, login, bob, alice, make_post, rows):
    post = make_post(alice)

    response = login(bob).post(f"/posts/{post.id}/comments", data={"body": "   "}, follow_redirects=True)

    assert "Write something first." in flashes(response)
    assert rows(Comment) == 0


def test_the_author_edits_a_comment_and_it_shows_as_edited(app, login, alice, bob, make_post, make_comment, client):
    post = make_post(alice)
    comment = make_comment(post, bob, body="Teh best")
    client.get(f"/posts/{post.id}")
    browser = login(bob)
    assert login(alice).get(f"/comments/{comment.id}/edit").status_code == 403

    response = browser.post(f"/comments/{comment.id}/edit", data={"body": "The best"})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/posts/{post.id}#comment-{comment.id}"
    shown = comment_html(page(client.get(f"/posts/{post.id}")), comment.id)
    assert "The best" in shown and "Teh" not in shown
    assert '<span class="edited"' in shown


def test_the_author_deletes_a_comment_and_the_count_drops(app, login, alice, bob, carol, make_post, make_comment, client):
    post = make_post(alice)
    keep = make_comment(post, carol, body="Stays")
    gone = make_comment(post, bob, body="Goes away")
    assert comments_heading(page(client.get(f"/posts/{post.id}"))) == "2 comments"
    browser = login(bob)
    assert login(carol).post(f"/comments/{gone.id}/delete").status_code == 403

    response = browser.post(f"/comments/{gone.id}/delete")

    assert response.status_code == 302
    assert "Your comment is deleted." in flashes(browser.get(response.headers["Location"]))
    text = page(client.get(f"/posts/{post.id}"))
    assert "Goes away" not in text and comment_html(text, gone.id) == ""
    assert "Stays" in comment_html(text, keep.id)
    assert comments_heading(text) == "1 comment"
    assert browser.get(f"/comments/{gone.id}/edit").status_code == 404


def test_replying_to_a_deleted_comment_is_refused_clearly(app, login, alice, bob, carol, make_post, make_comment, rows):
    post = make_post(alice)
    comment = make_comment(post, bob, body="Soon gone")
    service.delete_comment(db.session, comment, bob)

    response = login(carol).post(f"/posts/{post.id}/comments", data={"body": "Too late", "parent_id": str(comment.id)},
                                 follow_redirects=True)

    assert "The comment you replied to was deleted." in flashes(response)
    assert rows(Comment, Comment.body == "Too late") == 0


def test_commenting_on_a_deleted_post_is_refused_clearly(app, login, alice, bob, make_post, rows):
    post = make_post(alice)
    service.delete_post(db.session, post, alice)

    response = login(bob).post(f"/posts/{post.id}/comments", data={"body": "Hello?"}, follow_redirects=True)

    assert response.status_code == 200
    assert "This post was deleted, so it cannot take comments." in flashes(response)
    assert rows(Comment) == 0
    assert fresh(Post, post.id).comment_count == 0


def test_a_deleted_comment_with_replies_leaves_a_placeholder_and_the_replies(app, alice, bob, carol, make_post,
                                                                           make_comment, client):
    post = make_post(alice)
    top = make_comment(post, bob, body="Controversial take")
    make_comment(post, carol, body="I disagree politely", parent=top)
    client.get(f"/posts/{post.id}")
    service.delete_comment(db.session, top, bob)

    text = page(client.get(f"/posts/{post.id}"))

    assert "Controversial take" not in text
    assert f'<p class="comment-placeholder muted" id="comment-{top.id}">This comment was deleted.</p>' in text
    assert "I disagree politely" in replies_html(text)
    assert comments_heading(text) == "1 comment"


# -- likes --------------------------------------------------------------------------------


def test_a_like_toggles_and_returns_to_where_the_member_was(app, login, alice, bob, make_post, client):
    post = make_post(alice, body="Like me")
    browser = login(bob)

    liked = browser.post(f"/posts/{post.id}/like", data={"next": f"/community#post-{post.id}"})

    assert liked.status_code == 302 and liked.headers["Location"] == f"/community#post-{post.id}"
    assert post_like_count(page(browser.get(f"/posts/{post.id}"))) == 1
    assert 'aria-pressed="true"' in page(browser.get(f"/posts/{post.id}"))
    assert 'aria-label="1 like: sign in to like"' in page(client.get(f"/posts/{post.id}"))

    unliked = browser.post(f"/posts/{post.id}/like", data={"next": f"/posts/{post.id}"})

    assert unliked.headers["Location"] == f"/posts/{post.id}#post-{post.id}"  # a form without a place: the post's
    assert post_like_count(page(browser.get(f"/posts/{post.id}"))) == 0
    assert 'aria-label="0 likes: sign in to like"' in page(client.get(f"/posts/{post.id}"))


JSON = {"Accept": "application/json"}


def test_a_like_asked_for_in_json_answers_the_new_state_without_a_redirect(app, login, alice, bob, make_post,
                                                                          make_comment):
    post = make_post(alice, body="Like me from the feed")
    comment = make_comment(post, alice, body="And my comment")
    browser = login(bob)

    liked = browser.post(f"/posts/{post.id}/like", data={"next": f"/community#post-{post.id}"}, headers=JSON)
    unliked = browser.post(f"/posts/{post.id}/like", headers=JSON)
    comment_liked = browser.post(f"/comments/{comment.id}/like", headers=JSON)

    assert liked.status_code == 200 and liked.get_json() == {"ok": True, "liked": True, "count": 1, "message": None}
    assert unliked.get_json() == {"ok": True, "liked": False, "count": 0, "message": None}
    assert comment_liked.get_json()["liked"] and comment_liked.get_json()["count"] == 1
    assert fresh(Post, post.id).like_count == 0 and fresh(Comment, comment.id).like_count == 1
    assert "like" not in flashes(browser.get("/community")).lower()


def test_a_refused_like_in_json_says_why(app, login, alice, bob, make_post, rows):
    post = make_post(alice)
    service.delete_post(db.session, post, alice)

    response = login(bob).post(f"/posts/{post.id}/like", headers=JSON)

    assert response.status_code == 409
    assert response.get_json()["message"] == "This was deleted or hidden, so it cannot be changed any more."
    assert rows(PostLike) == 0


def test_the_like_forms_name_their_place_and_a_comment_like_returns_there(app, login, alice, bob, make_post, make_comment):
    post = make_post(alice, body="A post with a comment")
    comment = make_comment(post, alice, body="Nice one")
    browser = login(bob)

    text = page(browser.get("/community"))
    back = browser.post(f"/comments/{comment.id}/like", data={"next": f"/posts/{post.id}"})

    assert f'name="next" value="/community#post-{post.id}"' in text and "data-like-form" in text
    assert back.headers["Location"] == f"/posts/{post.id}#comment-{comment.id}"


@pytest.mark.parametrize("target", ["https://evil.example/phish", "//evil.example", "/\\evil.example"])
def test_a_like_never_sends_the_member_to_another_site(app, login, alice, bob, make_post, target):
    post = make_post(alice)

    response = login(bob).post(f"/posts/{post.id}/like", data={"next": target})

    assert response.headers["Location"] == f"/posts/{post.id}#post-{post.id}"
    assert fresh(Post, post.id).like_count == 1


def test_liking_a_deleted_post_says_so_and_changes_nothing(app, login, alice, bob, make_post, rows):
    post = make_post(alice)
    service.delete_post(db.session, post, alice)

    response = login(bob).post(f"/posts/{post.id}/like", data={"next": "/community"}, follow_redirects=True)

    assert response.status_code == 200
    assert "This was deleted or hidden, so it cannot be changed any more." in flashes(response)
    assert rows(PostLike) == 0 and fresh(Post, post.id).like_count == 0
    assert rows(Notification) == 0


@pytest.mark.parametrize("sent", [{"next": "/posts/{id}"}, {}], ids=["next-is-its-page", "no-next"])
def test_liking_a_deleted_post_from_its_page_does_not_end_on_a_404(app, login, alice, bob, make_post, sent):
    post = make_post(alice)
    service.delete_post(db.session, post, alice)

    browser = login(bob)

    response = browser.post(f"/posts/{post.id}/like", data={k: v.format(id=post.id) for k, v in sent.items()})

    assert response.headers["Location"] == "/community"  # its own page is gone (404)
    landing = browser.get("/community")
    assert landing.status_code == 200
    assert "This was deleted or hidden, so it cannot be changed any more." in flashes(landing)


def test_liking_a_comment_under_a_deleted_post_says_so_on_a_page_that_exists(app, login, alice, bob, make_post,
                                                                            make_comment, rows):
    post = make_post(alice)
    comment = make_comment(post, alice, body="My own remark")
    service.delete_post(db.session, post, alice)
    browser = login(bob)

    response = browser.post(f"/comments/{comment.id}/like", data={"next": f"/posts/{post.id}#comment-{comment.id}"},
                            follow_redirects=True)

    assert response.status_code == 200
    assert response.request.path == "/community"
    assert "This was deleted or hidden, so it cannot be changed any more." in flashes(response)
    assert fresh(Comment, comment.id).like_count == 0


def test_liking_a_post_that_never_existed_is_a_clear_message(app, login, bob):
    response = login(bob).post("/posts/424242/like", follow_redirects=True)

    assert response.status_code == 200
    assert "This post no longer exists." in flashes(response)


# -- answers --------------------------------------------------------------------------------


def test_the_asker_marks_the_answer_and_the_question_leaves_the_staff_list(app, login, alice, bob, staff, make_post,
                                                                          make_comment, client):
    question = make_post(alice, body="How do I waterproof the tent?", is_question=True)
    reply = make_comment(question, bob, body="Use the spray from the shop")
    staff_browser = login(staff)
    assert "How do I waterproof the tent?" in page(staff_browser.get("/questions"))
    assert "Waiting for an answer" in page(client.get(f"/posts/{question.id}"))

    response = login(alice).post(f"/posts/{question.id}/answer/{reply.id}", follow_redirects=True)

    assert "Marked as the answer." in flashes(response)
    text = page(client.get(f"/posts/{question.id}"))
    assert '<h2 id="answer-title">Answered</h2>' in text
    assert "Use the spray from the shop" in re.search(r'<section class="answer-box".*?</section>', text, re.S).group(0)
    assert "Waiting for an answer" not in text
    assert "How do I waterproof the tent?" not in page(staff_browser.get("/questions"))


def test_someone_else_cannot_mark_the_answer(app, login, alice, bob, carol, make_post, make_comment, client):
    question = make_post(alice, body="Which size?", is_question=True)
    reply = make_comment(question, bob, body="Large")

    response = login(carol).post(f"/posts/{question.id}/answer/{reply.id}", follow_redirects=True)

    assert "Only the person who asked, or staff, can choose the answer." in flashes(response)
    assert fresh(Post, question.id).answer_id is None
    assert "Waiting for an answer" in page(client.get(f"/posts/{question.id}"))


def test_staff_can_mark_the_answer_to_anyones_question(app, login, alice, bob, staff, make_post, make_comment, client):
    question = make_post(alice, body="Opening hours?", is_question=True)
    reply = make_comment(question, bob, body="Nine to five")

    response = login(staff).post(f"/posts/{question.id}/answer/{reply.id}", follow_redirects=True)

    assert "Marked as the answer." in flashes(response)
    assert fresh(Post, question.id).answer_id == reply.id
    assert '<h2 id="answer-title">Answered</h2>' in page(client.get(f"/posts/{question.id}"))


# -- follows --------------------------------------------------------------------------------


def followers(text: str) -> int:
    return int(re.search(r"<dt>Followers</dt><dd>(\d+)</dd>", text).group(1))


def test_following_from_the_profile_fills_the_feed_and_unfollowing_empties_it(app, login, alice, bob, make_post, client):
    make_post(alice, body="Alice's trail diary")
    browser = login(bob)
    profile = page(browser.get(f"/members/{alice.id}"))
    assert followers(profile) == 0
    assert f'action="/members/{alice.id}/follow"' in profile
    assert "Alice's trail diary" not in page(browser.get("/feed"))
    assert followers(page(client.get(f"/members/{alice.id}"))) == 0  # cached for anonymous visitors

    followed = browser.post(f"/members/{alice.id}/follow", data={"next": f"/members/{alice.id}"})

    assert followed.headers["Location"] == f"/members/{alice.id}"
    profile = browser.get(followed.headers["Location"])
    assert "You follow Alice Author: their posts will show in your feed." in flashes(profile)
    assert followers(page(profile)) == 1
    assert f'action="/members/{alice.id}/unfollow"' in page(profile)
    assert followers(page(client.get(f"/members/{alice.id}"))) == 1
    assert "Alice's trail diary" in page(browser.get("/feed"))

    unfollowed = browser.post(f"/members/{alice.id}/unfollow", data={"next": f"/members/{alice.id}"})

    profile = browser.get(unfollowed.headers["Location"])
    assert "You no longer follow Alice Author." in flashes(profile)
    assert followers(page(profile)) == 0
    assert followers(page(client.get(f"/members/{alice.id}"))) == 0
    assert "Alice's trail diary" not in page(browser.get("/feed"))


def test_a_member_cannot_follow_themselves(app, login, alice, rows):
    response = login(alice).post(f"/members/{alice.id}/follow", follow_redirects=True)

    assert "You cannot follow yourself." in flashes(response)
    assert rows(Follow) == 0
