"""Reports from members, and what moderators do with them: hide, restore, dismiss, suspend."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from portal.accounts.models import AuditEvent, User
from portal.community import moderation, queries, service, social
from portal.community.models import Comment, Post, Report
from portal.community.service import CommunityError, Gone
from portal.extensions import db
from portal.kernel.timeutil import utcnow


def audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def ids(page) -> list[int]:
    return [p.id for p in page.posts]


# -- reporting -----------------------------------------------------------------------


def test_a_member_reports_a_post_with_a_reason(app, alice, bob, make_post):
    post = make_post(alice)

    report = moderation.report(db.session, bob, reason="  Selling   fakes\n", post=post)

    assert report.reason == "Selling fakes"
    assert [r.id for r in moderation.open_reports(db.session)] == [report.id]
    assert moderation.open_reports(db.session)[0].post.id == post.id


def test_a_member_reports_a_comment(app, alice, bob, carol, make_post, make_comment):
    comment = make_comment(make_post(alice), bob)

    report = moderation.report(db.session, carol, reason="Rude", comment=comment)

    assert (report.comment_id, report.post_id) == (comment.id, None)


@pytest.mark.parametrize("reason", ["", "   \n ", None])
def test_a_report_needs_a_reason(app, alice, bob, make_post, rows, reason):
    post = make_post(alice)

    with pytest.raises(CommunityError) as refused:
        moderation.report(db.session, bob, reason=reason, post=post)

    assert refused.value.errors["reason"]
    assert rows(Report) == 0


def test_a_too_long_reason_is_refused(app, alice, bob, make_post, rows):
    with pytest.raises(CommunityError):
        moderation.report(db.session, bob, reason="x" * 501, post=make_post(alice))

    assert rows(Report) == 0


def test_nobody_reports_their_own_words(app, alice, bob, make_post, make_comment, rows):
    post = make_post(alice)
    comment = make_comment(post, bob)

    with pytest.raises(CommunityError):
        moderation.report(db.session, alice, reason="oops", post=post)
    with pytest.raises(CommunityError):
        moderation.report(db.session, bob, reason="oops", comment=comment)

    assert rows(Report) == 0


def test_one_open_report_per_member_and_target(app, alice, bob, carol, make_post, rows):
    post = make_post(alice)
    moderation.report(db.session, bob, reason="Spam", post=post)

    with pytest.raises(CommunityError) as refused:
        moderation.report(db.session, bob, reason="Really spam", post=post)

    assert "already" in str(refused.value)
    moderation.report(db.session, carol, reason="Spam too", post=post)  # someone else may
    assert rows(Report) == 2


def test_after_a_report_is_dismissed_the_member_may_report_again(app, alice, bob, moderator, make_post, rows):
    post = make_post(alice)
    first = moderation.report(db.session, bob, reason="Spam", post=post)
    moderation.dismiss(db.session, moderator, first)

    moderation.report(db.session, bob, reason="It got worse", post=post)

    assert rows(Report) == 2


def test_deleted_content_cannot_be_reported(app, alice, bob, carol, make_post, make_comment, rows):
    post = make_post(alice)
    comment = make_comment(post, bob)
    service.delete_comment(db.session, comment, bob)
    service.delete_post(db.session, post, alice)

    with pytest.raises(Gone):
        moderation.report(db.session, carol, reason="Spam", post=post)
    with pytest.raises(Gone):
        moderation.report(db.session, carol, reason="Spam", comment=comment)

    assert rows(Report) == 0


# -- hiding and restoring ---------------------------------------------------------------


def test_hiding_a_post_resolves_its_reports_and_takes_it_out_of_feeds(app, alice, bob, carol, moderator, make_post):
    social.follow(db.session, bob, alice)
    post = make_post(alice, "Buy cheap #watches here")
    other = make_post(alice, "A normal post")
    reports = [moderation.report(db.session, bob, reason="Spam", post=post),
               moderation.report(db.session, carol, reason="Spam!", post=post)]
    unrelated = moderation.report(db.session, bob, reason="Meh", post=other)

    moderation.hide(db.session, moderator, post=post, note="spam link")

    for report in reports:
        db.session.refresh(report)
        assert (report.resolution, report.resolved_by_id) == ("hidden", moderator.id)
        assert report.resolved_at is not None
    assert [r.id for r in moderation.open_reports(db.session)] == [unrelated.id]
    assert post.id not in ids(queries.home_feed(db.session, bob))
    assert post.id not in ids(queries.latest(db.session, None))
    assert ids(queries.hashtag_posts(db.session, "watches", carol)) == []
    assert post.id in ids(queries.latest(db.session, alice))  # the author still sees it
    [event] = audit("content.hide")
    assert (event.actor_id, event.target_user_id) == (moderator.id, alice.id)
    assert event.details["post"] == post.id and event.details["note"] == "spam link"


def test_a_hidden_comment_disappears_from_the_thread_for_others(app, alice, bob, carol, moderator, make_post,
                                                                make_comment):
    post = make_post(alice)
    rude = make_comment(post, bob, "Rude words")
    kind = make_comment(post, carol, "Kind words")
    moderation.report(db.session, carol, reason="Rude", comment=rude)

    moderation.hide(db.session, moderator, comment=rude)

    assert [c.id for c in queries.thread(db.session, post, carol).comments] == [kind.id]
    assert [c.id for c in queries.thread(db.session, post, None).comments] == [kind.id]
    assert [c.id for c in queries.thread(db.session, post, bob).comments] == [rude.id, kind.id]
    assert [c.id for c in queries.thread(db.session, post, moderator).comments] == [rude.id, kind.id]
    assert moderation.open_reports(db.session) == []
    assert audit("content.hide")[0].details["comment"] == rude.id


def test_restoring_shows_the_post_again(app, alice, bob, moderator, make_post):
    post = make_post(alice)
    moderation.hide(db.session, moderator, post=post)

    moderation.restore(db.session, moderator, post=post)

    assert post.id in ids(queries.latest(db.session, bob))
    assert audit("content.restore")[0].details["post"] == post.id
    social.toggle_post_like(db.session, post, bob)  # and it can be liked again
    assert db.session.get(Post, post.id).like_count == 1


def test_dismissing_closes_the_report_and_keeps_the_content(app, alice, bob, carol, moderator, make_post):
    post = make_post(alice)
    first = moderation.report(db.session, bob, reason="I disagree", post=post)
    second = moderation.report(db.session, carol, reason="Me too", post=post)

    moderation.dismiss(db.session, moderator, first)

    for report in (first, second):
        db.session.refresh(report)
        assert report.resolution == "kept" and report.resolved_by_id == moderator.id
    assert moderation.open_reports(db.session) == []
    assert post.id in ids(queries.latest(db.session, bob))
    assert db.session.get(Post, post.id).hidden_at is None


def test_dismissing_a_comment_report_keeps_the_comment(app, alice, bob, carol, moderator, make_post, make_comment):
    comment = make_comment(make_post(alice), bob)
    report = moderation.report(db.session, carol, reason="Hmm", comment=comment)

    moderation.dismiss(db.session, moderator, report)

    assert db.session.get(Report, report.id).resolution == "kept"
    assert db.session.get(Comment, comment.id).hidden_at is None


def test_open_reports_come_oldest_first(app, alice, bob, carol, make_post):
    first = moderation.report(db.session, bob, reason="one", post=make_post(alice))
    second = moderation.report(db.session, carol, reason="two", post=make_post(alice))

    assert [r.id for r in moderation.open_reports(db.session)] == [first.id, second.id]


def test_members_cannot_moderate(app, alice, bob, make_post, rows):
    post = make_post(alice)
    report = moderation.report(db.session, bob, reason="Spam", post=post)

    with pytest.raises(CommunityError):
        moderation.hide(db.session, bob, post=post)
    with pytest.raises(CommunityError):
        moderation.dismiss(db.session, bob, report)
    with pytest.raises(CommunityError):
        moderation.suspend(db.session, bob, alice, days=3, reason="I don't like her")

    assert db.session.get(Post, post.id).hidden_at is None
    assert [r.id for r in moderation.open_reports(db.session)] == [report.id]
    assert not db.session.get(User, alice.id).is_suspended
    assert rows(AuditEvent) == 0


# -- suspensions -------------------------------------------------------------------------


def test_a_suspended_member_cannot_post_comment_or_like_and_sees_why(app, alice, bob, moderator, make_post, rows):
    post = make_post(alice)

    moderation.suspend(db.session, moderator, bob, days="7", reason="Repeated   insults")

    db.session.refresh(bob)
    assert bob.is_suspended
    assert timedelta(days=6, hours=23) < bob.suspended_until - utcnow() <= timedelta(days=7)
    for attempt in (lambda: service.create_post(db.session, bob, body="Hello"),
                    lambda: service.add_comment(db.session, post, bob, body="Hello"),
                    lambda: social.toggle_post_like(db.session, post, bob),
                    lambda: service.check_can_write(bob)):
        with pytest.raises(CommunityError) as refused:
            attempt()
        assert "Repeated insults" in str(refused.value)
    assert rows(Post) == 1 and rows(Comment) == 0
    [event] = audit("member.suspend")
    assert (event.actor_id, event.target_user_id, event.details) == (moderator.id, bob.id,
                                                                      {"days": 7, "reason": "Repeated insults"})


@pytest.mark.parametrize("days", [0, 366, -3, "", "soon", None])
def test_a_suspension_lasts_1_to_365_days(app, bob, moderator, days):
    with pytest.raises(CommunityError) as refused:
        moderation.suspend(db.session, moderator, bob, days=days, reason="Spam")

    assert refused.value.errors["days"]
    assert not db.session.get(User, bob.id).is_suspended
    assert audit("member.suspend") == []


@pytest.mark.parametrize("days", [1, 365])
def test_the_limits_are_accepted(app, bob, moderator, days):
    moderation.suspend(db.session, moderator, bob, days=days, reason="Spam")

    assert db.session.get(User, bob.id).is_suspended


def test_a_suspension_needs_a_reason(app, bob, moderator):
    with pytest.raises(CommunityError) as refused:
        moderation.suspend(db.session, moderator, bob, days=3, reason="   ")

    assert refused.value.errors["reason"]
    assert not db.session.get(User, bob.id).is_suspended


def test_moderators_and_staff_cannot_be_suspended(app, moderator, staff, admin, make_member):
    other_moderator = make_member(role=moderator.role)
    for target in (other_moderator, staff, admin, moderator):
        with pytest.raises(CommunityError):
            moderation.suspend(db.session, moderator, target, days=3, reason="Power trip")
    with pytest.raises(CommunityError):
        moderation.suspend(db.session, admin, staff, days=3, reason="Power trip")

    assert not any(db.session.get(User, u.id).is_suspended for u in (other_moderator, staff, admin, moderator))
    assert audit("member.suspend") == []


def test_lifting_a_suspension_lets_the_member_write_again(app, alice, bob, moderator, make_post):
    moderation.suspend(db.session, moderator, bob, days=30, reason="Spam")

    moderation.lift_suspension(db.session, moderator, bob)

    db.session.refresh(bob)
    assert not bob.is_suspended and bob.suspension_reason == ""
    assert make_post(bob, "I am sorry").published_at is not None
    assert [e.target_user_id for e in audit("member.unsuspend")] == [bob.id]


def test_a_hidden_post_page_is_not_found_for_others(app, alice, bob, moderator, make_post):
    post = make_post(alice)
    moderation.hide(db.session, moderator, post=post)

    for viewer in (bob, None):
        with pytest.raises(NotFound):
            queries.get_post_or_404(db.session, post.id, viewer)
    assert queries.get_post_or_404(db.session, post.id, alice).id == post.id
    assert queries.get_post_or_404(db.session, post.id, moderator).id == post.id
