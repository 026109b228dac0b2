"""Edge cases found in review: what a curious member or a bad id must not get through."""
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.accounts import service as accounts
from portal.accounts.models import User
from portal.community import moderation, service, social
from portal.community.models import Comment, Post
from portal.extensions import cache, db
from portal.kernel.notifications import Notification
from portal.kernel.timeutil import utcnow


def test_the_report_form_does_not_show_scheduled_or_hidden_content(login, alice, bob, staff, moderator, make_post, make_comment):
    scheduled = make_post(staff, "Secret launch on Friday", announcement=True, publish_at=utcnow() + timedelta(days=3))
    post = make_post(alice)
    comment = make_comment(post, alice, "Something a moderator will hide")
    moderation.hide(db.session, moderator, comment=comment)
    browser = login(bob)
    assert browser.get(f"/posts/{scheduled.id}/report").status_code == 404
    response = browser.get(f"/comments/{comment.id}/report")
    assert response.status_code == 404
    assert "Something a moderator will hide" not in response.get_data(as_text=True)


def test_a_lost_cache_generation_never_serves_a_stale_page(client, alice, make_post):
    assert client.get("/community").status_code == 200
    post = make_post(alice, "Fresh news from the trail")
    cache.delete("gen:community")  # what a full cache does when it evicts
    assert "Fresh news from the trail" in client.get("/community").get_data(as_text=True)
    service.delete_post(db.session, post, alice)
    cache.delete("gen:community")
    assert "Fresh news from the trail" not in client.get("/community").get_data(as_text=True)


def test_ids_beyond_the_database_are_not_found(client, login, bob, alice, make_post):
    huge = "99999999999999999999"
    for path in (f"/posts/{huge}", f"/members/{huge}", f"/comments/{huge}/report"):
        assert client.get(path).status_code in (302, 404), path
    post = make_post(alice)
    browser = login(bob)
    for parent in ("²", huge, "-1"):
        response = browser.post(f"/posts/{post.id}/comments", data={"body": "A reply", "parent_id": parent})
        assert response.status_code == 302, parent
    assert browser.post(f"/posts/{huge}/like").status_code == 404
    assert browser.get(f"/admin/members?page={huge}").status_code == 403


def test_nobody_can_take_the_handle_a_deleted_account_will_get(alice):
    try:
        accounts.update_profile(db.session, alice, display_name=alice.display_name, bio="", username=f"deleted_{alice.id + 1}")
    except accounts.AccountError as error:
        assert "reserved" in str(error)
    else:
        raise AssertionError("a deleted_ handle was accepted")


def test_deleting_a_comment_twice_counts_once(alice, bob, make_post, make_comment):
    post = make_post(alice)
    comment = make_comment(post, bob, "Deleted twice in two tabs")
    make_comment(post, bob, "Stays")
    with Session(db.engine) as other_tab:  # the first tab deletes it...
        service.delete_comment(other_tab, other_tab.get(Comment, comment.id), other_tab.get(User, bob.id))
    service.delete_comment(db.session, comment, bob)  # ...while this tab's copy still shows it
    db.session.expire_all()
    assert db.session.get(Post, post.id).comment_count == 1


def test_askers_cannot_accept_their_own_reply(alice, make_post, make_comment):
    question = make_post(alice, "How do I re-proof a shell?", is_question=True)
    own = make_comment(question, alice, "Answering myself")
    try:
        social.mark_answer(db.session, question, own, alice)
    except service.CommunityError:
        pass
    else:
        raise AssertionError("the asker accepted their own reply")
    assert db.session.get(Post, question.id).answer_id is None


def test_liking_again_does_not_notify_again(alice, bob, make_post):
    post = make_post(alice)
    for _ in range(5):
        social.toggle_post_like(db.session, post, bob)
    told = db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == alice.id))
    assert told == 1
    db.session.refresh(alice)
    assert alice.unread_notifications == 1
