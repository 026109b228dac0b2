"""A moderator voids a member's points from a period, with a reason (audit log); the data export holds the
ledger and staff's notes; deleting the account removes the ledger, the standing, the badges and the notes."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts import account
from portal.accounts.models import AuditEvent
from portal.community import service as community
from portal.community import social
from portal.extensions import db
from portal.fans import jobs, service
from portal.fans.models import EngagementEvent, FanBadge, FanNote, FanSelectionMember, FanStanding, FanVoid
from portal.kernel import features
from tests.conftest import PASSWORD

from .core_fixtures import formula, ledger, standing


def _post(member, text):
    return community.create_post(db.session, member, body=text)


@pytest.fixture
def history(people, clock):
    """A member with a post on each of four days; a friend likes each."""
    victor, friend = people(display_name="Victor"), people(display_name="Friend")
    days = []
    for n in range(4):
        post = _post(victor, f"Day {n} of the trip")
        social.toggle_post_like(db.session, post, friend)
        days.append(clock.now.date())
        clock.advance(days=1)
    return victor, friend, days


def test_a_void_takes_back_exactly_that_periods_points(history, moderator):
    victor, friend, days = history
    voided = service.void_period(db.session, moderator, victor, starts=days[1], ends=days[2], reason="Like ring")
    assert voided == 4  # two posts, two likes received
    marks = [(e.created_at.date(), e.kind, e.voided) for e in ledger(victor)]
    assert [m for m in marks if m[2] == "void"] == [(d, k, "void") for d in days[1:3] for k in ("post", "like_received")]
    assert {m[2] for m in marks if m[0] not in days[1:3]} == {None}
    assert {e.void_id for e in ledger(victor) if e.voided} == {db.session.scalar(select(FanVoid.id))}
    assert (standing(victor).score, standing(victor).lifetime) == formula(victor, standing(victor).scored_day)[::2]
    assert standing(victor).lifetime == 2 * 6000
    assert [e.voided for e in ledger(friend)] == [None] * 4  # the friend's own likes given are theirs
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "fans.void"))
    assert audit.target_user_id == victor.id and audit.actor_id == moderator.id
    assert audit.details == {"starts": days[1].isoformat(), "ends": days[2].isoformat(), "reason": "Like ring",
                             "events": 4}
    jobs.nightly_pass()  # a recompute keeps the void
    assert standing(victor).lifetime == 2 * 6000


def test_a_void_outlasts_hiding_and_restoring(history, moderator):
    from portal.community import moderation  # only this test hides
    from portal.community.models import Post

    victor, _friend, days = history
    post = db.session.scalars(select(Post).where(Post.author_id == victor.id).order_by(Post.id)).first()
    moderation.hide(db.session, moderator, post=post)
    service.void_period(db.session, moderator, victor, starts=days[0], ends=days[0], reason="Bought likes")
    moderation.restore(db.session, moderator, post=post)
    assert {e.voided for e in ledger(victor) if e.post_id == post.id} == {"void"}


@pytest.mark.parametrize(("starts", "ends", "reason", "field"), [
    (0, 1, "", "reason"), (0, 1, "   ", "reason"), (None, 1, "Ring", "starts"), (0, None, "Ring", "ends"),
    (2, 1, "Ring", "ends"), (9, 10, "Ring", "starts")])
def test_a_void_needs_a_reason_and_a_real_period(history, moderator, starts, ends, reason, field):
    victor, _friend, days = history
    first = days[0]
    with pytest.raises(service.FansError) as caught:
        service.void_period(db.session, moderator, victor, reason=reason,
                            starts=None if starts is None else first + timedelta(days=starts),
                            ends=None if ends is None else first + timedelta(days=ends))
    assert field in caught.value.errors
    assert db.session.scalar(select(func.count()).select_from(FanVoid)) == 0
    assert {e.voided for e in ledger(victor)} == {None}


def test_only_moderators_void(history):
    victor, friend, days = history
    with pytest.raises(PermissionError):
        service.void_period(db.session, friend, victor, starts=days[0], ends=days[0], reason="I do not like him")


def test_the_export_holds_the_ledger_and_staffs_notes(history, staff):
    victor, _friend, _days = history
    service.add_note(db.session, staff, victor, "Called him about the meetup; prefers email.")
    with pytest.raises(service.FansError):
        service.add_note(db.session, staff, victor, "   ")
    exporter = features.registry().data_exporters["fans"]
    data = exporter(db.session, victor)
    assert [(row["kind"], row["points"]) for row in data["ledger"]] == [("post", 5.0), ("like_received", 1.0)] * 4
    assert data["staff_notes"][0]["note"] == "Called him about the meetup; prefers email."
    assert {b["badge"] for b in data["badges"]} >= {"First post"}
    full = account.export_data(db.session, victor, features.registry().data_exporters)
    assert full["fans"]["ledger"] == data["ledger"]


def test_deleting_the_account_removes_the_fans_data(history, staff):
    victor, friend, _days = history
    service.add_note(db.session, staff, victor, "A loyal customer.")
    service.save_selection(db.session, staff, "Meetup crew", [victor.id, friend.id])
    assert db.session.scalar(select(func.count()).select_from(FanBadge).where(FanBadge.user_id == victor.id))
    account.delete_account(db.session, victor, password=PASSWORD)
    for model in (EngagementEvent, FanStanding, FanBadge, FanNote, FanSelectionMember, FanVoid):
        assert db.session.scalar(select(func.count()).select_from(model).where(model.user_id == victor.id)) == 0
    assert ledger(friend, "like_given")  # the friend's ledger is the friend's
    assert db.session.scalar(select(func.count()).select_from(FanSelectionMember)) == 1
